// A fleet-wide read: `summary+devs` from every address at once (one
// connection), each reply parsed and classified, so that a hung or lying miner
// is reported as such and never delays the others. A firmware that refuses the
// multi-command (stock Antminer: STATUS E, Code 14) is asked `summary` and
// `devs` one by one, as pyasic does.

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
  std::vector<DevReading> devs;       // empty when the devs part failed (see devs_error)
  std::string devs_error;
  bool single_commands = false;       // the multi-command was refused: read one by one
  std::vector<ReplyQuirk> quirks;  // repairs its reply needed
  Seconds elapsed{0};
};

// Classifies one reply to a `summary` request.
MinerSummary ClassifySummary(const boost::asio::ip::tcp::endpoint& at, const RpcReply& reply);

// `summary` only, one request per miner.
std::vector<MinerSummary> SweepSummaries(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                         const RpcOptions& options);

// `summary+devs`, with the fallback to single commands.
std::vector<MinerSummary> SweepStatus(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                      const RpcOptions& options);

// What `stats` and `pools` add to a status read: the miner's own wattage
// where its firmware reports one, fans, sensor temperatures, and its pools.
// Each part fails on its own (a stock Antminer has no power in `stats`).
struct MinerDetails {
  std::optional<StatsReading> stats;
  std::string stats_error;
  // LuxOS: `power`, asked when its `stats` carries no watts.
  std::optional<Watts> power;
  std::string power_error;
  std::vector<PoolReading> pools;
  std::string pools_error;
};

// `stats`, then `pools`, from every miner at once (two requests each); a
// third, `power`, from a LuxOS miner whose `stats` has no watts.
std::vector<MinerDetails> SweepDetails(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                       const RpcOptions& options);

}  // namespace mullet::cgminer

#endif  // MULLET_DRIVERS_CGMINER_SWEEP_H_
