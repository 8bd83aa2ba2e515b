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
#include "dispatch/contract.h"
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

// How a baseline meets 4CP alerts: `avoid` sleeps every miner group in an
// alert interval (what Texas miners on strike prices do), `ignore` mines
// through. The mullet policy always weighs the alert's expected cost.
enum class FourCpResponse { kAvoid, kIgnore };
Result<FourCpResponse> ParseFourCpResponse(std::string_view name);  // "avoid" | "ignore"

struct PolicyOptions {
  FourCpResponse baseline_four_cp = FourCpResponse::kAvoid;
};

// What the policy is told at one tick.
struct TickSignals {
  UtcTime time;
  Hours step{1};                       // until the next tick
  UsdPerMegawattHour price{0};         // index price at the site's node
  UsdPerTerahashDay hashprice{0};      // before pool fee
  double ambient_c = 20.0;
  std::optional<Watts> dr_limit;       // demand-response cap on site facility power
  bool peak_alert = false;             // a 4CP alert: a coincident peak may fall in this step
};

// What the site measured at the start of a tick, per miner group. Units not
// listed here are asleep. A unit that does not answer is counted at its last
// known power (or nameplate), never zero; a unit told to sleep draws its power
// until its ramp-down ends.
struct GroupObservation {
  int hashing = 0;       // answering and hashing, ramping up included
  int ramping_up = 0;    // of `hashing`, still ramping up
  int ramping_down = 0;  // told to sleep, still drawing
  int unanswering = 0;   // not answering: cannot be commanded
  Watts ramping_down_it{0};  // what the ramping-down units draw, in all
  Watts unanswering_it{0};   // last known power of the unanswering units, in all
};
struct Observation {
  // site.miners order; empty: the plant is as the memory last commanded it.
  std::vector<GroupObservation> miners;
  // Measured IT draw of each lease and cloud (site order); none or empty:
  // the contracted demand (contracted IT x load factor, nodes x power).
  std::vector<std::optional<Watts>> leases, clouds;
  // What each lease and cloud draws now, IT, where it is measured apart from
  // its demand (site order; none or empty: its demand above): a tenant whose
  // GPUs are capped draws less than it wants. It enters only the model the
  // meters are compared with, so that load nobody modelled is not hidden
  // behind the tenant's demand; what the tenant is served still answers its
  // demand.
  std::vector<std::optional<Watts>> lease_draw, cloud_draw;
  // Facility power read from meters at the start of the tick, where there
  // are meters: at the interconnect, and per power domain (site.domains
  // order; none where a domain has no meter). What a meter reads above the
  // draw the model gives the plant as observed (each group's hashing units at
  // their last setpoint, ramping and silent units, firm and batch loads, with
  // cooling) is load nobody modelled: an auxiliary load, units drawing above
  // their rating. It is taken from that domain's headroom (and the site's)
  // before anything else, as `Allocation::unexplained_facility`. A reading
  // below the model gives no extra room.
  std::optional<Watts> site_meter;
  std::vector<std::optional<Watts>> domain_meters;
};

// The policy's memory between ticks: absolute times, so that a memory saved
// and loaded back (dispatch/memory_json.h) resumes exactly.
struct MinerGroupState {
  int running = 0;                      // units commanded to hash
  std::optional<UtcTime> changed;       // when it last started or stopped; none: long ago
  bool strike_on = true;                // strike-price: its own decision (limits and alerts apart)
  std::optional<UtcTime> across_since;  // strike-price: price across the strike since
  bool stopped_by_limit = false;        // last stopped by a limit, not by a price decision
  Watts unit_it{0};                     // IT draw per unit at the last command (nameplate at first)
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
  std::optional<UtcTime> next_recurring;  // the next recurring batch release
  // Per contract demand-response event, its baseline once it began.
  std::vector<std::optional<Watts>> dr_baselines;
  std::optional<Watts> last_draw;  // site facility draw expected at the last tick
  std::optional<UtcTime> last_tick;
  Watts batch_it{0};  // the batch pool's IT draw commanded at the last tick
  // Derived from the site, not saved: miner groups by facility J/TH at
  // nameplate, most efficient first: the order mining is restored in;
  // curtailment takes the end of it first.
  std::vector<int> merit_order;
  // Working storage of a tick, kept so that a tick allocates nothing; not saved.
  struct Scratch {
    std::vector<Watts> domain_room;
    std::vector<Watts> domain_model;      // modelled draw under each domain
    std::vector<Watts> domain_explained;  // meter excess already taken below it
    std::vector<int> domain_depth;
  } scratch;
};
// Every group running at nameplate (a fleet found running), the site's listed
// batch jobs queued, no event begun.
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
  int running = 0;    // units commanded to hash
  MinerPoint point;   // per unit
  Watts expected_it{0};  // running x point, plus units that do not answer or still ramp down
  Reason reason = Reason::kMineFull;
};

struct Allocation {
  std::vector<FirmSetpoint> leases;  // site.leases order
  std::vector<FirmSetpoint> clouds;  // site.clouds order
  BatchSetpoint batch;
  std::vector<MinerSetpoint> miners;  // site.miners order
  Watts site_cap{0};                  // the site limit this tick (interconnect or DR)
  // Expected facility draw, by kind of load; `unexplained_facility` is what
  // the meters read above the model (Observation::site_meter).
  Watts firm_facility{0}, batch_facility{0}, mining_facility{0}, unexplained_facility{0};
  Watts facility() const { return firm_facility + batch_facility + mining_facility + unexplained_facility; }
};

// Runs one tick: `observed` is what the site measured, `state` the memory,
// advanced as if the setpoints took effect until `signals.time + signals.step`
// (timers, batch work done, recurring jobs released).
// REQUIRES: state built by InitialState(site) or loaded for this site.
Allocation Dispatch(const Site& site, const TickSignals& signals, const Observation& observed,
                    PolicyKind policy, const PolicyOptions& options, DispatchState* state);
// The same, writing into `out` (whose vectors are reused: once they have
// grown to the site, a tick allocates nothing unless a batch job is released).
void Dispatch(const Site& site, const TickSignals& signals, const Observation& observed, PolicyKind policy,
              const PolicyOptions& options, DispatchState* state, Allocation* out);
// The same with an ideal plant (every command took effect) and default options.
Allocation Dispatch(const Site& site, const TickSignals& signals, PolicyKind policy, DispatchState* state);

}  // namespace mullet

#endif  // MULLET_DISPATCH_POLICY_H_
