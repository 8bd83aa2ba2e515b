// The controller's tick, as `mullet serve` will run it on a schedule:
//   sweep the fleet → the records → Observe (plus the site meter) → the
//   demand-response cap from the events in force → Dispatch with the policy's
//   memory → PlanCommands → send, paced → the memory saved to the store.
// The fleet comes in through FleetIo (the drivers in the daemon, a simulated
// plant in the tests), time and prices as arguments: a tick can be replayed.
//
// Each miner the loop commands gets a target (fleet_view.h): its row is
// written `dispatching` before the command leaves, so a restart knows what
// it put to sleep and resends what may not have left; a sweep's measurement,
// never a reply, confirms it. Each tick is logged in the store (telemetry,
// the reason of each group's setpoint), old ticks pruned.
//
// Firm AI is capped only when firm load alone would break a limit (the
// policy's firm-sla-breach): the tenant's GPUs are capped through their
// nodes (GpuNode) to fit what the policy serves, each GPU marked in the store
// with its limit before the cap leaves, and restored (only those) when the
// breach ends. Each breach is an SLA event in the tick's record, with its cost.

#ifndef MULLET_DAEMON_CONTROL_LOOP_H_
#define MULLET_DAEMON_CONTROL_LOOP_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "daemon/fleet_view.h"
#include "daemon/preview.h"
#include "dispatch/policy.h"
#include "drivers/gpu/gpu_node.h"
#include "drivers/slurm/scheduler.h"
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
  // One reading per miner of `miners` (indexes), in that order: the fast
  // confirm loop reads only the targets in flight. Default: a whole sweep.
  virtual std::vector<FleetReading> SweepSome(const std::vector<std::size_t>& miners) {
    const std::vector<FleetReading> all = Sweep();
    std::vector<FleetReading> out;
    out.reserve(miners.size());
    for (std::size_t i : miners) out.push_back(i < all.size() ? all[i] : FleetReading{});
    return out;
  }
  // Sends sleep (or wake) to `miners`; true for each the miner accepted.
  virtual std::vector<bool> Command(const std::vector<std::size_t>& miners, bool sleep) = 0;
  // Facility power at the interconnect, when a meter reads it.
  virtual std::optional<Watts> SiteMeter() = 0;
  // Miner i as the store names its target: its address.
  virtual std::string name(std::size_t i) const { return std::to_string(i); }
};

struct LoopSignals {
  UsdPerMegawattHour price{0};
  UsdPerTerahashDay hashprice{0};
  double ambient_c = 20.0;
  // An operator's 4CP alert in force (four_cp_alerts.h). The site file's
  // alerts (contract.four_cp's alert hours or rule) the tick finds itself.
  bool four_cp_alert = false;
};

struct LoopOptions {
  Seconds tick{10.0};               // until the next tick
  std::size_t max_commands = 500;   // per tick, sleeps first
  PolicyKind policy = PolicyKind::kMullet;
  Hours retention{24.0 * 30};       // ticks older than this are pruned from the store
  // The time when a batch of commands has gone out, so that a command's ramp
  // is timed from when it left, not from the start of a tick whose sweep
  // and commands may outlast the ramp; none: the tick's time.
  std::function<UtcTime()> clock;
};

// A firm tenant (a lease or cloud) the policy could not serve in full this
// tick: an SLA breach (reason firm-sla-breach), its cost, and the caps the
// loop holds on the tenant's GPUs for it.
struct SlaEvent {
  std::string tenant;
  Watts demand_it{0}, served_it{0};
  std::size_t gpus_capped = 0;  // the tenant's GPUs under the loop's cap after this tick
  std::optional<Watts> cap;     // the cap per GPU (the lowest, where GPUs differ); none: no GPU capped
  // What the GPUs' floor leaves over served_it: the caps cannot go below each
  // GPU's min_limit, so this much of the cut is not made by the GPUs.
  Watts floor_short{0};
  // The breach over the tick's step, as the backtest costs it
  // (LeaseShortfallUsd, CloudShortfallUsd in dispatch/contract.h).
  double cost_usd = 0;
};

