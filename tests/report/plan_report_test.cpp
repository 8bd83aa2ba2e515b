// report.html of `mullet plan` from a summary built in code (three decisions,
// 24 months): the findings, escaping, self-containment, every chart, and the
// errors that name a field. Set MULLET_SAMPLE_PLAN_REPORT=/path/report.html to
// keep the sample page, to look at it in a browser.

#include "report/plan_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "report/plan_summary.h"

namespace mullet {
namespace {

using nlohmann::json;

constexpr int kMonths = 24;
constexpr char kNasty[] = "<script>alert(1)</script>";
constexpr char kNastyEscaped[] = "&lt;script&gt;alert(1)&lt;/script&gt;";

// p5..p95 of a quantity with median `start` * growth^m that spreads by
// `spread` (in log) per sqrt(year), as a lognormal would.
json LogFan(double start, double growth, double spread) {
  json fan;
  for (const auto& [key, z] :
       {std::pair{"p5", -1.645}, {"p25", -0.674}, {"p50", 0.0}, {"p75", 0.674}, {"p95", 1.645}}) {
    json v = json::array();
    for (int m = 0; m < kMonths; ++m) {
      v.push_back(start * std::pow(growth, m) * std::exp(z * spread * std::sqrt(m / 12.0)));
    }
    fan[key] = v;
  }
  return fan;
}

// Cash that drifts by `drift` a month around `start` and spreads by `spread` per sqrt(month).
json CashFan(double start, double drift, double spread) {
  json fan;
  for (const auto& [key, z] :
       {std::pair{"p5", -1.645}, {"p25", -0.674}, {"p50", 0.0}, {"p75", 0.674}, {"p95", 1.645}}) {
    json v = json::array();
    for (int m = 0; m < kMonths; ++m)
      v.push_back(start + drift * (m + 1) + z * spread * std::sqrt(m + 1.0));
    fan[key] = v;
  }
  return fan;
}

// A bell of `bins` bins around `median` with stdev `sd`, 10,000 paths.
json Histogram(double median, double sd, int bins) {
  json edges = json::array(), counts = json::array();
  const double lo = median - 3 * sd, width = 6 * sd / bins;
  for (int i = 0; i <= bins; ++i) edges.push_back(lo + i * width);
  for (int i = 0; i < bins; ++i) {
    const double x = (lo + (i + 0.5) * width - median) / sd;
    counts.push_back(std::round(10000 * width / sd * std::exp(-x * x / 2) / 2.5066));
  }
  return {{"edges", edges}, {"counts", counts}};
}

json Decision(std::string name, std::string description, double npv_p50, double sd, int bins,
              double breach, double cash_drift) {
  json by_month = json::array();
  for (int m = 0; m < kMonths; ++m) by_month.push_back(breach * std::min(1.0, m / 12.0));
  return {{"name", name},
          {"description", description},
          {"npv_usd_p5", npv_p50 - 1.645 * sd},
          {"npv_usd_p50", npv_p50},
          {"npv_usd_p95", npv_p50 + 1.645 * sd},
          {"npv_usd_mean", npv_p50 + 0.1 * sd},
          {"irr_p50", 0.14},
          {"irr_none_share", 0.02},
          {"payback_months_p50", 31},
          {"prob_cash_below_floor", breach},
          {"first_breach_month_p50", breach > 0 ? json(9) : json(nullptr)},
          {"var_npv_usd_5", npv_p50 - 1.645 * sd},
          {"cvar_npv_usd_5", npv_p50 - 2.06 * sd},
          {"cost_per_btc_direct_usd_p50", 41000},
          {"cost_per_btc_cash_usd_p50", 52000},
          {"cost_per_btc_all_in_usd_p50", 78000},
          {"btc_mined_p50", 812.4},
          {"npv_histogram", Histogram(npv_p50, sd, bins)},
          {"cash_fan", CashFan(5e7, cash_drift, 4e6)},
          {"prob_cash_below_floor_by_month", by_month}};
}

json MonthList() {
  json months = json::array();
  for (int m = 0; m < kMonths; ++m) {
    months.push_back(std::to_string(2026 + m / 12) + "-" + (m % 12 < 9 ? "0" : "") +
                     std::to_string(m % 12 + 1));
  }
  return months;
}

// Converting 20 MW has the best median NPV; keeping on mining the least cash risk.
json Summary() {
  json s;
  s["mullet_version"] = "0.1.0";
  s["plan"] = {{"name", "Pecos pivot"},
               {"file", "examples/plan.yaml"},
               {"site", "Pecos 100 MW"},
               {"start", "2026-01-01"},
               {"years", 2},
               {"paths", 10000},
               {"seed", 18446744073709551615ULL},
               {"discount_rate", 0.10},
               {"cash_floor_usd", 0},
               {"initial_cash_usd", 5e7},
               {"shards", 1},
               {"threads", 2}};
  s["assumptions"] = {
      {{"name", "BTC price"},
       {"value", "stationary block bootstrap of 2012-01-01..2026-01-30 daily returns"}},
      {{"name", "AI lease"}, {"value", "$1.4M/MW-yr & 3 % escalator, signed at month 9"}}};
  s["fans"] = {{"months", MonthList()},
               {"btc_price_usd", LogFan(95000, 1.0, 0.55)},
               {"hashprice_usd_per_ph_day", LogFan(48, 0.985, 0.5)},
               {"network_hashrate_eh_s", LogFan(850, 1.02, 0.15)},
               {"power_price_usd_per_mwh", LogFan(38, 1.002, 0.3)}};
  s["decisions"] = {
      Decision("Keep mining", "All 100 MW stay on S21s; BTC sold monthly.", 1.2e7, 2.2e7, 30, 0.004,
               4e5),
      Decision("Convert 20 MW to AI", "20 MW to an AI tenant from month 9; $8M/MW capex.", 2.9e7,
               1.6e7, 25, 0.031, 2e5),
      Decision("Convert 60 MW to AI", "60 MW to AI; debt-financed.", 2.1e7, 3.5e7, 40, 0.12, -3e5)};
  s["comparison"] = {{"best_median_npv", "Convert 20 MW to AI"},
                     {"lowest_cash_risk", "Keep mining"},
                     {"pairwise",
                      {{{"a", "Convert 20 MW to AI"},
                        {"b", "Keep mining"},
                        {"share_a_better", 0.73},
                        {"npv_diff_usd_p50", 1.5e7}},
                       {{"a", "Convert 20 MW to AI"},
                        {"b", "Convert 60 MW to AI"},
                        {"share_a_better", 0.58},
                        {"npv_diff_usd_p50", 6e6}},
                       {{"a", "Keep mining"},
                        {"b", "Convert 60 MW to AI"},
                        {"share_a_better", 0.41},
                        {"npv_diff_usd_p50", -7e6}}}}};
  s["calibration"] = {{{"model", "BTC price"},
                       {"statistic", "stdev of daily log return"},
                       {"history", 0.0415},
                       {"simulated", 0.0411}},
                      {{"model", "Power price"},
                       {"statistic", "mean $/MWh"},
                       {"history", 38.2},
                       {"simulated", 37.9}},
                      {{"model", "Hashrate"},
                       {"statistic", "mean monthly growth"},
                       {"history", 0.0},
                       {"simulated", 0.019}}};
  return s;
}

std::string Page(const json& s) {
  Result<std::string> page = PlanReportHtml(s);
  EXPECT_TRUE(page.ok()) << page.status().message();
  return page.ok() ? *page : "";
}

// The text from `open` up to the next `close`; "" when `open` is absent.
std::string Between(const std::string& page, const std::string& open, const std::string& close) {
  const auto from = page.find(open);
  if (from == std::string::npos) return "";
  return page.substr(from, page.find(close, from) - from);
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The error PlanReportHtml gives for `s`; "" when it renders.
std::string Error(const json& s) {
  Result<std::string> page = PlanReportHtml(s);
  if (page.ok()) return "";
  EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument);
  return page.status().message();
}

TEST(PlanReportTest, IsOneSelfContainedDocument) {
  const std::string page = Page(Summary());
  if (const char* path = std::getenv("MULLET_SAMPLE_PLAN_REPORT")) std::ofstream(path) << page;
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n"));
  EXPECT_EQ(Count(page, "<html"), 1u);
  EXPECT_EQ(Count(page, "</html>"), 1u);
  EXPECT_TRUE(page.ends_with("</html>\n"));
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("name=\"viewport\""), std::string::npos);
}

TEST(PlanReportTest, HeadlineNamesBestAndSafestAndHowSure) {
  const std::string findings = Between(Page(Summary()), "id=\"findings\"", "</section>");
  EXPECT_NE(findings.find("<strong>Convert 20 MW to AI</strong> has the best median NPV, "
                          "$29,000,000"),
            std::string::npos)
      << findings;
  EXPECT_NE(findings.find("<strong>Keep mining</strong> has the lowest probability of the cash "
                          "falling below the floor of $0: 0.40 % of paths"),
            std::string::npos)
      << findings;
  EXPECT_NE(findings.find("<strong>Convert 20 MW to AI</strong> beats <strong>Keep "
                          "mining</strong> on NPV in 73.00 % of paths (same paths for both: "
                          "common random numbers)"),
            std::string::npos)
      << findings;
}

TEST(PlanReportTest, PairGivenTheOtherWayRoundIsReadAsGiven) {
  json s = Summary();
  s["comparison"]["pairwise"][0] = {{"a", "Keep mining"},
                                    {"b", "Convert 20 MW to AI"},
                                    {"share_a_better", 0.27},
                                    {"npv_diff_usd_p50", -1.5e7}};
  const std::string findings = Between(Page(s), "id=\"findings\"", "</section>");
  EXPECT_NE(findings.find("<strong>Keep mining</strong> beats <strong>Convert 20 MW to "
                          "AI</strong> on NPV in 27.00 % of paths"),
            std::string::npos)
      << findings;
}

TEST(PlanReportTest, OneDecisionBestOnBothIsComparedWithTheRunnerUp) {
  json s = Summary();
  s["comparison"]["lowest_cash_risk"] = "Convert 20 MW to AI";
  const std::string findings = Between(Page(s), "id=\"findings\"", "</section>");
  EXPECT_NE(findings.find("<strong>Convert 20 MW to AI</strong> has both the best median NPV"),
            std::string::npos)
      << findings;
  // The next by median NPV is "Convert 60 MW to AI" ($21M against $12M).
  EXPECT_NE(findings.find("beats <strong>Convert 60 MW to AI</strong> on NPV in 58.00 %"),
            std::string::npos)
      << findings;
}

TEST(PlanReportTest, NullIrrPaybackAndBreachReadAsWords) {
  json s = Summary();
  s["decisions"][2]["irr_p50"] = nullptr;
  s["decisions"][2]["irr_none_share"] = 0.62;
  s["decisions"][2]["payback_months_p50"] = nullptr;
  s["decisions"][0]["prob_cash_below_floor"] = 0;
  s["decisions"][0]["first_breach_month_p50"] = nullptr;
  const std::string section = Between(Page(s), "id=\"decisions\"", "</section>");
  const std::string returns = Between(section, "<h3>Return</h3>", "</table>");
  const std::string risks = Between(section, "<h3>Risk</h3>", "</table>");
  const std::string row = Between(returns, "<td>Convert 60 MW to AI</td>", "</tr>");
  EXPECT_NE(row.find("no IRR<br><span class=\"note\">none on 62.00 % of paths</span>"),
            std::string::npos)
      << row;
  EXPECT_NE(row.find("beyond horizon"), std::string::npos) << row;
  EXPECT_NE(Between(returns, "<td>Convert 20 MW to AI</td>", "</tr>").find("14.00 %"),
            std::string::npos);
  // Month index 9 is 2026-10; "Keep mining" now never breaches.
  EXPECT_NE(Between(risks, "<td>Convert 60 MW to AI</td>", "</tr>").find("2026-10"),
            std::string::npos)
      << risks;
  EXPECT_NE(Between(risks, "<td>Keep mining</td>", "</tr>").find("&ndash;"), std::string::npos)
      << risks;
}

TEST(PlanReportTest, EscapesDecisionNamesAndEveryUserString) {
  json s = Summary();
  s["decisions"][2]["name"] = kNasty;
  s["decisions"][2]["description"] = "debt & \"equity\"";
  s["comparison"]["pairwise"][1]["b"] = kNasty;
  s["comparison"]["pairwise"][2]["b"] = kNasty;
  s["plan"]["name"] = "<b>plan</b>";
  s["assumptions"][0]["value"] = "<img src=x>";
  const std::string page = Page(s);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>plan"), std::string::npos);
  EXPECT_NE(page.find(kNastyEscaped), std::string::npos);
  EXPECT_NE(page.find("debt &amp; &quot;equity&quot;"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x&gt;"), std::string::npos);
}

TEST(PlanReportTest, MissingOrWrongFieldIsNamed) {
  json s = Summary();
  s["decisions"][1].erase("npv_usd_p50");
  EXPECT_EQ(Error(s), "summary.json: decisions[1].npv_usd_p50: missing");

  s = Summary();
  s["fans"]["btc_price_usd"]["p50"][3] = "high";
  EXPECT_EQ(Error(s), "summary.json: fans.btc_price_usd.p50[3]: expected a number, got string");

  s = Summary();
  s["decisions"][0]["cash_fan"]["p5"].erase(0);
  EXPECT_EQ(Error(s), "summary.json: decisions[0].cash_fan.p5: expected 24 values, got 23");

  s = Summary();
  s["decisions"][0]["irr_p50"] = "12 %";
  EXPECT_EQ(Error(s), "summary.json: decisions[0].irr_p50: expected a number or null, got string");

  s = Summary();
  s["decisions"][0]["npv_histogram"]["edges"].erase(0);
  EXPECT_EQ(Error(s), "summary.json: decisions[0].npv_histogram.edges: expected 31 values, got 30");

  s = Summary();
  s["comparison"]["best_median_npv"] = "Sell the site";
  EXPECT_EQ(Error(s),
            "summary.json: comparison.best_median_npv: 'Sell the site' names no decision");

  s = Summary();
  s["fans"]["months"][5] = "2026-13";
  EXPECT_EQ(Error(s), "summary.json: fans.months[5]: expected YYYY-MM, got '2026-13'");

  s = Summary();
  s["plan"]["seed"] = 1.5;
  EXPECT_EQ(Error(s), "summary.json: plan.seed: expected a whole number, got number");

  s = Summary();
  s.erase("calibration");
  EXPECT_EQ(Error(s), "summary.json: calibration: missing");

  s = Summary();
  s["decisions"] = json::array();
  EXPECT_EQ(Error(s), "summary.json: decisions: empty");

  EXPECT_EQ(Error(json::array()), "summary.json: expected an object, got array");
}

TEST(PlanReportTest, DrawsEveryFanChart) {
  const std::string page = Page(Summary());
  for (const char* id : {"fan-btc-price", "fan-hashprice", "fan-hashrate", "fan-power-price",
                         "cash-1", "cash-2", "cash-3"}) {
    const std::string figure = Between(page, std::string("<figure id=\"") + id + "\"", "</figure>");
    EXPECT_EQ(Count(figure, "<svg class=\"chart\""), 1u) << id;
    // Two bands and a median line.
    EXPECT_GE(Count(figure, "<polygon"), 2u) << id;
    EXPECT_NE(figure.find("median (p50)"), std::string::npos) << id;
  }
  EXPECT_NE(Between(page, "id=\"fan-btc-price\"", "</figure>").find("(log scale)"),
            std::string::npos);
  // Each cash fan draws the floor and notes the breach probability.
  const std::string cash = Between(page, "<figure id=\"cash-3\"", "</figure>");
  EXPECT_NE(cash.find("<title>cash floor $0</title>"), std::string::npos);
  EXPECT_NE(cash.find("12.00 % of paths fall below the floor of $0"), std::string::npos) << cash;
  // 4 markets + 3 cash + 3 NPV + 1 scatter.
  EXPECT_EQ(Count(page, "<svg class=\"chart\""), 11u);
}

TEST(PlanReportTest, HistogramHasABarPerCount) {
  const std::string page = Page(Summary());
  std::size_t k = 1;
  for (std::size_t bins : {30u, 25u, 40u}) {
    const std::string figure =
        Between(page, "<figure id=\"npv-" + std::to_string(k++) + "\"", "</figure>");
    EXPECT_EQ(Count(figure, "<rect class=\"bar\""), bins);
    // p5, the median and p95 marked.
    EXPECT_NE(figure.find(">p5</text>"), std::string::npos);
    EXPECT_NE(figure.find(">p50</text>"), std::string::npos);
    EXPECT_NE(figure.find(">p95</text>"), std::string::npos);
  }
}

TEST(PlanReportTest, HistogramsShareOneAxis) {
  const std::string page = Page(Summary());
  // The x tick labels of the first and last histograms are the same.
  const auto ticks = [&](const std::string& id) {
    std::string figure = Between(page, "<figure id=\"" + id + "\"", "</figure>");
    // From the end of the <svg> tag (its label names the decision) to the first bar.
    const auto svg = figure.find('\n', figure.find("<svg"));
    return figure.substr(svg, figure.find("<rect class=\"bar\"") - svg);
  };
  EXPECT_NE(ticks("npv-1").find("NPV, USD"), std::string::npos);
  EXPECT_EQ(ticks("npv-1"), ticks("npv-3"));
}

TEST(PlanReportTest, ShowsRiskScatterCalibrationAssumptionsAndRun) {
  const std::string page = Page(Summary());
  const std::string risk = Between(page, "id=\"risk\"", "</section>");
  EXPECT_EQ(Count(risk, "<circle"), 3u);
  EXPECT_NE(risk.find(">Keep mining</text>"), std::string::npos);
  const std::string calibration = Between(page, "id=\"calibration\"", "</section>");
  EXPECT_NE(calibration.find("<td class=\"num\">0.0415</td><td class=\"num\">0.0411</td>"),
            std::string::npos)
      << calibration;
  EXPECT_NE(calibration.find("-0.96 %"), std::string::npos);
  const std::string assumptions = Between(page, "id=\"assumptions\"", "</section>");
  EXPECT_NE(assumptions.find("<th>AI lease</th><td>$1.4M/MW-yr &amp; 3 % escalator"),
            std::string::npos);
  const std::string run = Between(page, "id=\"run\"", "</section>");
  for (const char* text :
       {"18446744073709551615", "10,000", "2 years", "10.00 % a year", "$50,000,000",
        "examples/plan.yaml", "Pecos 100 MW", "1 shard, 2 threads", "0.1.0"}) {
    EXPECT_NE(run.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace mullet
