// The summary of a `mullet plan` run (summary.json, schema in docs/plan.md,
// "summary.json") read into C++ for the report: every field checked for
// presence and type, arrays for their lengths, so that the page is built
// from values it can trust. Pure: no I/O.

#ifndef MULLET_REPORT_PLAN_SUMMARY_H_
#define MULLET_REPORT_PLAN_SUMMARY_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"

namespace mullet {

// Percentiles across paths, one value per month of PlanSummary::months.
struct PlanFan {
  std::vector<double> p5, p25, p50, p75, p95;
};

struct PlanRunInfo {
  std::string name, file, site;
  std::string start;  // "2026-01-01", as written
  double years = 0;
  std::string paths, seed;   // integers, as written (a seed may not fit a double)
  double discount_rate = 0;  // annual, 0.10 = 10 %
  double cash_floor_usd = 0, initial_cash_usd = 0;
  std::string shards, threads;
};

struct PlanNpvHistogram {
  std::vector<double> edges;   // ascending, counts.size() + 1 of them, USD
  std::vector<double> counts;  // paths per bin
};

struct PlanDecision {
  std::string name, description;
  double npv_p5 = 0, npv_p50 = 0, npv_p95 = 0, npv_mean = 0;  // USD
  std::optional<double> irr_p50;                              // annual; none: no IRR
  double irr_none_share = 0;                                  // share of paths with no IRR
  std::optional<double> payback_months_p50;                   // none: beyond the horizon
  double prob_cash_below_floor = 0;
  std::optional<double> first_breach_month_p50;  // index into months; none: no path breaches
  double var_npv_5 = 0, cvar_npv_5 = 0;  // USD: the 5 % worst NPV, the mean of the worst 5 %
  double cost_per_btc_direct = 0, cost_per_btc_cash = 0, cost_per_btc_all_in = 0;  // USD, p50
  double btc_mined_p50 = 0;
  PlanNpvHistogram npv_histogram;
  PlanFan cash_fan;                               // end-of-month cash, USD
  std::vector<double> prob_below_floor_by_month;  // cumulative: breached at or before the month
};

struct PlanPairwise {
  std::string a, b;
  double share_a_better = 0;    // share of paths where a's NPV beats b's
  double npv_diff_usd_p50 = 0;  // median of a's NPV minus b's, path by path
};

struct PlanCalibration {
  std::string model, statistic;
  double history = 0, simulated = 0;
};

struct PlanSummary {
  std::string mullet_version;
  PlanRunInfo plan;
  std::vector<std::pair<std::string, std::string>> assumptions;  // name, value
  std::vector<std::string> month_labels;                         // "2026-01"
  std::vector<UtcTime> months;                                   // the first instant of each
  PlanFan btc_price_usd, hashprice_usd_per_ph_day, network_hashrate_eh_s, power_price_usd_per_mwh;
  std::vector<PlanDecision> decisions;
  std::string best_median_npv, lowest_cash_risk;  // decision names
  std::vector<PlanPairwise> pairwise;
  std::vector<PlanCalibration> calibration;
};

// The summary in `doc`. InvalidArgument naming the field by its JSON path
// ("decisions[1].npv_usd_p50: missing", "fans.months[3]: expected YYYY-MM,
// got '2026-13'") when a field is missing or of the wrong type, an array has
// the wrong length, or a comparison names no decision. Only `description`
// may be left out; the nullable fields must be present (null or a number).
Result<PlanSummary> ReadPlanSummary(const nlohmann::json& doc);

}  // namespace mullet

#endif  // MULLET_REPORT_PLAN_SUMMARY_H_