// What a tick did, for the log, the API and the metrics.
struct TickReport {
  UtcTime time;
  bool swept = true;  // false: it acted on the last sweep (ControlLoop::Tick)
  std::optional<Watts> site_meter;
  std::optional<Watts> dr_limit;     // the cap of the events in force
  // A 4CP alert in force, by whom: "site" (the site file's alert hours or
  // rule), "operator" (LoopSignals::four_cp_alert, the file, or one raised
  // through the API: Store::OpenFourCpAlerts), "site,operator"; "" none.
  std::string four_cp_alert;
  Watts expected_facility{0};        // the policy's expected draw once the ramps under way end
  Watts ramping_down{0};             // facility draw of units still ramping down to sleep
  Watts site_cap{0};
  std::size_t answered = 0, silent = 0;
  std::size_t slept = 0, woken = 0, refused = 0;  // commands sent and accepted; refused by the miner
  std::vector<int> deferred;         // per group, units the plan could not move this tick
  // The policy's expected facility draw by tier, and each group's setpoint.
  Watts firm{0}, batch{0}, mining{0}, unexplained{0};
  // The same tiers' IT draw, without their cooling; the cooling is the rest.
  Watts firm_it{0}, batch_it{0}, mining_it{0};
  Watts cooling() const { return firm + batch + mining - firm_it - batch_it - mining_it; }
  std::vector<Watts> domains;        // expected facility draw under each power domain, site.domains order (domain_draw.h)
  std::vector<int> running;          // per group, units the policy wants hashing
  std::vector<std::string> reasons;  // per group, why (dispatch/reason.h)
  std::vector<int> held;             // per group, an operator's override in force: its max_running; -1 none
  std::map<std::string, std::size_t> targets;  // miners by target state, after the commands
  std::size_t pending = 0;           // units wanted moved that wait for pacing (sum of deferred)
  // The batch queue: GPUs the policy lets run, and the scheduler's jobs
  // suspended and resumed this tick (a scheduler error, if any).
  int batch_gpus = 0;
  std::string batch_reason;
  std::size_t jobs_suspended = 0, jobs_resumed = 0;
  std::string batch_error;
  // Firm AI: each tenant in breach, the GPUs the loop holds capped (all
  // tenants: marked in the store, a cap that failed to leave included; it is
  // sent again next tick), those restored this tick, and the first GPU node
  // error.
  std::vector<SlaEvent> sla_events;
  std::size_t gpus_capped = 0, gpus_restored = 0;
  std::string gpu_error;
};

// One GPU node of a firm tenant, as the loop drives it.
struct FirmGpuNode {
  std::string tenant;  // a lease or cloud of the site, by name
  std::string name;    // how the store knows the node across restarts (its nvidia-smi path)
  GpuNode* node = nullptr;  // owned outside the loop
};

// A tick's record as the store keeps it and the API serves it (JSON).
std::string TickJson(const Site& site, const TickReport& report);

class ControlLoop {
 public:
  // `groups[i]` is the site.miners index of miner i of `fleet`.
  // REQUIRES: groups.size() == fleet.size(); each index < site.miners.size().
  ControlLoop(const Site& site, Store& store, FleetIo& fleet, std::vector<std::size_t> groups, LoopOptions options);

  // Restores the policy's memory and the miners' targets saved by an
  // earlier run, if any. DataError when the saved memory does not fit this
  // site; a target whose miner is no longer at the same index and address is
  // dropped (the fleet changed).
  Status Resume();

  // The batch queue's scheduler: while the policy runs no batch GPUs (power
  // dearer than the work is worth, or a limit), the running jobs of
  // `partition` are suspended; when it runs some again, the jobs the loop
  // suspended (and only those) are resumed. None: batch is modelled only.
  void SetBatchScheduler(Scheduler* scheduler, std::string partition) {
    scheduler_ = scheduler;
    partition_ = std::move(partition);
  }

