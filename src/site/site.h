// The site model: what a hybrid mining / AI site is, as plain values
// (product.md §3). Loaded from SITE.yaml by site_config.h; read by the
// dispatch policy, the backtest and, later, the controller. No I/O here.
//
// Power figures of loads are IT power (what the machines draw); the cooling
// overhead on top of it (PUE by cooling class) counts against the same
// interconnect and domain limits.

#ifndef MULLET_SITE_SITE_H_
#define MULLET_SITE_SITE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/asic/catalog.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

enum class CoolingClass {
  kAir,        // air-cooled mining containers
  kImmersion,  // immersion-cooled mining
  kLiquid,     // liquid-cooled AI halls
};

// Cooling plant: overhead per load type, and a heat-rejection capacity that
// falls with ambient temperature.
struct Cooling {
  double pue_air = 1.08;        // facility W per IT W, air-cooled mining
  double pue_immersion = 1.04;  // immersion mining
  double pue_liquid = 1.30;     // liquid-cooled AI
  // IT power the plant can cool at or below design_ambient_c; none = no limit.
  std::optional<Watts> capacity;
  double design_ambient_c = 35.0;
  double derate_per_c = 0.02;  // share of capacity lost per degree C above design

  double Pue(CoolingClass c) const;
  // Capacity at `ambient_c`, never below zero. REQUIRES: capacity.
  Watts CapacityAt(double ambient_c) const;
};

// Ambient temperature, as a smooth synthetic year: mean + a seasonal cosine
// peaking on `hottest_day_of_year` + a daily cosine peaking at 15:00 local
// (`utc_offset_hours` from UTC).
struct Ambient {
  double mean_c = 20.0;
  double seasonal_amplitude_c = 10.0;
  double daily_amplitude_c = 6.0;
  int hottest_day_of_year = 200;  // 1-366
  double utc_offset_hours = -6.0;

  double At(UtcTime t) const;
};

// Ambient::At along a run of steps, with the same values: the seasonal
// cosine computed once a local day and the daily one once per minute of the
// day, rather than both every step. One per run; not for sharing between
// threads.
class AmbientClock {
 public:
  explicit AmbientClock(const Ambient& ambient);

  double At(UtcTime t);

 private:
  const Ambient& ambient_;
  std::int64_t day_;  // local days since the epoch of `seasonal_`
  double seasonal_ = 0;
  std::vector<double> daily_;  // by minute of the local day; NaN = not yet
};

// A node of the power tree (substation, feeder, hall), below the
// interconnect or below another domain.
struct PowerDomain {
  std::string name;
  std::string parent;  // "" = directly under the interconnect
  Watts limit{0};      // facility power (IT + cooling) this domain may carry
  int parent_index = -1;  // resolved by the loader; -1 = interconnect
};

// Where the index power price comes from.
struct PriceSource {
  std::optional<UsdPerMegawattHour> fixed;  // a flat price, instead of a series
  std::string csv;     // a CSV in the ERCOT schema; "" = the data dir's ERCOT day-ahead
  std::string column;  // point name without "_usd_per_mwh", e.g. "hb_west"
};

// A fixed-price block bought for every hour (Riot's structure): the site pays
// `size` x `price` each hour; power drawn beyond it is bought at the index
// price + adder, and power of the block left unused is sold back at the index
// price. So the marginal value of a MWh inside the block is the index price.
struct FixedBlock {
  Watts size{0};
  UsdPerMegawattHour price{0};
};

// A grid demand-response event: the site must stay at or below `reduce_to`,
// or `reduce_by` below its draw in the hour before the event, from `start` to
// `end`. Each MWh reduced below that baseline earns `credit`.
struct DemandResponseEvent {
  UtcTime start;
  UtcTime end;
  std::optional<Watts> reduce_to;
  std::optional<Watts> reduce_by;
  UsdPerMegawattHour credit{0};
};

// When the site is warned that a coincident peak may be near. Nobody knows
// the peaks in advance: the policy (and a baseline given the same response)
// acts on these alerts, while the charge falls on the real peaks. An interval
// is an alert when it lies in `months`, on a weekday if `weekdays_only`, in
// [from_hour, to_hour) local time, and the index price is at least
// `min_price` (if given).
struct FourCpAlertRule {
  std::vector<int> months{6, 7, 8, 9};
  bool weekdays_only = true;
  int from_hour = 15;             // local, inclusive
  int to_hour = 18;               // local, exclusive
  double utc_offset_hours = -5.0;  // Central daylight time
  std::optional<UsdPerMegawattHour> min_price;
};

// ERCOT 4CP transmission charge: `rate_usd_per_kw_year` times the site's mean
// draw in the four coincident-peak intervals of the year. `peaks` are the
// starts of the intervals that were the real peaks (ERCOT's are 15 minutes
// long); they set the charge only. The policy sees alerts: `alert_hours` (a
// list of candidate hours) if given, else `alert_rule`.
struct FourCoincidentPeak {
  double rate_usd_per_kw_year = 0;
  std::vector<UtcTime> peaks;
  Hours peak_interval{0.25};
  std::vector<UtcTime> alert_hours;
  FourCpAlertRule alert_rule;
  // The chance that an alert hour is a peak: scales the cost the policy
  // expects of a MWh drawn in an alert (1 = treat every alert as the peak).
  double alert_peak_probability = 1.0;
};

struct PowerContract {
  PriceSource index;
  UsdPerMegawattHour adder{0};  // added to every MWh bought at the index
  std::optional<FixedBlock> block;
  std::vector<DemandResponseEvent> demand_response;
  std::optional<FourCoincidentPeak> four_cp;
};

