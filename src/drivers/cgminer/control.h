// Fleet-wide curtail and resume over the cgminer-family RPC, by firmware:
//   LuxOS:   logon -> curtail <session>,sleep|wakeup -> logoff (protocols.md §2.2)
//   Braiins: pause | resume (legacy bosminer RPC, §2.3)
//   stock bmminer, cgminer, btminer: no curtail command on 4028 -> "unsupported"
// Each miner is identified first with `version`. Every request has the
// deadline of `options`; miners run concurrently, bounded by max_in_flight.

#ifndef MULLET_DRIVERS_CGMINER_CONTROL_H_
#define MULLET_DRIVERS_CGMINER_CONTROL_H_

#include <string>
#include <vector>

#include "drivers/transport/rpc_client.h"

namespace mullet::cgminer {

enum class CurtailAction { kSleep, kWake };

// One miner's outcome:
//   "ok"          the firmware confirmed the command (STATUS S)
//   "unsupported" its firmware has no curtail command on this port
//   "timeout", "refused", "reset", "closed", "bad-reply", "error-status", "error"
//                 as in sweep.h, for the step that failed (`step` names it)
struct ControlResult {
  boost::asio::ip::tcp::endpoint at;
  std::string family;  // from `version`: "luxminer", "bosminer", "bmminer", ...
  std::string state;
  std::string step;    // the request that failed: "version", "logon", "curtail", "logoff", "pause"...
  std::string error;
  Seconds elapsed{0};
};

// `family`: when the caller knows the whole range runs one firmware
// ("luxminer", "bosminer"), the `version` round is skipped; "" identifies each.
std::vector<ControlResult> CurtailAll(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                      CurtailAction action, const RpcOptions& options,
                                      const std::string& family = "");

}  // namespace mullet::cgminer

#endif  // MULLET_DRIVERS_CGMINER_CONTROL_H_