  // The firm tenants' GPU nodes, capped for their SLA cuts. None: a firm
  // shortfall is recorded (and costed) but no GPU is capped.
  // REQUIRES: each tenant names a lease or cloud of the site; names unique.
  void SetFirmGpuNodes(std::vector<FirmGpuNode> nodes) { gpu_nodes_ = std::move(nodes); }

  // One tick: sweep the fleet, decide, command. `sweep` false acts on the
  // last sweep's readings (and the confirm reads since) without reading the
  // fleet first: a tick nudged by a write seconds after a sweep sends its
  // commands at once rather than after a sweep that, at 100,000 miners,
  // takes longer than the event's ramp. No target moves in such a tick
  // (targets move only by fresh measurement).
  Result<TickReport> Tick(UtcTime now, const LoopSignals& signals, bool sweep = true);

  // Between ticks: reads only the miners whose command is in flight
  // (dispatched, not yet confirmed) and moves their targets by what it
  // measured, so an event's commands are confirmed within a second or two
  // of their ramps rather than at the next full sweep. Sends nothing; a
  // target that drifted is sent again by the next tick.
  struct ConfirmReport {
    std::size_t read = 0, answered = 0, confirmed = 0, in_flight = 0;
    std::optional<Watts> site_meter;  // read with them, so the API follows the ramp
    std::map<std::string, std::size_t> targets;  // miners by target state, after it
  };
  Result<ConfirmReport> Confirm(UtcTime now);
  // Miners whose command is dispatched and not yet confirmed.
  std::size_t InFlight() const;
  // When the first ramp of a command in flight ends (commanded at, plus its
  // group's ramp down or up): the time a confirm read first finds miners to
  // confirm. None when nothing is in flight.
  std::optional<UtcTime> FirstRampEnd() const;

  const std::vector<MinerRecord>& records() const { return records_; }
  // What the last tick measured and decided, for a dry run of an event.
  std::shared_ptr<const PreviewBasis> basis() const { return basis_; }

 private:
  // The cap on facility power of the events in force at `now`: the lowest of
  // them; reduce-by from the draw when the loop first saw the event.
  Result<std::optional<Watts>> EventCap(UtcTime now, std::optional<Watts> draw);
  TargetRow RowOf(std::size_t i) const;
  // Reads the operators' policy parameters and applies them when they changed.
  Status ApplyPolicyParams();
  // Holds each overridden group at or below its max_running.
  Status ApplyOverrides(UtcTime now, TickReport* report);
  // Suspends or resumes the batch jobs as the allocation says.
  void DriveBatch(UtcTime now, TickReport* report);
  // Records each firm tenant's breach with its cost, and caps (or restores)
  // the tenants' GPUs. A node that fails is in the report, never an error.
  void DriveFirmGpus(UtcTime now, TickReport* report);
  // One tenant's nodes: in its SLA event (`event`), caps its GPUs to fit what
  // is served; without one, restores those the loop capped. `ours`: the GPUs
  // marked in the store, kept up to date.
  struct TenantGpu;
  void CapTenantGpus(UtcTime now, const std::string& tenant, std::vector<GpuCapRow>& ours, SlaEvent* event,
                     TickReport* report);
  std::vector<TenantGpu> ReadTenantGpus(const std::string& tenant, bool breach, std::vector<GpuCapRow>& ours,
                                        TickReport* report);
  static Watts ShareGpuBudget(Watts budget, std::vector<TenantGpu>& gpus);

  // The loop's own copy: operators' policy parameters are applied to it.
  Site site_;
  std::string params_json_;  // the parameters applied last
  Store& store_;
  FleetIo& fleet_;
  LoopOptions options_;
  std::vector<MinerRecord> records_;
  DispatchState state_;
  Allocation alloc_;
  std::shared_ptr<const PreviewBasis> basis_;
  Scheduler* scheduler_ = nullptr;
  std::string partition_;
  std::vector<FirmGpuNode> gpu_nodes_;
  // Per tenant: its GPUs' draw as last read (every node, every GPU), for
  // the next tick's model of the metered load (Observation::lease_draw).
  std::map<std::string, Watts> firm_draw_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_CONTROL_LOOP_H_
