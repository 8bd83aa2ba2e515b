// Runs a plan's paths: each path draws its markets (BTC price, power days,
// network hashrate through the chain's clock, hashprice), runs every
// decision's site over them (site_model.h) and keeps every decision's books
// by month (finance below). A path's numbers depend on (seed, path id) only:
// each market draws from its own RandomStream keyed by them, so a result is
// the same whatever the threads, processes or shards that computed it.
//
// Finance, per decision and month m (docs/plan.md has the rules):
//   EBITDA = mining revenue + rent (escalated) + GPU cloud + batch + power
//            reimbursed - net power cost - 4CP - SLA credits - opex - overhead
//   flow   = EBITDA - BTC held (not sold) - capex (equity share)
//            - interest - principal - tax (by tax year, losses carried:
//            plan/finance.h TaxYears)
//   cash   = initial cash + flows, plus held BTC sold to keep cash at the
//            floor (sell_to_cover)
//   NPV    = flows discounted monthly at the plan's rate, plus at the horizon
//            held BTC at the path's price + multiple x the last 12 months'
//            EBITDA - debt outstanding.
// IRR and payback are those of the difference from the first decision on the
// same path (what converting adds); the first has none.

#ifndef MULLET_PLANNER_PLAN_RUN_H_
#define MULLET_PLANNER_PLAN_RUN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "plan/btc_price_model.h"
#include "plan/btc_regime_model.h"
#include "plan/calibration_file.h"
#include "plan/fee_model.h"
#include "plan/gpu_rent_model.h"
#include "plan/hashrate_model.h"
#include "plan/power_price_model.h"
#include "planner/day_table.h"
#include "planner/plan_spec.h"
#include "planner/site_model.h"

namespace mullet {


// One path's markets by day.
struct PathMarkets {
  std::vector<double> price;       // BTC close, USD
  std::vector<double> hashprice;   // USD per TH/s per day, before pool fee
  std::vector<double> log_hashprice;  // its log (empty: computed where needed)
  std::vector<double> btc_per_th;  // BTC per TH/s per day
  std::vector<double> hashrate;    // network, TH/s
  std::vector<std::uint32_t> power_day;  // the historical power day drawn
  std::vector<double> gpu_rent_factor;   // the rent relative to the first day's; empty: 1
  // Per demand-response program of the plan (PlanRunner's order), per day:
  // whether an event falls on it.
  std::vector<std::vector<std::uint8_t>> dr_event;
};

// The market models a run draws from, and what they are, in words.
struct PlanMarkets {
  // BTC: the bootstrap of history when set, else the regime model (with
  // its daily shift).
  std::shared_ptr<const BtcPriceModel> btc;
  BtcRegimeParams btc_regime;
  double btc_regime_shift = 0;
  std::shared_ptr<const PowerPriceModel> power;
  HashrateModelParams hashrate;  // referenced to the plan's start (ShiftedBy)
  std::optional<FeeModelParams> fees;  // none: fees per block held at the start's
  // GPU rents: a GPU cloud's price moves with the model's rent relative to
  // the plan's first day (none: held). Day 0 of the model is `gpu_rent_day0`
  // days before the plan's start (negative: after it).
  std::optional<GpuRentParams> gpu_rent;
  std::int64_t gpu_rent_day0 = 0;
  // Set: every path is this one (its vectors a value per day of the plan;
  // power_day indexes power's history): history replayed through the
  // planner, to hold it to the backtest (planner_test). None: drawn.
  std::shared_ptr<const PathMarkets> replay;
  std::vector<Calibration::FitRow> fit;  // the calibration's, for the report
  std::vector<std::pair<std::string, std::string>> assumptions;  // (model, description)
};

// Per path, by month: the market's fans.
inline constexpr int kMarketSeries = 4;  // BTC price (end of month), hashprice (USD/PH/day, mean),
                                         // network hashrate (EH/s, mean), power price (mean)

// Per path and decision.
struct DecisionOutcome {
  double npv_usd = 0;
  double irr = 0;            // NaN: no IRR (none, no root or ambiguous)
  double payback_month = -1;  // -1: not within the horizon
  double first_breach_month = -1;  // cash below the floor first; -1: never
  double btc_mined = 0;
  double cost_per_btc_direct = 0, cost_per_btc_cash = 0, cost_per_btc_all_in = 0;  // NaN: no BTC
  double ebitda_usd = 0;     // over the horizon
};
inline constexpr int kOutcomeFields = 9;

// The results of paths [first, first + count): flat, in path order.
struct PlanResults {
  std::uint64_t seed = 0;
  std::uint64_t first_path = 0;
  std::uint64_t count = 0;
  int months = 0;
  int decisions = 0;
  // [path][series][month]
  std::vector<float> market;
  // [path][decision][month]: end-of-month cash
  std::vector<float> cash;
  // [path][decision]
  std::vector<DecisionOutcome> outcomes;

