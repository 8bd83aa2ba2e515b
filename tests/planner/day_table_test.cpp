// The planner's tabulated site-day against the day run hour by hour: at a
// grid point the same books; between two, the same profit within a bound
// measured here over four years of HB_WEST days.

#include "planner/day_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/example_history.h"

namespace mullet {
namespace {

struct Fixture {
  std::unique_ptr<SiteModel> model;
  std::vector<UsdPerMegawattHour> prices;  // 24 per historical day
  std::vector<double> logs;                // 48 per historical day
  std::size_t days = 0;
  std::vector<CalendarHour> classes;       // 0: 2026-01-15 (cool), 1: 2026-07-18 (the hottest)
  std::unique_ptr<DayTable> table;
};

const Site* ScenarioSite(const std::vector<Scenario>& all, const char* name) {
  for (const auto& s : all) {
    if (s.name == name) return &s.site;
  }
  return nullptr;
}

Fixture Make(const Site& site, double step) {
  Fixture f;
  f.model = std::make_unique<SiteModel>(site);
  const MarketSeries m = testing_history::History("2021-01-01T06:00:00Z", "2025-01-01T06:00:00Z");
  f.days = m.size() / 24;
  f.prices.assign(m.power_price.begin(), m.power_price.begin() + static_cast<std::ptrdiff_t>(f.days * 24));
  f.logs.resize(f.days * 48);
  for (std::size_t i = 0; i < f.days; ++i) f.model->PriceLogs(&f.prices[i * 24], &f.logs[i * 48], &f.logs[i * 48 + 24]);
  const SiteCalendar calendar(site, *ParseUtcTimestamp("2026-01-01T06:00:00Z"), 365);
  for (const int d : {14, 198}) {
    const std::vector<CalendarHour> c = CalendarClassOf(*f.model, calendar.Day(d));
    f.classes.insert(f.classes.end(), c.begin(), c.end());
  }
  f.table = std::make_unique<DayTable>(*f.model, f.prices.data(), f.logs.data(), f.days, f.classes, step);
  return f;
}

SiteBooks Tabulated(const DayTable& t, std::uint32_t day, int cls, double hashprice, double btc_per_th) {
  std::vector<double> acc(t.accumulator_size(), 0.0);
  t.AddDay(day, cls, hashprice, btc_per_th, 1.0, acc.data());
  SiteBooks b;
  t.AddTo(acc.data(), &b);
  return b;
}

double Profit(const SiteBooks& b) { return b.mining_revenue_usd - (b.power_cost_usd - b.sell_back_usd); }

TEST(DayTableTest, AtAGridPointACellIsTheDaysOwnBooks) {
  const std::vector<Scenario> all = testing_history::LoadExample("hybrid_west_texas.yaml");
  const Site* site = ScenarioSite(all, "all-mining");
  ASSERT_NE(site, nullptr);
  Fixture f = Make(*site, 0.1);
  ASSERT_GT(f.days, 1400u);
  for (const std::uint32_t day : {10u, 200u, 560u, 1300u}) {
    for (const int j : {-35, -30, -25}) {  // $30, $50, $82 per PH/s-day
      for (const int cls : {0, 1}) {
        const double hp = std::exp(j * 0.1);
        const SiteBooks own = f.table->RunCell(day, cls, hp);  // BTC per TH 1: btc_mined is the TH/s-days
        const SiteBooks t = Tabulated(*f.table, day, cls, hp, 2e-7);
        auto near = [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b)); };
        EXPECT_PRED2(near, t.power_cost_usd, own.power_cost_usd) << day << " " << j;
        EXPECT_PRED2(near, t.energy_mwh, own.energy_mwh) << day << " " << j;
        EXPECT_PRED2(near, t.mining_revenue_usd, hp * own.btc_mined) << day << " " << j;
        EXPECT_PRED2(near, t.btc_mined, 2e-7 * own.btc_mined) << day << " " << j;
        EXPECT_PRED2(near, t.alert_hours, own.alert_hours) << day << " " << j;
        EXPECT_EQ(t.hours, 24);
      }
    }
  }
  EXPECT_GT(f.table->cells_built(), 0u);
}

