// The planner's runs: the same numbers whatever the threads or shards; the
// plan file's errors name the file, line and field.

#include "planner/plan_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>

#include "core/asic/catalog.h"
#include "data/history.h"
#include "plan/finance.h"
#include "planner/plan_spec.h"
#include "planner/plan_output.h"
#include "site/site_config.h"
#include "sim/backtest.h"
#include "common/example_history.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  PlanSpec plan;
  std::vector<Scenario> scenarios;
  std::unique_ptr<PlanRunner> runner;
};

// HB_WEST's day-ahead history cut into the plan's days (null, with a
// failure, if it does not load).
std::shared_ptr<PowerPriceModel> HbWestDays() {
  Result<HourlyPrices> power = LoadHourlyPrices(fs::path(MULLET_SHARED_DATA) / data_files::kErcotDam, "hb_west");
  EXPECT_TRUE(power.ok());
  if (!power.ok()) return nullptr;
  return std::make_shared<PowerPriceModel>(
      *PowerPriceModel::Create(*PowerDaysFromHours(power->hours, power->prices[0], kPlanDayStartUtc)));
}

// The example plan over 2 years, changed by `edit` before the runner is made.
Fixture Load(const std::function<void(PlanSpec&)>& edit = {}) {
  Fixture f;
  Result<PlanSpec> p = LoadPlanFile(fs::path(MULLET_EXAMPLES) / "plan.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  f.plan = *p;
  f.plan.years = 2;  // short: the test checks arithmetic, not the horizon
  if (edit) edit(f.plan);
  Result<std::vector<Scenario>> s = LoadSiteFile(f.plan.site_file, AsicCatalog::BuiltIn());
  EXPECT_TRUE(s.ok()) << s.status().message();
  f.scenarios = *s;
  const Scenario* base = &f.scenarios.front();
  for (const Scenario& sc : f.scenarios) {
    if (sc.name == f.plan.scenario) base = &sc;
  }
  PlanMarkets m;
  Result<PriceDaily> btc = LoadPriceDaily(fs::path(MULLET_SHARED_DATA) / data_files::kPriceDaily);
  EXPECT_TRUE(btc.ok());
  std::vector<UsdPerBtc> closes;
  for (const PriceDay& d : btc->days) closes.push_back(d.close);
  m.btc = std::make_shared<BtcPriceModel>(*BtcPriceModel::Create(*DailyLogReturns(closes)));
  m.power = HbWestDays();
  m.hashrate.growth_at_reference = 0.002;
  m.hashrate.sensitivity = 0.0017;
  m.hashrate.reference_hashprice = UsdPerTerahashDay(0.05);
  m.hashrate.noise_per_day = 0.017;
  Result<std::unique_ptr<PlanRunner>> r = PlanRunner::Create(f.plan, base->site, m);
  EXPECT_TRUE(r.ok()) << r.status().message();
  f.runner = std::move(r).value();
  return f;
}

void ExpectSame(const PlanResults& a, const PlanResults& b) {
  ASSERT_EQ(a.count, b.count);
  ASSERT_EQ(a.outcomes.size(), b.outcomes.size());
  EXPECT_EQ(0, std::memcmp(a.outcomes.data(), b.outcomes.data(), a.outcomes.size() * sizeof(DecisionOutcome)));
  EXPECT_EQ(a.cash, b.cash);
  EXPECT_EQ(a.market, b.market);
}

TEST(PlanRunTest, SameNumbersWhateverTheThreadsAndShards) {
  Fixture f = Load();
  ASSERT_TRUE(f.runner);
  const PlanResults one = f.runner->Run(7, 0, 6, 1);
  // Two threads in blocks of one path: both build table cells at once.
  const PlanResults two = f.runner->Run(7, 0, 6, 2, {}, 1);
  ExpectSame(one, two);
  // Three shards of unequal sizes, written, read back in another order, merged.
  const fs::path dir = fs::temp_directory_path() / ("mullet_plan_shards_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ASSERT_TRUE(WriteShard(dir / "c", "fp", f.runner->Run(7, 4, 2, 1)).ok());
  ASSERT_TRUE(WriteShard(dir / "a", "fp", f.runner->Run(7, 0, 1, 2)).ok());
  ASSERT_TRUE(WriteShard(dir / "b", "fp", f.runner->Run(7, 1, 3, 1)).ok());
  std::string fp;
  Result<PlanResults> merged = ReadShards({dir / "c", dir / "a", dir / "b"}, &fp);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(fp, "fp");
  ExpectSame(one, *merged);
  EXPECT_EQ(PlanSummary(f.plan, f.runner->markets(), one, {}).dump(),
            PlanSummary(f.plan, f.runner->markets(), *merged, {}).dump());
  // A gap is refused, naming the path expected.
  Result<PlanResults> gap = ReadShards({dir / "a", dir / "c"}, &fp);
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.status().message().find("expected path 1"), std::string::npos) << gap.status().message();
  fs::remove_all(dir);
  // Another seed, other numbers: the seed is really used.
  const PlanResults other = f.runner->Run(8, 0, 6, 1);
  EXPECT_NE(one.outcomes[0].npv_usd, other.outcomes[0].npv_usd);
}

// The tabulated site-day (the default) against the hour-by-hour one on the
// same drawn paths: every decision's NPV, BTC and direct cost per BTC, path
// by path, a demand-response program's included. Measured on 24 paths over 2 years: NPV off by 0.52 % of its
// spread across paths on the worst path, 0.04 % on the mean; BTC 0.25 % on
// the worst; direct cost per BTC 1.1 % on the worst, 0.09 % on the mean.
// A decision of the example plan enrolled in a demand-response program
// whose events bind (mornings, when the site mines).
void AddMorningProgram(PlanSpec& p) {
  Decision d = p.decisions.front();
  d.name = "stay-mining-dr";
  DemandResponseProgram dr;
  dr.events_per_year = 12;
  dr.start_hour = 9;
  dr.hours = 3;
  dr.reduce_by_mw = 40;
  dr.credit_usd_per_mwh = 300;
  dr.capacity_usd_per_mw_month = 2000;
  d.demand_response = dr;
  p.decisions.push_back(d);
}

TEST(PlanRunTest, TheTabulatedPlanAgreesWithTheHourlyOne) {
  Fixture table = Load(AddMorningProgram);
  Fixture hourly = Load([](PlanSpec& p) {
    AddMorningProgram(p);
    p.dispatch = "hourly";
  });
  ASSERT_TRUE(table.runner && hourly.runner);
  ASSERT_EQ(table.plan.dispatch, "table");
  const PlanResults t = table.runner->Run(3, 0, 24, 2);
  const PlanResults h = hourly.runner->Run(3, 0, 24, 2);
  EXPECT_GT(table.runner->table_cells(), 0u);
  EXPECT_EQ(hourly.runner->table_cells(), 0u);
  EXPECT_EQ(t.market, h.market);  // the same paths
  const std::size_t nd = table.plan.decisions.size();
  double npv_worst = 0, npv_bias = 0, btc_worst = 0, cost_worst = 0, cost_bias = 0;
  for (std::size_t d = 0; d < nd; ++d) {
    // NPV against its spread across paths (the hourly plan's standard deviation).
    double mean = 0, var = 0, diff = 0, cost_diff = 0;
    for (std::size_t i = 0; i < t.count; ++i) mean += h.outcomes[i * nd + d].npv_usd / t.count;
    for (std::size_t i = 0; i < t.count; ++i) {
      const DecisionOutcome& a = t.outcomes[i * nd + d];
      const DecisionOutcome& b = h.outcomes[i * nd + d];
      var += (b.npv_usd - mean) * (b.npv_usd - mean) / (t.count - 1);
      diff += (a.npv_usd - b.npv_usd) / t.count;
      btc_worst = std::max(btc_worst, std::abs(a.btc_mined - b.btc_mined) / b.btc_mined);
      const double c = (a.cost_per_btc_direct - b.cost_per_btc_direct) / b.cost_per_btc_direct;
      cost_worst = std::max(cost_worst, std::abs(c));
      cost_diff += c / t.count;
    }
    for (std::size_t i = 0; i < t.count; ++i) {
      npv_worst = std::max(npv_worst, std::abs(t.outcomes[i * nd + d].npv_usd - h.outcomes[i * nd + d].npv_usd) /
                                          std::sqrt(var));
    }
    npv_bias = std::max(npv_bias, std::abs(diff) / std::sqrt(var));
    cost_bias = std::max(cost_bias, std::abs(cost_diff));
  }
  std::printf(
      "tabulated against hourly: NPV worst path %.3f%%, mean %.3f%% of its spread; BTC worst %.3f%%; "
      "direct cost/BTC worst %.3f%%, mean %.3f%%\n",
      100 * npv_worst, 100 * npv_bias, 100 * btc_worst, 100 * cost_worst, 100 * cost_bias);
  EXPECT_LT(npv_worst, 0.02);
  EXPECT_LT(npv_bias, 0.005);
  EXPECT_LT(btc_worst, 0.005);
  EXPECT_LT(cost_worst, 0.02);
  EXPECT_LT(cost_bias, 0.003);
}

// A demand-response program: with no events its capacity payment alone
// moves the flows (no tax here), so NPV differs by the payments discounted
// and the terminal multiple on a year of them; with events that bind, less
// BTC is mined and the credits are paid.
TEST(PlanRunTest, ADemandResponseProgramPaysItsCapacityAndCurtailsOnItsEvents) {
  for (const char* dispatch : {"table", "hourly"}) {
    Fixture f = Load([&](PlanSpec& p) {
      p.dispatch = dispatch;
      p.tax_rate = 0;
      AddMorningProgram(p);
      Decision quiet = p.decisions.back();
      quiet.name = "no-events";
      quiet.demand_response->events_per_year = 0;
      p.decisions.push_back(quiet);
    });
    ASSERT_TRUE(f.runner);
    const std::size_t nd = f.plan.decisions.size();
    const std::size_t base = 0, events = nd - 2, quiet = nd - 1;
    const PlanResults r = f.runner->Run(11, 0, 8, 2);
    const double monthly = 2000.0 * 40;
    double pv = 0;
    for (int m = 1; m <= f.plan.months(); ++m) pv += monthly / std::pow(1 + f.plan.discount_rate, m / 12.0);
    pv += f.plan.terminal_ebitda_multiple * 12 * monthly / std::pow(1 + f.plan.discount_rate, f.plan.months() / 12.0);
    for (std::size_t i = 0; i < r.count; ++i) {
      const DecisionOutcome& b = r.outcomes[i * nd + base];
      const DecisionOutcome& q = r.outcomes[i * nd + quiet];
      const DecisionOutcome& e = r.outcomes[i * nd + events];
      EXPECT_NEAR(q.npv_usd - b.npv_usd, pv, 1e-6 * pv) << dispatch << " path " << i;
      EXPECT_EQ(q.btc_mined, b.btc_mined) << dispatch;
      EXPECT_LT(e.btc_mined, b.btc_mined) << dispatch << " path " << i;
      // About 12 events of 3 hours a year, 40 MW each: some 2 % of a
      // 100 MW site's hours, far less of its BTC.
      EXPECT_GT(e.btc_mined, 0.99 * b.btc_mined) << dispatch;
      EXPECT_GT(e.ebitda_usd - q.ebitda_usd, -0.01 * b.ebitda_usd) << dispatch;
    }
  }
}

// Where an event falls in the plan's day (06:00 to 06:00 UTC) and on which
// local date: at Central daylight time the day's local date is the plan
// day's; east of UTC an early-morning event is the next local date.
TEST(PlanSpecTest, AnEventsHourAndDateInThePlanDay) {
  DemandResponseProgram p;
  p.start_hour = 15;
  p.utc_offset_hours = -5;
  EXPECT_EQ(EventStartInPlanDay(p), 14);  // 20:00 UTC
  EXPECT_EQ(EventDateShift(p), 0);
  p.start_hour = 17;
  p.utc_offset_hours = 10;  // the plan day starts at 16:00 local
  EXPECT_EQ(EventStartInPlanDay(p), 1);
  EXPECT_EQ(EventDateShift(p), 0);
  p.start_hour = 3;  // 17:00 UTC, 03:00 of the next local date
  EXPECT_EQ(EventStartInPlanDay(p), 11);
  EXPECT_EQ(EventDateShift(p), 1);
}

// A replayed path's events are checked against the plan's programs: one
// list per program, a value per day, and only on days an event may fall on.
TEST(PlanRunTest, AReplaysEventsAreChecked) {
  Result<PlanSpec> p = LoadPlanFile(fs::path(MULLET_EXAMPLES) / "plan.yaml");
  ASSERT_TRUE(p.ok());
  PlanSpec plan = *p;
  plan.start = Date(std::chrono::year(2022) / 1 / 1);
  plan.years = 1;
  AddMorningProgram(plan);
  const std::vector<Scenario> scenarios = testing_history::LoadExample("hybrid_west_texas.yaml");
  const Scenario& base = scenarios[1];
  ASSERT_EQ(base.name, "all-mining");
  PlanMarkets markets;
  markets.power = HbWestDays();
  ASSERT_TRUE(markets.power);
  auto replay = std::make_shared<PathMarkets>();
  for (int d = 0; d < 365; ++d) {
    replay->price.push_back(40000);
    replay->hashprice.push_back(0.08);
    replay->btc_per_th.push_back(2e-6);
    replay->hashrate.push_back(0);
    replay->power_day.push_back(static_cast<std::uint32_t>(d));
  }
  auto with_events = [&](std::vector<std::vector<std::uint8_t>> events) {
    auto r = std::make_shared<PathMarkets>(*replay);
    r->dr_event = std::move(events);
    PlanMarkets m = markets;
    m.replay = r;
    return PlanRunner::Create(plan, base.site, m);
  };
  EXPECT_TRUE(with_events({}).ok());  // no events
  std::vector<std::uint8_t> days(365, 0);
  days[180] = 1;  // 2022-06-30, a Thursday in June
  Result<std::unique_ptr<PlanRunner>> one = with_events({days});
  ASSERT_TRUE(one.ok()) << one.status().message();
  const PlanResults r = (*one)->Run(1, 0, 1, 1);
  const std::size_t nd = plan.decisions.size();
  EXPECT_LT(r.outcomes[nd - 1].btc_mined, r.outcomes[0].btc_mined);  // the event cost BTC
  EXPECT_FALSE(with_events({days, days}).ok());
  EXPECT_FALSE(with_events({std::vector<std::uint8_t>(364, 0)}).ok());
  days[183] = 1;  // 2022-07-03, a Sunday
  Result<std::unique_ptr<PlanRunner>> sunday = with_events({days});
  ASSERT_FALSE(sunday.ok());
  EXPECT_NE(sunday.status().message().find("day 183 is not one the program's events may fall on"), std::string::npos)
      << sunday.status().message();
}

TEST(PlanRunTest, ConvertingMovesMiningToRent) {
  Fixture f = Load();
  ASSERT_TRUE(f.runner);
  const PlanResults r = f.runner->Run(3, 0, 4, 2);
  const int nd = r.decisions;
  ASSERT_EQ(nd, 5);
  for (std::uint64_t i = 0; i < r.count; ++i) {
    // Converting the least efficient miners mines less BTC on the same path.
    EXPECT_LT(r.outcomes[i * nd + 1].btc_mined, r.outcomes[i * nd + 0].btc_mined);
    EXPECT_LT(r.outcomes[i * nd + 2].btc_mined, r.outcomes[i * nd + 1].btc_mined);
    EXPECT_GT(r.outcomes[i * nd].btc_mined, 0);
    // Replacing S19j Pro with fewer S21 (twice the hashrate each) mines more.
    EXPECT_GT(r.outcomes[i * nd + 4].btc_mined, r.outcomes[i * nd].btc_mined * 1.05);
    // The first decision is the base: no IRR or payback of its own.
    EXPECT_TRUE(std::isnan(r.outcomes[i * nd].irr));
    EXPECT_TRUE(std::isfinite(r.outcomes[i * nd].npv_usd));
  }
}

// ASICs bought half on a loan: on the same paths the site runs the same, so
// the decision's flows differ from the cash purchase by the loan's alone,
// computed here by hand: +B in the month bought, then twelve annuity
// payments A = B r / (1 - (1 + r)^-12). Taxes off, every BTC sold: nothing
// else moves with cash.
TEST(PlanRunTest, AsicsBoughtOnALoanDifferByTheLoansFlowsAlone) {
  const double share = 0.5, annual = 0.12;
  const int term = 12;
  Fixture f = Load([&](PlanSpec& plan) {
    plan.tax_rate = 0;
    Decision cash = plan.decisions[4];  // refresh-fleet: 4,000 S21 at $3,500 in month 3
    ASSERT_EQ(cash.fleet[1].count, 4000);
    cash.treasury.sell_share = 1;
    Decision loan = cash;
    loan.name = "refresh-on-a-loan";
    loan.fleet[1].debt_share = share;
    loan.fleet[1].debt_annual_rate = annual;
    loan.fleet[1].debt_term_months = term;
    plan.decisions = {cash, loan};
  });
  ASSERT_TRUE(f.runner);
  PlanResults r = f.runner->Run(11, 0, 3, 1);
  const int m0 = 3, months = f.plan.months();
  const double B = 4000 * 3500.0 * share, rate = annual / 12;
  const double A = B * rate / (1 - std::pow(1 + rate, -term));
  std::vector<Usd> diff(static_cast<std::size_t>(months) + 1, Usd(0));
  diff[m0 + 1] = Usd(B);
  for (int j = 1; j <= term; ++j) diff[m0 + 1 + j] = Usd(-A);
  const double npv_diff = NetPresentValue(diff, f.plan.discount_rate).value();
  for (std::uint64_t i = 0; i < r.count; ++i) {
    const DecisionOutcome& a = r.outcomes[i * 2];
    const DecisionOutcome& b = r.outcomes[i * 2 + 1];
    EXPECT_EQ(a.btc_mined, b.btc_mined);
    EXPECT_NEAR(b.npv_usd - a.npv_usd, npv_diff, 1e-3) << "path " << i;
    EXPECT_NEAR((b.cost_per_btc_cash - a.cost_per_btc_cash) * a.btc_mined, term * A - B, 1e-3);
    const float* ca = r.CashOf(i, 0);
    const float* cb = r.CashOf(i, 1);
    EXPECT_NEAR(cb[m0] - ca[m0], B, 64);  // cash is kept as float
    EXPECT_NEAR(cb[m0 + 1] - ca[m0 + 1], B - A, 64);
    EXPECT_NEAR(cb[months - 1] - ca[months - 1], B - term * A, 64);
  }
  // The file's keys, bounded.
  Result<PlanSpec> bad = ParsePlanYaml("p.yaml",
                                       "name: x\nsite: s.yaml\nstart: 2026-01-01\ndecisions:\n  - name: a\n    fleet:\n"
                                       "      - {month: 1, group: g, buy: 2, usd_per_unit: 10, debt_share: 1.5}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fleet[0].debt_share"), std::string::npos) << bad.status().message();
}

