#include "report/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "report/compare.h"
#include "report/svg.h"
#include "core/time/calendar.h"
#include "dispatch/reason.h"

namespace mullet {
namespace report {
namespace {

// Charts keep at most about this many points per series: 4 years hourly
// becomes daily means (1461 points), and every polygon stays under 3000.
constexpr std::size_t kMaxChartPoints = 1500;

constexpr std::string_view kFirmColour = "#1f3b73";
constexpr std::string_view kBatchColour = "#159a9c";
constexpr std::string_view kMiningColour = "#f28e2b";
constexpr std::string_view kCapColour = "#d62728";
constexpr std::string_view kPriceColour = "#333a45";
constexpr std::string_view kPriceMaxColour = "#e15759";
// Cumulative profit: a colour per scenario, a dash pattern per policy.
constexpr const auto& kScenarioColours = kSeriesColours;
constexpr std::array<std::string_view, 3> kPolicyDashes = {"", "7 4", "2 3"};

// ---- Reading a result.

std::pair<int, int> YearMonth(UtcTime t) {
  const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t));
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month()))};
}

// Per-step profit summed, with each month's SLA credits and 4CP charge
// booked at its last step, so the curve ends at the run's profit.
std::vector<double> CumulativeProfit(const BacktestResult& r) {
  std::map<std::pair<int, int>, double> settled;
  for (const MonthRow& m : r.summary.months) {
    settled[{m.year, m.month}] += m.sla_credit_usd + m.four_cp_charge_usd;
  }
  std::vector<double> cum(r.times.size());
  double sum = 0;
  for (std::size_t k = 0; k < r.times.size(); ++k) {
    sum += At(r.profit_usd, k);
    const auto ym = YearMonth(r.times[k]);
    if (k + 1 == r.times.size() || YearMonth(r.times[k + 1]) != ym) {
      const auto it = settled.find(ym);
      if (it != settled.end()) sum -= it->second;
    }
    cum[k] = sum;
  }
  return cum;
}

// ---- Words.

std::string MonthLabel(int year, int month) { return fmt::format("{:04}-{:02}", year, month); }

// "scenario · policy", plain text.
std::string RunName(const std::string& scenario, const BacktestResult& r) {
  return scenario + " \u00b7 " + r.summary.policy;
}

// ---- Sections.

void WriteHead(const ReportInfo& info, std::ostream& out) {
  const std::string site = HtmlEscape(info.site_name.empty() ? "site" : info.site_name);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << site << " &mdash; mullet backtest</title>\n<style>" << PageCss()
      << "</style>\n</head>\n<body>\n<main class=\"page\">\n"
      << "<h1>" << site << "</h1>\n"
      << fmt::format("<p class=\"sub\">mullet backtest &middot; {} to {} &middot; step {}</p>\n",
                     HtmlEscape(info.from), HtmlEscape(info.to), HtmlEscape(info.step))
      << "<nav><a href=\"#setup\">Setup</a><a href=\"#headline\">Headline</a>"
      << "<a href=\"#baselines\">vs baselines</a><a href=\"#stack\">Power stack</a>"
      << "<a href=\"#price\">Price</a><a href=\"#profit\">Cumulative profit</a>"
      << "<a href=\"#monthly\">Monthly</a><a href=\"#loads\">Loads</a><a href=\"#guide\">How to "
         "read</a></nav>\n";
}

