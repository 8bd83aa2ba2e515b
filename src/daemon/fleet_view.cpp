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

bool RampingDown(const Site& site, const MinerRecord& r, UtcTime now) {
  if (r.command != MinerRecord::Command::kSleep || !r.commanded_at) return false;
  return Seconds(std::chrono::duration<double>(now - *r.commanded_at).count()) < site.miners[r.group].ramp_down;
}

bool RampingUp(const Site& site, const MinerRecord& r, UtcTime now) {
  if (r.command != MinerRecord::Command::kHash || !r.commanded_at) return false;
  return Seconds(std::chrono::duration<double>(now - *r.commanded_at).count()) < site.miners[r.group].ramp_up;
}

// Hashing (or about to): told to hash, or never told anything and not found
// at zero hashrate. A miner found asleep that the controller did not put to
// sleep is someone else's decision: not hashing, and never woken here.
bool Hashing(const MinerRecord& r) {
  if (r.command == MinerRecord::Command::kHash) return true;
  if (r.command == MinerRecord::Command::kSleep) return false;
  return !(r.hashrate && r.hashrate->value() <= 0);
}

}  // namespace

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
    } else if (Hashing(r)) {
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
                         std::size_t max_commands) {
  CommandPlan plan;
  plan.deferred.assign(site.miners.size(), 0);
  std::vector<int> running(site.miners.size(), 0);
  for (const MinerRecord& r : records) running[r.group] += Hashing(r) ? 1 : 0;  // silent ones may still hash
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
      if (diff < 0 ? Hashing(r) : r.command == MinerRecord::Command::kSleep) {
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
