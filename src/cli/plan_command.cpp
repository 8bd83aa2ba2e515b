#include "cli/plan_command.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/asic/catalog.h"
#include "data/history.h"
#include "plan/btc_price_model.h"
#include "plan/calibration.h"
#include "plan/calibration_file.h"
#include "plan/power_price_model.h"
#include "cli/plan_ranks.h"
#include "planner/plan_run.h"
#include "planner/plan_spec.h"
#include "report/plan_report.h"
#include "planner/plan_output.h"
#include "sim/synthetic_market.h"
#include "site/site_config.h"

#ifndef MULLET_VERSION
#define MULLET_VERSION "dev"
#endif

namespace mullet {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// FNV-1a, 64 bits: stable across machines and compilers.
std::string Fingerprint(const std::vector<std::string>& parts) {
  std::uint64_t h = 1469598103934665603ull;
  for (const std::string& p : parts) {
    for (unsigned char c : p) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string Fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// A plain number, as many digits as it has (3000, 2.5, 0.1).
std::string Plain(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// Power days without a data directory: the built-in synthetic market
// (sim/synthetic_market.h, derived from ERCOT HB_WEST 2023-2024), four
// seeds, each labelled a leap year apart so their dates stay distinct and
// every calendar day (29 February too) has a pool.
Result<std::vector<PowerDay>> BuiltInPowerDays() {
  std::vector<PowerDay> all;
  int seed = 1;
  for (int year_back : {0, 4, 8, 12}) {
    const MarketSeries m = DefaultMarket(static_cast<std::uint64_t>(seed++));
    Result<std::vector<PowerDay>> days = PowerDaysFromHours(m.times, m.power_price, kPlanDayStartUtc);
    if (!days.ok()) return days.status();
    for (PowerDay d : *days) {
      const std::chrono::year_month_day ymd(d.date);
      d.date = std::chrono::sys_days(std::chrono::year_month_day(ymd.year() - std::chrono::years(year_back),
                                                                 ymd.month(), ymd.day()));
      all.push_back(d);
    }
  }
  return all;
}

// The bootstraps' fit, for the report beside the calibration's rows:
// history's statistics against the model's own draws (100 paths of 2,000
// days of BTC returns; 50 paths of 4 years of power days; fixed seeds, so
// a run's rows do not depend on its seed).
void AddBootstrapFit(PlanMarkets& m, const BtcPriceModel& btc, const PowerPriceModel& power) {
  std::vector<double> simulated;
  for (std::uint64_t path = 0; path < 100; ++path) {
    const std::vector<double> x = btc.SimulateLogReturns(2000, RandomStream(20260130, path, 1));
    simulated.insert(simulated.end(), x.begin(), x.end());
  }
  std::vector<double> history = btc.log_returns();
  for (double& r : history) r += btc.daily_shift();
  const Result<Moments> hm = MomentsOf(history), sm = MomentsOf(simulated);
  const Result<std::vector<double>> ha = AbsoluteAutocorrelation(history, 10), sa = AbsoluteAutocorrelation(simulated, 10);
  if (hm.ok() && sm.ok() && ha.ok() && sa.ok()) {
    m.fit.push_back({"BTC price (bootstrap)", "stdev of daily log return", hm->stdev, sm->stdev});
    m.fit.push_back({"BTC price (bootstrap)", "excess kurtosis", hm->excess_kurtosis, sm->excess_kurtosis});
    m.fit.push_back({"BTC price (bootstrap)", "acf of |r|, lag 1", (*ha)[0], (*sa)[0]});
    m.fit.push_back({"BTC price (bootstrap)", "acf of |r|, lag 10", (*ha)[9], (*sa)[9]});
  }
  std::vector<PowerDay> history_days = power.history(), drawn;
  for (PowerDay& d : history_days) power.Prices(PowerDay(d), d.prices.data());  // level and cap, as drawn
  for (std::uint64_t path = 0; path < 50; ++path) {
    const PowerPath p = power.Simulate(history_days.front().date, static_cast<std::int64_t>(history_days.size()),
                                       RandomStream(20241231, path, 2));
    drawn.insert(drawn.end(), p.days.begin(), p.days.end());
  }
  const std::vector<UsdPerMegawattHour> thresholds = {UsdPerMegawattHour(100), UsdPerMegawattHour(1000)};
  const Result<PowerPriceStats> hp = PowerPriceStatsOf(history_days, thresholds),
                                sp = PowerPriceStatsOf(drawn, thresholds);
  if (hp.ok() && sp.ok()) {
    m.fit.push_back({"Power price (bootstrap)", "mean, USD/MWh", hp->mean.value(), sp->mean.value()});
    m.fit.push_back({"Power price (bootstrap)", "stdev, USD/MWh", hp->stdev.value(), sp->stdev.value()});
    m.fit.push_back({"Power price (bootstrap)", "share of hours above 100", hp->share_above[0], sp->share_above[0]});
    m.fit.push_back({"Power price (bootstrap)", "share of hours above 1,000", hp->share_above[1], sp->share_above[1]});
  }
}

// The markets of a run: with a data directory, the bootstraps of its BTC
// and ERCOT history; without, the calibration's BTC regime model and the
// built-in synthetic power year. The calibration's parametric models either way.
Result<PlanMarkets> LoadMarkets(const PlanSpec& plan, const std::optional<fs::path>& dir, const Calibration& cal,
                                const std::string& cal_name) {
  PlanMarkets m;
  const MarketStart& ms = plan.market;
  const std::string drift_words =
      ms.btc_drift == "log"
          ? "the expected log return is log(" + Fixed2(1 + ms.btc_annual_drift) +
                ") a year (the median path drifts at that rate; the mean is above it)"
          : "the expected price a year ahead is " + Fixed2(1 + ms.btc_annual_drift) +
                " x today's (the median path falls below it: volatility drag)";
  const ReturnDrift drift = ms.btc_drift == "log" ? ReturnDrift::kLogDrift : ReturnDrift::kExpectedReturn;
  std::vector<PowerDay> power_days;
  if (dir) {
    Result<PriceDaily> btc = LoadPriceDaily(*dir / data_files::kPriceDaily);
    if (!btc.ok()) return btc.status();
    std::vector<UsdPerBtc> closes;
    const std::optional<Date> from =
        ms.btc_history_from.empty() ? std::nullopt : std::optional<Date>(*ParseDate(ms.btc_history_from));
    Date first_day = btc->days.front().date;
    for (const PriceDay& d : btc->days) {
      if (from && d.date < *from) continue;
      if (closes.empty()) first_day = d.date;
      closes.push_back(d.close);
    }
    Result<std::vector<double>> returns = DailyLogReturns(closes);
    if (!returns.ok()) return returns.status();
    BtcPriceOptions bo;
    bo.annual_drift = ms.btc_annual_drift;
    bo.drift = drift;
    Result<BtcPriceModel> bm = BtcPriceModel::Create(*returns, bo);
    if (!bm.ok()) return bm.status();
    m.btc = std::make_shared<BtcPriceModel>(std::move(*bm));
    m.assumptions.push_back({"BTC price", "stationary block bootstrap (30-day mean blocks) of " +
                                              std::to_string(returns->size()) + " daily returns of " +
                                              FormatDate(first_day) + ".." + FormatDate(btc->days.back().date) +
                                              ", shifted so that " + drift_words});
    Result<HourlyPrices> power = LoadHourlyPrices(*dir / data_files::kErcotDam, "hb_west");
    if (!power.ok()) return power.status();
    Result<std::vector<PowerDay>> days = PowerDaysFromHours(power->hours, power->prices[0], kPlanDayStartUtc);
    if (!days.ok()) return days.status();
    power_days = std::move(*days);
    m.assumptions.push_back({"Power price", "ERCOT HB_WEST day-ahead days of " + FormatDate(power_days.front().date) +
                                                ".." + FormatDate(power_days.back().date) +
                                                ", drawn from the same calendar month, x " +
                                                Fixed2(ms.power_price_level) + ", capped at 5,000 USD/MWh"});
  } else {
    m.btc_regime = cal.btc_regime;
    m.btc_regime_shift = BtcRegimeDailyShift(cal.btc_regime, BtcRegimeDrift{drift, ms.btc_annual_drift});
    std::string span = "history";
    for (const Calibration::Source& src : cal.sources) {
      if (src.file.find("btc_price") != std::string::npos) span = src.first + ".." + src.last;
    }
    m.assumptions.push_back({"BTC price", "two-regime Markov model with Student-t days fitted to " + span +
                                              " (no data directory; " + cal_name + "), shifted so that " +
                                              drift_words});
    Result<std::vector<PowerDay>> days = BuiltInPowerDays();
    if (!days.ok()) return days.status();
    power_days = std::move(*days);
    m.assumptions.push_back({"Power price", "no data directory: days of the built-in synthetic HB_WEST-like year "
                                            "(four seeds; fitted to ERCOT 2023-2024, docs/market.md), drawn from the "
                                            "same calendar month, x " + Fixed2(ms.power_price_level) +
                                            ", capped at 5,000 USD/MWh"});
  }
  PowerPriceOptions po;
  po.level = ms.power_price_level;
  Result<PowerPriceModel> pm = PowerPriceModel::Create(std::move(power_days), po);
  if (!pm.ok()) return pm.status();
  m.power = std::make_shared<PowerPriceModel>(std::move(*pm));
  m.hashrate = ShiftedBy(cal.hashrate, (plan.start - cal.reference_date).count());
  m.assumptions.push_back(
      {"Network hashrate", "lagged response to the path's hashprice (lag " + std::to_string(cal.hashrate.lag_days) +
                               " days, growth bounded by shipments, stalls below breakeven; " + cal_name +
                               "); difficulty retargeted every 2016 blocks, halvings at their heights"});
  if (ms.fee_model == "fitted") {
    m.fees = cal.fees;
    m.assumptions.push_back({"Fees", "log fees a day: a slow AR(1) level and Student-t bursts (" + cal_name +
                                         "), from " + Fixed2(ms.fees_btc_per_block) +
                                         " BTC a block on the start day toward the fit's long-run " +
                                         Fixed2(std::exp(cal.fees.mean_log_fees) / 144) + " BTC a block (half-life " +
                                         Fixed2(std::log(0.5) / std::log(cal.fees.slow_persistence)) + " days)"});
  } else {
    m.assumptions.push_back({"Fees", Fixed2(ms.fees_btc_per_block) + " BTC a block, held"});
  }
  m.gpu_rent = cal.gpu_rent;
  m.gpu_rent_day0 = (plan.start - cal.gpu_rent_as_of).count();
  m.assumptions.push_back({"GPU rents", "a GPU cloud's price per GPU-hour moves with the GPU rent model (a "
                                        "generation's decline of " + Fixed2(cal.gpu_rent.annual_decline) +
                                        " in log a year, a market cycle; " + cal_name +
                                        "); colocation rent is the lease's, escalated"});
  if (plan.dispatch == "table") {
    m.assumptions.push_back(
        {"Site operation", "the mullet dispatch policy hour by hour (the backtest's rules), ideal plant, "
                           "demand-response events only of a decision's program (below); each historical power "
                           "day run once per hashprice on a grid " +
                               Fixed2(plan.dispatch_step) +
                               " apart in log hashprice (from a warm-up of its own last hours) and interpolated "
                               "(dispatch: hourly runs every path's day; a site with a batch queue always does)"});
  } else {
    m.assumptions.push_back({"Site operation", "the mullet dispatch policy hour by hour (the backtest's rules), "
                                               "every path's every day, ideal plant, demand-response events only of a "
                                               "decision's program (below)"});
  }
  for (const Decision& d : plan.decisions) {
    if (!d.demand_response) continue;
    const DemandResponseProgram& dr = *d.demand_response;
    std::string months;
    for (int mo : dr.months) months += (months.empty() ? "" : ",") + std::to_string(mo);
    m.assumptions.push_back(
        {"Demand response (" + d.name + ")",
         Plain(dr.events_per_year) + " events a year on average (a Poisson count, drawn per path, on " +
             (dr.weekdays_only ? "weekdays" : "days") + " of months " + months + "), each " +
             std::to_string(dr.hours) + " h from " + std::to_string(dr.start_hour) + ":00 local; the draw capped " +
             (dr.reduce_to_mw >= 0 ? "at " + Plain(dr.reduce_to_mw) + " MW"
                                   : "at the hour before's less " + Plain(dr.reduce_by_mw) + " MW") +
             "; $" + Plain(dr.credit_usd_per_mwh) + " per MWh below the hour before's draw (the backtest's baseline, "
             "which also pays for a cut the price would have made), $" + Plain(dr.capacity_usd_per_mw_month) +
             " per MW-month enrolled"});
  }
  m.fit = cal.fit;
  if (dir) {
    // BTC resamples history: the regime model's rows are not this run's.
    std::erase_if(m.fit, [](const Calibration::FitRow& r) { return r.model == "btc_regime"; });
    AddBootstrapFit(m, *m.btc, *m.power);
  }
  return m;
}

void Progress(std::ostream& err, std::uint64_t done, std::uint64_t total,
              std::chrono::steady_clock::time_point t0) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int width = 30;
  const int filled = total ? static_cast<int>(width * done / total) : width;
  const double eta = done ? s * (total - done) / done : 0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "\r[%s%s] %llu/%llu paths  %.0fs  eta %.0fs ", std::string(filled, '#').c_str(),
                std::string(width - filled, '.').c_str(), static_cast<unsigned long long>(done),
                static_cast<unsigned long long>(total), s, eta);
  err << buf << std::flush;
}

int Finish(const PlanFlags& f, const PlanSpec& plan, const PlanMarkets& markets, const PlanResults& r,
           const RunInfo& info, std::ostream& out, std::ostream& err) {
  const nlohmann::json summary = PlanSummary(plan, markets, r, info);
  const fs::path dir = f.out ? fs::path(*f.out) : fs::path("plan-out");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    err << "mullet plan: error: " << dir.string() << ": " << ec.message() << "\n";
    return 1;
  }
  std::ofstream(dir / "summary.json") << summary.dump(2) << "\n";
  std::ofstream(dir / "cash_percentiles.csv") << CashPercentilesCsv(plan, r);
  std::ofstream(dir / "decisions.csv") << DecisionsCsv(summary);
  const Result<std::string> html = PlanReportHtml(summary);
  if (!html.ok()) {
    err << "mullet plan: error: report.html: " << html.status().message() << " (please report it)\n";
    return 1;
  }
  std::ofstream(dir / "report.html") << *html;
  if (f.json) {
    nlohmann::json j;
    j["plan"] = summary["plan"];
    j["comparison"] = summary["comparison"];
    j["decisions"] = nlohmann::json::array();
    for (const auto& d : summary["decisions"]) {
      nlohmann::json o;
      for (const char* k : {"name", "npv_usd_p5", "npv_usd_p50", "npv_usd_p95", "npv_usd_mean", "irr_p50",
                            "irr_none_share", "payback_months_p50", "prob_cash_below_floor", "var_npv_usd_5",
                            "cvar_npv_usd_5", "cost_per_btc_direct_usd_p50", "cost_per_btc_cash_usd_p50",
                            "cost_per_btc_all_in_usd_p50", "btc_mined_p50"}) {
        o[k] = d[k];
      }
      j["decisions"].push_back(o);
    }
    j["out"] = dir.string();
    out << j.dump(2) << "\n";
    return 0;
  }
  char line[256];
  out << plan.name << ": " << info.paths << " paths, " << plan.years << " years from " << FormatDate(plan.start)
      << ", seed " << r.seed << "\n\n";
  std::snprintf(line, sizeof line, "%-24s %14s %14s %14s %9s %10s %14s\n", "decision", "NPV p5", "NPV p50",
                "NPV p95", "IRR p50", "P(cash<fl)", "all-in $/BTC");
  out << line;
  for (const auto& d : summary["decisions"]) {
    char irr[32] = "no IRR";
    if (!d["irr_p50"].is_null()) std::snprintf(irr, sizeof irr, "%.1f %%", d["irr_p50"].get<double>() * 100);
    const std::string cpb = d["cost_per_btc_all_in_usd_p50"].is_null() ? "-" : std::to_string(std::lround(d["cost_per_btc_all_in_usd_p50"].get<double>()));
    std::snprintf(line, sizeof line, "%-24s %14.0f %14.0f %14.0f %9s %10.3f %14s\n",
                  d["name"].get<std::string>().substr(0, 24).c_str(), d["npv_usd_p5"].get<double>(),
                  d["npv_usd_p50"].get<double>(), d["npv_usd_p95"].get<double>(), irr,
                  d["prob_cash_below_floor"].get<double>(), cpb.c_str());
    out << line;
  }
  out << "\nbest median NPV: " << summary["comparison"]["best_median_npv"].get<std::string>()
      << "; lowest chance of cash below the floor: " << summary["comparison"]["lowest_cash_risk"].get<std::string>()
      << "\n";
  // How sure: the best decision against each other, path by path (every pair is in summary.json).
  const std::string best = summary["comparison"]["best_median_npv"].get<std::string>();
  for (const auto& p : summary["comparison"]["pairwise"]) {
    if (p["a"] != best && p["b"] != best) continue;
    const bool first = p["a"] == best;
    const std::string other = (first ? p["b"] : p["a"]).get<std::string>();
    const double share = first ? p["share_a_better"].get<double>() : 1 - p["share_a_better"].get<double>();
    const double diff = (first ? 1 : -1) * p["npv_diff_usd_p50"].get<double>();
    std::snprintf(line, sizeof line, "  %s beats %s on NPV in %.1f %% of paths (median difference %.0f USD)\n",
                  best.c_str(), other.c_str(), share * 100, diff);
    out << line;
  }
  out << "\nassumptions (each moves the result; summary.json and report.html have them all):\n";
  for (const auto& a : summary["assumptions"]) {
    out << "  " << a["name"].get<std::string>() << ": " << a["value"].get<std::string>() << "\n";
  }
  out << "\nwrote " << (dir / "report.html").string() << ", " << (dir / "summary.json").string() << ", "
      << (dir / "decisions.csv").string() << ", " << (dir / "cash_percentiles.csv").string() << "\n";
  return 0;
}

}  // namespace

