// One command to every miner of a list at once, each through its family's
// driver: `version` identifies the firmware (skipped when the caller names the
// family of the whole list), then MinerDriver::Run. Every request has the
// deadline of `options`; miners run concurrently, bounded by max_in_flight, so
// a hung miner costs its own deadline and nobody else's.

#ifndef MULLET_DRIVERS_MINER_FLEET_CONTROL_H_
#define MULLET_DRIVERS_MINER_FLEET_CONTROL_H_

#include <string>
#include <vector>

#include "drivers/miner/driver.h"

namespace mullet {

struct ControlResult {
  boost::asio::ip::tcp::endpoint at;
  std::string family;  // from `version`: "luxminer", "bosminer", "bmminer", ...
  CommandOutcome outcome;
  Seconds elapsed{0};
};

// `family`: "luxminer" or "bosminer" (as cgminer::ReadVersion names them) when
// the whole list runs that firmware; "" identifies each miner first.
std::vector<ControlResult> CommandFleet(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                        const MinerCommand& command, const RpcOptions& options,
                                        const std::string& family = "");

// The same through one driver for the whole list, with no identification
// round: for families found on another port than 4028 (Whatsminer API V3).
// The client is made with the driver's framing.
std::vector<ControlResult> CommandFleetWith(const MinerDriver& driver,
                                            const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                            const MinerCommand& command, RpcOptions options);

}  // namespace mullet

#endif  // MULLET_DRIVERS_MINER_FLEET_CONTROL_H_
