// A fleet-wide read: `summary` from every address at once, each reply parsed
// and classified, so that a hung or lying miner is reported as such and never
// delays the others.

#ifndef MULLET_DRIVERS_CGMINER_SWEEP_H_
#define MULLET_DRIVERS_CGMINER_SWEEP_H_

#include <optional>
#include <string>
#include <vector>

#include "drivers/cgminer/reply.h"
#include "drivers/transport/rpc_client.h"

namespace mullet::cgminer {

// What one miner answered, classified:
//   "ok"           a good summary
//   "timeout"      no answer within the deadline (hung or slow)
//   "refused"      nothing listens
//   "reset"        the connection was reset
//   "closed"       the miner closed the connection without a byte
//   "bad-reply"    bytes that no repair makes into a summary (error says why)
//   "error-status" the miner answered STATUS E/F (error carries Code and Msg)
//   "error"        any other transport failure
struct MinerSummary {
  boost::asio::ip::tcp::endpoint at;
  std::string state;
  std::string error;
  std::optional<SummaryReading> summary;
  std::vector<ReplyQuirk> quirks;  // repairs its reply needed
  Seconds elapsed{0};
};

// Classifies one reply to a `summary` request.
MinerSummary ClassifySummary(const boost::asio::ip::tcp::endpoint& at, const RpcReply& reply);

std::vector<MinerSummary> SweepSummaries(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                         const RpcOptions& options);

}  // namespace mullet::cgminer

#endif  // MULLET_DRIVERS_CGMINER_SWEEP_H_
