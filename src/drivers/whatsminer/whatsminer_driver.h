// Whatsminer (MicroBT btminer) through API V3 on TCP 4433 (protocols.md §2.4),
// length-prefixed JSON (codec.h). Every write is two requests:
//
//   get.device.info salt  ->  set.<cmd> {ts, account "super", token}
//
//   sleep        set.miner.service stop
//   wake         set.miner.service start
//   set-power    set.miner.power_limit <W, rounded>; `applied` = those watts
//   set-profile  "unsupported": V3 has power modes, not named profiles
//
// The token's `ts` is the `when` of the salt reply: the miner checks ts against
// its own clock, so a miner whose clock drifted from ours still accepts the
// write; without `when`, the system clock. Write access must be enabled on the
// miner (WhatsMinerTool) and the "super" password changed from its default;
// a refused write ends "error-status" naming the code.
//
// Thread safety: a driver is immutable and may be shared; callbacks run on the
// io_context thread behind the RpcClient.

#ifndef MULLET_DRIVERS_WHATSMINER_WHATSMINER_DRIVER_H_
#define MULLET_DRIVERS_WHATSMINER_WHATSMINER_DRIVER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "drivers/miner/driver.h"
#include "drivers/whatsminer/codec.h"

namespace mullet::whatsminer {

// One request's verdict: the parsed reply with code 0, or a failure with the
// state names of driver.h ("timeout", "refused", "reset", "closed",
// "bad-reply", "error-status", "error").
struct Verdict {
  bool ok = false;
  Reply reply;        // when ok
  std::string state;  // when not ok
  std::string error;
};
// Classifies what the RpcClient returned for one V3 request (pure).
Verdict ClassifyReply(const RpcReply& r);

// One miner's status read.
struct StatusResult {
  boost::asio::ip::tcp::endpoint at;
  std::string state;  // "ok" or a Verdict state
  std::string error;
  std::optional<StatusReading> reading;  // when "ok"
  Seconds elapsed{0};
};

class WhatsminerV3Driver : public MinerDriver {
 public:
  // `password`: the miner's "super" account password.
  explicit WhatsminerV3Driver(std::string password = "super") : password_(std::move(password)) {}

  std::string_view family() const override { return "whatsminer-v3"; }
  MinerCapabilities capabilities() const override {
    return {.sleep = true, .power_target = true, .profiles = false, .reports_power = true};
  }
  std::uint16_t port() const override { return kV3Port; }
  RpcFraming framing() const override { return RpcFraming::kLengthPrefixedLe32; }

  // REQUIRES: `client` was made with framing() (kLengthPrefixedLe32).
  void Run(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const MinerCommand& command,
           Done done) const override;

  // get.miner.status summary. REQUIRES: as Run.
  void ReadStatus(RpcClient& client, const boost::asio::ip::tcp::endpoint& at,
                  std::function<void(StatusResult)> done) const;

 private:
  std::string password_;
};

// Reads every miner's summary at once, bounded and with the deadline of
// `options` (its framing is set here); results in the order of `miners`.
std::vector<StatusResult> ReadStatusAll(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                        RpcOptions options);

}  // namespace mullet::whatsminer

#endif  // MULLET_DRIVERS_WHATSMINER_WHATSMINER_DRIVER_H_
