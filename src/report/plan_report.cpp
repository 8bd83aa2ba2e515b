#include "report/plan_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <sstream>
#include <string_view>

#include "report/plan_summary.h"
#include "report/svg.h"

namespace mullet {
namespace report {
namespace {

constexpr std::string_view kBtcColour = "#f28e2b";
constexpr std::string_view kHashpriceColour = "#1f3b73";
constexpr std::string_view kHashrateColour = "#7b5ea7";
constexpr std::string_view kPowerColour = "#159a9c";
constexpr std::string_view kFloorColour = "#d62728";
constexpr std::string_view kMarkerColour = "#333a45";

// Fan charts side by side, histograms a little lower, the scatter a little higher.
constexpr ChartSize kFanChart = kGridChart;
constexpr ChartSize kHistogramChart = {600, 250, 13};
constexpr ChartSize kScatterChart = {600, 360, 13};

// `colour` ("#rrggbb") mixed with white: what it looks like at `opacity`
// over the page. Bands are drawn in these solid tints, so that their legend
// swatches match them.
std::string Tint(std::string_view colour, double opacity) {
  std::string out = "#";
  for (int i = 0; i < 3; ++i) {
    const int c = std::stoi(std::string(colour.substr(1 + 2 * i, 2)), nullptr, 16);
    out += fmt::format("{:02x}", static_cast<int>(std::lround(c * opacity + 255 * (1 - opacity))));
  }
  return out;
}

std::string_view DecisionColour(std::size_t i) { return kSeriesColours[i % kSeriesColours.size()]; }

// Ticks: "$45", "$2.5", "-$10".
std::string DollarTick(double v) { return (v < 0 ? "-$" : "$") + TickLabel(std::fabs(v)); }
std::string PercentTick(double fraction) { return TickLabel(fraction * 100) + " %"; }

double Min(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}
double Max(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

const PlanDecision* Find(const PlanSummary& s, const std::string& name) {
  for (const PlanDecision& d : s.decisions) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// A month index into s.months as its label; "month N" past them.
std::string MonthText(const PlanSummary& s, double index) {
  const auto i = static_cast<long long>(std::lround(index));
  if (i >= 0 && static_cast<std::size_t>(i) < s.month_labels.size()) {
    return HtmlEscape(s.month_labels[i]);
  }
  return fmt::format("month {}", i);
}

// The run's paths, grouped: "10,000".
std::string PathsText(const PlanRunInfo& p) { return Grouped(std::stod(p.paths)); }
std::string YearsText(const PlanRunInfo& p) { return TickLabel(p.years); }

std::string Name(const std::string& name) { return "<strong>" + HtmlEscape(name) + "</strong>"; }

// ---- The findings at the top.

// "A beats B on NPV in 73.00 % of paths (...)", from the pair's entry in
// either order; a sentence saying so when the summary has none.
std::string HowSure(const PlanSummary& s, const std::string& first, const std::string& second) {
  for (const PlanPairwise& p : s.pairwise) {
    const bool forward = p.a == first && p.b == second, backward = p.a == second && p.b == first;
    if (!forward && !backward) continue;
    const double share = p.share_a_better;
    const std::string verdict = share >= 0.95   ? "It is ahead on nearly every path."
                                : share >= 0.75 ? "A clear lead."
                                : share >= 0.6  ? "A lead, not a certainty."
                                : share > 0.4   ? "Close to a coin toss."
                                                : Name(p.b) + " does better on most paths.";
    return fmt::format(
        "<p class=\"finding\">How sure: {} beats {} on NPV in {} of paths (same paths for both: "
        "common random numbers); the median of the difference, path by path, is {}. {}</p>\n",
        Name(p.a), Name(p.b), Percent(share), SignedMoney(p.npv_diff_usd_p50), verdict);
  }
  return fmt::format(
      "<p class=\"finding\">The summary has no path-by-path comparison of {} and {}.</p>\n",
      Name(first), Name(second));
}

void WriteFindings(const PlanSummary& s, std::ostream& out) {
  const PlanDecision& best = *Find(s, s.best_median_npv);
  const PlanDecision& safe = *Find(s, s.lowest_cash_risk);
  const std::string floor = Money(s.plan.cash_floor_usd);
  const std::string npv = fmt::format("{} (p5 {} to p95 {})", Money(best.npv_p50),
                                      Money(best.npv_p5), Money(best.npv_p95));
  out << "<section id=\"findings\">\n<h2>Findings</h2>\n<p class=\"finding\">";
  if (&best == &safe) {
    out << fmt::format(
        "{} has both the best median NPV, {}, and the lowest probability of the cash falling "
        "below the floor of {}: {} of paths.</p>\n",
        Name(best.name), npv, floor, Percent(best.prob_cash_below_floor, true));
  } else {
    out << fmt::format(
        "{} has the best median NPV, {}. {} has the lowest probability of the cash falling below "
        "the floor of {}: {} of paths, against {} for {}.</p>\n",
        Name(best.name), npv, Name(safe.name), floor, Percent(safe.prob_cash_below_floor, true),
        Percent(best.prob_cash_below_floor, true), Name(best.name));
  }
  // Against the safest one, or else against the next by median NPV.
  const PlanDecision* other = &best == &safe ? nullptr : &safe;
  for (const PlanDecision& d : s.decisions) {
    if (&best == &safe && &d != &best && (other == nullptr || d.npv_p50 > other->npv_p50)) {
      other = &d;
    }
  }
  if (other != nullptr) {
    out << HowSure(s, best.name, other->name);
  } else {
    out << "<p class=\"note\">One decision only: nothing to compare it with.</p>\n";
  }
  out << fmt::format(
      "<p class=\"note\">{} paths over {} years from {}; NPV at {} a year. Every decision is run "
      "on the same paths.</p>\n</section>\n",
      PathsText(s.plan), YearsText(s.plan), HtmlEscape(s.plan.start),
      Percent(s.plan.discount_rate));
}

// ---- The table of decisions.

std::string IrrCell(const PlanDecision& d) {
  const std::string none =
      fmt::format("<br><span class=\"note\">none on {} of paths</span>", Percent(d.irr_none_share));
  if (!d.irr_p50) return "no IRR" + none;
  return Percent(*d.irr_p50) + (d.irr_none_share > 0 ? none : "");
}

std::string PaybackCell(const PlanDecision& d) {
  if (!d.payback_months_p50) return "beyond horizon";
  const double m = *d.payback_months_p50;
  return fmt::format("{} months", Grouped(m, std::fabs(m - std::round(m)) > 1e-9 ? 1 : 0));
}

std::string CostCell(const PlanDecision& d, double usd) {
  return d.btc_mined_p50 > 0 ? Money(usd) : "&ndash;";
}

// Two tables, return and risk, each narrow enough for a laptop.
void WriteDecisions(const PlanSummary& s, std::ostream& out) {
  out << "<section id=\"decisions\">\n<h2>Decisions</h2>\n<h3>Return</h3>\n<div "
         "class=\"scroll\"><table class=\"dense\">\n"
      << Row({"Decision", "NPV p5", "NPV p50", "NPV p95", "NPV mean", "IRR p50", "Payback p50",
              "BTC mined p50", "Cost / BTC direct", "Cost / BTC cash", "Cost / BTC all-in"},
             1, "", true);
  for (const PlanDecision& d : s.decisions) {
    out << Row({HtmlEscape(d.name), Money(d.npv_p5), Money(d.npv_p50), Money(d.npv_p95),
                Money(d.npv_mean), IrrCell(d), PaybackCell(d), Grouped(d.btc_mined_p50, 2),
                CostCell(d, d.cost_per_btc_direct), CostCell(d, d.cost_per_btc_cash),
                CostCell(d, d.cost_per_btc_all_in)},
               1, d.name == s.best_median_npv ? "best" : "");
  }
  out << "</table></div>\n<h3>Risk</h3>\n<div class=\"scroll\"><table class=\"dense\">\n"
      << Row({"Decision", "P(cash &lt; floor)", "First breach p50", "5&nbsp;% worst NPV (VaR)",
              "Mean of worst 5&nbsp;% (CVaR)"},
             1, "", true);
  for (const PlanDecision& d : s.decisions) {
    const bool breach = d.prob_cash_below_floor > 0 && d.first_breach_month_p50;
    out << Row({HtmlEscape(d.name), Percent(d.prob_cash_below_floor, true),
                breach ? MonthText(s, *d.first_breach_month_p50) : "&ndash;", Money(d.var_npv_5),
                Money(d.cvar_npv_5)},
               1, d.name == s.lowest_cash_risk ? "best" : "");
  }
  out << "</table></div>\n<p class=\"note\">Percentiles are across paths (p50: the median "
         "path&rsquo;s figure, each column on its own). NPV is of the decision&rsquo;s monthly "
         "cash flows, discounted at the plan&rsquo;s rate. VaR 5&nbsp;%: one path in twenty ends "
         "below it; CVaR 5&nbsp;%: the mean NPV of that worst twentieth. IRR is annual; a path "
         "whose flows never change sign, or cross zero more than once, has none. Payback is the "
         "first month cumulative cash is back to zero; &ldquo;beyond horizon&rdquo; when the "
         "median path has not paid back by the end. P(cash &lt; floor): the share of paths whose "
         "cash falls below the floor at any month; first breach: the median month of the first "
         "fall, among those paths. Cost per BTC: direct (power and hosting), cash (+ cash opex and "
         "interest), all-in (+ depreciation); &ndash; where no BTC is mined. Highlighted: the best "
         "median NPV (return) and the lowest probability of cash below the floor (risk).</p>\n";
  bool described = false;
  for (const PlanDecision& d : s.decisions) described = described || !d.description.empty();
  if (described) {
    out << "<table class=\"kv prose\">\n";
    for (const PlanDecision& d : s.decisions) {
      out << "<tr><th>" << HtmlEscape(d.name) << "</th><td>" << HtmlEscape(d.description)
          << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</section>\n";
}

void WriteAssumptions(const PlanSummary& s, std::ostream& out) {
  out << "<section id=\"assumptions\">\n<h2>Assumptions</h2>\n<p class=\"note\">Every "
         "assumption that moves a result above, as the run made it.</p>\n<table class=\"kv "
         "prose\">\n";
  for (const auto& [name, value] : s.assumptions) {
    out << "<tr><th>" << HtmlEscape(name) << "</th><td>" << HtmlEscape(value) << "</td></tr>\n";
  }
  if (s.assumptions.empty()) out << "<tr><td>none recorded</td></tr>\n";
  out << "</table>\n</section>\n";
}

// ---- Fan charts.

void DrawFan(SvgChart& chart, const std::vector<UtcTime>& t, const PlanFan& f,
             std::string_view colour, bool on_right = false) {
  chart.Band(t, f.p5, f.p95, Tint(colour, 0.18), 1, "p5 to p95", on_right);
  chart.Band(t, f.p25, f.p75, Tint(colour, 0.4), 1, "p25 to p75", on_right);
  chart.Line(t, f.p50, colour, 2.2, "", "median (p50)", on_right);
}

// The legend of DrawFan, with `extra` keys after it.
std::string FanLegend(std::string_view colour, std::vector<LegendItem> extra = {}) {
  const std::string outer = Tint(colour, 0.18), inner = Tint(colour, 0.4);
  std::vector<LegendItem> keys = {
      {outer, "p5 to p95"}, {inner, "p25 to p75"}, {colour, "median", true}};
  keys.insert(keys.end(), extra.begin(), extra.end());
  return Legend(keys);
}

std::string FanFigure(const PlanSummary& s, std::string_view id, std::string_view title,
                      const PlanFan& f, Axis axis, std::string_view colour,
                      const std::function<std::string(double)>& value) {
  SvgChart chart(s.months.front(), s.months.back(), std::move(axis), std::nullopt, kFanChart);
  DrawFan(chart, s.months, f, colour);
  return fmt::format(
      "<figure id=\"{}\">\n<h3>{}</h3>\n{}{}<figcaption>Median {} in {}, {} in {} (p5 {} to "
      "p95 {}).</figcaption>\n</figure>\n",
      id, title, chart.Svg(title), FanLegend(colour), value(f.p50.front()),
      HtmlEscape(s.month_labels.front()), value(f.p50.back()), HtmlEscape(s.month_labels.back()),
      value(f.p5.back()), value(f.p95.back()));
}

void WriteMarkets(const PlanSummary& s, std::ostream& out) {
  const auto price = [](double v) { return Money(v); };
  const auto per_ph = [](double v) { return PriceText(v) + "/PH/day"; };
  const auto per_mwh = [](double v) { return PriceText(v) + "/MWh"; };
  const auto eh = [](double v) { return Grouped(v) + " EH/s"; };
  const PlanFan& btc = s.btc_price_usd;
  const PlanFan& hp = s.hashprice_usd_per_ph_day;
  const PlanFan& hr = s.network_hashrate_eh_s;
  const PlanFan& pw = s.power_price_usd_per_mwh;
  out << "<section id=\"markets\">\n<h2>Market paths</h2>\n<p class=\"note\">What the paths "
         "look like, month by month: the median and the bands that hold the middle half and the "
         "middle 90&nbsp;% of paths. The same paths drive every decision.</p>\n<div "
         "class=\"grid\">\n"
      << FanFigure(s, "fan-btc-price", "BTC price", btc,
                   LogAxis(Min(btc.p5), Max(btc.p95), MoneyShort, "USD (log scale)"), kBtcColour,
                   price)
      << FanFigure(s, "fan-hashprice", "Hashprice", hp,
                   LinearAxis(std::min(0.0, Min(hp.p5)), Max(hp.p95), DollarTick, "$/PH/day"),
                   kHashpriceColour, per_ph)
      << FanFigure(s, "fan-hashrate", "Network hashrate", hr,
                   LinearAxis(std::min(0.0, Min(hr.p5)), Max(hr.p95), TickLabel, "EH/s"),
                   kHashrateColour, eh)
      << FanFigure(s, "fan-power-price", "Power price, monthly mean", pw,
                   LinearAxis(std::min(0.0, Min(pw.p5)), Max(pw.p95), DollarTick, "$/MWh"),
                   kPowerColour, per_mwh)
      << "</div>\n</section>\n";
}

std::string CashFigure(const PlanSummary& s, std::size_t index) {
  const PlanDecision& d = s.decisions[index];
  const std::string_view colour = DecisionColour(index);
  const PlanFan& f = d.cash_fan;
  const double floor = s.plan.cash_floor_usd;
  const double worst = Max(d.prob_below_floor_by_month);
  std::optional<Axis> right;
  if (worst > 0) right = LinearAxis(0, worst, PercentTick, "paths below floor");
  SvgChart chart(s.months.front(), s.months.back(),
                 LinearAxis(std::min({0.0, floor, Min(f.p5)}), std::max(floor, Max(f.p95)),
                            MoneyShort, "cash, USD"),
                 right, kFanChart);
  DrawFan(chart, s.months, f, colour);
  chart.Line({s.months.front(), s.months.back()}, {floor, floor}, kFloorColour, 1.8, "6 4",
             "cash floor " + Money(floor));
  std::vector<LegendItem> extra = {{kFloorColour, "cash floor", true, "6 4"}};
  if (right) {
    chart.Line(s.months, d.prob_below_floor_by_month, kFloorColour, 1.4, "2 3",
               "share of paths that have fallen below the floor", true);
    extra.push_back({kFloorColour, "paths below floor by then (right axis)", true, "2 3"});
  }
  const std::string breach =
      d.prob_cash_below_floor > 0
          ? fmt::format("{} of paths fall below the floor of {} at some month{}.",
                        Percent(d.prob_cash_below_floor, true), Money(floor),
                        d.first_breach_month_p50
                            ? ", the median first in " + MonthText(s, *d.first_breach_month_p50)
                            : "")
          : fmt::format("No path falls below the floor of {}.", Money(floor));
  return fmt::format(
      "<figure id=\"cash-{}\">\n<h3>{}</h3>\n{}{}<figcaption>End-of-month cash; median {} at the "
      "end (p5 {} to p95 {}). {}</figcaption>\n</figure>\n",
      index + 1, HtmlEscape(d.name), chart.Svg("Cash, " + d.name), FanLegend(colour, extra),
      Money(f.p50.back()), Money(f.p5.back()), Money(f.p95.back()), breach);
}

void WriteCash(const PlanSummary& s, std::ostream& out) {
  out << "<section id=\"cash\">\n<h2>Cash by decision</h2>\n<p class=\"note\">Starting from "
      << Money(s.plan.initial_cash_usd) << "; the dashed line is the cash floor below which the "
      << "company fails.</p>\n<div class=\"grid\">\n";
  for (std::size_t i = 0; i < s.decisions.size(); ++i) {
    out << CashFigure(s, i);
  }
  out << "</div>\n</section>\n";
}

// ---- NPV distributions.

void WriteNpv(const PlanSummary& s, std::ostream& out) {
  // One x axis for every decision, and one density unit, so that the
  // histograms compare even when their bins differ.
  double lo = s.decisions[0].npv_histogram.edges.front();
  double hi = s.decisions[0].npv_histogram.edges.back();
  for (const PlanDecision& d : s.decisions) {
    lo = std::min({lo, d.npv_histogram.edges.front(), d.npv_p5});
    hi = std::max({hi, d.npv_histogram.edges.back(), d.npv_p95});
  }
  const Axis x = LinearAxis(lo, hi, MoneyShort, "NPV, USD");
  const double unit = std::pow(10.0, std::floor(std::log10(std::max(x.hi - x.lo, 1.0) / 20)));
  const auto density = [&](const PlanNpvHistogram& h, std::size_t i, double total) {
    return total > 0 ? h.counts[i] / total / ((h.edges[i + 1] - h.edges[i]) / unit) : 0;
  };
  double top = 0;
  for (const PlanDecision& d : s.decisions) {
    const auto& h = d.npv_histogram;
    const double total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
    for (std::size_t i = 0; i < h.counts.size(); ++i) top = std::max(top, density(h, i, total));
  }
  const Axis y = LinearAxis(0, top, PercentTick, "paths per " + MoneyShort(unit));
  out << "<section id=\"npv\">\n<h2>NPV distributions</h2>\n<p class=\"note\">The share of "
         "paths in each band of NPV, per "
      << MoneyShort(unit)
      << " of NPV so that bins of any width compare; the same axes for every decision. Lines "
         "mark p5, the median and p95.</p>\n<div class=\"grid\">\n";
  for (std::size_t k = 0; k < s.decisions.size(); ++k) {
    const PlanDecision& d = s.decisions[k];
    const auto& h = d.npv_histogram;
    const double total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
    XyChart chart(x, y, kHistogramChart);
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
      chart.Bar(h.edges[i], h.edges[i + 1], density(h, i, total), Tint(DecisionColour(k), 0.75),
                fmt::format("{} to {}: {} paths", Money(h.edges[i]), Money(h.edges[i + 1]),
                            Grouped(h.counts[i])));
    }
    chart.Marker(d.npv_p5, kMarkerColour, "4 3", "p5", "end");
    chart.Marker(d.npv_p50, kMarkerColour, "", "p50");
    chart.Marker(d.npv_p95, kMarkerColour, "4 3", "p95", "start");
    out << fmt::format(
        "<figure id=\"npv-{}\">\n<h3>{}</h3>\n{}<figcaption>p5 {}, median {}, p95 {}; mean "
        "{}.</figcaption>\n</figure>\n",
        k + 1, HtmlEscape(d.name), chart.Svg("NPV distribution, " + d.name), Money(d.npv_p5),
        Money(d.npv_p50), Money(d.npv_p95), Money(d.npv_mean));
  }
  out << "</div>\n</section>\n";
}

// ---- Risk against return, and the pairs.

void WriteRisk(const PlanSummary& s, std::ostream& out) {
  double risk = 0, lo = 0, hi = 0;
  for (const PlanDecision& d : s.decisions) {
    risk = std::max(risk, d.prob_cash_below_floor);
    lo = std::min(lo, d.npv_p50);
    hi = std::max(hi, d.npv_p50);
  }
  // A margin around the points, so that none sits on the frame.
  const double pad = std::max(hi - lo, 1.0) * 0.08;
  XyChart chart(
      LinearAxis(0, std::max(risk * 1.15, 0.01), PercentTick, "probability cash &lt; floor"),
      LinearAxis(lo < 0 ? lo - pad : 0, hi + pad, MoneyShort, "median NPV"), kScatterChart);
  for (std::size_t i = 0; i < s.decisions.size(); ++i) {
    const PlanDecision& d = s.decisions[i];
    chart.Point(d.prob_cash_below_floor, d.npv_p50, DecisionColour(i), d.name);
  }
  out << "<section id=\"risk\">\n<h2>Risk against return</h2>\n<div class=\"grid\">\n<figure>\n"
      << chart.Svg("Median NPV against the probability of cash below the floor")
      << "<figcaption>Each decision&rsquo;s median NPV against the probability that its cash "
         "falls below the floor: up and to the left is better.</figcaption>\n</figure>\n<div>\n"
         "<h3>Path by path</h3>\n<div class=\"scroll\"><table>\n"
      << Row({"A", "B", "A&rsquo;s NPV higher in", "Median of A &minus; B"}, 2, "", true);
  for (const PlanPairwise& p : s.pairwise) {
    out << Row({HtmlEscape(p.a), HtmlEscape(p.b), Percent(p.share_a_better),
                SignedMoney(p.npv_diff_usd_p50)},
               2);
  }
  out << "</table></div>\n<p class=\"note\">Both decisions of a pair run on the same paths "
         "(common random numbers), so the share is of paths where A&rsquo;s NPV beat B&rsquo;s, "
         "and the difference is taken path by path before its median.</p>\n</div>\n</div>\n"
         "</section>\n";
}

// ---- Calibration and the run.

void WriteCalibration(const PlanSummary& s, std::ostream& out) {
  out << "<section id=\"calibration\">\n<h2>Calibration</h2>\n<p class=\"note\">Each market "
         "model&rsquo;s statistics on history and on the simulated paths, computed the same way."
         "</p>\n<div class=\"scroll\"><table>\n"
      << Row({"Model", "Statistic", "History", "Simulated", "Difference"}, 2, "", true);
  for (const PlanCalibration& c : s.calibration) {
    const double diff = c.history != 0 ? (c.simulated - c.history) / std::fabs(c.history) : 0;
    out << Row({HtmlEscape(c.model), HtmlEscape(c.statistic), Significant(c.history),
                Significant(c.simulated), c.history != 0 ? Signed(Percent(diff), diff) : "&ndash;"},
               2);
  }
  if (s.calibration.empty()) out << "<tr><td colspan=\"5\">none recorded</td></tr>\n";
  out << "</table></div>\n<p class=\"note\">Difference: simulated less history, as a share of "
         "history.</p>\n</section>\n";
}

void WriteRun(const PlanSummary& s, std::ostream& out) {
  const PlanRunInfo& p = s.plan;
  const auto kv = [&](std::string_view key, const std::string& value_html) {
    out << "<tr><th>" << key << "</th><td>" << value_html << "</td></tr>\n";
  };
  out << "<section id=\"run\">\n<h2>The run</h2>\n<table class=\"kv prose\">\n";
  kv("Plan", HtmlEscape(p.name));
  kv("Plan file", "<code class=\"cmd\">" + HtmlEscape(p.file) + "</code>");
  kv("Site", HtmlEscape(p.site));
  kv("Start", HtmlEscape(p.start));
  kv("Horizon", YearsText(p) + " years (" + HtmlEscape(s.month_labels.front()) + " to " +
                    HtmlEscape(s.month_labels.back()) + ")");
  kv("Paths", PathsText(p));
  kv("Seed", HtmlEscape(p.seed));
  kv("Discount rate", Percent(p.discount_rate) + " a year");
  kv("Initial cash", Money(p.initial_cash_usd));
  kv("Cash floor", Money(p.cash_floor_usd));
  const auto count = [](const std::string& n, std::string_view what) {
    return fmt::format("{} {}{}", HtmlEscape(n), what, n == "1" ? "" : "s");
  };
  kv("Shards and threads", count(p.shards, "shard") + ", " + count(p.threads, "thread") +
                               " (the results do not depend on them)");
  kv("mullet version", HtmlEscape(s.mullet_version));
  kv("Data of this run",
     "<a href=\"summary.json\">summary.json</a> (every figure on this page), beside this file");
  out << "</table>\n<footer>Made by <code>mullet plan</code> " << HtmlEscape(s.mullet_version)
      << ". This page is self-contained: no scripts, fonts or images are loaded from anywhere."
      << "</footer>\n</section>\n";
}

void WriteHead(const PlanSummary& s, std::ostream& out) {
  const std::string name = HtmlEscape(s.plan.name.empty() ? "plan" : s.plan.name);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << name << " &mdash; mullet plan</title>\n<style>" << PageCss()
      << "</style>\n</head>\n<body>\n<main class=\"page\">\n<h1>" << name << "</h1>\n"
      << fmt::format(
             "<p class=\"sub\">mullet plan &middot; {} &middot; {} paths &times; {} years from "
             "{} &middot; seed {}</p>\n",
             HtmlEscape(s.plan.site), PathsText(s.plan), YearsText(s.plan),
             HtmlEscape(s.plan.start), HtmlEscape(s.plan.seed))
      << "<nav><a href=\"#findings\">Findings</a><a href=\"#decisions\">Decisions</a>"
      << "<a href=\"#assumptions\">Assumptions</a><a href=\"#markets\">Markets</a>"
      << "<a href=\"#cash\">Cash</a><a href=\"#npv\">NPV</a><a href=\"#risk\">Risk</a>"
      << "<a href=\"#calibration\">Calibration</a><a href=\"#run\">Run</a></nav>\n";
}

}  // namespace
}  // namespace report

Result<std::string> PlanReportHtml(const nlohmann::json& summary) {
  Result<PlanSummary> read = ReadPlanSummary(summary);
  if (!read.ok()) return read.status();
  const PlanSummary& s = *read;
  std::ostringstream out;
  report::WriteHead(s, out);
  report::WriteFindings(s, out);
  report::WriteDecisions(s, out);
  // Beside the results, before the charts: what they rest on.
  report::WriteAssumptions(s, out);
  report::WriteMarkets(s, out);
  report::WriteCash(s, out);
  report::WriteNpv(s, out);
  report::WriteRisk(s, out);
  report::WriteCalibration(s, out);
  report::WriteRun(s, out);
  out << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace mullet
