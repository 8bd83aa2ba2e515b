// LuxOS (LUXminer) on the cgminer-compatible RPC, TCP 4028 (protocols.md §2.2).
// Every write runs inside one session: logon -> command(s) -> logoff, the
// session id as the first parameter. One session at a time per miner, expiring
// after a minute; a logoff that fails after a confirmed command leaves the
// command done (the session expires by itself).
//
//   sleep / wake   curtail <sid>,sleep | curtail <sid>,wakeup
//   set-profile    [atm -> atmset enabled=false] -> profileset <sid>,<name>
//                  [-> atmset enabled=true]: profile changes are refused while
//                  ATM is on, so it is switched off around the change and back
//                  on afterwards, as pyasic does
//   set-power      profiles -> the profile of highest watts at or under the
//                  target (the lowest when none is) -> set-profile
//
// Newer LuxOS builds accept a direct power target on some models; this driver
// keeps to profiles, which every LuxOS build has.

#ifndef MULLET_DRIVERS_LUXOS_LUXOS_DRIVER_H_
#define MULLET_DRIVERS_LUXOS_LUXOS_DRIVER_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/plausible.h"
#include "drivers/miner/driver.h"

namespace mullet::luxos {

struct Profile {
  std::string name;
  Watts power{0};
};

// The most a profile of one miner may draw; a reply saying more is refused.
inline constexpr Watts kMaxProfileWatts{kMaxMinerWatts};

// The PROFILES of a `profiles` reply ("Profile Name", "Watts"), sorted by
// power, lowest first. DataError naming the entry when one lacks either key,
// draws outside 0..kMaxProfileWatts, or has a name that cannot be sent back
// as a parameter (empty, over 64 bytes, a comma, a bar, a quote).
Result<std::vector<Profile>> ReadProfiles(const nlohmann::json& profiles_reply);

// ATM[0].Enabled of an `atm` reply; false when the firmware has no such key.
// DataError when the reply has no ATM[0] object or Enabled is not a boolean
// (a string "true" included: nothing is switched on a guess).
Result<bool> ReadAtmEnabled(const nlohmann::json& atm_reply);

// The profile set-power picks for `target`: the highest at or under it, else
// the lowest. REQUIRES: !profiles.empty(), sorted as ReadProfiles gives.
const Profile& PickProfile(const std::vector<Profile>& profiles, Watts target);

class LuxosDriver : public MinerDriver {
 public:
  std::string_view family() const override { return "luxminer"; }
  MinerCapabilities capabilities() const override {
    return {.sleep = true, .power_target = true, .profiles = true, .reports_power = true};
  }
  std::uint16_t port() const override { return 4028; }
  void Run(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const MinerCommand& command,
           Done done) const override;
  void ReadEnvelope(RpcClient& client, const boost::asio::ip::tcp::endpoint& at,
                    EnvelopeDone done) const override;
};

}  // namespace mullet::luxos

#endif  // MULLET_DRIVERS_LUXOS_LUXOS_DRIVER_H_
