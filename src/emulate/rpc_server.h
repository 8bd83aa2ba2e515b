// The emulator's side of the wire: a TCP listener per emulated miner, each on
// its own address (127.x.y.z:4028), answering one request per connection as
// cgminer's api.c does: read the request, write the reply, close. A handler
// decides each reply and can make it misbehave: hang, reset, answer late.
//
// Thread safety: an RpcServer belongs to the thread running its io_context.

#ifndef MULLET_EMULATE_RPC_SERVER_H_
#define MULLET_EMULATE_RPC_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"

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
  // `miner` is the index given to Listen; `request` the bytes received.
  using Handler = std::function<ReplyPlan(std::size_t miner, std::string_view request)>;

  RpcServer(boost::asio::io_context& io, Handler handler);
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;
  ~RpcServer();

  // Listens on `at` for `miner`. Fails with the OS's reason when the address
  // cannot be bound. Port 0 picks a free port: see endpoint().
  Status Listen(std::size_t miner, const boost::asio::ip::tcp::endpoint& at);

  std::size_t listeners() const { return acceptors_.size(); }
  // The bound address of the i-th Listen call.
  boost::asio::ip::tcp::endpoint endpoint(std::size_t i) const;

  // Longest a hung connection is held, and longest a client may take to send
  // its request.
  Seconds hang_limit{300};
  Seconds read_limit{10};

 private:
  struct Listener;
  void Accept(std::shared_ptr<Listener> l);

  boost::asio::io_context& io_;
  Handler handler_;
  std::vector<std::shared_ptr<Listener>> acceptors_;
};

}  // namespace mullet

#endif  // MULLET_EMULATE_RPC_SERVER_H_