// A site of one group "g" of `count` S21.
Site OneGroupSite(int count) {
  Site site;
  MinerGroup g;
  g.name = "g";
  g.model = *AsicCatalog::BuiltIn().Find("Antminer S21");
  g.count = count;
  site.miners.push_back(g);
  return site;
}

// The whole planner (markets, the site by day, months, finance) fed one
// deterministic path, the history of 2022-2023 (no demand-response event
// dated in the site file, which the planner does not model): the decision
// that keeps the site as it is agrees with `mullet backtest` of the same
// scenario over the same days within 0.1 % (the issue asks 1 %; before the
// power days were cut at the plan's day start, it missed by 1.3 %). The planner
// holds a day's hashprice (the mean of its 24 hours here) where the
// backtest changes it at 00:00 UTC, six hours into the planner's day.
TEST(PlanRunTest, HistoryReplayedAgreesWithTheBacktest) {
  Result<PlanSpec> p = LoadPlanFile(fs::path(MULLET_EXAMPLES) / "plan.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  PlanSpec plan = *p;
  plan.start = Date(std::chrono::year(2022) / 1 / 1);
  plan.years = 2;
  const std::vector<Scenario> scenarios = testing_history::LoadExample("hybrid_west_texas.yaml");
  const Scenario* base = nullptr;
  for (const Scenario& sc : scenarios) {
    if (sc.name == plan.scenario) base = &sc;
  }
  ASSERT_NE(base, nullptr);
  ASSERT_EQ(plan.decisions.front().name, "stay-mining");
  ASSERT_TRUE(plan.decisions.front().conversions.empty() && plan.decisions.front().fleet.empty());

  const MarketSeries m = testing_history::History("2022-01-01T06:00:00Z", "2024-01-01T06:00:00Z");
  ASSERT_EQ(m.size(), 730u * 24);
  PlanMarkets markets;
  markets.power = HbWestDays();
  ASSERT_TRUE(markets.power);
  auto replay = std::make_shared<PathMarkets>();
  const std::vector<PowerDay>& days = markets.power->history();
  for (std::size_t d = 0; d < 730; ++d) {
    double hp = 0, bpt = 0;
    for (std::size_t h = d * 24; h < d * 24 + 24; ++h) {
      hp += m.hashprice[h].value() / 24;
      bpt += m.btc_per_th_day[h].value() / 24;
    }
    replay->price.push_back(m.btc_price[d * 24].value());
    replay->hashprice.push_back(hp);
    replay->btc_per_th.push_back(bpt);
    replay->hashrate.push_back(0);  // the fans' only
    const Date date = plan.start + std::chrono::days(d);
    const auto it = std::find_if(days.begin(), days.end(), [&](const PowerDay& x) { return x.date == date; });
    ASSERT_NE(it, days.end()) << "no power day " << d;
    replay->power_day.push_back(static_cast<std::uint32_t>(it - days.begin()));
  }
  markets.replay = replay;
  Result<std::unique_ptr<PlanRunner>> runner = PlanRunner::Create(plan, base->site, markets);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  ASSERT_EQ((*runner)->days(), 730);
  const PlanResults r = (*runner)->Run(1, 0, 2, 2);
  const DecisionOutcome& stay = r.outcomes[0];
  // Every path is the replay.
  EXPECT_EQ(r.outcomes[0].btc_mined, r.outcomes[plan.decisions.size()].btc_mined);

  BacktestOptions o;
  o.series = false;
  const BacktestSummary bt = RunBacktest(*base, m, PolicyKind::kMullet, o).summary;
  ASSERT_GT(bt.btc_mined, 0);
  auto within = [](double planned, double replayed, double tolerance) {
    return std::abs(planned - replayed) <= tolerance * std::abs(replayed);
  };
  EXPECT_PRED3(within, stay.btc_mined, bt.btc_mined, 1e-3);
  EXPECT_PRED3(within, stay.cost_per_btc_direct, bt.direct_cost_per_btc_usd, 1e-3);
  // The plan's EBITDA is the backtest's operating profit less the plan's overhead.
  EXPECT_PRED3(within, stay.ebitda_usd + plan.overhead_usd_per_month * plan.months(), bt.profit_usd, 1e-3);
  std::printf("replay of 2022-2023: BTC %.3f vs %.3f, direct cost/BTC %.0f vs %.0f, profit %.0f vs %.0f\n",
              stay.btc_mined, bt.btc_mined, stay.cost_per_btc_direct, bt.direct_cost_per_btc_usd,
              stay.ebitda_usd + plan.overhead_usd_per_month * plan.months(), bt.profit_usd);
}

TEST(PlanSpecTest, FleetChangesApplyFromTheirMonth) {
  const char* text =
      "name: x\nsite: s.yaml\nstart: 2026-01-01\ndecisions:\n  - name: a\n    fleet:\n"
      "      - {month: 2, group: g, retire: 3, salvage_usd_per_unit: 100}\n"
      "      - {month: 4, group: g, buy: 5, usd_per_unit: 3000}\n";
  Result<PlanSpec> p = ParsePlanYaml("plan.yaml", text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  const Site site = OneGroupSite(10);
  auto count = [&](int month) { return SiteInMonth(site, p->decisions[0], month)->miners[0].count; };
  EXPECT_EQ(count(1), 10);
  EXPECT_EQ(count(2), 7);
  EXPECT_EQ(count(4), 12);
  Result<PlanSpec> both = ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\ndecisions:\n"
                                                     "  - name: a\n    fleet: [{month: 1, group: g, buy: 2, retire: 1}]\n");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("decisions[0].fleet[0]: give one of buy or retire"), std::string::npos)
      << both.status().message();
}

