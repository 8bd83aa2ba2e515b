// One request per TCP connection, as cgminer-family miners speak: connect,
// write the request, read until the peer closes, with one deadline covering
// all of it. Many requests run at once on one io_context, with a bound on how
// many are in flight, so one hung or slow miner never delays the others.
//
// Thread safety: an RpcClient belongs to the thread running its io_context.

#ifndef MULLET_DRIVERS_TRANSPORT_RPC_CLIENT_H_
#define MULLET_DRIVERS_TRANSPORT_RPC_CLIENT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

// How a reply ends on the wire.
enum class RpcFraming {
  kUntilClose,          // cgminer family: read until the peer closes (NUL-terminated JSON)
  kLengthPrefixedLe32,  // Whatsminer API V3: a 4-byte little-endian length, then that many bytes;
                        // the request is sent framed the same way by the caller
};

struct RpcOptions {
  Seconds deadline{5.0};         // connect + write + read, per request
  std::size_t max_in_flight = 2048;
  // A miner's version, summary, stats or command reply is a few KiB (the
  // largest real stats, 60 KiB); a peer sending more is cut off (kTooLarge).
  // A sweep holds every reply until it ends: this bounds its memory.
  std::size_t max_reply_bytes = 256 << 10;
  RpcFraming framing = RpcFraming::kUntilClose;
};

// How a request ended, beside the reply bytes.
enum class RpcOutcome {
  kReply,         // the peer answered and closed
  kTimeout,       // no complete answer before the deadline (a hung miner)
  kRefused,       // nothing listens there
  kReset,         // the peer reset the connection
  kTooLarge,      // the reply passed max_reply_bytes
  kClosedEarly,   // length-prefixed framing: the peer closed before its frame was whole
  kOtherError,
};
std::string_view RpcOutcomeName(RpcOutcome o);  // "reply", "timeout", "refused", ...

struct RpcReply {
  RpcOutcome outcome = RpcOutcome::kOtherError;
  std::string bytes;      // what arrived (may be partial on a timeout or reset); for
                          // kLengthPrefixedLe32, the payload without its length prefix
  std::string error;      // a person's reading of a failure
  bool connected = false; // the connection was made (a timeout then is a peer that took it and hung)
  Seconds elapsed{0};
};

class RpcClient {
 public:
  using Done = std::function<void(RpcReply)>;

  RpcClient(boost::asio::io_context& io, RpcOptions options);
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Queues one request; `done` runs on the io_context's thread when it ends.
  void Send(const boost::asio::ip::tcp::endpoint& to, std::string request, Done done);

  std::size_t in_flight() const { return in_flight_; }

  // Replies whose reader threw (a bug in a driver, caught so that it hurts
  // one device only): the peer and what was thrown.
  struct Failure {
    boost::asio::ip::tcp::endpoint at;
    std::string what;
  };
  const std::vector<Failure>& failures() const { return failures_; }
  // For a device left without an outcome: what was thrown reading its reply,
  // or that the driver gave none.
  std::string FailureAt(const boost::asio::ip::tcp::endpoint& at) const;

 private:
  struct Pending {
    boost::asio::ip::tcp::endpoint to;
    std::string request;
    Done done;
  };
  void Start(Pending p);
  void Finished();

  boost::asio::io_context& io_;
  RpcOptions options_;
  std::size_t in_flight_ = 0;
  std::vector<Failure> failures_;
  std::deque<Pending> queue_;
};

// Sends `request` to every endpoint and waits for all: replies in the order
// of `to`. Runs its own io_context on the calling thread.
std::vector<RpcReply> RequestAll(const std::vector<boost::asio::ip::tcp::endpoint>& to,
                                 const std::string& request, const RpcOptions& options);

}  // namespace mullet

#endif  // MULLET_DRIVERS_TRANSPORT_RPC_CLIENT_H_