CLI::App* AddPlanCommand(CLI::App& app, PlanFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Monte Carlo planner of the pivot to AI: compare the decisions of PLAN.yaml (MW converted, when, "
      "financed how) on the same simulated futures of BTC price, network hashrate, fees and power price, "
      "with the site run by the dispatch policy of backtest and serve.");
  cmd->add_option("plan", f.plan_file, "The plan file (docs/plan.md; examples/plan.yaml)");
  cmd->add_option("--data", f.data,
                  "The data directory (../shared/data): BTC and power resample its history. Without it, "
                  "BTC follows the calibration's regime model and power the built-in synthetic year");
  cmd->add_option("--calibration", f.calibration,
                  "A calibration file from 'mullet calibrate' (default: the one built in, fitted to ../shared/data)");
  cmd->add_option("--paths", f.paths, "Paths to simulate (default 1000)")->check(CLI::Range(1ull, 1ull << 24));
  cmd->add_option("--seed", f.seed, "Seed: the same seed gives the same numbers with any threads or shards");
  cmd->add_option("--threads", f.threads, "Worker threads (default: every core)")->check(CLI::Range(0, 1024));
  cmd->add_option("--out", f.out, "Output folder (default plan-out): summary.json, cash_percentiles.csv");
  cmd->add_option("--shard", f.shard,
                  "i/N: run the i-th of N equal slices of the paths (1-based) and write shard-i-of-N.bin to "
                  "--out; combine with 'mullet plan merge'");
  cmd->add_flag("--json", f.json, "Print the per-decision results as JSON");
  cmd->add_flag("!--no-progress", f.progress, "No progress bar");
  CLI::App* merge = cmd->add_subcommand("merge", "Combine shards into the result one process gives");
  merge->add_option("plan", f.plan_file, "The plan file the shards were run from")->required();
  merge->add_option("shards", f.merge_shards, "The shard files")->required();
  merge->add_option("--data", f.data, "The data directory the shards were run with");
  merge->add_option("--calibration", f.calibration, "The calibration file the shards were run with");
  merge->add_option("--out", f.out, "Output folder (default plan-out)");
  merge->add_flag("--json", f.json, "Print the per-decision results as JSON");
  merge->callback([&f] { f.merge = true; });
  cmd->footer(
      "Examples:\n"
      "  mullet plan examples/plan.yaml                       (built-in calibration and power year)\n"
      "  mullet plan examples/plan.yaml --data ../shared/data --paths 2000\n"
      "  mullet plan examples/plan.yaml --data ../shared/data --shard 1/4 --out shards   (one per job)\n"
      "  mullet plan merge examples/plan.yaml shards/shard-*-of-4.bin --data ../shared/data --out result\n"
      "  mullet plan examples/plan_demand_response.yaml --data ../shared/data   (a demand-response program)\n"
      "\n"
      "A site's day is read from a table of each historical power day at a grid of hashprices\n"
      "(dispatch: table, the plan file's default); 'dispatch: hourly' in the plan runs every\n"
      "path's every day hour by hour, the reference, several times slower (docs/plan.md).");
  return cmd;
}

