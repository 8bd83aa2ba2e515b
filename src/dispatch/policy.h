// The dispatch policy: one tick, (site, signals, state) -> allocation
// (product.md §4). No I/O and no clock: time arrives in TickSignals, so the
// same call runs in a backtest, the planner and the live controller.
//
// Order of a tick: headroom from every limit; firm loads first (a shortfall
// is an SLA breach, recorded); deferrable batch work when its value beats the
// power price or its deadline requires; mining takes the rest while it earns
// more than power costs, most efficient first.
//
// Invariant (tested on random sites): no allocation exceeds the site cap, a
// domain limit or the cooling capacity, except firm load that alone exceeds
// them, which is then reported as a breach.

#ifndef MULLET_DISPATCH_POLICY_H_
#define MULLET_DISPATCH_POLICY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "dispatch/operating_point.h"
#include "dispatch/reason.h"
#include "site/site.h"

namespace mullet {

enum class PolicyKind {
  kMullet,       // the policy of product.md §4
  kStrikePrice,  // a group runs when the price is at or below its strike
  kAlwaysOn,     // every miner runs whenever the limits allow
};
std::string_view PolicyName(PolicyKind p);  // "mullet", "strike-price", "always-on"
Result<PolicyKind> ParsePolicy(std::string_view name);

// What the policy knows at one tick.
struct TickSignals {
  UtcTime time;
  Hours step{1};
  UsdPerMegawattHour price{0};         // index price at the site's node
  UsdPerTerahashDay hashprice{0};      // before pool fee
  double ambient_c = 20.0;
  std::optional<Watts> dr_limit;       // demand-response cap on site facility power
  bool peak_alert = false;             // a 4CP coincident-peak interval
};

// The policy's memory between ticks.
struct MinerGroupState {
  int running = 0;          // units hashing
  Hours in_state{1e9};      // time since the group last started or stopped
  int windows_across = 0;   // strike-price: consecutive steps across the strike
  bool stopped_by_limit = false;  // last stopped by a limit, not by a price decision
};
struct BatchJobState {
  std::string name;
  double remaining_gpu_hours = 0;
  UtcTime release;
  UtcTime deadline;
  double value_usd_per_gpu_hour = 0;
  bool missed = false;  // its deadline passed with work left (it still runs)
};
struct DispatchState {
  std::vector<MinerGroupState> miners;
  std::vector<BatchJobState> jobs;  // unfinished jobs, released or not
  // Miner groups by facility J/TH at nameplate, most efficient first: the
  // order mining is restored in; curtailment takes the end of it first.
  std::vector<int> merit_order;
};
// Every group running at nameplate (a fleet found running), the site's listed
// batch jobs queued.
DispatchState InitialState(const Site& site);

struct FirmSetpoint {
  Watts demand_it{0};
  Watts served_it{0};
  Reason reason = Reason::kFirmServed;
};
struct BatchSetpoint {
  int gpus = 0;
  Watts it{0};
  Usd value{0};  // the work done this step at its jobs' values
  Reason reason = Reason::kBatchIdle;
};
struct MinerSetpoint {
  int running = 0;
  MinerPoint point;  // per unit
  Reason reason = Reason::kMineFull;
};

struct Allocation {
  std::vector<FirmSetpoint> leases;  // site.leases order
  std::vector<FirmSetpoint> clouds;  // site.clouds order
  BatchSetpoint batch;
  std::vector<MinerSetpoint> miners;  // site.miners order
  Watts site_cap{0};                  // the site limit this tick (interconnect or DR)
  Watts firm_facility{0}, batch_facility{0}, mining_facility{0};
  Watts facility() const { return firm_facility + batch_facility + mining_facility; }
};

// Runs one tick and advances `state` as if the setpoints took effect for
// `signals.step` (miner on/off timers, batch work done).
// REQUIRES: state built by InitialState(site).
Allocation Dispatch(const Site& site, const TickSignals& signals, PolicyKind policy,
                    DispatchState* state);

// The marginal price of power for load added on top of `site_draw` of
// facility power: inside a fixed-price block it is the index price (what
// unused block power sells back for), above it the index price plus adders.
UsdPerMegawattHour MarginalPrice(const PowerContract& c, UsdPerMegawattHour index, Watts site_draw);

}  // namespace mullet

#endif  // MULLET_DISPATCH_POLICY_H_
