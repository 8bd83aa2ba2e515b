// The one interface every miner protocol family implements (protocols.md §0.2,
// pyasic's BaseMiner): what a firmware lets a controller do (capability flags),
// the range it allows (tuning envelope), and the commands, each an async
// sequence of requests over the caller's RpcClient with its deadline.
//
// Families: cgminer/ (stock bmminer, cgminer, btminer read API on 4028: read
// only), luxos/ (sessions, curtail, profiles, power target through profiles),
// braiins/ (legacy pause/resume), whatsminer/ (API V3 on TCP 4433).
//
// Thread safety: a driver is stateless and may be shared; every callback runs
// on the thread of the io_context behind the RpcClient.

#ifndef MULLET_DRIVERS_MINER_DRIVER_H_
#define MULLET_DRIVERS_MINER_DRIVER_H_

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"
#include "drivers/transport/rpc_client.h"

namespace mullet {

// What a firmware lets a controller do.
struct MinerCapabilities {
  bool sleep = false;          // stop hashing and keep the control board up
  bool power_target = false;   // a watt target (directly or through profiles)
  bool profiles = false;       // named operating points
  bool reports_power = false;  // the miner reports its own wattage
};

// The range a device accepts; what the controller may ask for.
struct TuningEnvelope {
  std::optional<Watts> min_power;     // unknown until read from the device
  std::optional<Watts> max_power;
  std::vector<std::string> profiles;  // names, lowest power first; empty without profiles
};

enum class MinerCommandKind { kSleep, kWake, kSetPower, kSetProfile };
std::string_view CommandName(MinerCommandKind k);  // "sleep", "wake", "set-power", "set-profile"

struct MinerCommand {
  MinerCommandKind kind = MinerCommandKind::kSleep;
  Watts power{0};       // kSetPower
  std::string profile{};  // kSetProfile ({}: designated initialisers may leave it out)
};

// How one command on one miner ended:
//   "ok"           the firmware confirmed it
//   "unsupported"  the firmware has no such command (capabilities say so)
//   "timeout", "refused", "reset", "closed", "bad-reply", "error-status", "error"
//                  for the request `step` names (as cgminer/sweep.h)
struct CommandOutcome {
  std::string state;
  std::string step;   // the request that failed or confirmed: "logon", "curtail", "profileset"...
  std::string error;  // a person's reading of a failure, or a note on success
  std::optional<Watts> applied;      // kSetPower: the watts the firmware settled on
  std::optional<std::string> profile;  // kSetProfile / kSetPower via profiles: the profile set
};

class MinerDriver {
 public:
  using Done = std::function<void(CommandOutcome)>;
  virtual ~MinerDriver() = default;

  // The family name as cgminer::ReadVersion gives it ("luxminer", "bosminer",
  // "bmminer", "cgminer", "btminer"), or "whatsminer-v3".
  virtual std::string_view family() const = 0;
  virtual MinerCapabilities capabilities() const = 0;
  // The port its protocol listens on (4028, or 4433 for Whatsminer API V3).
  virtual std::uint16_t port() const = 0;
  // The framing of its replies; the RpcClient passed to Run uses it.
  virtual RpcFraming framing() const { return RpcFraming::kUntilClose; }

  // Runs `command` on the miner at `at`; `done` runs once, on the io thread.
  // A command the family cannot do ends "unsupported" without a request.
  virtual void Run(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const MinerCommand& command,
                   Done done) const = 0;

  // Reads the device's tuning envelope (LuxOS: its profiles). The default says
  // nothing is known: the caller then keeps to the catalog's nameplate.
  using EnvelopeDone = std::function<void(Result<TuningEnvelope>)>;
  virtual void ReadEnvelope(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, EnvelopeDone done) const {
    (void)client;
    (void)at;
    done(TuningEnvelope{});
  }
};

// The driver of a family as cgminer::ReadVersion names it ("luxminer",
// "bosminer", "bmminer", "cgminer", "btminer", "vnish", "unknown"); families
// without a write API on 4028 get a read-only driver whose commands end
// "unsupported". Never null; the drivers are static.
const MinerDriver& DriverForFamily(std::string_view family);

}  // namespace mullet

#endif  // MULLET_DRIVERS_MINER_DRIVER_H_
