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

}  // namespace
}  // namespace mullet
