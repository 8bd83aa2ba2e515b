// The controller's tick, as `mullet serve` will run it on a schedule:
//   sweep the fleet → the records → Observe (plus the site meter) → the
//   demand-response cap from the events in force → Dispatch with the policy's
//   memory → PlanCommands → send, paced → the memory saved to the store.
// The fleet comes in through FleetIo (the drivers in the daemon, a simulated
// plant in the tests), time and prices as arguments: a tick can be replayed.
//
// Not yet here (issue 11): targets with their states written before a
// command leaves and confirmed by measurement, the fast confirm-only loop,
// telemetry and decisions in the store, watchdogs on stale sources.

#ifndef MULLET_DAEMON_CONTROL_LOOP_H_
#define MULLET_DAEMON_CONTROL_LOOP_H_

#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "core/status/result.h"
#include "daemon/fleet_view.h"
#include "dispatch/policy.h"
#include "storage/store.h"

namespace mullet {

// What one sweep read of one miner.
struct FleetReading {
  bool answered = false;
  std::optional<Watts> power;
  std::optional<TerahashPerSecond> hashrate;
};

// The fleet as the loop sees it: miners by index (the order of the groups'
// addresses), one sweep, commands, the site meter.
class FleetIo {
 public:
  virtual ~FleetIo() = default;
  virtual std::size_t size() const = 0;
  // One reading per miner, in index order. Never waits past its deadline.
  virtual std::vector<FleetReading> Sweep() = 0;
  // Sends sleep (or wake) to `miners`; true for each the miner accepted.
  virtual std::vector<bool> Command(const std::vector<std::size_t>& miners, bool sleep) = 0;
  // Facility power at the interconnect, when a meter reads it.
  virtual std::optional<Watts> SiteMeter() = 0;
};

struct LoopSignals {
  UsdPerMegawattHour price{0};
  UsdPerTerahashDay hashprice{0};
  double ambient_c = 20.0;
};

struct LoopOptions {
  Seconds tick{10.0};               // until the next tick
  std::size_t max_commands = 500;   // per tick, sleeps first
  PolicyKind policy = PolicyKind::kMullet;
};

// What a tick did, for the log, the API and the metrics.
struct TickReport {
  UtcTime time;
  std::optional<Watts> site_meter;
  std::optional<Watts> dr_limit;     // the cap of the events in force
  Watts expected_facility{0};        // the policy's expected draw
  Watts site_cap{0};
  std::size_t answered = 0, silent = 0;
  std::size_t slept = 0, woken = 0, refused = 0;  // commands sent and accepted; refused by the miner
  std::vector<int> deferred;         // per group, units the plan could not move this tick
};

class ControlLoop {
 public:
  // `groups[i]` is the site.miners index of miner i of `fleet`.
  // REQUIRES: groups.size() == fleet.size(); each index < site.miners.size().
  ControlLoop(const Site& site, Store& store, FleetIo& fleet, std::vector<std::size_t> groups, LoopOptions options);

  // Restores the policy's memory saved by an earlier run, if any. DataError
  // when the saved memory does not fit this site.
  Status Resume();

  Result<TickReport> Tick(UtcTime now, const LoopSignals& signals);

  const std::vector<MinerRecord>& records() const { return records_; }

 private:
  // The cap on facility power of the events in force at `now`: the lowest of
  // them; reduce-by from the draw when the loop first saw the event.
  Result<std::optional<Watts>> EventCap(UtcTime now, std::optional<Watts> draw);

  const Site& site_;
  Store& store_;
  FleetIo& fleet_;
  LoopOptions options_;
  std::vector<MinerRecord> records_;
  DispatchState state_;
  Allocation alloc_;
  std::map<std::int64_t, Watts> reduce_by_baseline_;  // event id -> the draw it reduces from
};

}  // namespace mullet

#endif  // MULLET_DAEMON_CONTROL_LOOP_H_
