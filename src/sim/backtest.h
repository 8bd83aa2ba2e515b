// The backtest: replays one site scenario over a market series, step by step,
// with the same Dispatch() the controller runs, and keeps the books.
//
// Accounting (docs/backtest.md has the full rules):
// - power cost: index price + adder per MWh of facility energy; with a fixed
//   block, the block is paid at its price every step, energy beyond it at
//   index + adder, and unused block energy is sold back at the index price
//   (sell_back_credit_usd);
// - mining revenue: hashprice x TH/s running x days x uptime x (1 - pool fee),
//   units started in a step hashing only after their ramp-up time; BTC mined
//   the same with BTC per TH/s per day;
// - AI revenue: colocation rent accrues on contracted kW (take-or-pay), with
//   SLA credits by month when served/demanded energy falls below the target;
//   GPU cloud earns GPU-hours sold x served share; batch earns the value of
//   the GPU-hours it ran;
// - demand-response credits per MWh below the draw of the step before an
//   event; 4CP: per calendar year, rate x mean kW over that year's peak hours,
//   booked pro rata to the part of the year the run covers.
// The tariff rules themselves live in dispatch/contract.h; the policy sees
// 4CP alerts, never the peaks.

#ifndef MULLET_SIM_BACKTEST_H_
#define MULLET_SIM_BACKTEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "data/market.h"
#include "dispatch/policy.h"
#include "site/site.h"

namespace mullet {

enum class LoadKind { kColocation, kGpuCloud, kBatch, kMinerGroup };
std::string_view LoadKindName(LoadKind k);  // "colocation", "gpu-cloud", "batch", "miners"

struct MonthRow {
  int year = 0;
  int month = 0;
  double hours = 0;  // of the run in this month
  double energy_mwh = 0;
  double power_cost_usd = 0;
  double sell_back_credit_usd = 0;
  double dr_credit_usd = 0;
  double mining_revenue_usd = 0;
  double btc_mined = 0;
  double ai_revenue_usd = 0;  // colocation + GPU cloud + batch
  double sla_credit_usd = 0;
  double four_cp_charge_usd = 0;
  double power_reimbursed_usd = 0;
  double opex_usd = 0;
  double profit_usd = 0;
  double capital_charge_usd = 0;
  double profit_after_capital_usd = 0;
  double mean_price_usd_per_mwh = 0;
  double mean_hashprice_usd_per_ph_day = 0;  // before pool fee, the mean of the month's steps
  double curtailed_hours = 0;
  double curtailed_machine_hours = 0;
  // What the site paid per MWh drawn: power cost / energy (0 without energy).
  double RealisedUsdPerMwh() const { return energy_mwh > 0 ? power_cost_usd / energy_mwh : 0; }
};

// The 4CP charge of one calendar year of a run (FourCpBook::Year).
struct FourCpYearRow {
  int year = 0;
  int peaks_listed = 0;
  double peak_hours_in_run = 0;
  double mean_kw_at_peaks = 0;
  double run_hours = 0;
  double year_hours = 0;
  double annual_charge_usd = 0;
  double booked_usd = 0;  // annual charge x run hours / year hours
  std::string basis;      // peaks | partial | none-in-run | no-peaks-listed
};

struct BacktestSummary {
  std::string scenario;
  std::string policy;
  std::int64_t steps = 0;
  double hours = 0;
  double energy_mwh = 0;
  double power_cost_usd = 0;
  double sell_back_credit_usd = 0;
  double dr_credit_usd = 0;
  double four_cp_charge_usd = 0;
  double mining_revenue_usd = 0;
  double btc_mined = 0;
  double ai_revenue_usd = 0;     // colocation + GPU cloud + batch
  double colocation_revenue_usd = 0;
  double gpu_cloud_revenue_usd = 0;
  double batch_revenue_usd = 0;
  double sla_credit_usd = 0;
  double power_reimbursed_usd = 0;  // triple-net tenants' power, paid back
  double opex_usd = 0;              // costs.ai_opex and mining_opex on nameplate IT
  // Operating profit: revenue + credits + reimbursed power - power - 4CP - SLA credits - opex.
  double profit_usd = 0;
  double capital_charge_usd = 0;        // costs' annual capital charge, pro rata
  double profit_after_capital_usd = 0;  // profit_usd - capital_charge_usd
  double direct_cost_per_btc_usd = 0;  // mining's share of net power cost / BTC; 0 if none mined
  double mining_uptime = 0;            // mining IT energy / nameplate IT energy
  double firm_availability = 1;        // served / demanded firm IT energy
  double max_site_power_mw = 0;
  // Hours in which the policy curtailed any miner group by decision: price,
  // strike, hysteresis, minimum off time, DR, 4CP, cooling (IsCurtailmentDecision).
  double curtailed_hours = 0;
  // Units x hours curtailed by decision (the same reasons): machine-hours.
  double curtailed_machine_hours = 0;
  double sla_breach_hours = 0;         // hours with firm load short
  double batch_gpu_hours = 0;
  int batch_deadlines_missed = 0;
  std::int64_t power_filled_steps = 0;
  std::int64_t hashprice_filled_steps = 0;
  std::vector<MonthRow> months;
  std::vector<FourCpYearRow> four_cp_years;
};

struct LoadInfo {
  std::string name;
  LoadKind kind;
  Watts nameplate_it{0};
  double energy_mwh = 0;  // IT energy over the run
  int units = 0;          // miner groups: the units in the group
};

struct BacktestResult {
  BacktestSummary summary;
  std::vector<LoadInfo> loads;  // colocation, GPU cloud, batch, miner groups
  // Per step:
  std::vector<UtcTime> times;
  std::vector<float> price, hashprice_ph, ambient_c, site_cap_mw, facility_mw, firm_mw, batch_mw,
      mining_mw, profit_usd;
  // Per step and load, row-major (step * loads.size() + load): IT MW, reason.
  std::vector<float> load_mw;
  std::vector<Reason> load_reason;
  // Per step and miner group (same layout; 0 for other loads): units hashing,
  // so that hours by reason can be counted in machine-hours.
  std::vector<std::int32_t> load_units;
};

struct BacktestOptions {
  PolicyOptions policy;
  // Share of each group's units that do not answer in a step (the plant
  // model draws them from a seeded generator); they keep their last state.
  double unanswering_share = 0;
  std::uint64_t seed = 1;
  // Keep the per-step series (times ... load_reason). Off: books only, for
  // the planner (the series vectors stay empty).
  bool series = true;
};

// The signals of step `k` of `market` for `site`: price, hashprice, ambient,
// the 4CP alert and the demand-response cap. Fixes an event's baseline in
// `state` when the event begins (the draw of the step before, or, at a run's
// start inside an event, the draw the site would have without it). `dr`, if
// given, receives the event in force. `ambient`, if given, is the run's
// clock of `site.ambient` (the same values, cheaper step after step).
TickSignals SignalsAt(const Site& site, const MarketSeries& market, size_t k, PolicyKind policy,
                      const PolicyOptions& options, const Observation& observed, DispatchState* state,
                      DemandResponseNow* dr = nullptr, AmbientClock* ambient = nullptr);

// REQUIRES: market.times non-empty; the site valid (ValidateSite).
BacktestResult RunBacktest(const Scenario& scenario, const MarketSeries& market, PolicyKind policy,
                           const BacktestOptions& options = {});

}  // namespace mullet

#endif  // MULLET_SIM_BACKTEST_H_