// One discrete operating point a firmware offers (LuxOS/Braiins profiles).
struct MinerProfile {
  std::string name;
  Watts power{0};
  TerahashPerSecond hashrate{0};
};

struct Firmware {
  bool can_sleep = true;
  // Continuous per-unit power target range; hashrate then follows
  // h = h_nom x (p / p_nom)^(1 - efficiency_exponent): underclocking improves J/TH.
  std::optional<Watts> power_target_min;
  std::optional<Watts> power_target_max;
  double efficiency_exponent = 0.35;
  std::vector<MinerProfile> profiles;
};

struct MinerGroup {
  std::string name;
  AsicModel model;
  int count = 0;
  std::string domain;
  int domain_index = -1;  // resolved by the loader; -1 = interconnect
  CoolingClass cooling = CoolingClass::kAir;
  Firmware firmware;
  Seconds ramp_up{300};    // from asleep to full hashrate
  Seconds ramp_down{60};   // from running to asleep
  Hours min_on{0};         // once started, run at least this long
  Hours min_off{0};        // once stopped, stay off at least this long
  double pool_fee = 0.02;  // fraction of revenue
  double uptime = 0.98;    // share of powered time hashing
  // Strike price for the strike-price baseline; none = the group's breakeven.
  std::optional<UsdPerMegawattHour> strike_price;
  // Where `mullet serve` finds the units: an address range as `mullet fleet`
  // takes it ("10.1.0.1-10.1.0.250", "10.1.0.0/24"), one address per unit;
  // "" in a site only replayed. `driver`: the firmware that takes the sleep
  // and wake commands, "luxminer" or "bosminer"; "" asks each unit.
  std::string addresses;
  std::string driver;
};

// SLA credit: when monthly availability falls below `availability_below`,
// `credit_fraction` of that month's rent is credited back.
struct SlaCreditTier {
  double availability_below = 0;
  double credit_fraction = 0;
};

// Who pays a tenant's power: under a gross (or modified-gross) lease the site
// does, out of the rent; under a triple-net lease the tenant reimburses the
// power its load draws (facility energy, cooling included) at the site's price.
enum class LeaseType { kGross, kTripleNet };

// An AI colocation lease: firm load, paid on contracted IT kW.
struct ColoLease {
  std::string name;
  Watts contracted_it{0};
  UsdPerKilowattMonth rate{0};
  double availability_target = 0.9999;
  std::vector<SlaCreditTier> sla;  // sorted by availability_below, descending
  std::string domain;
  int domain_index = -1;
  CoolingClass cooling = CoolingClass::kLiquid;
  double load_factor = 0.85;  // mean draw / contracted IT
  LeaseType type = LeaseType::kGross;
};

// GPU cloud capacity the site sells by the GPU-hour: firm load.
struct GpuCloud {
  std::string name;
  std::string node_type;  // "8xH100"
  int nodes = 0;
  int gpus_per_node = 8;
  Watts power_per_node{0};  // at the stated utilisation
  double usd_per_gpu_hour = 0;
  double utilisation = 0.7;  // share of GPU-hours sold
  std::string domain;
  int domain_index = -1;
  CoolingClass cooling = CoolingClass::kLiquid;
};

// A checkpointable batch job: deferrable load.
struct BatchJob {
  std::string name;
  double gpu_hours = 0;
  UtcTime release;
  UtcTime deadline;
  double value_usd_per_gpu_hour = 0;
};

// Jobs generated every `every` from the start of a run, each due `deadline_after`
// after its release.
struct RecurringBatch {
  Hours every{168};
  double gpu_hours = 0;
  Hours deadline_after{168};
  double value_usd_per_gpu_hour = 0;
};

struct BatchQueue {
  std::string name = "batch";
  int gpus = 0;
  Watts power_per_gpu{0};
  std::string domain;
  int domain_index = -1;
  CoolingClass cooling = CoolingClass::kLiquid;
  std::vector<BatchJob> jobs;
  std::optional<RecurringBatch> recurring;
};

struct PolicyParams {
  // Mining restarts only when its margin beats the power price by this much
  // (and stops when it falls below zero): keeps the fleet from thrashing.
  UsdPerMegawattHour hysteresis{2};
  // strike-price baseline: a group changes state only after the price has
  // been on the other side of its strike for `strike_windows` windows of
  // `strike_window` (time, not steps: the same at every step length).
  int strike_windows = 1;
  Hours strike_window{1};
  // Share of headroom held back from mining as a safety margin.
  double reserve_fraction = 0.0;
};

// What the site costs beyond power: a capital charge (the annuity that
// repays `capex` over `life_years` at `capital_rate`) and operating costs per
// kW of nameplate IT, so that a scenario that needed a new AI hall is not
// compared as if it cost nothing to build.
struct Costs {
  Usd capex{0};
  double life_years = 10;
  double capital_rate = 0.08;  // per year
  UsdPerKilowattMonth ai_opex{0};      // per kW of AI IT (leases, clouds, batch)
  UsdPerKilowattMonth mining_opex{0};  // per kW of miner IT

  // The annual payment that repays capex with interest: capex x r / (1 - (1 + r)^-n).
  Usd AnnualCapitalCharge() const;
};

struct Site {
  std::string name;
  Watts interconnect{0};
  std::vector<PowerDomain> domains;  // parents before children
  PowerContract contract;
  Cooling cooling;
  Ambient ambient;
  std::vector<MinerGroup> miners;
  std::vector<ColoLease> leases;
  std::vector<GpuCloud> clouds;
  std::optional<BatchQueue> batch;
  PolicyParams policy;
  Costs costs;
};

// A named variant of a site, run side by side in one backtest.
struct Scenario {
  std::string name;
  Site site;
};

}  // namespace mullet

#endif  // MULLET_SITE_SITE_H_
