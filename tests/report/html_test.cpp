// report.html from results built in code: structure, escaping, formatting,
// self-containment and size. Set MULLET_SAMPLE_REPORT=/path/report.html to
// keep the sample page the tests render, to look at it in a browser.

#include "report/html.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <regex>
#include <sstream>

#include "report/compare.h"
#include "report/svg.h"

namespace mullet {
namespace {

using std::chrono::hours;

constexpr char kNastyLoad[] = "Tenant <script>alert(1)</script> & Co";
constexpr char kNastyLoadEscaped[] = "Tenant &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co";

UtcTime Jan1(int year) { return UtcTime(std::chrono::sys_days(std::chrono::year(year) / 1 / 1)); }

// A made-up hourly market: a daily price wave around $35/MWh, a spike to
// $2,500+ every 101 hours, a negative hour every 67.
double PriceAt(std::size_t k) {
  if (k % 101 == 50) return 2500 + 100.0 * (k % 7);
  if (k % 67 == 3) return -8;
  return 35 + 30 * std::sin(2 * std::numbers::pi * static_cast<double>(k % 24) / 24);
}

struct Step {
  double firm_it = 25, batch_it = 0, mining_it = 0, cap = 100;
  Reason a, b, batch;
};

// Two miner groups (30 MW S21, 20 MW S19) that run at or below their
// threshold price; a demand-response window cuts group A for hours 30-33.
Step Dispatch(std::size_t k, bool mullet) {
  const double p = PriceAt(k);
  Step s;
  const bool dr = k >= 30 && k < 34;
  s.cap = dr ? 60 : 100;
  const bool a_on = !dr && p <= (mullet ? 105 : 50), b_on = p <= (mullet ? 75 : 50);
  const Reason on = mullet ? Reason::kMineFull : Reason::kMineBelowStrike;
  const Reason off = mullet ? Reason::kCurtailPriceAboveBreakeven : Reason::kCurtailAboveStrike;
  s.a = dr ? Reason::kCurtailDrEvent : a_on ? on : off;
  s.b = b_on ? on : off;
  s.mining_it = (a_on ? 30 : 0) + (b_on ? 20 : 0);
  s.batch_it = p < 60 ? 5 : 0;
  s.batch = p < 60 ? Reason::kBatchRunValue : Reason::kBatchDeferPrice;
  return s;
}

// What MakeRun accumulates before the summary is closed.
struct Books {
  std::map<std::pair<int, int>, MonthRow> months;
  std::map<std::pair<int, int>, int> month_steps;
  double mining_cost = 0, mining_mwh = 0;
};

// Appends step `k` (hour `t`) to every series of `r` and to the books.
void AddStep(BacktestResult& r, Books& books, std::size_t k, UtcTime t, bool mullet,
             double firm_it) {
  Step d = Dispatch(k, mullet);
  d.firm_it = firm_it;
  const double p = PriceAt(k);
  const double firm = d.firm_it * 1.1, batch = d.batch_it * 1.1, mining = d.mining_it * 1.05;
  const double facility = firm + batch + mining;
  const bool a_on = d.a == Reason::kMineFull || d.a == Reason::kMineBelowStrike;
  const bool b_on = d.b == Reason::kMineFull || d.b == Reason::kMineBelowStrike;
  const double th = (a_on ? 30e6 / 17.5 : 0) + (b_on ? 20e6 / 29.5 : 0);
  const double mining_usd = th * 0.05 / 24,
               ai_usd = firm_it * 800 * 121 / 730.5 + firm_it * 48 + d.batch_it * 100;
  const double cost = facility * p, profit = mining_usd + ai_usd - cost;
  r.times.push_back(t);
  for (auto [series, v] : {std::pair{&r.price, p},
                           {&r.hashprice_ph, 50.0},
                           {&r.ambient_c, 20.0},
                           {&r.site_cap_mw, d.cap},
                           {&r.facility_mw, facility},
                           {&r.firm_mw, firm},
                           {&r.batch_mw, batch},
                           {&r.mining_mw, mining},
                           {&r.profit_usd, profit}}) {
    series->push_back(static_cast<float>(v));
  }
  const double load_mw[] = {0.8 * firm_it, 0.2 * firm_it, d.batch_it, a_on ? 30.0 : 0.0,
                            b_on ? 20.0 : 0.0};
  const Reason load_reason[] = {Reason::kFirmServed, Reason::kFirmServed, d.batch, d.a, d.b};
  for (std::size_t i = 0; i < r.loads.size(); ++i) {
    r.load_mw.push_back(static_cast<float>(load_mw[i]));
    r.load_reason.push_back(load_reason[i]);
    r.loads[i].energy_mwh += load_mw[i];
  }
  const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t));
  const std::pair<int, int> ym(static_cast<int>(ymd.year()),
                               static_cast<int>(unsigned(ymd.month())));
  MonthRow& m = books.months[ym];
  ++books.month_steps[ym];
  m.year = ym.first;
  m.month = ym.second;
  m.energy_mwh += facility;
  m.power_cost_usd += cost;
  m.mining_revenue_usd += mining_usd;
  m.btc_mined += mining_usd / 60000;
  m.ai_revenue_usd += ai_usd;
  m.profit_usd += profit;
  m.mean_price_usd_per_mwh += p;  // a sum until CloseBooks
  m.curtailed_hours += a_on && b_on ? 0 : 1;
  r.summary.max_site_power_mw = std::max(r.summary.max_site_power_mw, facility);
  books.mining_cost += mining * p;
  books.mining_mwh += d.mining_it;
}