// Between grid points a day's profit is its own within a bound: every
// 5th historical day of 2021-2024, 40 hashprices from $25 to $100 per
// PH/s-day, the cool and the hottest calendar. Measured (step 0.1): the
// errors' mean 0.012 % of revenue, their mean size 0.016 %, the worst day
// off by 0.64 % of a mean day's revenue. This is the interpolation alone
// (both from the same warm-up); PlanRunTest measures the warm-up too.
TEST(DayTableTest, BetweenGridPointsTheProfitIsTheDaysOwnWithinABound) {
  const std::vector<Scenario> all = testing_history::LoadExample("hybrid_west_texas.yaml");
  const Site* site = ScenarioSite(all, "all-mining");
  ASSERT_NE(site, nullptr);
  Fixture f = Make(*site, 0.1);
  double revenue = 0, abs_error = 0, signed_error = 0, worst = 0;
  int n = 0;
  for (std::uint32_t day = 0; day < f.days; day += 5) {
    for (int k = 0; k < 40; ++k) {
      const double hp = 0.025 * std::pow(4.0, k / 39.0);
      for (const int cls : {0, 1}) {
        const SiteBooks own = f.table->RunCell(day, cls, hp);
        const SiteBooks t = Tabulated(*f.table, day, cls, hp, 1.0);
        const double own_profit = hp * own.btc_mined - (own.power_cost_usd - own.sell_back_usd);
        const double e = Profit(t) - own_profit;
        revenue += hp * own.btc_mined;
        abs_error += std::abs(e);
        signed_error += e;
        worst = std::max(worst, std::abs(e));
        ++n;
      }
    }
  }
  // The worst day against a mean day's revenue.
  worst /= revenue / n;
  std::printf("%d days: profit error |mean| %.5f%%, mean |error| %.5f%% of revenue, worst day %.4f%% of a mean day's\n",
              n, 100 * std::abs(signed_error) / revenue, 100 * abs_error / revenue, 100 * worst);
  EXPECT_LT(std::abs(signed_error) / revenue, 1e-3);
  EXPECT_LT(abs_error / revenue, 1e-3);
  EXPECT_LT(worst, 0.02);
}

TEST(DayTableTest, ASiteWithABatchQueueIsNotTabulated) {
  const std::vector<Scenario> all = testing_history::LoadExample("hybrid_west_texas.yaml");
  ASSERT_NE(ScenarioSite(all, "hybrid"), nullptr);
  ASSERT_NE(ScenarioSite(all, "all-mining"), nullptr);
  EXPECT_FALSE(TabulatedOk(SiteModel(*ScenarioSite(all, "hybrid"))));
  EXPECT_TRUE(TabulatedOk(SiteModel(*ScenarioSite(all, "all-mining"))));
}

// A calendar keeps of the ambient only what can bind: at or below the
// design ambient, or where the derated plant still cools every load at its
// most, the design's; above, rounded to kAmbientQuantumC.
TEST(DayTableTest, ACalendarClassKeepsOnlyTheAmbientThatCanBind) {
  const std::vector<Scenario> all = testing_history::LoadExample("hybrid_west_texas.yaml");
  Site site = *ScenarioSite(all, "all-mining");
  ASSERT_TRUE(site.cooling.capacity);
  const SiteModel model(site);
  std::vector<CalendarHour> day(24);
  for (int h = 0; h < 24; ++h) day[h].ambient_c = 30 + 0.3 * h;  // 30.0 .. 36.9
  const std::vector<CalendarHour> c = CalendarClassOf(model, day.data());
  const double design = site.cooling.design_ambient_c;
  // The ambient above which the derated capacity is below the most IT.
  const double binds = design + (1 - model.max_it().value() / site.cooling.capacity->value()) / site.cooling.derate_per_c;
  ASSERT_GT(binds, design);
  ASSERT_LT(binds, 36.9);
  for (int h = 0; h < 24; ++h) {
    if (day[h].ambient_c <= binds) {
      EXPECT_EQ(c[h].ambient_c, design) << h;
    } else {
      EXPECT_NEAR(c[h].ambient_c, day[h].ambient_c, kAmbientQuantumC / 2 + 1e-9) << h;
      EXPECT_EQ(std::fmod(c[h].ambient_c - design, kAmbientQuantumC), 0.0) << h;
    }
  }
  // Without a cooling capacity no hour's ambient is kept.
  site.cooling.capacity.reset();
  const SiteModel unlimited(site);
  for (const CalendarHour& h : CalendarClassOf(unlimited, day.data())) EXPECT_EQ(h.ambient_c, design);
}

}  // namespace
}  // namespace mullet
