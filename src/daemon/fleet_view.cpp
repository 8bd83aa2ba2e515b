#include "daemon/fleet_view.h"

#include <algorithm>
#include <cassert>

namespace mullet {
namespace {

// What a unit of the group draws when nothing better is known.
Watts Nameplate(const Site& site, std::size_t group) { return site.miners[group].model.power; }

Watts LastKnown(const Site& site, const MinerRecord& r) { return r.last_known_power.value_or(Nameplate(site, r.group)); }

// Watts per TH/s as measured, for ordering: the model's when the miner
// reports no power or no hashrate.
double MeasuredWattsPerTerahash(const Site& site, const MinerRecord& r) {
  const AsicModel& m = site.miners[r.group].model;
  if (r.power && r.hashrate && r.hashrate->value() > 0) return r.power->value() / r.hashrate->value();
  return m.power.value() / m.hashrate.value();
}

Seconds Since(UtcTime now, const std::optional<UtcTime>& t) {
  return t ? Seconds(std::chrono::duration<double>(now - *t).count()) : Seconds(1e18);
}

bool RampingDown(const Site& site, const MinerRecord& r, UtcTime now) {
  return r.command == MinerRecord::Command::kSleep && Since(now, r.commanded_at) < site.miners[r.group].ramp_down;
}

bool RampingUp(const Site& site, const MinerRecord& r, UtcTime now) {
  return r.command == MinerRecord::Command::kHash && Since(now, r.commanded_at) < site.miners[r.group].ramp_up;
}

// What the last sweep measured: hashing, asleep, or nothing known (silent,
// or no hashrate reported).
std::optional<bool> MeasuredHashing(const Site& site, const MinerRecord& r) {
  if (!r.answered || !r.hashrate) return std::nullopt;
  return r.hashrate->value() > kHashingShare * site.miners[r.group].model.hashrate.value();
}

// Hashing (or about to), as the policy and the plan count it:
//  - told to sleep: not while it ramps down (Observe counts that draw); after
//    the ramp, as measured: one that is still hashing drifted, and draws;
//  - told to hash: while it ramps up; after, as measured (one found asleep
//    drifted, and the plan may wake it again);
//  - never told: unless found asleep. A miner found asleep that the
//    controller did not put to sleep is someone else's decision: not
//    hashing, and never woken here.
bool Hashing(const Site& site, const MinerRecord& r, UtcTime now) {
  // A command in flight counts as done. A sweep has already made one not
  // done past its ramp drifted (UpdateTarget), so this changes nothing after
  // a sweep; a tick on the last sweep reads measurements older than the
  // command, and without this would send it again.
  if (r.target == TargetState::kDispatched && r.command != MinerRecord::Command::kNone) {
    return r.command == MinerRecord::Command::kHash;
  }
  const std::optional<bool> measured = MeasuredHashing(site, r);
  switch (r.command) {
    case MinerRecord::Command::kSleep:
      return !RampingDown(site, r, now) && measured.value_or(false);
    case MinerRecord::Command::kHash:
      return RampingUp(site, r, now) || measured.value_or(true);
    case MinerRecord::Command::kNone:
      break;
  }
  return !(r.hashrate && r.hashrate->value() <= 0);
}

}  // namespace

std::string_view TargetStateName(TargetState s) {
  switch (s) {
    case TargetState::kNone:
      return "none";
    case TargetState::kDispatching:
      return "dispatching";
    case TargetState::kDispatched:
      return "dispatched";
    case TargetState::kConfirmed:
      return "confirmed";
    case TargetState::kDrifted:
      return "drifted";
    case TargetState::kUnavailable:
      return "unavailable";
  }
  return "none";
}

std::optional<TargetState> ParseTargetState(std::string_view text) {
  for (TargetState s : {TargetState::kNone, TargetState::kDispatching, TargetState::kDispatched,
                        TargetState::kConfirmed, TargetState::kDrifted, TargetState::kUnavailable}) {
    if (text == TargetStateName(s)) return s;
  }
  return std::nullopt;
}

void UpdateTarget(const Site& site, UtcTime now, MinerRecord* r) {
  if (r->command == MinerRecord::Command::kNone) {
    r->target = TargetState::kNone;
    return;
  }
  if (r->target == TargetState::kDispatching) {
    r->target = TargetState::kDrifted;  // the command may never have left
    return;
  }
  const std::optional<bool> measured = MeasuredHashing(site, *r);
  if (!r->answered || !measured) {
    if (!r->answered) r->target = TargetState::kUnavailable;
    return;  // answering without a hashrate: nothing to judge by
  }
  const bool want_hash = r->command == MinerRecord::Command::kHash;
  if (*measured == want_hash) {
    r->target = TargetState::kConfirmed;
    return;
  }
  const bool ramping = want_hash ? RampingUp(site, *r, now) : RampingDown(site, *r, now);
  if (r->target == TargetState::kConfirmed || !ramping) r->target = TargetState::kDrifted;
}

std::string_view DeviceStateName(DeviceState s) {
  switch (s) {
    case DeviceState::kHashing:
      return "hashing";
    case DeviceState::kSleeping:
      return "sleeping";
    case DeviceState::kRamping:
      return "ramping";
    case DeviceState::kUnreachable:
      return "unreachable";
    case DeviceState::kFaulty:
      return "faulty";
  }
  return "faulty";
}

std::optional<DeviceState> ParseDeviceState(std::string_view text) {
  for (std::size_t i = 0; i < kDeviceStates; ++i) {
    if (text == DeviceStateName(static_cast<DeviceState>(i))) return static_cast<DeviceState>(i);
  }
  return std::nullopt;
}

DeviceState DeviceStateOf(const Site& site, const MinerRecord& r, UtcTime now) {
  if (!r.answered) return DeviceState::kUnreachable;
  const std::optional<bool> measured = MeasuredHashing(site, r);
  // A command within its ramp, not yet measured done: on its way.
  if ((RampingDown(site, r, now) && measured != false) || (RampingUp(site, r, now) && measured != true)) {
    return DeviceState::kRamping;
  }
  if (!measured) return DeviceState::kFaulty;
  if (*measured) return DeviceState::kHashing;
  return r.command == MinerRecord::Command::kHash ? DeviceState::kFaulty : DeviceState::kSleeping;
}

Watts RampTail(const Site& site, const MinerRecord& r, UtcTime now) {
  if (!r.answered || !RampingDown(site, r, now) || !MeasuredHashing(site, r).value_or(false)) return Watts(0);
  return LastKnown(site, r);
}

void RecordReading(const Site& site, bool answered, std::optional<Watts> power,
                   std::optional<TerahashPerSecond> hashrate, MinerRecord* r) {
  r->answered = answered;
  if (!answered) return;  // the last known power stands
  r->power = power;
  r->hashrate = hashrate;
  if (power) {
    r->last_known_power = power;
  } else if (hashrate) {
    const AsicModel& m = site.miners[r->group].model;
    r->last_known_power = Watts(hashrate->value() * m.power.value() / m.hashrate.value());
  }
}

Observation Observe(const Site& site, const std::vector<MinerRecord>& records, UtcTime now) {
  Observation o;
  o.miners.assign(site.miners.size(), GroupObservation{});
  for (const MinerRecord& r : records) {
    assert(r.group < site.miners.size());
    GroupObservation& g = o.miners[r.group];
    if (!r.answered) {
      ++g.unanswering;
      g.unanswering_it += LastKnown(site, r);
    } else if (Hashing(site, r, now)) {
      ++g.hashing;
      if (RampingUp(site, r, now)) ++g.ramping_up;
    } else if (RampingDown(site, r, now)) {
      ++g.ramping_down;
      g.ramping_down_it += LastKnown(site, r);
    }
    // else asleep: not listed.
  }
  return o;
}

CommandPlan PlanCommands(const Site& site, const Allocation& allocation, const std::vector<MinerRecord>& records,
                         std::size_t max_commands, UtcTime now) {
  CommandPlan plan;
  plan.deferred.assign(site.miners.size(), 0);
  std::vector<int> running(site.miners.size(), 0);
  // The policy's `running` counts the units it can command, those that
  // answered: a silent one is in the room apart (Observe: unanswering, at
  // its last known power), so counting it here would have a healthy unit
  // put to sleep for each silent one.
  for (const MinerRecord& r : records) running[r.group] += r.answered && Hashing(site, r, now) ? 1 : 0;
  struct Want {
    std::size_t index;
    double w_per_th;
  };
  std::vector<Want> sleeps, wakes;
  for (std::size_t g = 0; g < site.miners.size() && g < allocation.miners.size(); ++g) {
    const int diff = allocation.miners[g].running - running[g];
    if (diff == 0) continue;
    // Only answering units can be commanded: to sleep, those hashing; to
    // wake, those the controller put to sleep.
    std::vector<Want> candidates;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const MinerRecord& r = records[i];
      if (r.group != g || !r.answered) continue;
      // To sleep: any hashing unit. To wake: only the controller's own, not
      // hashing (put to sleep, or told to hash and found asleep: drifted).
      const bool hashing = Hashing(site, r, now);
      if (diff < 0 ? hashing : (r.command != MinerRecord::Command::kNone && !hashing)) {
        candidates.push_back({i, MeasuredWattsPerTerahash(site, r)});
      }
    }
    // Least efficient (most W per TH) shed first; most efficient restored first.
    std::stable_sort(candidates.begin(), candidates.end(), [diff](const Want& a, const Want& b) {
      return diff < 0 ? a.w_per_th > b.w_per_th : a.w_per_th < b.w_per_th;
    });
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(diff < 0 ? -diff : diff), candidates.size());
    candidates.resize(n);
    plan.deferred[g] = (diff < 0 ? -diff : diff) - static_cast<int>(n);
    (diff < 0 ? sleeps : wakes).insert((diff < 0 ? sleeps : wakes).end(), candidates.begin(), candidates.end());
  }
  // Across groups too; then paced, sleeps first.
  std::stable_sort(sleeps.begin(), sleeps.end(), [](const Want& a, const Want& b) { return a.w_per_th > b.w_per_th; });
  std::stable_sort(wakes.begin(), wakes.end(), [](const Want& a, const Want& b) { return a.w_per_th < b.w_per_th; });
  for (const Want& w : sleeps) {
    if (plan.sleep.size() < max_commands) {
      plan.sleep.push_back(w.index);
    } else {
      ++plan.deferred[records[w.index].group];
    }
  }
  for (const Want& w : wakes) {
    if (plan.sleep.size() + plan.wake.size() < max_commands) {
      plan.wake.push_back(w.index);
    } else {
      ++plan.deferred[records[w.index].group];
    }
  }
  return plan;
}

}  // namespace mullet