TEST(PlanSpecTest, AVacantLeaseLeavesTheSiteAtItsTermsEnd) {
  const char* text =
      "name: x\nsite: s.yaml\nstart: 2026-01-01\ndecisions:\n  - name: a\n    conversions:\n"
      "      - {mw: 1.08, start_month: 0, build_months: 6, capex_usd_per_mw: 9e6,\n"
      "         lease: {usd_per_kw_month: 120, term_months: 24, at_term_end: vacant}}\n";
  Result<PlanSpec> p = ParsePlanYaml("plan.yaml", text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  const Site site = OneGroupSite(1000);
  auto leases = [&](int month) { return SiteInMonth(site, p->decisions[0], month)->leases.size(); };
  EXPECT_EQ(leases(5), 0u);   // works
  EXPECT_EQ(leases(6), 1u);   // the lease begins
  EXPECT_EQ(leases(29), 1u);
  EXPECT_EQ(leases(30), 0u);  // 24 months later: vacant
  EXPECT_LT(SiteInMonth(site, p->decisions[0], 30)->miners[0].count, 1000);  // the miners stay converted
}

TEST(PlanSpecTest, AGridExpandsIntoEveryCombination) {
  const char* text =
      "name: x\nsite: s.yaml\nstart: 2026-01-01\ndecisions:\n  - name: hold\n"
      "  - name: convert-{mw}mw-m{start_month}\n    grid: {mw: [10, 20, 30], start_month: [0, 12]}\n"
      "    conversions:\n      - {mw: 1, capex_usd_per_mw: 9e6, lease: {usd_per_kw_month: 120}}\n";
  Result<PlanSpec> p = ParsePlanYaml("plan.yaml", text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->decisions.size(), 7u);
  EXPECT_EQ(p->decisions[1].name, "convert-10mw-m0");
  EXPECT_EQ(p->decisions[2].name, "convert-10mw-m12");
  EXPECT_EQ(p->decisions[6].name, "convert-30mw-m12");
  EXPECT_EQ(p->decisions[6].conversions[0].facility_mw, 30);
  EXPECT_EQ(p->decisions[6].conversions[0].start_month, 12);
  EXPECT_EQ(p->decisions[6].conversions[0].capex_usd_per_mw, 9e6);
  Result<PlanSpec> bad = ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\ndecisions:\n"
                                                    "  - name: a\n    grid: {megawatts: [1]}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("decisions[0].grid.megawatts: not a grid key"), std::string::npos)
      << bad.status().message();
}

TEST(PlanSpecTest, ErrorsNameTheFileLineAndField) {
  const char* text =
      "name: x\nsite: s.yaml\nstart: 2026-01-01\ndecisions:\n  - name: a\n    conversions:\n"
      "      - mw: 10\n        capex_usd_per_mw: -5\n        lease: {usd_per_kw_month: 100}\n";
  Result<PlanSpec> p = ParsePlanYaml("plan.yaml", text);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("plan.yaml:8: decisions[0].conversions[0].capex_usd_per_mw"), std::string::npos)
      << p.status().message();
  Result<PlanSpec> unknown = ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\nyearz: 3\n"
                                                        "decisions: [{name: a}]\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("plan.yaml:4: yearz: unknown key"), std::string::npos)
      << unknown.status().message();
  Result<PlanSpec> twice = ParsePlanYaml("p", "name: x\nsite: s\nstart: 2026-01-01\ndecisions: [{name: a}, {name: a}]\n");
  EXPECT_FALSE(twice.ok());
  Result<PlanSpec> dispatch = ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\ndispatch: daily\n"
                                                         "decisions: [{name: a}]\n");
  ASSERT_FALSE(dispatch.ok());
  EXPECT_NE(dispatch.status().message().find("plan.yaml:4: dispatch: must be table or hourly"), std::string::npos)
      << dispatch.status().message();
  Result<PlanSpec> step = ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\ndispatch_step: 0\n"
                                                     "decisions: [{name: a}]\n");
  ASSERT_FALSE(step.ok());
  EXPECT_NE(step.status().message().find("plan.yaml:4: dispatch_step"), std::string::npos) << step.status().message();
  // A demand-response event must lie inside one plan day, after its first hour.
  auto program = [](const std::string& terms) {
    return ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\ndecisions:\n  - name: a\n"
                                      "    demand_response: {events_per_year: 2, reduce_by_mw: 10, " + terms + "}\n");
  };
  for (const char* bad : {"start_hour: 22, hours: 4", "start_hour: 1", "start_hour: 0, hours: 2"}) {
    Result<PlanSpec> r = program(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("plan.yaml:6: decisions[0].demand_response.start_hour: the event must lie "
                                        "inside one plan day"),
              std::string::npos)
        << r.status().message();
  }
  for (const char* good : {"start_hour: 15, hours: 3", "start_hour: 2, hours: 23", "start_hour: 21, hours: 4"}) {
    EXPECT_TRUE(program(good).ok()) << good << ": " << program(good).status().message();
  }
  Result<PlanSpec> both = program("reduce_to_mw: 5");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("give one of reduce_to_mw and reduce_by_mw"), std::string::npos);
  Result<PlanSpec> fine = ParsePlanYaml("plan.yaml", "name: x\nsite: s\nstart: 2026-01-01\ndispatch: hourly\n"
                                                     "dispatch_step: 0.05\ndecisions: [{name: a}]\n");
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(fine->dispatch, "hourly");
  EXPECT_EQ(fine->dispatch_step, 0.05);
}

}  // namespace
}  // namespace mullet