  void Resize(std::uint64_t first, std::uint64_t n, int months_, int decisions_);
  float* MarketOf(std::uint64_t i, int series) { return &market[(i * kMarketSeries + series) * months]; }
  float* CashOf(std::uint64_t i, int d) { return &cash[(i * decisions + d) * months]; }
};


// A plan made ready to run: its sites per phase and decision, built once
// and shared (read-only) by every thread.
class PlanRunner {
 public:
  // InvalidArgument: the site file's scenario is missing, a conversion
  // takes more mining than the site has; a replay whose days are not the
  // plan's, or that names a power day the history lacks.
  static Result<std::unique_ptr<PlanRunner>> Create(const PlanSpec& plan, const Site& base, PlanMarkets markets);

  // Computes paths [first, first + count) on `threads` threads (>= 1), in
  // blocks of `block` paths (a thread's unit of work; the numbers do not
  // depend on it); `progress`, if given, is called now and then with the
  // paths done (from any one thread at a time).
  static constexpr std::uint64_t kBlock = 256;
  PlanResults Run(std::uint64_t seed, std::uint64_t first, std::uint64_t count, int threads,
                  const std::function<void(std::uint64_t)>& progress = {}, std::uint64_t block = kBlock) const;

  const PlanSpec& plan() const { return plan_; }
  const PlanMarkets& markets() const { return markets_; }
  int days() const { return days_; }
  // Site-days tabulated so far (all models and threads); 0 when hourly.
  std::size_t table_cells() const;

 private:
  PlanRunner(PlanSpec plan, PlanMarkets markets) : plan_(std::move(plan)), markets_(std::move(markets)) {}
  void RunPaths(std::uint64_t seed, std::uint64_t path, std::uint64_t count, std::uint64_t index,
                PlanResults* out) const;
  PathMarkets DrawMarkets(std::uint64_t seed, std::uint64_t path) const;
  void RecordFans(const PathMarkets& pm, std::uint64_t index, PlanResults* out) const;
  std::vector<std::vector<std::vector<SiteBooks>>> RunSites(const std::vector<PathMarkets>& pms) const;
  void RunFinance(int decision, const std::vector<std::vector<SiteBooks>>& books, std::uint64_t index,
                  std::vector<Usd>* base_flows, PlanResults* out) const;

  PlanSpec plan_;
  PlanMarkets markets_;
  int days_ = 0;
  std::vector<int> day_month_;  // month of each day
  std::vector<int> month_days_;
  std::unique_ptr<SiteCalendar> calendar_;  // the plan's days, from 06:00 UTC of the start
  // Distinct sites: models_[k]; site_of_[d][m]: the model of decision d in month m.
  std::vector<std::unique_ptr<SiteModel>> models_;
  std::vector<std::vector<int>> site_of_;
  bool clouds_ = false;  // some model's site has a GPU cloud (else no path draws GPU rents)
  // Per historical power day i: its 24 prices as the model gives them
  // (day_prices_[24 i...]) and, per contract adder, SiteModel::PriceLogs
  // (day_logs_[logs_of_model_[k]][48 i...]: 24 log prices, 24 log bought).
  std::vector<UsdPerMegawattHour> day_prices_;
  std::vector<std::vector<double>> day_logs_;
  std::vector<int> logs_of_model_;
  // Per model: its days by table (null: hourly; models of one site share
  // one), and each plan day's calendar class in it.
  std::vector<std::shared_ptr<DayTable>> tables_;
  std::vector<std::vector<int>> class_of_;
  // Demand-response programs: the distinct ones of the decisions, each
  // model's (-1: none), per program and plan year the days an event may
  // fall on, and per tabulated model with a program the class of each
  // eligible day with its event (-1: not eligible).
  std::vector<DemandResponseProgram> programs_;
  std::vector<int> program_of_model_;
  std::vector<std::vector<std::vector<int>>> eligible_;
  std::vector<std::vector<int>> event_class_of_;
  // The plan day `d`'s calendar with program `p`'s event in it.
  std::array<CalendarHour, 24> EventDay(int p, int d) const;
  // Per decision and conversion: the lease's index in each model's site (-1: none).
};

}  // namespace mullet

#endif  // MULLET_PLANNER_PLAN_RUN_H_