void WriteSetup(const ReportInfo& info, const std::vector<ScenarioRuns>& scenarios,
                std::ostream& out) {
  const auto kv = [&](std::string_view key, const std::string& value_html) {
    out << "<tr><th>" << key << "</th><td>" << value_html << "</td></tr>\n";
  };
  out << "<section id=\"setup\">\n<h2>Setup</h2>\n<table class=\"kv prose\">\n";
  kv("Site file", "<code class=\"cmd\">" + HtmlEscape(info.site_file) + "</code>");
  kv("Power price", HtmlEscape(info.power_source));
  kv("Hashprice", HtmlEscape(info.hashprice_source));
  kv("Period", HtmlEscape(info.from) + " to " + HtmlEscape(info.to) + " (UTC)");
  kv("Step", HtmlEscape(info.step));
  std::string names;
  for (const ScenarioRuns& sc : scenarios) {
    names += (names.empty() ? "" : ", ") + HtmlEscape(sc.scenario);
  }
  kv("Scenarios", names.empty() ? "none" : names);
  if (!scenarios.empty() && !scenarios[0].runs.empty()) {
    const BacktestSummary& s = scenarios[0].runs[0].summary;
    kv("Steps", fmt::format("{} steps, {} hours", Grouped(static_cast<double>(s.steps)),
                            HoursText(s.hours)));
    kv("Gaps filled", fmt::format("power price: {} steps; hashprice: {} steps",
                                  Grouped(static_cast<double>(s.power_filled_steps)),
                                  Grouped(static_cast<double>(s.hashprice_filled_steps))));
  }
  for (const auto& [key, value] : info.assumptions) kv(HtmlEscape(key), HtmlEscape(value));
  kv("Command line", "<code class=\"cmd\">" + HtmlEscape(info.command_line) + "</code>");
  kv("Data of this run",
     "<a href=\"summary.json\">summary.json</a> (every figure), <a href=\"monthly.csv\">monthly.csv</a> "
     "(the books by month), <a href=\"timeseries.csv\">timeseries.csv</a> (every step), beside this file");
  out << "</table>\n</section>\n";
}

std::vector<std::string> HeadlineCells(const std::string& scenario, const BacktestSummary& s) {
  return {HtmlEscape(scenario),
          HtmlEscape(s.policy),
          Money(s.profit_after_capital_usd),
          Money(s.capital_charge_usd),
          Money(s.profit_usd),
          Money(s.mining_revenue_usd),
          Grouped(s.btc_mined, 4),
          Money(s.ai_revenue_usd),
          Money(s.power_cost_usd),
          Money(s.sell_back_credit_usd),
          Money(s.dr_credit_usd),
          Money(s.sla_credit_usd),
          Money(s.four_cp_charge_usd),
          Money(s.opex_usd),
          s.btc_mined > 0 ? Money(s.direct_cost_per_btc_usd) : "&ndash;",
          Percent(s.mining_uptime),
          Percent(s.firm_availability, true),
          Grouped(s.max_site_power_mw, 1),
          HoursText(s.curtailed_hours)};
}

void WriteHeadline(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  const BacktestResult* best = nullptr;
  for (const ScenarioRuns& sc : scenarios) {
    for (const BacktestResult& r : sc.runs) {
      if (best == nullptr || r.summary.profit_after_capital_usd > best->summary.profit_after_capital_usd) {
        best = &r;
      }
    }
  }
  out << "<section id=\"headline\">\n<h2>Headline</h2>\n<div class=\"scroll\"><table "
         "class=\"dense\">\n"
      << Row({"Scenario", "Policy", "Profit after capital", "Capital charge", "Operating profit",
              "Mining revenue", "BTC mined", "AI revenue", "Power cost", "Sell-back credit", "DR credit",
              "SLA credits", "4CP charge", "Opex", "Direct cost / BTC", "Mining uptime", "Firm availability", "Max site MW",
              "Curtailed h"},
             2, "", true);
  for (const ScenarioRuns& sc : scenarios) {
    for (const BacktestResult& r : sc.runs) {
      out << Row(HeadlineCells(sc.scenario, r.summary), 2, &r == best ? "best" : "");
    }
  }
  out << "</table></div>\n<p class=\"note\">Operating profit = mining revenue + AI revenue + "
         "sell-back and demand-response credits + power paid back by triple-net tenants &minus; "
         "power cost &minus; SLA credits &minus; 4CP charge &minus; opex. Profit after capital "
         "takes off the capital charge (the annuity that repays the scenario&rsquo;s capex, pro "
         "rata to the run). The highlighted row earned the most after capital. Direct cost per BTC is mining&rsquo;s share of the "
         "net power cost per BTC mined; mining uptime is mining IT energy over nameplate IT "
         "energy.</p>\n</section>\n";
}

// One chart point per `per` steps of `v`: means.
Curve MeanCurve(const BacktestResult& r, const std::vector<float>& v, std::size_t per,
                LegendItem key) {
  Downsampled d = Downsample(r.times, v, per);
  return {std::move(d.times), std::move(d.mean), std::move(key)};
}

std::size_t StepsPerChartPoint(const BacktestResult& r) {
  return StepsPerPoint(r.times.size(), StepHours(r), kMaxChartPoints);
}

