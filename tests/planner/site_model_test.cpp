// The planner's site model against the backtest: the same site over the same
// history, hour by hour in both, must keep the same books.

#include "planner/site_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/example_history.h"
#include "data/market.h"
#include "site/site_config.h"
#include "sim/backtest.h"

namespace mullet {
namespace {

using testing_history::History;
using testing_history::LoadExample;

// Runs the site model over `m` (hourly, a whole number of days).
SiteBooks RunModel(const Site& site, const MarketSeries& m) {
  SiteModel model(site);
  SiteModelState st = model.InitialState(m.times.front());
  std::vector<double> btc_per_th(m.size());
  for (size_t k = 0; k < m.size(); ++k) btc_per_th[k] = m.btc_per_th_day[k].value();
  const SiteCalendar calendar(site, m.times.front(), static_cast<int>(m.size() / 24));
  SiteBooks books;
  for (size_t k = 0; k + 24 <= m.size(); k += 24) {
    SiteDay d{m.times[k], &m.power_price[k], &m.hashprice[k], &btc_per_th[k], calendar.Day(static_cast<int>(k / 24))};
    model.RunDay(d, &st, &books);
  }
  return books;
}

void ExpectWithin(double model, double backtest, double tolerance, const char* what,
                  const std::string& scenario) {
  const double scale = std::max(std::abs(backtest), 1.0);
  EXPECT_LE(std::abs(model - backtest) / scale, tolerance)
      << scenario << " " << what << ": model " << model << " backtest " << backtest;
}

// Every example scenario over 2021-2024 (Winter Storm Uri, four summers of
// 4CP alerts, the 2024 halving): the site model's energy, power cost,
// mining revenue, BTC and AI revenue agree with RunBacktest's. The backtest
// also books demand-response events (dated in the site file; the model,
// for the future, has none): the hybrid site's two 2024 events move its
// numbers by a few hours of mining.
TEST(SiteModelTest, AgreesWithTheBacktestOnHistory) {
  const MarketSeries m = History("2021-01-01T06:00:00Z", "2024-12-31T06:00:00Z");
  ASSERT_EQ(m.size() % 24, 0u);
  for (const char* file : {"hybrid_west_texas.yaml", "all_mining_west_texas.yaml", "all_ai_west_texas.yaml"}) {
    for (const Scenario& sc : LoadExample(file)) {
      BacktestOptions o;
      o.series = false;
      const BacktestSummary bt = RunBacktest(sc, m, PolicyKind::kMullet, o).summary;
      const SiteBooks b = RunModel(sc.site, m);
      EXPECT_EQ(b.hours, bt.hours);
      ExpectWithin(b.energy_mwh, bt.energy_mwh, 1e-5, "energy", sc.name);
      ExpectWithin(b.power_cost_usd - b.sell_back_usd, bt.power_cost_usd - bt.sell_back_credit_usd, 1e-5,
                   "net power cost", sc.name);
      ExpectWithin(b.mining_revenue_usd, bt.mining_revenue_usd, 1e-5, "mining revenue", sc.name);
      ExpectWithin(b.btc_mined, bt.btc_mined, 1e-5, "BTC mined", sc.name);
      ExpectWithin(b.colocation_rent_usd, bt.colocation_revenue_usd, 1e-9, "rent", sc.name);
      ExpectWithin(b.gpu_cloud_revenue_usd, bt.gpu_cloud_revenue_usd, 1e-9, "GPU cloud", sc.name);
      ExpectWithin(b.batch_revenue_usd, bt.batch_revenue_usd, 1e-5, "batch", sc.name);
      auto rel = [](double x, double y) { return y != 0 ? (x - y) / y : x; };
      std::printf("%s: relative differences: energy %.2e, net power cost %.2e, mining %.2e, BTC %.2e, batch %.2e\n",
                  sc.name.c_str(), rel(b.energy_mwh, bt.energy_mwh),
                  rel(b.power_cost_usd - b.sell_back_usd, bt.power_cost_usd - bt.sell_back_credit_usd),
                  rel(b.mining_revenue_usd, bt.mining_revenue_usd), rel(b.btc_mined, bt.btc_mined),
                  rel(b.batch_revenue_usd, bt.batch_revenue_usd));
    }
  }
}

// Demand-response events, as a plan's program puts them in the calendar:
// the all-mining site given six summer mornings of 2023 (09:00 CDT, when it
// mines) as dated events
// (cut by 40 MW from the hour before, $300 per MWh below it) in the
// backtest, and the same hours marked in the model's calendar. Energy, BTC
// and the credits agree; without the marks the model mines through them.
TEST(SiteModelTest, DemandResponseEventsAreTheBacktestsOnHistory) {
  const MarketSeries m = History("2023-06-01T06:00:00Z", "2023-09-01T06:00:00Z");
  const std::vector<Scenario> all = LoadExample("hybrid_west_texas.yaml");
  const Scenario* base = nullptr;
  for (const Scenario& sc : all) {
    if (sc.name == "all-mining") base = &sc;
  }
  ASSERT_NE(base, nullptr);
  Scenario sc = *base;
  sc.site.contract.demand_response.clear();
  std::vector<UtcTime> starts;
  for (const char* t : {"2023-06-20T14:00:00Z", "2023-07-11T14:00:00Z", "2023-07-27T14:00:00Z",
                        "2023-08-08T14:00:00Z", "2023-08-17T14:00:00Z", "2023-08-24T14:00:00Z"}) {
    DemandResponseEvent e;
    e.start = *ParseUtcTimestamp(t);
    e.end = After(e.start, Hours(3));
    e.reduce_by = Watts(40e6);
    e.credit = UsdPerMegawattHour(300);
    sc.site.contract.demand_response.push_back(e);
    starts.push_back(e.start);
  }
  BacktestOptions o;
  o.series = false;
  const BacktestSummary bt = RunBacktest(sc, m, PolicyKind::kMullet, o).summary;
  ASSERT_GT(bt.dr_credit_usd, 0);

  SiteModel model(sc.site);
  const int days = static_cast<int>(m.size() / 24);
  const SiteCalendar calendar(sc.site, m.times.front(), days);
  std::vector<double> btc_per_th(m.size());
  for (size_t k = 0; k < m.size(); ++k) btc_per_th[k] = m.btc_per_th_day[k].value();
  auto run = [&](bool marked) {
    SiteModelState st = model.InitialState(m.times.front());
    SiteBooks books;
    for (int d = 0; d < days; ++d) {
      std::vector<CalendarHour> cal(calendar.Day(d), calendar.Day(d) + 24);
      for (int h = 0; marked && h < 24; ++h) {
        const UtcTime t = m.times[static_cast<size_t>(d) * 24 + h];
        for (const UtcTime s : starts) {
          if (t >= s && t < After(s, Hours(3))) {
            cal[h].dr = true;
            cal[h].dr_reduce_by_w = 40e6;
            cal[h].dr_credit_usd_per_mwh = 300;
          }
        }
      }
      const size_t k = static_cast<size_t>(d) * 24;
      model.RunDay(SiteDay{m.times[k], &m.power_price[k], &m.hashprice[k], &btc_per_th[k], cal.data()}, &st, &books);
    }
    return books;
  };
  const SiteBooks b = run(true);
  ExpectWithin(b.energy_mwh, bt.energy_mwh, 1e-6, "energy", "all-mining with events");
  ExpectWithin(b.btc_mined, bt.btc_mined, 1e-6, "BTC", "all-mining with events");
  ExpectWithin(b.dr_credit_usd, bt.dr_credit_usd, 1e-6, "DR credit", "all-mining with events");
  const SiteBooks unmarked = run(false);
  // 18 event hours, each some 40 MWh under its baseline (measured: 706.6 MWh).
  EXPECT_GT(unmarked.energy_mwh - b.energy_mwh, 18 * 35);
  EXPECT_LT(unmarked.energy_mwh - b.energy_mwh, 18 * 41);
  std::printf("events: credit %.0f vs the backtest's %.0f; %.1f MWh not drawn\n", b.dr_credit_usd, bt.dr_credit_usd,
              unmarked.energy_mwh - b.energy_mwh);
}

// An event that begins in a run's first hour has no hour before it: no
// baseline, so neither cap nor credit for any of its hours (not a baseline
// taken from its own first hour).
TEST(SiteModelTest, AnEventWithoutAnHourBeforeItNeitherCapsNorCredits) {
  const MarketSeries m = History("2023-06-20T06:00:00Z", "2023-06-21T06:00:00Z");
  ASSERT_EQ(m.size(), 24u);
  const std::vector<Scenario> all = LoadExample("hybrid_west_texas.yaml");
  ASSERT_GT(all.size(), 1u);
  const Scenario& sc = all[1];
  ASSERT_EQ(sc.name, "all-mining");
  const SiteModel model(sc.site);
  const SiteCalendar calendar(sc.site, m.times.front(), 1);
  std::vector<double> btc_per_th(24);
  for (size_t k = 0; k < 24; ++k) btc_per_th[k] = m.btc_per_th_day[k].value();
  auto run = [&](int first_event_hour) {
    std::vector<CalendarHour> cal(calendar.Day(0), calendar.Day(0) + 24);
    for (int h = first_event_hour; h < first_event_hour + 3; ++h) {
      cal[h].dr = true;
      cal[h].dr_reduce_by_w = 40e6;
      cal[h].dr_credit_usd_per_mwh = 300;
    }
    SiteModelState st = model.InitialState(m.times.front());
    SiteBooks b;
    model.RunDay(SiteDay{m.times[0], &m.power_price[0], &m.hashprice[0], btc_per_th.data(), cal.data()}, &st, &b);
    return b;
  };
  SiteModelState st = model.InitialState(m.times.front());
  SiteBooks none;
  model.RunDay(SiteDay{m.times[0], &m.power_price[0], &m.hashprice[0], btc_per_th.data(), calendar.Day(0)}, &st, &none);
  const SiteBooks at_start = run(0);
  EXPECT_EQ(at_start.dr_credit_usd, 0);
  EXPECT_EQ(at_start.energy_mwh, none.energy_mwh);
  // The same event an hour later has its baseline, and binds (09:00 UTC is
  // 04:00 CDT: the site mines).
  const SiteBooks later = run(1);
  EXPECT_GT(later.dr_credit_usd, 0);
  EXPECT_LT(later.energy_mwh, none.energy_mwh - 3 * 30);
}

}  // namespace
}  // namespace mullet