namespace {

int RunPlanOn(const PlanFlags& f, const Ranks& ranks, std::ostream& out, std::ostream& err);

}  // namespace

int RunPlan(const PlanFlags& f, std::ostream& out, std::ostream& err) {
  Result<Ranks> ranks = StartRanks();
  if (!ranks.ok()) {
    err << "mullet plan: error: " << ranks.status().message() << "\n";
    return 2;
  }
  const int rc = RunPlanOn(f, *ranks, out, err);
  StopRanks(*ranks);
  return rc;
}

namespace {

int RunPlanOn(const PlanFlags& f, const Ranks& ranks, std::ostream& out, std::ostream& err) {
  if (f.plan_file.empty()) {
    err << "mullet plan: error: give a plan file (see --help)\n";
    return 2;
  }
  Result<PlanSpec> plan = LoadPlanFile(f.plan_file);
  if (!plan.ok()) {
    err << "mullet plan: error: " << plan.status().message() << "\n";
    return 2;
  }
  Calibration cal = DefaultCalibration();
  std::string cal_name = "the built-in calibration";
  std::string cal_text = "built-in";
  if (f.calibration) {
    cal_text = ReadAll(*f.calibration);
    if (cal_text.empty()) {
      err << "mullet plan: error: " << *f.calibration << ": cannot read the calibration file\n";
      return 2;
    }
    Result<Calibration> c = CalibrationFromJson(*f.calibration, cal_text);
    if (!c.ok()) {
      err << "mullet plan: error: " << c.status().message() << "\n";
      return 2;
    }
    cal = *c;
    cal_name = fs::path(*f.calibration).filename().string();
  }
  Result<std::vector<Scenario>> scenarios = LoadSiteFile(plan->site_file, AsicCatalog::BuiltIn());
  if (!scenarios.ok()) {
    err << "mullet plan: error: " << scenarios.status().message() << "\n";
    return 2;
  }
  const Scenario* base = &scenarios->front();
  if (!plan->scenario.empty()) {
    base = nullptr;
    for (const Scenario& s : *scenarios) {
      if (s.name == plan->scenario) base = &s;
    }
    if (!base) {
      err << "mullet plan: error: " << plan->file.string() << ": scenario: '" << plan->scenario << "' is not in "
          << plan->site_file.string() << "\n";
      return 2;
    }
  }
  const std::optional<fs::path> data_dir = f.data ? std::optional<fs::path>(*f.data) : std::nullopt;
  Result<PlanMarkets> markets = LoadMarkets(*plan, data_dir, cal, cal_name);
  if (!markets.ok()) {
    err << "mullet plan: error: " << markets.status().message() << "\n";
    return 1;
  }
  Result<std::unique_ptr<PlanRunner>> runner = PlanRunner::Create(*plan, base->site, *markets);
  if (!runner.ok()) {
    err << "mullet plan: error: " << runner.status().message() << "\n";
    return 2;
  }
  // Whether history was resampled, not where it lay: shards run on other machines merge.
  const std::string sources = cal_text + "|" + (f.data ? "data" : "no data");
  const std::string fingerprint = Fingerprint({MULLET_VERSION, ReadAll(plan->file), ReadAll(plan->site_file),
                                               plan->scenario, sources, std::to_string(f.seed)});
  if (f.merge) {
    std::vector<fs::path> files(f.merge_shards.begin(), f.merge_shards.end());
    std::string fp;
    Result<PlanResults> all = ReadShards(files, &fp);
    if (!all.ok()) {
      err << "mullet plan merge: error: " << all.status().message() << "\n";
      return 1;
    }
    if (fp != Fingerprint({MULLET_VERSION, ReadAll(plan->file), ReadAll(plan->site_file), plan->scenario, sources,
                           std::to_string(all->seed)})) {
      err << "mullet plan merge: error: the shards were run from another plan, site, calibration, data directory "
             "or version than "
          << plan->file.string() << "\n";
      return 1;
    }
    RunInfo info{MULLET_VERSION, all->count, 0, static_cast<int>(files.size())};
    return Finish(f, *plan, *markets, *all, info, out, err);
  }
  std::uint64_t first = 0, count = f.paths;
  int shard_i = 0, shard_n = 0;
  if (ranks.size > 1 && (f.shard || f.merge)) {
    err << "mullet plan: error: --shard and merge are for separate jobs; under an MPI launcher the ranks split the "
           "paths themselves\n";
    return 2;
  }
  if (ranks.size > 1) SliceOf(ranks, f.paths, &first, &count);
  if (f.shard) {
    if (std::sscanf(f.shard->c_str(), "%d/%d", &shard_i, &shard_n) != 2 || shard_n < 1 || shard_i < 1 ||
        shard_i > shard_n) {
      err << "mullet plan: error: --shard: expected i/N with 1 <= i <= N, got '" << *f.shard << "'\n";
      return 2;
    }
    first = f.paths * (shard_i - 1) / shard_n;
    count = f.paths * shard_i / shard_n - first;
  }
  const int threads = f.threads > 0 ? f.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool bar = f.progress && ranks.rank == 0 && isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  PlanResults r = (*runner)->Run(f.seed, first, count, threads, [&](std::uint64_t done) {
    if (bar) Progress(err, done, count, t0);
  });
  if (bar) err << "\n";
  if (f.shard) {
    const fs::path dir = f.out ? fs::path(*f.out) : fs::path("plan-out");
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path file = dir / ("shard-" + std::to_string(shard_i) + "-of-" + std::to_string(shard_n) + ".bin");
    const Status st = WriteShard(file, fingerprint, r);
    if (!st.ok()) {
      err << "mullet plan: error: " << st.message() << "\n";
      return 1;
    }
    out << "wrote " << file.string() << ": paths " << first << ".." << first + count - 1 << "\n";
    return 0;
  }
  if (ranks.size > 1) {
    Result<PlanResults> all = GatherOnRankZero(ranks, std::move(r));
    if (!all.ok()) {
      err << "mullet plan: error: " << all.status().message() << "\n";
      return 1;
    }
    if (ranks.rank != 0) return 0;
    RunInfo info{MULLET_VERSION, all->count, threads, ranks.size};
    return Finish(f, *plan, *markets, *all, info, out, err);
  }
  RunInfo info{MULLET_VERSION, count, threads, 1};
  return Finish(f, *plan, *markets, r, info, out, err);
}

}  // namespace

}  // namespace mullet
