#include "cli/backtest_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/flags.h"
#include "cli/table.h"
#include "core/text/untrusted_text.h"
#include "data/asic_specs.h"
#include "data/market.h"
#include "report/html.h"
#include "report/result_files.h"
#include "report/svg.h"
#include "site/site_config.h"
#include "sim/backtest.h"
#include "sim/synthetic_market.h"

namespace mullet {
namespace {

constexpr int kBadInput = 2;
// The most memory the step series of one backtest may take (docs/security.md).
constexpr double kMaxSeriesBytes = 4.0 * (1 << 30);
constexpr int kIoFailure = 1;

struct Plan {
  std::vector<Scenario> scenarios;
  // One market per scenario: a scenario that replaces `contract` may take
  // its power price from another source (markets[i] for scenarios[i]).
  std::vector<std::shared_ptr<const MarketSeries>> markets;
  std::vector<PolicyKind> policies;  // [0] the one asked for, then baselines
  BacktestOptions options;
  std::filesystem::path out_dir;
};

Result<std::vector<PolicyKind>> ResolvePolicies(const BacktestFlags& f) {
  std::vector<PolicyKind> policies;
  Result<PolicyKind> main = ParsePolicy(f.policy.value_or("mullet"));
  if (!main.ok()) return Status::InvalidArgument("--policy: " + main.status().message());
  policies.push_back(*main);
  const std::string list = f.baselines.value_or("strike-price");
  if (list == "none") return policies;
  std::stringstream ss(list);
  std::string name;
  while (std::getline(ss, name, ',')) {
    Result<PolicyKind> p = ParsePolicy(name);
    if (!p.ok()) return Status::InvalidArgument("--baselines: " + p.status().message());
    if (std::find(policies.begin(), policies.end(), *p) == policies.end()) policies.push_back(*p);
  }
  return policies;
}

// The built-in market with a constant BTC price applied, if one was given:
// BTC mined = hashprice / price, as with any user hashprice (market.h).
MarketSeries BuiltInMarket(std::optional<double> btc_price) {
  MarketSeries m = DefaultMarket();
  if (!btc_price) return m;
  for (size_t i = 0; i < m.size(); ++i) {
    m.btc_price[i] = UsdPerBtc(*btc_price);
    m.btc_per_th_day[i] = BtcPerTerahashDay(m.hashprice[i].value() / *btc_price);
  }
  m.btc_price_source = fmt::format("constant {:g} USD/BTC (--btc-price-usd)", *btc_price);
  return m;
}

// The flag a market error is about when it is about the run's span: BuildMarket
// words those errors with its own option names ("from (...) must be on the
// hour", "the step must be ..."); the user set --from, --to and --step.
const char* SpanFlag(std::string_view message, const BacktestFlags& f) {
  if (message.starts_with("the step ")) return "--step";
  if (message.starts_with("to (")) return "--to";
  if (message.starts_with("from (")) return "--from";
  if (message.starts_with("from ") && message.find("whole number of") != std::string_view::npos) {
    return f.step ? "--from/--to/--step" : "--from/--to";
  }
  if (message.find("has no price for the hours") != std::string_view::npos && (f.from || f.to)) {
    return "--from/--to";
  }
  return nullptr;
}

Result<MarketSeries> ResolveMarket(const BacktestFlags& f, const Site& site, const std::string& scenario) {
  std::optional<double> hashprice, btc_price;
  for (Status s : {TakeNumber("--hashprice-usd-per-th-day", f.hashprice, kNonNegative, &hashprice),
                   TakeNumber("--btc-price-usd", f.btc_price, kPositive, &btc_price)}) {
    if (!s.ok()) return s;
  }
  MarketOptions o;
  if (f.step) {
    Result<Hours> step = ParseStepFlag("--step", *f.step);
    if (!step.ok()) return step.status();
    o.step = *step;
  }
  for (auto [flag, text, dst] : {std::tuple{"--from", &f.from, &o.from}, std::tuple{"--to", &f.to, &o.to}}) {
    if (!*text) continue;
    Result<UtcTime> t = ParseTimeFlag(flag, **text);
    if (!t.ok()) return t.status();
    *dst = *t;
  }
  if (hashprice) o.hashprice_constant = UsdPerTerahashDay(*hashprice);
  if (f.hashprice_csv) o.hashprice_csv = *f.hashprice_csv;
  if (btc_price) o.btc_price_constant = UsdPerBtc(*btc_price);

  const PriceSource& index = site.contract.index;
  const bool power_given = f.power_csv || !index.csv.empty() || index.fixed;
  if (!f.data && !power_given) {
    // The built-in default market: one synthetic year derived from the data.
    if (o.from || o.to || f.step || hashprice || f.hashprice_csv) {
      return Status::InvalidArgument(
          "--data: the built-in market is one fixed hourly year; --from, --to, --step and a "
          "hashprice need --data DIR (or --power-csv FILE)");
    }
    return BuiltInMarket(btc_price);
  }
  // What the user must add, said with the flags they can set (not the
  // market's internal option names).
  const std::string where = scenario.empty() ? "" : " (scenario '" + scenario + "')";
  const char* power_from = f.power_csv         ? "--power-csv"
                           : !index.csv.empty() ? "the site's contract.index.csv"
                           : index.fixed        ? "the site's fixed price (contract.index.fixed_usd_per_mwh)"
                                                : "--data";
  if (!f.data && !hashprice && !f.hashprice_csv) {
    return Status::InvalidArgument(std::string("--data: the power price comes from ") + power_from + where +
                                   ", but the hashprice comes from history, which needs --data DIR; or give "
                                   "--hashprice-usd-per-th-day X or --hashprice-csv FILE");
  }
  if (index.fixed && !f.power_csv && (!o.from || !o.to)) {
    return Status::InvalidArgument(std::string("--from/--to: the power price comes from ") + power_from + where +
                                   ", a flat price with no dates of its own: give --from and --to");
  }
  if (f.data) o.data_dir = *f.data;
  if (f.power_csv) {
    o.power_csv = *f.power_csv;
  } else if (!index.csv.empty()) {
    o.power_csv = index.csv;
  }
  if (index.fixed && !f.power_csv) o.fixed_power_price = *index.fixed;
  o.power_column = f.power_column.value_or(index.column.empty() ? "hb_west" : index.column);
  Result<MarketSeries> m = BuildMarket(o);
  if (!m.ok()) {
    // The span is the run's, not one scenario's: no scenario named then.
    if (const char* span = SpanFlag(m.status().message(), f)) {
      return Status(m.status().code(), std::string(span) + ": " + m.status().message());
    }
    const char* flag = f.power_csv ? "--power-csv" : f.data ? "--data" : "contract.index";
    return Status(m.status().code(), std::string(flag) + where + ": " + m.status().message());
  }
  return m;
}

// The key of what a scenario's market depends on: its contract's index.
std::string MarketKey(const PriceSource& p) {
  return fmt::format("{}|{}|{}", p.fixed ? fmt::format("{}", p.fixed->value()) : "-", p.csv, p.column);
}

Result<Plan> MakePlan(const BacktestFlags& f) {
  Plan plan;
  AsicCatalog catalog = AsicCatalog::BuiltIn();
  if (f.models_yaml) {
    Result<std::vector<AsicModel>> models = LoadAsicModelsYaml(*f.models_yaml);
    if (!models.ok()) return Status::InvalidArgument("--models-yaml: " + models.status().message());
    for (AsicModel& m : models.value()) catalog.Upsert(std::move(m));
  }
  Result<std::vector<Scenario>> scenarios = LoadSiteFile(f.site_file, catalog);
  if (!scenarios.ok()) return scenarios.status();
  plan.scenarios = std::move(scenarios).value();
  Result<std::vector<PolicyKind>> policies = ResolvePolicies(f);
  if (!policies.ok()) return policies.status();
  plan.policies = *policies;
  std::map<std::string, std::shared_ptr<const MarketSeries>> built;
  for (const Scenario& sc : plan.scenarios) {
    const std::string key = MarketKey(sc.site.contract.index);
    auto it = built.find(key);
    if (it == built.end()) {
      Result<MarketSeries> market =
          ResolveMarket(f, sc.site, plan.scenarios.size() > 1 ? sc.name : std::string());
      if (!market.ok()) return market.status();
      it = built.emplace(key, std::make_shared<const MarketSeries>(std::move(market).value())).first;
    }
    plan.markets.push_back(it->second);
  }
  if (f.baseline_4cp) {
    Result<FourCpResponse> r = ParseFourCpResponse(*f.baseline_4cp);
    if (!r.ok()) return Status::InvalidArgument("--baseline-4cp: " + r.status().message());
    plan.options.policy.baseline_four_cp = *r;
  }
  std::optional<double> share;
  Status s = TakeNumber("--unanswering-share", f.unanswering_share, kNonNegative, &share);
  if (!s.ok()) return s;
  if (share) {
    if (*share >= 1) return Status::InvalidArgument("--unanswering-share: must be below 1, got " + *f.unanswering_share);
    plan.options.unanswering_share = *share;
  }
  if (f.strike) {
    Result<double> strike = ParseNumberFlag("--strike-usd-per-mwh", *f.strike);
    if (!strike.ok()) return strike.status();
    for (Scenario& sc : plan.scenarios) {
      for (MinerGroup& g : sc.site.miners) g.strike_price = UsdPerMegawattHour(*strike);
    }
  }
  plan.out_dir = f.out.value_or("out/backtest");
  return plan;
}

std::string StepText(Hours step) {
  const double minutes = step.count() * 60;
  if (std::fmod(minutes, 60) != 0) return fmt::format("{:g}m", minutes);
  return fmt::format("{:g}h", step.count());
}

Status WriteOutputs(const Plan& plan, const ReportInfo& info, const std::vector<ScenarioRuns>& runs,
                    bool report) {
  std::error_code ec;
  std::filesystem::create_directories(plan.out_dir, ec);
  if (ec) return Status::IoError("--out: cannot create " + plan.out_dir.string() + ": " + ec.message());
  // timeseries.csv (the largest) on a second thread while this one writes
  // the summary and the report: the three only read the runs.
  std::future<Status> timeseries = std::async(std::launch::async, [&] {
    return WriteTimeseriesCsvFile(plan.out_dir / "timeseries.csv", runs);
  });
  // Results are made again by running again: staged and renamed (never half
  // a file), not synced to the disk (data/staged_file.h, Sync).
  Status s = WriteFileAtomically(
      plan.out_dir / "summary.json",
      SummaryJson(info, runs).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", Sync::kNo);
  if (s.ok()) {
    s = WriteFileAtomically(
        plan.out_dir / "monthly.csv", [&](std::ostream& out) { WriteMonthlyCsv(runs, out); }, Sync::kNo);
  }
  if (s.ok() && report) {
    std::ostringstream html;
    WriteReportHtml(info, runs, html);
    s = WriteFileAtomically(plan.out_dir / "report.html", html.str(), Sync::kNo);
  }
  Status t = timeseries.get();
  return !s.ok() ? s : t;
}

// The memory the per-step series of every run of `plan` keep until the
// files are written: 44 bytes a step (its time and nine series) and 9 a load
// (IT MW, reason, units), per scenario and policy.
double SeriesBytes(const Plan& plan) {
  double bytes = 0;
  for (size_t i = 0; i < plan.scenarios.size(); ++i) {
    const Site& site = plan.scenarios[i].site;
    const double loads = static_cast<double>(site.miners.size() + site.leases.size() + site.clouds.size() + 1);
    bytes += static_cast<double>(plan.markets[i]->size()) * (44 + 9 * loads) * static_cast<double>(plan.policies.size());
  }
  return bytes;
}

std::string FourCpAlertText(const FourCoincidentPeak& cp) {
  std::string text;
  if (!cp.alert_hours.empty()) {
    text = fmt::format("{} listed alert hours", cp.alert_hours.size());
  } else {
    const FourCpAlertRule& r = cp.alert_rule;
    std::string months;
    for (int m : r.months) months += (months.empty() ? "" : ",") + std::to_string(m);
    text = fmt::format("{} {}-{} h local (UTC{:+g}) in months {}{}", r.weekdays_only ? "weekdays" : "every day",
                       r.from_hour, r.to_hour, r.utc_offset_hours, months,
                       r.min_price ? fmt::format(" at index >= ${:g}/MWh", r.min_price->value()) : "");
  }
  return text + fmt::format("; an alert MWh costs ${:.0f} (rate x 1000 / 4 x probability {:g})",
                            FourCpAlertAdder(cp).value(), cp.alert_peak_probability);
}

// What moves the results, said beside them (report header, summary.json).
// The one rule past the end of the Bitcoin history, as econ states it too.
std::string PastHistoryText(Date last_real) {
  return "the run goes past the end of the Bitcoin history (real data to " + FormatDate(last_real) +
         "): after it the last difficulty holds, a block comes every 600 s (the subsidy follows the "
         "height), and fees per block and the BTC close hold at their last values";
}

// What moves mining results beyond prices, in one line: the figures a
// textbook calculation leaves out. Groups that share a value are not repeated.
std::string MiningAssumptions(const Site& site) {
  std::set<std::string> fee, uptime, ramp;
  for (const MinerGroup& g : site.miners) {
    fee.insert(fmt::format("{:g} %", g.pool_fee * 100));
    uptime.insert(fmt::format("{:g} %", g.uptime * 100));
    ramp.insert(fmt::format("{:g} s up / {:g} s down", g.ramp_up.count(), g.ramp_down.count()));
  }
  const auto list = [](const std::set<std::string>& v) {
    std::string out;
    for (const std::string& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  return fmt::format(
      "pool fee {}; uptime {}; ramp {} (no revenue while ramping up); PUE air {:g}, immersion {:g}, "
      "liquid {:g}; hysteresis ${:g}/MWh; adder ${:g}/MWh on index power; sleeping miners draw 0 W",
      list(fee), list(uptime), list(ramp), site.cooling.pue_air, site.cooling.pue_immersion,
      site.cooling.pue_liquid, site.policy.hysteresis.value(), site.contract.adder.value());
}

// The strike each group's strike-price baseline used.
std::string StrikeText(const Site& site) {
  std::string out;
  for (const MinerGroup& g : site.miners) {
    out += (out.empty() ? "" : "; ") + g.name + ": " +
           (g.strike_price ? fmt::format("${:g}/MWh", g.strike_price->value())
                           : std::string("its breakeven at each step's hashprice"));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Assumptions(const Plan& plan) {
  std::vector<std::pair<std::string, std::string>> a;
  for (const auto& m : plan.markets) {
    if (m->history_ends) {
      a.emplace_back("Past the history", PastHistoryText(*m->history_ends));
      break;
    }
  }
  std::set<std::string> notes;
  for (const auto& m : plan.markets) notes.insert(m->notes.begin(), m->notes.end());
  std::string window;
  for (const std::string& n : notes) window += (window.empty() ? "" : "; ") + n;
  if (!window.empty()) a.emplace_back("Window", window);
  if (plan.policies.size() > 1 || plan.policies.front() != PolicyKind::kMullet) {
    a.emplace_back("Baselines in 4CP alerts", plan.options.policy.baseline_four_cp == FourCpResponse::kAvoid
                                                  ? "avoid: every miner sleeps (--baseline-4cp)"
                                                  : "ignore: mine through (--baseline-4cp)");
  }
  a.emplace_back("Unanswering miners", fmt::format("{:g} of each group per step (--unanswering-share)",
                                                   plan.options.unanswering_share));
  const bool strike_run =
      std::find(plan.policies.begin(), plan.policies.end(), PolicyKind::kStrikePrice) != plan.policies.end();
  for (const Scenario& sc : plan.scenarios) {
    const Site& site = sc.site;
    const std::string who = plan.scenarios.size() > 1 ? " (" + sc.name + ")" : "";
    if (!site.miners.empty()) a.emplace_back("Mining" + who, MiningAssumptions(site));
    if (strike_run && !site.miners.empty()) a.emplace_back("Strikes" + who, StrikeText(site));
    if (site.contract.four_cp) a.emplace_back("4CP alerts" + who, FourCpAlertText(*site.contract.four_cp));
    const Costs& c = site.costs;
    a.emplace_back("Costs" + who,
                   fmt::format("capex ${:.0f} over {:g} y at {:g} %: ${:.0f} a year; opex ${:g}/kW-month AI, "
                               "${:g}/kW-month mining",
                               c.capex.value(), c.life_years, c.capital_rate * 100,
                               c.AnnualCapitalCharge().value(), c.ai_opex.value(), c.mining_opex.value()));
    std::string leases;
    for (const ColoLease& l : site.leases) {
      leases += (leases.empty() ? "" : ", ") + l.name + (l.type == LeaseType::kGross ? " gross" : " triple-net");
    }
    if (!leases.empty()) a.emplace_back("Leases" + who + " (who pays the tenant's power)", leases);
  }
  return a;
}

}  // namespace

CLI::App* AddBacktestCommand(CLI::App& app, BacktestFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "backtest", "Replay a site over history with the dispatch policy; compare strategies");
  cmd->footer(R"(Writes OUT/summary.json, OUT/monthly.csv, OUT/timeseries.csv and OUT/report.html.
Without --data the built-in market is used: one synthetic hourly year whose
parameters were derived from ERCOT and Bitcoin history (docs/market.md).
Every scenario in the site file runs under --policy and each baseline.

Examples:
  mullet backtest examples/hybrid_west_texas.yaml
  mullet backtest examples/hybrid_west_texas.yaml --data ../shared/data \
      --from 2024-01-01 --to 2025-01-01 --out out/2024 --json
  mullet backtest examples/all_mining_west_texas.yaml --data ../shared/data \
      --from 2021-02-10 --to 2021-02-22 --baselines strike-price,always-on
  mullet backtest SITE.yaml --data ../shared/data --power-csv my_prices.csv \
      --power-column lz_west --hashprice-usd-per-th-day 0.05
  mullet backtest examples/all_mining_west_texas.yaml --data ../shared/data \
      --from 2024-01-01 --to 2025-01-01 --hashprice-usd-per-th-day 0.03:0.07:0.01

A list (a,b,c) or a range (lo:hi:step, both ends in) on --hashprice-usd-per-th-day,
--btc-price-usd or --strike-usd-per-mwh runs the whole backtest once per
combination: a table of profit per scenario and policy (--json: rows), written
to OUT/sweep.csv instead of the per-run files.)");
  cmd->add_option("site", f.site_file, "Site file (YAML), e.g. examples/hybrid_west_texas.yaml")
      ->required();
  auto text = [&](const char* name, std::optional<std::string>& dst, const std::string& help) {
    cmd->add_option(name, dst, help);
  };
  text("--data", f.data, "Directory of the history CSVs (e.g. ../shared/data)");
  text("--from", f.from, "Start, UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (default: data start)");
  text("--to", f.to, "End (exclusive), UTC (default: data end)");
  text("--step", f.step, "Step: 1h (default), 15m, 5m, 1d");
  text("--policy", f.policy, "mullet (default), strike-price or always-on");
  text("--baselines", f.baselines, "Comma list run beside it (default strike-price; 'none')");
  text("--out", f.out, "Output directory (default out/backtest)");
  text("--power-csv", f.power_csv, "Hourly power prices in the ERCOT CSV schema");
  text("--power-column", f.power_column, "Price column, e.g. hb_west (default: the site's, or hb_west)");
  text("--hashprice-usd-per-th-day", f.hashprice, "A constant hashprice instead of history");
  text("--hashprice-csv", f.hashprice_csv, "A hashprice series (e.g. a forward curve)");
  text("--btc-price-usd", f.btc_price, "A constant BTC price for BTC accounting");
  text("--models-yaml", f.models_yaml, "YAML file of your own ASIC models");
  text("--baseline-4cp", f.baseline_4cp,
       "How the baselines meet a 4CP alert: avoid (default: sleep every miner, as strike-price "
       "miners in Texas do) or ignore");
  text("--strike-usd-per-mwh", f.strike,
       "The strike of the strike-price baseline for every miner group, in USD per MWh of index price "
       "(default: a group's own strike_usd_per_mwh, else its breakeven at each step's hashprice)");
  text("--unanswering-share", f.unanswering_share,
       "Share of miners that do not answer in a step (default 0): they keep their last state and the "
       "policy counts them at their last power");
  cmd->add_flag("--json", f.json, "Print the summary as JSON on stdout too");
  cmd->add_flag("--no-report", f.no_report, "Skip report.html");
  return cmd;
}

namespace {

// The flags a sensitivity run may sweep (a list or a range each).
struct BacktestSweepable {
  const char* flag;
  std::optional<std::string> BacktestFlags::*member;
};
constexpr BacktestSweepable kBacktestSweepable[] = {
    {"--hashprice-usd-per-th-day", &BacktestFlags::hashprice},
    {"--btc-price-usd", &BacktestFlags::btc_price},
    {"--strike-usd-per-mwh", &BacktestFlags::strike},
};

// Every combination of the swept values, each a whole backtest of every
// scenario and policy; one row per combination, scenario and policy, printed
// as a table (or --json rows) and written to OUT/sweep.csv. No per-run files.
int RunBacktestSweep(const BacktestFlags& f,
                     const std::vector<std::pair<const BacktestSweepable*, std::vector<std::string>>>& axes,
                     std::ostream& out, std::ostream& err) {
  std::size_t combos = 1;
  for (const auto& [axis, values] : axes) combos *= values.size();
  if (combos > 200) {
    err << "mullet backtest: error: " << axes.front().first->flag << ": the sweep has " << combos
        << " combinations; at most 200\n";
    return kBadInput;
  }
  struct Row {
    std::vector<std::string> values;
    BacktestSummary summary;
  };
  std::vector<Row> rows;
  for (std::size_t c = 0; c < combos; ++c) {
    BacktestFlags g = f;
    std::vector<std::string> values(axes.size());
    std::size_t rest = c;
    for (std::size_t a = axes.size(); a-- > 0;) {
      const auto& [axis, list] = axes[a];
      values[a] = list[rest % list.size()];
      g.*(axis->member) = values[a];
      rest /= list.size();
    }
    Result<Plan> plan = MakePlan(g);
    if (!plan.ok()) {
      err << "mullet backtest: error: " << plan.status().message() << "\n";
      return kBadInput;
    }
    std::string label;
    for (std::size_t a = 0; a < axes.size(); ++a) label += fmt::format("{}{} {}", a ? ", " : "", axes[a].first->flag, values[a]);
    fmt::print(err, "mullet backtest: sweep {}/{}: {}\n", c + 1, combos, label);
    for (std::size_t i = 0; i < plan->scenarios.size(); ++i) {
      for (PolicyKind p : plan->policies) {
        BacktestOptions o = plan->options;
        o.series = false;  // books only: the planner's path
        rows.push_back({values, RunBacktest(plan->scenarios[i], *plan->markets[i], p, o).summary});
      }
    }
  }
  std::vector<std::string> header;
  for (const auto& [axis, values] : axes) header.push_back(axis->flag + 2);
  for (const char* h : {"scenario", "policy", "profit_usd", "profit_after_capital_usd", "mining_revenue_usd",
                        "power_cost_usd", "btc_mined", "curtailed_hours"}) {
    header.push_back(h);
  }
  const auto cells = [&](const Row& r) {
    std::vector<std::string> v = r.values;
    const BacktestSummary& s = r.summary;
    v.insert(v.end(), {CsvField(s.scenario), CsvField(s.policy), fmt::format("{:.2f}", s.profit_usd),
                       fmt::format("{:.2f}", s.profit_after_capital_usd), fmt::format("{:.2f}", s.mining_revenue_usd),
                       fmt::format("{:.2f}", s.power_cost_usd), fmt::format("{:.8f}", s.btc_mined),
                       fmt::format("{:.4f}", s.curtailed_hours)});
    return v;
  };
  const std::filesystem::path dir = f.out.value_or("out/backtest");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    err << "mullet backtest: error: --out: cannot create " << dir.string() << ": " << ec.message() << "\n";
    return kIoFailure;
  }
  Status written = WriteFileAtomically(dir / "sweep.csv", [&](std::ostream& csv) {
    for (std::size_t c = 0; c < header.size(); ++c) csv << (c ? "," : "") << header[c];
    csv << "\n";
    for (const Row& r : rows) {
      const std::vector<std::string> v = cells(r);
      for (std::size_t c = 0; c < v.size(); ++c) csv << (c ? "," : "") << v[c];
      csv << "\n";
    }
  }, Sync::kNo);
  if (!written.ok()) {
    err << "mullet backtest: error: " << written.message() << "\n";
    return kIoFailure;
  }
  if (f.json) {
    nlohmann::ordered_json j;
    j["sweep"] = nlohmann::ordered_json::array();
    for (const auto& [axis, values] : axes) j["sweep"].push_back(axis->flag);
    j["rows"] = nlohmann::ordered_json::array();
    for (const Row& r : rows) {
      nlohmann::ordered_json row;
      for (std::size_t a = 0; a < axes.size(); ++a) row[axes[a].first->flag + 2] = std::stod(r.values[a]);
      const BacktestSummary& s = r.summary;
      row["scenario"] = s.scenario;
      row["policy"] = s.policy;
      row["profit_usd"] = s.profit_usd;
      row["profit_after_capital_usd"] = s.profit_after_capital_usd;
      row["mining_revenue_usd"] = s.mining_revenue_usd;
      row["power_cost_usd"] = s.power_cost_usd;
      row["btc_mined"] = s.btc_mined;
      row["curtailed_hours"] = s.curtailed_hours;
      j["rows"].push_back(std::move(row));
    }
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> h;
    for (const auto& [axis, values] : axes) h.push_back(axis->flag + 2);
    h.insert(h.end(), {"scenario", "policy", "profit", "after capital", "mining", "power cost", "curtailed h"});
    table.push_back(h);
    for (const Row& r : rows) {
      std::vector<std::string> v = r.values;
      const BacktestSummary& s = r.summary;
      v.insert(v.end(), {s.scenario, s.policy, report::Money(s.profit_usd), report::Money(s.profit_after_capital_usd),
                         report::Money(s.mining_revenue_usd), report::Money(s.power_cost_usd),
                         fmt::format("{:.0f}", s.curtailed_hours)});
      table.push_back(std::move(v));
    }
    PrintTable(table, {axes.size(), axes.size() + 1}, out);  // scenario and policy are text
  }
  fmt::print(err, "mullet backtest: wrote {}\n", (dir / "sweep.csv").string());
  return 0;
}

}  // namespace

int RunBacktestCommand(const BacktestFlags& f, std::ostream& out, std::ostream& err) {
  std::vector<std::pair<const BacktestSweepable*, std::vector<std::string>>> axes;
  for (const BacktestSweepable& s : kBacktestSweepable) {
    const std::optional<std::string>& text = f.*(s.member);
    if (!text || (text->find(',') == std::string::npos && text->find(':') == std::string::npos)) continue;
    Result<std::vector<std::string>> values = ExpandSweep(s.flag, *text, 200);
    if (!values.ok()) {
      err << "mullet backtest: error: " << values.status().message() << "\n";
      return kBadInput;
    }
    axes.emplace_back(&s, std::move(values).value());
  }
  if (!axes.empty()) return RunBacktestSweep(f, axes, out, err);

  Result<Plan> plan = MakePlan(f);
  if (!plan.ok()) {
    err << "mullet backtest: error: " << plan.status().message() << "\n";
    return kBadInput;
  }
  // Refuse a run whose step series would not fit in memory before it
  // starts, rather than fail with bad_alloc after hours.
  if (const double bytes = SeriesBytes(*plan); bytes > kMaxSeriesBytes) {
    err << fmt::format("mullet backtest: error: {} scenarios x {} policies over these steps would keep {:.1f} GiB "
                       "of step series; at most {:.0f} GiB: shorten the window (--from/--to), lengthen --step, "
                       "or run fewer scenarios or --baselines none\n",
                       plan->scenarios.size(), plan->policies.size(), bytes / (1 << 30), kMaxSeriesBytes / (1 << 30));
    return kBadInput;
  }
  const MarketSeries& m = *plan->markets.front();
  ReportInfo info;
  info.site_name = plan->scenarios.front().site.name;
  info.site_file = f.site_file;
  info.power_source = m.power_source;
  info.hashprice_source = m.hashprice_source;
  info.from = FormatUtc(m.times.front());
  info.to = FormatUtc(After(m.times.back(), m.step));
  info.step = StepText(m.step);
  info.command_line = f.command_line;
  info.assumptions = Assumptions(*plan);
  std::set<const MarketSeries*> told;
  for (size_t i = 0; i < plan->scenarios.size(); ++i) {
    const MarketSeries& mi = *plan->markets[i];
    if (!told.insert(&mi).second) continue;
    const std::string whose = plan->markets.size() > 1 && &mi != &m
                                  ? fmt::format(" (scenario {})", plan->scenarios[i].name)
                                  : "";
    fmt::print(err, "mullet backtest{}: {} steps of {} from {} to {}; power {}; hashprice {}\n", whose, mi.size(),
               StepText(mi.step), FormatUtc(mi.times.front()),
               FormatUtc(After(mi.times.back(), mi.step)),
               mi.power_source, mi.hashprice_source);
    for (const std::string& note : mi.notes) fmt::print(err, "mullet backtest{}: warning: {}\n", whose, note);
    if (mi.history_ends) {
      fmt::print(err, "mullet backtest{}: warning: {}\n", whose, PastHistoryText(*mi.history_ends));
    }
    if (mi.power_filled_steps > 0 || mi.hashprice_filled_steps > 0) {
      fmt::print(err,
                 "mullet backtest: gaps filled by the documented rules (docs/market.md): {} power steps, "
                 "{} hashprice steps\n",
                 mi.power_filled_steps, mi.hashprice_filled_steps);
    }
  }
  if (plan->policies.size() > 1) {
    fmt::print(err, "mullet backtest: baselines meet 4CP alerts with '{}' (--baseline-4cp)\n",
               plan->options.policy.baseline_four_cp == FourCpResponse::kAvoid ? "avoid" : "ignore");
  }
  // What moves the results beyond prices (the report's header and
  // summary.json's assumptions say the same).
  for (const auto& [key, value] : info.assumptions) {
    if (key.starts_with("Mining") || key.starts_with("Strikes")) {
      fmt::print(err, "mullet backtest: {}: {}\n", key, value);
    }
  }

  std::vector<ScenarioRuns> runs;
  std::set<std::string> warned;
  for (size_t i = 0; i < plan->scenarios.size(); ++i) {
    const Scenario& sc = plan->scenarios[i];
    ScenarioRuns sr{sc.name, {}};
    for (PolicyKind p : plan->policies) {
      const auto start = std::chrono::steady_clock::now();
      sr.runs.push_back(RunBacktest(sc, *plan->markets[i], p, plan->options));
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const BacktestSummary& s = sr.runs.back().summary;
      fmt::print(err, "  {:<20} {:<13} profit {:>15}  after capital {:>15}  mining {:>14}  AI {:>14}  ({:.2f} s)\n",
                 sc.name, PolicyName(p), report::Money(s.profit_usd), report::Money(s.profit_after_capital_usd),
                 report::Money(s.mining_revenue_usd), report::Money(s.ai_revenue_usd), secs);
      for (const FourCpYearRow& y : s.four_cp_years) {
        if (y.basis != "no-peaks-listed" && y.basis != "none-in-run") continue;
        const std::string line =
            y.basis == "no-peaks-listed"
                ? fmt::format("mullet backtest: warning: scenario {}: contract.four_cp lists no peak in {}: "
                              "no 4CP charge is booked for the {:g} h of {} in the run (add that year's "
                              "four intervals to four_cp.peaks)",
                              sc.name, y.year, y.run_hours, y.year)
                : fmt::format("mullet backtest: warning: scenario {}: the {} 4CP peak hours lie outside the run: "
                              "no 4CP charge is booked for {}",
                              sc.name, y.year, y.year);
        if (warned.insert(line).second) fmt::print(err, "{}\n", line);
      }
    }
    runs.push_back(std::move(sr));
  }
  const Status written = WriteOutputs(*plan, info, runs, !f.no_report);
  if (!written.ok()) {
    err << "mullet backtest: error: " << written.message() << "\n";
    return kIoFailure;
  }
  fmt::print(err, "mullet backtest: wrote {}/summary.json, monthly.csv, timeseries.csv{}\n", plan->out_dir.string(),
             f.no_report ? "" : ", report.html");
  if (f.json) out << SummaryJson(info, runs).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace mullet
