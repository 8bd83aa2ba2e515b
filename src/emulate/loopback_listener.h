// The listening side every emulated server shares: the cgminer RPC
// (rpc_server.h), Whatsminer API V3 (whatsminer_v3_server.h) and Modbus TCP
// meters (modbus_meter.h). A LoopbackListener binds one or more addresses
// (127.x.y.z:port, one per emulated device), accepts on each for ever and
// hands every accepted socket to the server's callback with the tag given to
// Listen. What is said on the socket is the server's business.
//
// When accept fails for want of descriptors (EMFILE, ENFILE) or memory, the
// listener shuts down the oldest open connections (their servers then see
// the end of the stream and close them, freeing their descriptors), waits
// 100 ms and tries again, on a timer made with it. So an emulator run past
// its file limit slows down instead of spinning or failing
// (tests/cli/fleet_command_test.cpp runs one under `ulimit -n 800`), and a
// client holding idle connections cannot keep every other client out. Each
// address may also have a cap of its own (max_per_address): a connection
// past it shuts down that address's oldest, so idle connections held on one
// emulated miner never lock it, nor take the descriptors of the others.
//
// Thread safety: a listener and the sockets it hands over belong to the
// thread running the io_context.

#ifndef MULLET_EMULATE_LOOPBACK_LISTENER_H_
#define MULLET_EMULATE_LOOPBACK_LISTENER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

// One accepted connection as the listener hands it over: the socket, and its
// place in the listener's count of open connections (open_connections()),
// given back when this is destroyed. Move-constructible only.
class AcceptedSocket {
 public:
  // The listener's open connections, oldest first, and how many each
  // address (tag) has.
  struct Registry {
    struct Entry {
      int fd;
      std::size_t tag;
    };
    std::map<std::uint64_t, Entry> open;
    std::map<std::size_t, std::size_t> per_tag;
    std::uint64_t next = 0;
  };

  AcceptedSocket(AcceptedSocket&&) noexcept = default;
  AcceptedSocket& operator=(AcceptedSocket&&) = delete;
  ~AcceptedSocket();

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  const boost::asio::ip::tcp::socket& socket() const { return socket_; }
  // Shuts down both ways and closes: the peer sees FIN. Errors are ignored.
  void Close();
  // Closes with linger 0 and no shutdown: the peer sees RST, as from a miner
  // that reboots mid-connection. Errors are ignored.
  void Reset();

 private:
  friend class LoopbackListener;
  AcceptedSocket(boost::asio::ip::tcp::socket socket, std::shared_ptr<Registry> registry, std::size_t tag);

  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<Registry> registry_;  // empty once moved from
  std::uint64_t id_ = 0;
};

class LoopbackListener {
 public:
  // `tag` is the value given to Listen for the address that accepted.
  using OnAccept = std::function<void(std::size_t tag, AcceptedSocket peer)>;
  static constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

  // A connection accepted while `max_connections` AcceptedSockets live (over
  // all addresses) is closed at once, without calling `on_accept`. One
  // accepted while its address has `max_per_address` open is served, and
  // that address's oldest is shut down (its server sees the end of the
  // stream and closes it).
  LoopbackListener(boost::asio::io_context& io, OnAccept on_accept,
                   std::size_t max_connections = kNoLimit, std::size_t max_per_address = kNoLimit);
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  ~LoopbackListener();  // Stop()

  // Binds `at` (SO_REUSEADDR) and accepts on it. IoError "cannot listen on
  // 127.1.0.1:4028: <the OS's reason>" when it cannot be bound. Port 0 picks
  // a free port: see endpoint().
  Status Listen(std::size_t tag, const boost::asio::ip::tcp::endpoint& at);

  std::size_t listeners() const;
  // The bound address of the i-th Listen call. REQUIRES: i < listeners().
  boost::asio::ip::tcp::endpoint endpoint(std::size_t i) const;
  // AcceptedSockets handed over and not yet destroyed.
  std::size_t open_connections() const;

  // Closes every listening socket: from now on nobody is accepted and
  // `on_accept` is not called. Open connections end on their own.
  void Stop();

 private:
  struct Socket;
  struct Shared;
  static void Accept(std::shared_ptr<Shared> shared, Socket* s);

  // The sockets, the callback and the count; pending accepts hold it too, so
  // their handlers outlive the listener safely.
  std::shared_ptr<Shared> shared_;
};

// A timer's duration from Seconds (steady_timer wants an integer duration).
inline std::chrono::steady_clock::duration SteadyDuration(Seconds s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(s);
}

}  // namespace mullet

#endif  // MULLET_EMULATE_LOOPBACK_LISTENER_H_
