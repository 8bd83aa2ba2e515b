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
//
// Kept sessions (a SessionKeeper, for a controller that commands the same
// miners again and again: `mullet serve`): sleep and wake leave the session
// open rather than logging off, and a command within SessionKeeper::kKept of
// the last one reuses it. A miner then costs one connection for a command, or
// two after a pause (logon, curtail), where a session per command costs three.
// A kept id the miner no longer knows gets a fresh logon; a logon refused
// because a session is open (the daemon restarted within the minute) reads
// that session's id (`session`) and uses it. The price: another tool's logon
// on that miner is refused for up to a minute after the controller's last
// command (LuxOS allows one session at a time).

#ifndef MULLET_DRIVERS_LUXOS_LUXOS_DRIVER_H_
#define MULLET_DRIVERS_LUXOS_LUXOS_DRIVER_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
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

// The sessions kept open, by miner. Thread safety: one thread at a time (the
// one running the commands' io_context).
class SessionKeeper {
 public:
  using Clock = std::chrono::steady_clock;
  // LuxOS expires a session a minute after its last use; a quarter of that
  // is left for queueing and clocks.
  static constexpr std::chrono::seconds kKept{45};

  // The id last used on `at`, if used within kKept of `now`.
  std::optional<std::string> Fresh(const boost::asio::ip::tcp::endpoint& at, Clock::time_point now) const;
  void Keep(const boost::asio::ip::tcp::endpoint& at, std::string id, Clock::time_point now);
  void Forget(const boost::asio::ip::tcp::endpoint& at) { kept_.erase(at); }
  std::size_t size() const { return kept_.size(); }

 private:
  struct Kept {
    std::string id;
    Clock::time_point used;
  };
  std::map<boost::asio::ip::tcp::endpoint, Kept> kept_;
};

class LuxosDriver : public MinerDriver {
 public:
  LuxosDriver() = default;
  // Sleep and wake keep their sessions in `keeper` (above); the other
  // commands still log off. The driver is then stateful: one thread at a time.
  explicit LuxosDriver(std::shared_ptr<SessionKeeper> keeper) : keeper_(std::move(keeper)) {}

  std::string_view family() const override { return "luxminer"; }
  MinerCapabilities capabilities() const override {
    return {.sleep = true, .power_target = true, .profiles = true, .reports_power = true};
  }
  std::uint16_t port() const override { return 4028; }
  void Run(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const MinerCommand& command,
           Done done) const override;
  void ReadEnvelope(RpcClient& client, const boost::asio::ip::tcp::endpoint& at,
                    EnvelopeDone done) const override;

 private:
  std::shared_ptr<SessionKeeper> keeper_;
};

}  // namespace mullet::luxos

#endif  // MULLET_DRIVERS_LUXOS_LUXOS_DRIVER_H_