std::string PowerStackFigure(const std::string& scenario, const BacktestResult& r) {
  const std::size_t per = StepsPerChartPoint(r);
  const std::vector<Curve> areas = {MeanCurve(r, r.firm_mw, per, {kFirmColour, "firm (AI)"}),
                                    MeanCurve(r, r.batch_mw, per, {kBatchColour, "batch"}),
                                    MeanCurve(r, r.mining_mw, per, {kMiningColour, "mining"})};
  const Curve cap = MeanCurve(r, r.site_cap_mw, per, {kCapColour, "site cap", true, "6 4"});
  return fmt::format(
      "<h3>{}</h3>\n<figure>\n{}<figcaption>Facility MW (IT and cooling) by tier, stacked, with "
      "the site cap (the smallest of interconnect, demand-response target and cooling capacity); "
      "{}, means over each point.</figcaption>\n</figure>\n",
      HtmlEscape(RunName(scenario, r)),
      LayeredChart(areas, {cap}, TickLabel, "MW", "Power stack by tier, " + scenario),
      PointSpan(per, StepHours(r), areas[0].times.size()));
}

// Miners running at each step: miner IT MW over miner nameplate IT MW; empty
// without miners.
std::vector<double> MinerShare(const BacktestResult& r) {
  double nameplate = 0;
  for (const LoadInfo& l : r.loads) {
    if (l.kind == LoadKind::kMinerGroup) nameplate += l.nameplate_it.megawatts();
  }
  if (nameplate <= 0) return {};
  const std::size_t nl = r.loads.size();
  std::vector<double> share(LoadSteps(r));
  for (std::size_t k = 0; k < share.size(); ++k) {
    for (std::size_t i = 0; i < nl; ++i) {
      if (r.loads[i].kind == LoadKind::kMinerGroup)
        share[k] += At(r.load_mw, k * nl + i) / nameplate;
    }
  }
  return share;
}

std::string PriceFigure(const std::string& scenario, const BacktestResult& r) {
  const std::size_t per = StepsPerChartPoint(r);
  Downsampled price = Downsample(r.times, r.price, per);
  std::vector<Curve> prices;
  if (per > 1) prices.push_back({price.times, price.max, {kPriceMaxColour, "highest price", true}});
  prices.push_back(
      {price.times, price.mean, {kPriceColour, per > 1 ? "mean price" : "price", true}});
  bool log = false;
  const std::string chart =
      PriceChart(prices, MeanCurve(r, r.mining_mw, per, {kMiningColour, "mining MW (right axis)"}),
                 "mining MW", "Power price and mining, " + scenario, &log);
  std::vector<double> price_series(r.times.size());
  for (std::size_t k = 0; k < price_series.size(); ++k) price_series[k] = At(r.price, k);
  const SpikeStats spikes = Spikes(r);
  return fmt::format(
      "<h3>{}</h3>\n<figure>\n{}<figcaption>Index power price (left) and mining facility MW "
      "(right); {}. {} {} hours were priced above {}/MWh; the highest was {}/MWh.</figcaption>\n"
      "</figure>\n<div class=\"scroll\">{}</div>\n",
      HtmlEscape(RunName(scenario, r)), chart, PointSpan(per, StepHours(r), price.times.size()),
      log ? "The price axis is linear within &plusmn;$10/MWh and logarithmic beyond, so that "
            "spikes and ordinary hours are both readable; nothing is clipped."
          : "The price axis is linear.",
      HoursText(spikes.hours), Money(kSpikePrice), Money(spikes.max_price),
      PriceBandTable(price_series, MinerShare(r), StepHours(r), "Miners running"));
}

void WriteCharts(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  out << "<section id=\"stack\">\n<h2>Power stack by tier</h2>\n";
  for (const ScenarioRuns& sc : scenarios) {
    if (!sc.runs.empty()) out << PowerStackFigure(sc.scenario, sc.runs[0]);
  }
  out << "</section>\n<section id=\"price\">\n<h2>Power price and mining</h2>\n";
  for (const ScenarioRuns& sc : scenarios) {
    if (!sc.runs.empty()) out << PriceFigure(sc.scenario, sc.runs[0]);
  }
  out << "</section>\n";
}

// Cumulative profit: 0 at the start, then at the last step of each chart point.
Curve ProfitCurve(const BacktestResult& r, LegendItem key) {
  const std::vector<double> cum = CumulativeProfit(r);
  const std::size_t per = StepsPerChartPoint(r);
  Curve c{{}, {}, std::move(key)};
  if (!r.times.empty()) c.times.push_back(r.times.front()), c.values.push_back(0);
  for (std::size_t start = 0; start < cum.size(); start += per) {
    const std::size_t last = std::min(cum.size(), start + per) - 1;
    c.times.push_back(r.times[last]);
    c.values.push_back(cum[last]);
  }
  return c;
}

