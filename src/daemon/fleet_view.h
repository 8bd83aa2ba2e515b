// What the controller knows of each miner, and the two pure steps of a tick
// that stand between the drivers and the policy:
//  - Observe: the miners' records (what was last commanded, when, what the
//    last sweep read) into the policy's Observation. A miner that does not
//    answer counts at its last known power, or its model's nameplate when it
//    never answered: never zero. One told to sleep counts as ramping down,
//    at its last power, until its group's ramp-down has passed; after it,
//    as the sweep measures it (one that did not go to sleep is hashing).
//  - PlanCommands: the policy's Allocation into which miners to put to sleep
//    and which to wake, paced: sleeps before wakes (shed before adding), the
//    least efficient put to sleep first and the most efficient woken first,
//    only miners that answered, and only miners the controller itself put to
//    sleep are woken.
// No sockets and no clock: the daemon's loop feeds them, the tests drive
// them with seeded random fleets.

#ifndef MULLET_DAEMON_FLEET_VIEW_H_
#define MULLET_DAEMON_FLEET_VIEW_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time/calendar.h"
#include "core/units/units.h"
#include "dispatch/policy.h"
#include "site/site.h"

namespace mullet {

// How far a miner's target has got (issue 11, proto-fleet's intent model):
//   dispatching  written to the store; the command is leaving (a restart resends it)
//   dispatched   the miner took the command; not yet seen doing it
//   confirmed    a sweep measured it doing it (hashrate), never the reply alone
//   drifted      measured not doing it after its ramp, or undone later: sent again
//   unavailable  not answering, or the command failed: sent again when it answers
enum class TargetState { kNone, kDispatching, kDispatched, kConfirmed, kDrifted, kUnavailable };
std::string_view TargetStateName(TargetState s);  // "dispatching", ...; "none"
std::optional<TargetState> ParseTargetState(std::string_view text);

// A miner measured hashing: a reported hashrate above this share of its
// model's nameplate. Below it, a miner is asleep (or at the tail of a ramp).
inline constexpr double kHashingShare = 0.1;

// What a miner is doing, as the dashboard counts it (GET /api/v1/devices):
//   hashing      measured hashing (above kHashingShare of its nameplate)
//   sleeping     measured asleep: told to, or found so (someone else's decision)
//   ramping      commanded within its group's ramp and not yet measured doing it
//   unreachable  did not answer the last sweep
//   faulty       answers, but told to hash and not hashing after its ramp, or
//                reports no hashrate at all
enum class DeviceState { kHashing, kSleeping, kRamping, kUnreachable, kFaulty };
inline constexpr std::size_t kDeviceStates = 5;
std::string_view DeviceStateName(DeviceState s);  // "hashing", ...
std::optional<DeviceState> ParseDeviceState(std::string_view text);

struct MinerRecord {
  std::size_t group = 0;  // index into site.miners
  // What the controller last told it; none: nothing yet (it hashes as found).
  enum class Command { kNone, kHash, kSleep };
  Command command = Command::kNone;
  std::optional<UtcTime> commanded_at;
  TargetState target = TargetState::kNone;  // kNone while command is kNone
  // The last sweep: did it answer, and what did it report.
  bool answered = false;
  std::optional<Watts> power;                  // reported draw, when the firmware reports one
  std::optional<TerahashPerSecond> hashrate;   // reported 5 s hashrate
  // The last draw known for it: its last reported power, else what its
  // hashrate implies at the model's efficiency; kept across silent sweeps.
  std::optional<Watts> last_known_power;
};

// Folds one sweep's reading into `record` (answered, power, hashrate, and the
// last known power). `answered` false keeps the last known power.
void RecordReading(const Site& site, bool answered, std::optional<Watts> power,
                   std::optional<TerahashPerSecond> hashrate, MinerRecord* record);

// Moves the target of `record` (after RecordReading) by what was measured:
// confirmed when the sweep saw the miner do what it was told, drifted when it
// did not once its group's ramp has passed (or it undid it later),
// unavailable while it does not answer. A target still dispatching (a
// restart between the store and the command) is drifted: sent again.
void UpdateTarget(const Site& site, UtcTime now, MinerRecord* record);

// What `record` is doing at `now` (DeviceState), from its last sweep and
// the command it was last given.
DeviceState DeviceStateOf(const Site& site, const MinerRecord& record, UtcTime now);

// The IT draw of a unit told to sleep that is still ramping down and was
// measured hashing: the tail of a ramp already committed. Zero otherwise
// (one measured asleep draws its sleep power, which stays).
Watts RampTail(const Site& site, const MinerRecord& record, UtcTime now);

// The Observation of the policy at `now` (its `miners` part, site.miners
// order). REQUIRES: each record's group < site.miners.size().
Observation Observe(const Site& site, const std::vector<MinerRecord>& records, UtcTime now);

struct CommandPlan {
  std::vector<std::size_t> sleep;  // indexes into the records, in the order to send
  std::vector<std::size_t> wake;
  // Per group, units the allocation wanted changed that could not be this
  // tick (pacing, or too few answering units to command).
  std::vector<int> deferred;
};

// The commands that move the fleet toward `allocation.miners[g].running`
// hashing units in each group, at most `max_commands` in all (sleeps first).
// `now`: where each miner is in its ramp.
CommandPlan PlanCommands(const Site& site, const Allocation& allocation, const std::vector<MinerRecord>& records,
                         std::size_t max_commands, UtcTime now);

}  // namespace mullet

#endif  // MULLET_DAEMON_FLEET_VIEW_H_