void CloseBooks(BacktestResult& r, Books& books, bool mullet) {
  BacktestSummary& s = r.summary;
  for (auto& [ym, m] : books.months) {
    m.mean_price_usd_per_mwh /= books.month_steps[ym];
    s.energy_mwh += m.energy_mwh;
    s.power_cost_usd += m.power_cost_usd;
    s.mining_revenue_usd += m.mining_revenue_usd;
    s.btc_mined += m.btc_mined;
    s.ai_revenue_usd += m.ai_revenue_usd;
    s.profit_usd += m.profit_usd;
    s.curtailed_hours += m.curtailed_hours;
    s.months.push_back(m);
  }
  const auto steps = static_cast<double>(r.times.size());
  s.steps = static_cast<std::int64_t>(r.times.size());
  s.hours = steps;
  s.colocation_revenue_usd = s.ai_revenue_usd;
  s.direct_cost_per_btc_usd = s.btc_mined > 0 ? books.mining_cost / s.btc_mined : 0;
  s.mining_uptime = steps > 0 ? books.mining_mwh / (50.0 * steps) : 0;
  s.firm_availability = mullet ? 1.0 : 0.99996;
}

// A run with consistent books: per-step series, loads, months and summary.
// `firm_it`: MW of AI load (80 % colocation, 20 % GPU cloud).
BacktestResult MakeRun(const std::string& scenario, bool mullet, UtcTime start, std::size_t steps,
                       double firm_it = 25) {
  BacktestResult r;
  r.summary.scenario = scenario;
  r.summary.policy = mullet ? "mullet" : "strike-price";
  r.loads = {{kNastyLoad, LoadKind::kColocation, Megawatts(0.8 * firm_it)},
             {"gpu-cloud", LoadKind::kGpuCloud, Megawatts(0.2 * firm_it)},
             {"training queue", LoadKind::kBatch, Megawatts(5)},
             {"S21 hall A", LoadKind::kMinerGroup, Megawatts(30)},
             {"S19 hall B", LoadKind::kMinerGroup, Megawatts(20)}};
  Books books;
  for (std::size_t k = 0; k < steps; ++k) AddStep(r, books, k, start + hours(k), mullet, firm_it);
  CloseBooks(r, books, mullet);
  return r;
}

std::vector<ScenarioRuns> MakeScenarios(UtcTime start, std::size_t steps) {
  std::vector<ScenarioRuns> out;
  for (const auto& [name, firm_it] :
       {std::pair("hybrid 25 MW AI", 25.0), {"mostly mining & 4CP", 5.0}}) {
    out.push_back({name,
                   {MakeRun(name, true, start, steps, firm_it),
                    MakeRun(name, false, start, steps, firm_it)}});
  }
  return out;
}

ReportInfo MakeInfo() {
  ReportInfo info;
  info.site_name = "West Texas <Site> & Sons";
  info.site_file = "examples/west_texas.yaml";
  info.power_source = "ercot_dam_spp_hourly_2021_2024.csv:hb_west";
  info.hashprice_source = "history (difficulty epochs, BTC close, 7-day fees)";
  info.from = "2024-01-01T00:00:00Z";
  info.to = "2024-02-05T00:00:00Z";
  info.step = "1h";
  info.command_line = "mullet backtest examples/west_texas.yaml --from 2024-01-01 --to 2024-02-05";
  return info;
}