void WriteCumulativeProfit(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  std::vector<Curve> lines;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    for (std::size_t j = 0; j < scenarios[s].runs.size(); ++j) {
      const BacktestResult& r = scenarios[s].runs[j];
      lines.push_back(ProfitCurve(
          r, {kScenarioColours[s % kScenarioColours.size()], RunName(scenarios[s].scenario, r),
              true, kPolicyDashes[std::min(j, kPolicyDashes.size() - 1)]}));
    }
  }
  out << "<section id=\"profit\">\n<h2>Cumulative profit</h2>\n<figure>\n"
      << LayeredChart({}, lines, MoneyShort, "cumulative profit",
                      "Cumulative profit by scenario and policy")
      << "<figcaption>Profit summed step by step; SLA credits and 4CP charges are booked at the "
         "end of their month, so each line ends at its run&rsquo;s profit in the headline table. "
         "One colour per scenario, one line style per policy.</figcaption>\n</figure>\n"
         "</section>\n";
}

std::vector<std::string> MonthCells(const std::string& label, const MonthRow& m) {
  return {label,
          Grouped(m.energy_mwh),
          PriceText(m.mean_price_usd_per_mwh),
          Money(m.power_cost_usd),
          Money(m.sell_back_credit_usd),
          Money(m.dr_credit_usd),
          Money(m.mining_revenue_usd),
          Grouped(m.btc_mined, 4),
          Money(m.ai_revenue_usd),
          Money(m.sla_credit_usd),
          Money(m.four_cp_charge_usd),
          Money(m.profit_usd),
          HoursText(m.curtailed_hours)};
}

// The MonthRow fields a totals row adds up.
constexpr std::array kMonthSums = {
    &MonthRow::energy_mwh,     &MonthRow::power_cost_usd,     &MonthRow::sell_back_credit_usd,
    &MonthRow::dr_credit_usd,  &MonthRow::mining_revenue_usd, &MonthRow::btc_mined,
    &MonthRow::ai_revenue_usd, &MonthRow::sla_credit_usd,     &MonthRow::four_cp_charge_usd,
    &MonthRow::profit_usd,     &MonthRow::curtailed_hours};

void WriteMonthly(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  out << "<section id=\"monthly\">\n<h2>Monthly books</h2>\n";
  for (const ScenarioRuns& sc : scenarios) {
    if (sc.runs.empty()) continue;
    const BacktestResult& r = sc.runs[0];
    MonthRow total;
    out << "<h3>" << HtmlEscape(RunName(sc.scenario, r)) << "</h3>\n<div class=\"scroll\"><table>\n"
        << Row({"Month", "Energy MWh", "Mean price $/MWh", "Power cost", "Sell-back", "DR credit",
                "Mining revenue", "BTC mined", "AI revenue", "SLA credits", "4CP charge", "Profit",
                "Curtailed h"},
               1, "", true);
    for (const MonthRow& m : r.summary.months) {
      out << Row(MonthCells(MonthLabel(m.year, m.month), m), 1);
      for (double MonthRow::*field : kMonthSums) total.*field += m.*field;
    }
    double price_sum = 0;
    for (std::size_t k = 0; k < r.times.size(); ++k) price_sum += At(r.price, k);
    total.mean_price_usd_per_mwh = r.times.empty() ? 0 : price_sum / r.times.size();
    out << Row(MonthCells("Total", total), 1, "total") << "</table></div>\n";
  }
  out << "</section>\n";
}

// The three reasons with the most hours (machine-hours for a miner group):
// "<code>mine-full</code> 1,234 h (85.0 %)".
std::string TopReasons(const BacktestResult& r, std::size_t load) {
  const ReasonHours h = LoadReasonHours(r, load);
  double total = 0;
  std::vector<std::size_t> order;
  for (std::size_t c = 0; c < kReasonCount; ++c) {
    total += h[c];
    if (h[c] > 0) order.push_back(c);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return h[x] > h[y]; });
  std::string out;
  for (std::size_t i = 0; i < order.size() && i < 3; ++i) {
    out += fmt::format("{}<code>{}</code> {} h ({})", i > 0 ? "<br>" : "",
                       ReasonName(static_cast<Reason>(order[i])), HoursText(h[order[i]]),
                       Percent(h[order[i]] / total));
  }
  return out.empty() ? "&ndash;" : out;
}

