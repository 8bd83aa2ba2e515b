// The emulator's side of the wire: a TCP listener per emulated miner, each on
// its own address (127.x.y.z:4028), answering one request per connection as
// cgminer's api.c does: read the request, write the reply, close. A handler
// decides each reply and can make it misbehave: hang, reset, answer late.
// Binding and accepting are LoopbackListener's (loopback_listener.h).
//
// Thread safety: an RpcServer belongs to the thread running its io_context.

#ifndef MULLET_EMULATE_RPC_SERVER_H_
#define MULLET_EMULATE_RPC_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/status/result.h"
#include "core/units/units.h"
#include "emulate/loopback_listener.h"

namespace mullet {

// What to do with one connection.
struct ReplyPlan {
  enum class Kind {
    kSend,   // write `bytes` after `delay`, then close
    kHang,   // never answer; hold the connection until the client gives up
    kReset,  // reset the connection (TCP RST) without answering
  };
  Kind kind = Kind::kSend;
  std::string bytes;
  Seconds delay{0};
};

class RpcServer {
 public:
  // Connections one emulated miner keeps open at once; one more shuts down
  // its oldest (loopback_listener.h). A real miner's API serves one at a
  // time: 16 is room for any honest client, and one holding idle
  // connections cannot lock the miner.
  static constexpr std::size_t kMaxConnectionsPerMiner = 16;

  // `miner` is the index given to Listen; `request` the bytes received.
  using Handler = std::function<ReplyPlan(std::size_t miner, std::string_view request)>;

  RpcServer(boost::asio::io_context& io, Handler handler);
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;
  ~RpcServer() = default;  // stops accepting; open connections end on their own

  // Listens on `at` for `miner`. Fails with the OS's reason when the address
  // cannot be bound. Port 0 picks a free port: see endpoint().
  Status Listen(std::size_t miner, const boost::asio::ip::tcp::endpoint& at) {
    return listener_.Listen(miner, at);
  }

  std::size_t listeners() const { return listener_.listeners(); }
  // The bound address of the i-th Listen call.
  boost::asio::ip::tcp::endpoint endpoint(std::size_t i) const { return listener_.endpoint(i); }

  // Longest a hung connection is held, and longest a client may take to send
  // its request.
  Seconds hang_limit{300};
  Seconds read_limit{10};

 private:
  Handler handler_;
  LoopbackListener listener_;  // last: stops before handler_ goes
};

}  // namespace mullet

#endif  // MULLET_EMULATE_RPC_SERVER_H_
