// A plan file (PLAN.yaml; docs/plan.md has the schema): the site it starts
// from, the market's starting point, the finance, and the decisions to
// compare on the same paths.
//
// A decision is a list of conversions (megawatts of mining moved to an AI
// colocation lease: capex per MW, months of works, megawatts offline during
// them, the lease's terms), a financing and a treasury policy. The first
// decision is the base the others are measured against (incremental IRR and
// payback, the pairwise comparison).

#ifndef MULLET_PLANNER_PLAN_SPEC_H_
#define MULLET_PLANNER_PLAN_SPEC_H_

#include <cstdint>
#include <filesystem>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "site/site.h"

namespace mullet {

// A plan's day starts at 06:00 UTC: ERCOT's operating day, from midnight
// Central Standard Time. Historical power days must be cut the same way
// (PowerDaysFromHours(..., kPlanDayStartUtc)) for their hours to meet the
// plan's calendar (ambient, 4CP alert hours).
inline constexpr std::chrono::hours kPlanDayStartUtc{6};

struct LeaseTerms {
  double usd_per_kw_month = 120;   // on contracted IT kW
  double escalator_per_year = 0;   // the rate rises by this share each lease year
  // The lease's term from its start, months; 0: beyond the horizon. At its
  // end the tenant renews (the escalation goes on) unless `vacant_at_end`:
  // then the hall stands empty, with neither rent nor load.
  int term_months = 0;
  bool vacant_at_end = false;
  double load_factor = 0.85;       // the tenant's mean draw / contracted IT
  LeaseType type = LeaseType::kGross;
};

struct Conversion {
  double facility_mw = 0;         // mining facility MW converted (least efficient groups first)
  int start_month = 0;            // works begin, months after the plan's start
  int build_months = 12;          // the lease begins this many months later
  double offline_mw = -1;         // mining facility MW off during the works; < 0: facility_mw
  double capex_usd_per_mw = 9e6;  // per MW of AI IT, spent evenly over the works
  LeaseTerms lease;
  // Derived: the lease's contracted IT, facility_mw / pue_liquid.
};

struct Financing {
  double debt_share = 0;       // of capex, drawn as it is spent
  double annual_rate = 0.08;   // interest on the balance, monthly
  int term_months = 84;        // repaid as an annuity from the lease's start
};

struct Treasury {
  double sell_share = 1.0;     // of BTC mined, sold the day it is mined
  bool sell_to_cover = true;   // sell held BTC at month end to keep cash at the floor
};

// ASICs bought or retired in a month. A purchase adds `count` units to the
// site's group `group` (its model, firmware and cooling), paid in that month
// at `usd_per_unit` and depreciated over `life_months` (the all-in cost per
// BTC, taxes); a retirement takes `count` units of `group` off from that
// month, sold for `salvage_usd_per_unit`.
//
// A purchase may be financed: `debt_share` of its price is borrowed in its
// month at `debt_annual_rate` and repaid as an annuity over
// `debt_term_months` from the month after (the equipment loans miners take
// against their ASICs); interest is monthly on the balance, deductible, and
// mining's alone in its cost per BTC; what is owed at the horizon is
// subtracted from its value.
struct FleetChange {
  int month = 0;
  std::string group;
  int count = 0;            // > 0: bought; < 0: retired
  double usd_per_unit = 0;  // price paid, or salvage received
  int life_months = 36;
  double debt_share = 0;           // of the price, 0 to 1
  double debt_annual_rate = 0.12;  // a fraction a year (0.12: 12 %), charged monthly on the balance
  int debt_term_months = 24;
};

// A demand-response program the site enrols in (ERCOT's ERS, a utility's
// peak-load program): events fall on random days of `months` (weekdays if
// `weekdays_only`), `events_per_year` of them on average (Poisson, drawn per
// path), each from `start_hour` local for `hours`. During an event the
// site's facility draw is capped at `reduce_to_mw`, or at its draw in the
// hour before the event less `reduce_by_mw` (the backtest's rule), and each
// MWh below that baseline earns `credit_usd_per_mwh`. The program pays
// `capacity_usd_per_mw_month` on `enrolled_mw` every month, events or not.
struct DemandResponseProgram {
  double events_per_year = 0;
  std::vector<int> months{6, 7, 8, 9};
  bool weekdays_only = true;
  int start_hour = 15;              // local
  int hours = 3;
  double utc_offset_hours = -5;     // Central daylight time
  double reduce_to_mw = -1;         // < 0: not given
  double reduce_by_mw = -1;         // < 0: not given
  double credit_usd_per_mwh = 0;
  double capacity_usd_per_mw_month = 0;
  double enrolled_mw = -1;          // < 0: reduce_by_mw
};

// Where a program's event falls in the plan's day (from kPlanDayStartUtc):
// its first hour, and how many days its local date is after the plan day's
// UTC date.
double EventStartInPlanDay(const DemandResponseProgram& p);
int EventDateShift(const DemandResponseProgram& p);

struct Decision {
  std::string name;
  std::string description;
  std::vector<Conversion> conversions;
  std::vector<FleetChange> fleet;
  Financing financing;
  Treasury treasury;
  std::optional<DemandResponseProgram> demand_response;
};

// The market at the plan's start.
struct MarketStart {
  double btc_price_usd = 90000;
  double network_hashrate_eh_s = 1000;
  std::int64_t block_height = 930000;
  double difficulty = 0;              // 0: the hashrate's implied difficulty
  double fees_btc_per_block = 0.03;   // on the start day
  // "fitted": fees per day follow plan/fee_model.h fitted to the data,
  // from the start's level; "constant": held at the start's level.
  std::string fee_model = "fitted";
  // BTC: the bootstrap resamples daily returns from this day on ("" = all
  // history); the drift makes the expected price a year ahead (1 + g) x
  // today's ("expected-return") or the expected log return log(1 + g) a
  // year ("log": the median path then drifts at g, and the mean above it).
  std::string btc_history_from;
  std::string btc_drift = "expected-return";
  double btc_annual_drift = 0;        // g
  double power_price_level = 1.0;     // multiplies the history's prices
};

struct PlanSpec {
  std::string name;
  std::filesystem::path file;       // the plan file itself
  std::filesystem::path site_file;  // resolved against the plan file's folder
  std::string scenario;             // "" = the site file's first
  Date start;
  int years = 5;
  double discount_rate = 0.10;       // annual, for NPV
  double initial_cash_usd = 0;
  double cash_floor_usd = 0;
  double tax_rate = 0;               // on profit after depreciation and interest, by tax year (plan/finance.h TaxYears)
  double tax_loss_offset_share = 0.8;  // of a year's income that losses carried from earlier years may offset
  double overhead_usd_per_month = 0;            // G&A: in cash cost per BTC by mining's revenue share
  double mining_depreciation_usd_per_month = 0;  // the fleet's: all-in cost per BTC, taxes
  double capex_depreciation_years = 12;          // conversions' capex, straight line from the lease's start
  double terminal_ebitda_multiple = 0;           // value at the horizon: multiple x the last 12 months' EBITDA
  MarketStart market;
  // How a site's day is run: "table" (planner/day_table.h: each historical
  // power day tabulated on a grid of hashprice, `dispatch_step` apart in
  // log hashprice, and interpolated) or "hourly" (SiteModel::RunDay for
  // every path and day, the reference). A site with a batch queue runs
  // hourly either way.
  std::string dispatch = "table";
  double dispatch_step = 0.1;
  std::vector<Decision> decisions;

  int months() const { return years * 12; }
};

// Reads and checks a plan file. InvalidArgument "<file>:<line>: <field>:
// <what>" for a bad value, a missing required key or an unknown key;
// NotFound / IoError for the file.
Result<PlanSpec> LoadPlanFile(const std::filesystem::path& file);
Result<PlanSpec> ParsePlanYaml(std::string_view name, std::string_view text);

// The site of `decision` in effect during month `month` (0-based): its
// conversions' works and leases applied to `base`, in order. Validated.
// InvalidArgument: a conversion takes more mining than the site has.
Result<Site> SiteInMonth(const Site& base, const Decision& decision, int month);

// Where a conversion stands in month `month` (0-based).
enum class ConversionPhase { kNotStarted, kWorks, kLeased, kVacant };
ConversionPhase PhaseIn(const Conversion& c, int month);

// The lease name of conversion `k` (the books find its rent by it).
std::string ConversionLeaseName(std::size_t k);

}  // namespace mullet

#endif  // MULLET_PLANNER_PLAN_SPEC_H_