void WriteLoads(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  out << "<section id=\"loads\">\n<h2>Loads</h2>\n";
  for (const ScenarioRuns& sc : scenarios) {
    if (sc.runs.empty()) continue;
    const BacktestResult& r = sc.runs[0];
    const double hours = r.summary.hours;
    out << "<h3>" << HtmlEscape(RunName(sc.scenario, r)) << "</h3>\n<div class=\"scroll\"><table>\n"
        << Row({"Load", "Kind", "Nameplate IT MW", "IT energy MWh", "Load factor",
                "Top reasons by hours"},
               2, "", true, 1);
    for (std::size_t i = 0; i < r.loads.size(); ++i) {
      const LoadInfo& l = r.loads[i];
      const double nameplate = l.nameplate_it.megawatts();
      const double possible = nameplate * hours;
      out << Row({HtmlEscape(l.name), HtmlEscape(LoadKindName(l.kind)), Grouped(nameplate, 2),
                  Grouped(l.energy_mwh),
                  possible > 0 ? Percent(l.energy_mwh / possible) : "&ndash;", TopReasons(r, i)},
                 2, "", false, 1);
    }
    out << "</table></div>\n";
  }
  out << "<p class=\"note\">Load factor: IT energy over nameplate IT power &times; the run&rsquo;s "
         "hours. Reasons are the codes the policy gave the load, by hours; for a miner group by "
         "machine-hours (units &times; hours): a curtailing reason counts the units not hashing, "
         "a running one the units hashing.</p>\n</section>\n";
}

void WriteGuide(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  std::array<bool, kReasonCount> seen{};
  for (const ScenarioRuns& sc : scenarios) {
    for (const BacktestResult& r : sc.runs) {
      const std::size_t n = LoadSteps(r) * r.loads.size();
      for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<std::size_t>(r.load_reason[i]);
        if (c < kReasonCount) seen[c] = true;
      }
    }
  }
  out << "<section id=\"guide\">\n<h2>How to read this</h2>\n<table class=\"kv prose\">\n"
      << "<tr><th>Firm (AI)</th><td>Colocation leases and GPU cloud: served first, every hour; a "
         "shortfall is an SLA breach, paid back to the tenant as SLA credits.</td></tr>\n"
      << "<tr><th>Batch</th><td>Deferrable HPC and AI-training work that checkpoints: it runs when "
         "its value per GPU-hour beats the power price, or when its deadline requires.</td></tr>\n"
      << "<tr><th>Mining</th><td>Interruptible ASIC miner groups: they take the headroom left "
         "while they earn more than the power costs, and are curtailed first.</td></tr>\n"
      << "<tr><th>Site cap</th><td>The smallest of the interconnect limit, an active "
         "demand-response target and the cooling capacity at the ambient temperature.</td></tr>\n"
      << "<tr><th>Facility MW</th><td>IT power plus cooling overhead, the power the site draws; "
         "per-load figures are IT power.</td></tr>\n</table>\n"
      << "<h3>Reason codes in this run</h3>\n<table class=\"prose\">\n"
      << Row({"Code", "Meaning"}, 2, "", true);
  for (std::size_t c = 0; c < kReasonCount; ++c) {
    if (!seen[c]) continue;
    const auto r = static_cast<Reason>(c);
    out << Row({fmt::format("<code>{}</code>", ReasonName(r)), std::string(ReasonMeaning(r))}, 2);
  }
  out << "</table>\n<footer>Made by <code>mullet backtest</code>. This page is self-contained: "
         "no scripts, fonts or images are loaded from anywhere.</footer>\n</section>\n";
}

}  // namespace
}  // namespace report

void WriteReportHtml(const ReportInfo& info, const std::vector<ScenarioRuns>& scenarios,
                     std::ostream& out) {
  report::WriteHead(info, out);
  report::WriteSetup(info, scenarios, out);
  report::WriteHeadline(scenarios, out);
  report::WriteComparison(scenarios, out);
  report::WriteCharts(scenarios, out);
  report::WriteCumulativeProfit(scenarios, out);
  report::WriteMonthly(scenarios, out);
  report::WriteLoads(scenarios, out);
  report::WriteGuide(scenarios, out);
  out << "</main>\n</body>\n</html>\n";
}

}  // namespace mullet
