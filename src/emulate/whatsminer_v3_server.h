// The socket side of the Whatsminer API V3 emulator: a TCP listener per
// emulated miner (127.x.y.z:4433) that reads length-prefixed frames, asks a
// handler for each reply and keeps the connection for further frames, as the
// real API does. A zero-length frame is the documented heartbeat: no reply.
// A connection with no frame for `idle_limit` is closed. Binding and
// accepting are LoopbackListener's (loopback_listener.h).
//
// Thread safety: a server belongs to the thread running its io_context.

#ifndef MULLET_EMULATE_WHATSMINER_V3_SERVER_H_
#define MULLET_EMULATE_WHATSMINER_V3_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <string_view>

#include "core/status/result.h"
#include "core/units/units.h"
#include "emulate/loopback_listener.h"
#include "emulate/whatsminer_v3.h"

namespace mullet {

class WhatsminerV3Server {
 public:
  // Connections one emulated miner keeps open at once; one more shuts down
  // its oldest (loopback_listener.h). A real miner's API serves one at a
  // time: 16 is room for any honest client, and one holding idle
  // connections cannot lock the miner.
  static constexpr std::size_t kMaxConnectionsPerMiner = 16;

  // `miner` is the index given to Listen; `payload` one frame without its
  // prefix. `too_large`: the declared length was above max_payload and
  // `payload` is empty; the reply should close (V3TooLargeReply).
  using Handler =
      std::function<V3Action(std::size_t miner, std::string_view payload, bool too_large)>;

  WhatsminerV3Server(boost::asio::io_context& io, Handler handler);
  WhatsminerV3Server(const WhatsminerV3Server&) = delete;
  WhatsminerV3Server& operator=(const WhatsminerV3Server&) = delete;
  ~WhatsminerV3Server() = default;  // stops accepting; open connections end on their own

  // Listens on `at` for `miner`; fails with the OS's reason. Port 0 picks a
  // free port: see endpoint().
  Status Listen(std::size_t miner, const boost::asio::ip::tcp::endpoint& at) {
    return listener_.Listen(miner, at);
  }

  std::size_t listeners() const { return listener_.listeners(); }
  // The bound address of the i-th Listen call.
  boost::asio::ip::tcp::endpoint endpoint(std::size_t i) const { return listener_.endpoint(i); }

  // Close a connection that sent no whole frame for this long. protocols.md
  // §2.4 gives 10 s for the 4028 API; the V3 documentation says 300 s.
  Seconds idle_limit{10};
  Seconds hang_limit{300};             // longest a hung connection is held
  std::size_t max_payload = 64 << 10;  // a longer declared frame is refused

 private:
  Handler handler_;
  LoopbackListener listener_;  // last: stops before handler_ goes
};

}  // namespace mullet

#endif  // MULLET_EMULATE_WHATSMINER_V3_SERVER_H_