std::string Render(const std::vector<ScenarioRuns>& scenarios,
                   const ReportInfo& info = MakeInfo()) {
  std::ostringstream out;
  WriteReportHtml(info, scenarios, out);
  return out.str();
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// "nan", "inf" (any case) as words: what a bad number prints as.
bool HasNonFiniteText(const std::string& html) {
  static const std::regex kBad("(^|[^a-z])(nan|inf|infinity)([^a-z]|$)", std::regex::icase);
  return std::regex_search(html, kBad);
}

class ReportHtmlTest : public ::testing::Test {
 protected:
  // 35 days hourly: January and a few days of February 2024.
  std::vector<ScenarioRuns> scenarios_ = MakeScenarios(Jan1(2024), 35 * 24);
  std::string html_ = Render(scenarios_);
};

TEST_F(ReportHtmlTest, StartsWithDoctypeAndCloses) {
  EXPECT_TRUE(html_.starts_with("<!DOCTYPE html>")) << html_.substr(0, 40);
  EXPECT_TRUE(html_.ends_with("</html>\n"));
  if (const char* path = std::getenv("MULLET_SAMPLE_REPORT")) std::ofstream(path) << html_;
}

TEST_F(ReportHtmlTest, EscapesEveryUserString) {
  EXPECT_EQ(html_.find("<script"), std::string::npos);
  EXPECT_NE(html_.find(kNastyLoadEscaped), std::string::npos);
  EXPECT_NE(html_.find("West Texas &lt;Site&gt; &amp; Sons"), std::string::npos);
  EXPECT_NE(html_.find("mostly mining &amp; 4CP"), std::string::npos);
  EXPECT_EQ(html_.find("mostly mining & 4CP"), std::string::npos);
  EXPECT_EQ(html_.find("<Site>"), std::string::npos);
}

TEST_F(ReportHtmlTest, IsSelfContained) {
  EXPECT_EQ(html_.find("http://"), std::string::npos);
  EXPECT_EQ(html_.find("https://"), std::string::npos);
  EXPECT_EQ(html_.find("src="), std::string::npos);
  EXPECT_EQ(html_.find("url("), std::string::npos);
  EXPECT_EQ(html_.find("@import"), std::string::npos);
  EXPECT_EQ(html_.find("<link"), std::string::npos);
}

TEST_F(ReportHtmlTest, HasEverySectionInOrder) {
  std::size_t at = 0;
  for (const char* heading : {"<h2>Setup</h2>", "<h2>Headline</h2>", "<h2>mullet vs baselines</h2>",
                              "<h2>Power stack by tier</h2>", "<h2>Power price and mining</h2>",
                              "<h2>Cumulative profit</h2>", "<h2>Monthly books</h2>",
                              "<h2>Loads</h2>", "<h2>How to read this</h2>"}) {
    const auto found = html_.find(heading, at);
    ASSERT_NE(found, std::string::npos) << heading << " missing or out of order";
    at = found;
  }
}

TEST_F(ReportHtmlTest, NamesEveryScenarioAndSetup) {
  EXPECT_NE(html_.find("hybrid 25 MW AI"), std::string::npos);
  EXPECT_NE(html_.find("mostly mining &amp; 4CP"), std::string::npos);
  EXPECT_NE(html_.find("ercot_dam_spp_hourly_2021_2024.csv:hb_west"), std::string::npos);
  EXPECT_NE(html_.find("--from 2024-01-01 --to 2024-02-05"), std::string::npos);
}

TEST_F(ReportHtmlTest, FormatsHeadlineMoneyAndHighlightsBest) {
  scenarios_[1].runs[0].summary.profit_usd = 1234567.4;
  scenarios_[1].runs[1].summary.profit_usd = -1234.2;
  for (auto& sc : scenarios_) {
    for (auto& r : sc.runs) r.summary.profit_usd = std::min(r.summary.profit_usd, 1234567.4);
  }
  scenarios_[0].runs[0].summary.profit_usd = 99;
  for (auto& sc : scenarios_) {
    for (auto& r : sc.runs) {
      r.summary.capital_charge_usd = 0;
      r.summary.profit_after_capital_usd = r.summary.profit_usd;
    }
  }
  const std::string html = Render(scenarios_);
  EXPECT_NE(html.find("<td class=\"num\">$1,234,567</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">-$1,234</td>"), std::string::npos);
  const auto best = html.find("<tr class=\"best\">");
  ASSERT_NE(best, std::string::npos);
  EXPECT_EQ(Count(html, "<tr class=\"best\">"), 1u);
  EXPECT_LT(best, html.find("$1,234,567", best));
  EXPECT_LT(html.find("$1,234,567", best), html.find("</tr>", best));
}

// The highlighted row is the best after capital: a scenario with the largest
// operating profit but a capital charge that outweighs it is not highlighted.
TEST_F(ReportHtmlTest, HighlightsTheBestAfterCapital) {
  for (auto& sc : scenarios_) {
    for (auto& r : sc.runs) {
      r.summary.profit_usd = 1000;
      r.summary.capital_charge_usd = 0;
      r.summary.profit_after_capital_usd = 1000;
    }
  }
  BacktestSummary& built = scenarios_[1].runs[0].summary;
  built.profit_usd = 7'777'777;
  built.capital_charge_usd = 7'000'000;
  built.profit_after_capital_usd = 777'777;
  BacktestSummary& cheap = scenarios_[0].runs[1].summary;
  cheap.profit_usd = 5'555'555;
  cheap.profit_after_capital_usd = 5'555'555;
  const std::string html = Render(scenarios_);
  const auto best = html.find("<tr class=\"best\">");
  ASSERT_NE(best, std::string::npos);
  EXPECT_LT(html.find("$5,555,555", best), html.find("</tr>", best));
  EXPECT_GT(html.find("$7,777,777"), html.find("</tr>", best));  // not the highlighted row
  EXPECT_NE(html.find("$7,000,000"), std::string::npos);           // its capital charge is shown
}

TEST_F(ReportHtmlTest, ShowsAvailabilityWithoutRoundingUpTo100) {
  EXPECT_NE(html_.find("99.996 %"), std::string::npos);
  EXPECT_NE(html_.find("100.00 %"), std::string::npos);
}

TEST_F(ReportHtmlTest, HasMonthRowsAndTotals) {
  EXPECT_NE(html_.find("<td>2024-01</td>"), std::string::npos);
  EXPECT_NE(html_.find("<td>2024-02</td>"), std::string::npos);
  EXPECT_EQ(Count(html_, "<tr class=\"total\">"), scenarios_.size());
}

TEST_F(ReportHtmlTest, DrawsOneSvgPerChart) {
  // Power stack and price per scenario, one cumulative profit chart.
  EXPECT_EQ(Count(html_, "<svg"), 2 * scenarios_.size() + 1);
  EXPECT_EQ(Count(html_, "</svg>"), 2 * scenarios_.size() + 1);
}

TEST_F(ReportHtmlTest, ExplainsTheDifferenceToTheBaseline) {
  const BacktestSummary& a = scenarios_[0].runs[0].summary;
  const BacktestSummary& b = scenarios_[0].runs[1].summary;
  ASSERT_GT(a.profit_usd, b.profit_usd);
  const std::string expected =
      "mullet earned " + report::Money(a.profit_usd - b.profit_usd) + " more than strike-price";
  EXPECT_NE(html_.find(expected), std::string::npos) << expected;
  EXPECT_NE(html_.find("machine-hours"), std::string::npos);
  EXPECT_NE(html_.find("hours priced above $1,000/MWh"), std::string::npos);
  EXPECT_NE(html_.find("<code>curtail-above-strike</code>"), std::string::npos);
}

// Hours by reason of a miner group are machine-hours (issue 8): 1000 units,
// hour 1 cut by the interconnect with 857 hashing (143 units x 1 h curtailed),
// hour 2 all 1000 at full (1000 machine-hours mining).
TEST(ReasonHoursTest, MinerGroupsCountMachineHours) {
  BacktestResult r;
  r.summary.steps = 2;
  r.summary.hours = 2;
  r.times = {*ParseUtcTimestamp("2024-01-01T00:00:00Z"), *ParseUtcTimestamp("2024-01-01T01:00:00Z")};
  r.loads = {{"s21", LoadKind::kMinerGroup, Megawatts(3.5), 0, 1000}};
  r.load_mw = {3.0f, 3.5f};
  r.load_reason = {Reason::kCurtailInterconnect, Reason::kMineFull};
  r.load_units = {857, 1000};
  const report::ReasonHours h = report::LoadReasonHours(r, 0);
  EXPECT_DOUBLE_EQ(h[static_cast<std::size_t>(Reason::kCurtailInterconnect)], 143);
  EXPECT_DOUBLE_EQ(h[static_cast<std::size_t>(Reason::kMineFull)], 1000);
  // Without units (an older result), a step counts its hours once.
  r.load_units.clear();
  const report::ReasonHours g = report::LoadReasonHours(r, 0);
  EXPECT_DOUBLE_EQ(g[static_cast<std::size_t>(Reason::kCurtailInterconnect)], 1);
}

TEST_F(ReportHtmlTest, ListsLoadsWithKindAndTopReasons) {
  EXPECT_NE(html_.find("<td>colocation</td>"), std::string::npos);
  EXPECT_NE(html_.find("<td>miners</td>"), std::string::npos);
  EXPECT_NE(html_.find("S21 hall A"), std::string::npos);
  EXPECT_NE(html_.find("<code>mine-full</code>"), std::string::npos);
}

TEST_F(ReportHtmlTest, ExplainsOnlyTheReasonCodesSeen) {
  const std::string guide = html_.substr(html_.find("<h2>How to read this</h2>"));
  EXPECT_NE(guide.find("<code>dr-event</code>"), std::string::npos);
  EXPECT_NE(guide.find("demand-response target"), std::string::npos);
  EXPECT_NE(guide.find("<code>curtail-above-strike</code>"), std::string::npos);
  EXPECT_EQ(guide.find("<code>cooling-derate</code>"), std::string::npos);
  EXPECT_EQ(guide.find("<code>curtail-4cp-peak</code>"), std::string::npos);
}

TEST_F(ReportHtmlTest, PrintsNoNonFiniteNumbers) {
  EXPECT_FALSE(HasNonFiniteText(html_));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  BacktestResult& r = scenarios_[0].runs[0];
  r.price[5] = static_cast<float>(nan);
  r.mining_mw[6] = static_cast<float>(inf);
  r.profit_usd[7] = static_cast<float>(-inf);
  r.summary.profit_usd = nan;
  r.summary.mining_uptime = inf;
  r.summary.months[0].power_cost_usd = nan;
  EXPECT_FALSE(HasNonFiniteText(Render(scenarios_)));
}

TEST(ReportHtmlEdgeTest, RendersEmptyInputs) {
  const std::string none = Render({});
  EXPECT_TRUE(none.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(Count(none, "<svg"), 1u);  // the cumulative profit chart, saying "no data"
  EXPECT_FALSE(HasNonFiniteText(none));

  std::vector<ScenarioRuns> empty_runs = {{"empty", {BacktestResult{}, BacktestResult{}}},
                                          {"no runs", {}}};
  const std::string html = Render(empty_runs, ReportInfo{});
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_NE(html.find("no data"), std::string::npos);
  EXPECT_FALSE(HasNonFiniteText(html));
}

TEST(ReportHtmlEdgeTest, SingleStepRunHasNoZeroRangeTrouble) {
  std::vector<ScenarioRuns> one = {{"one", {MakeRun("one", true, Jan1(2024), 1)}}};
  const std::string html = Render(one);
  EXPECT_EQ(Count(html, "<svg"), 3u);
  EXPECT_FALSE(HasNonFiniteText(html));
}

TEST(ReportHtmlEdgeTest, FourYearsHourlyStaysSmall) {
  const std::size_t steps = 35064;  // 2021-01-01 to 2025-01-01
  const std::string html = Render(MakeScenarios(Jan1(2021), steps));
  EXPECT_LT(html.size(), 2u << 20);
  EXPECT_NE(html.find("each point covers one day (1,461 points)"), std::string::npos);
  // Every polyline and polygon stays under 3000 points.
  static const std::regex kPoints("points=\"([^\"]*)\"");
  std::size_t shapes = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kPoints);
       it != std::sregex_iterator(); ++it, ++shapes) {
    const std::string pts = (*it)[1];
    EXPECT_LT(static_cast<std::size_t>(std::count(pts.begin(), pts.end(), ' ')) + 1, 3000u);
  }
  EXPECT_GT(shapes, 10u);
  EXPECT_NE(html.find("<td>2024-12</td>"), std::string::npos);
  EXPECT_FALSE(HasNonFiniteText(html));
}

// ---- The building blocks.

TEST(ReportSvgTest, EscapesHtml) {
  EXPECT_EQ(report::HtmlEscape("<a href='x'>\"&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(report::HtmlEscape("plain"), "plain");
}

TEST(ReportSvgTest, FormatsMoneyAndNumbers) {
  EXPECT_EQ(report::Money(1234567.4), "$1,234,567");
  EXPECT_EQ(report::Money(-1234), "-$1,234");
  EXPECT_EQ(report::Money(-0.2), "$0");
  EXPECT_EQ(report::Money(999.5), "$1,000");
  EXPECT_EQ(report::Grouped(1234.567, 2), "1,234.57");
  EXPECT_EQ(report::Grouped(std::nan("")), "0");
  EXPECT_EQ(report::MoneyShort(2.5e6), "$2.5M");
  EXPECT_EQ(report::MoneyShort(-350000), "-$350k");
  EXPECT_EQ(report::Percent(0.87654), "87.65 %");
  EXPECT_EQ(report::Percent(0.99996, true), "99.996 %");
  EXPECT_EQ(report::Percent(0.9999999, true), "100.0000 %");
  EXPECT_EQ(report::Percent(1, true), "100.00 %");
  EXPECT_EQ(report::Fixed(-0.01, 1), "0.0");
  EXPECT_EQ(report::Fixed(std::numeric_limits<double>::infinity(), 1), "0.0");
}

TEST(ReportSvgTest, DownsamplesToCalendarFriendlyPoints) {
  EXPECT_EQ(report::StepsPerPoint(72, 1, 1500), 1u);
  EXPECT_EQ(report::StepsPerPoint(35064, 1, 1500), 24u);  // daily
  EXPECT_EQ(report::StepsPerPoint(8784, 1, 1500), 6u);
  EXPECT_EQ(report::StepsPerPoint(43830, 1, 1500), 48u);
  EXPECT_EQ(report::StepsPerPoint(105120, 1.0 / 12, 1500), 72u);  // 5-min, a year: 6 h
  std::vector<UtcTime> t;
  for (int h = 0; h < 5; ++h) t.push_back(Jan1(2024) + hours(h));
  const auto d = report::Downsample(t, {1, 3, std::nanf(""), 9, 2}, 2);
  ASSERT_EQ(d.times.size(), 3u);
  EXPECT_EQ(d.times[1], Jan1(2024) + hours(2));
  EXPECT_DOUBLE_EQ(d.mean[0], 2);
  EXPECT_DOUBLE_EQ(d.max[0], 3);
  EXPECT_DOUBLE_EQ(d.mean[1], 9);  // NaN skipped
  EXPECT_DOUBLE_EQ(d.mean[2], 2);
}

TEST(ReportSvgTest, PicksRoundTimeTicks) {
  const auto days = report::TimeTicks(Jan1(2024), Jan1(2024) + hours(72), 9);
  ASSERT_FALSE(days.empty());
  EXPECT_EQ(days.front().label, "01-01 00:00");
  const auto years = report::TimeTicks(Jan1(2021), Jan1(2025), 9);
  ASSERT_FALSE(years.empty());
  EXPECT_LE(years.size(), 9u);
  EXPECT_EQ(years.front().label, "2021-01");
}

TEST(ReportSvgTest, SymLogAxisKeepsSpikesAndOrdinaryPricesApart) {
  const report::Axis axis = report::SymLogAxis(-20, 9000, "$/MWh");
  EXPECT_DOUBLE_EQ(axis.Fraction(-20), 0);
  EXPECT_DOUBLE_EQ(axis.Fraction(9000), 1);
  EXPECT_GT(axis.Fraction(50) - axis.Fraction(0), 0.2);  // ordinary hours get room
  EXPECT_DOUBLE_EQ(axis.Fraction(1e9), 1);               // clipped to the frame
  ASSERT_EQ(axis.ticks.size(), axis.labels.size());
  for (double t : axis.ticks) {
    EXPECT_GE(t, -20);
    EXPECT_LE(t, 9000);
  }
  EXPECT_NE(std::find(axis.labels.begin(), axis.labels.end(), "$1,000"), axis.labels.end());
}

TEST(ReportSvgTest, PrintsSignificantDigits) {
  EXPECT_EQ(report::Significant(0.041532), "0.0415");
  EXPECT_EQ(report::Significant(35.21), "35.2");
  EXPECT_EQ(report::Significant(123456.7), "123,457");
  EXPECT_EQ(report::Significant(-0.00123456, 2), "-0.0012");
  EXPECT_EQ(report::Significant(0), "0");
  EXPECT_EQ(report::Significant(std::nan("")), "0");
}

TEST(ReportSvgTest, LogAxisWidensToRoundNumbersAndSpacesFactorsEvenly) {
  const report::Axis axis = report::LogAxis(27000, 332000, report::MoneyShort, "USD");
  EXPECT_DOUBLE_EQ(axis.lo, 20000);
  EXPECT_DOUBLE_EQ(axis.hi, 500000);
  // A factor of ten takes the same height wherever it is.
  EXPECT_NEAR(axis.Fraction(200000) - axis.Fraction(20000), std::log10(10) / std::log10(25), 1e-12);
  EXPECT_DOUBLE_EQ(axis.Fraction(0), 0);  // not on a log axis: at the bottom
  EXPECT_NE(std::find(axis.labels.begin(), axis.labels.end(), "$100k"), axis.labels.end());
  EXPECT_NE(std::find(axis.labels.begin(), axis.labels.end(), "$50k"), axis.labels.end());
  // A narrow range still gets ticks between its ends.
  const report::Axis narrow = report::LogAxis(31, 48, report::TickLabel, "");
  EXPECT_GE(narrow.ticks.size(), 3u);
  // No usable range: a factor of ten below the top.
  const report::Axis bad = report::LogAxis(-5, 100, report::TickLabel, "");
  EXPECT_DOUBLE_EQ(bad.lo, 10);
  EXPECT_DOUBLE_EQ(bad.hi, 100);
}

TEST(ReportSvgTest, BandRunsAlongTheTopAndBackAlongTheBottom) {
  report::SvgChart chart(Jan1(2024), Jan1(2024) + hours(2),
                         report::LinearAxis(0, 10, report::TickLabel, ""), std::nullopt,
                         {200, 100, 11});
  chart.Band({Jan1(2024), Jan1(2024) + hours(2)}, {0, 0}, {10, 10}, "#abcdef", 1, "band");
  const std::string svg = chart.Svg("band chart");
  // Plot from x 72 to 176, y 24 to 72: top left, top right, bottom right, bottom left.
  EXPECT_NE(svg.find("points=\"72.0,24.0 176.0,24.0 176.0,72.0 72.0,72.0\""), std::string::npos)
      << svg;
  EXPECT_NE(svg.find("viewBox=\"0 0 200 100\""), std::string::npos);
}

TEST(ReportSvgTest, XyChartPlacesBarsMarkersAndLabelledPoints) {
  report::XyChart chart(report::LinearAxis(0, 100, report::TickLabel, "x"),
                        report::LinearAxis(0, 10, report::TickLabel, "y"), {600, 300, 13});
  chart.Bar(0, 50, 10, "#123456", "<first>");
  chart.Bar(50, 100, 5, "#123456", "second");
  chart.Marker(50, "#000", "4 3", "p50");
  chart.Point(20, 5, "#f00", "A & B");
  chart.Point(21, 5, "#f00", "close to A");
  const std::string svg = chart.Svg("xy");
  EXPECT_NE(svg.find("<title>&lt;first&gt;</title>"), std::string::npos);
  // The plot spans x 84..576: the first bar is the left half, full height.
  EXPECT_NE(svg.find("<rect class=\"bar\" x=\"84.0\" y=\"28.0\" width=\"246.0\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("<line x1=\"330.0\" x2=\"330.0\""), std::string::npos);
  EXPECT_NE(svg.find(">A &amp; B</text>"), std::string::npos);
  // The second label is moved below the first rather than over it.
  const auto y_of = [&](const std::string& label) {
    const auto end = svg.find(">" + label + "</text>");
    const auto y = svg.rfind(" y=\"", end);
    return std::stod(svg.substr(y + 4));
  };
  EXPECT_GE(y_of("close to A") - y_of("A &amp; B"), 13);
}

}  // namespace
}  // namespace mullet
