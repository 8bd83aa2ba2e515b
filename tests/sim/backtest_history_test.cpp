// The backtest on real history (../shared/data) with the example sites.

#include <gtest/gtest.h>

#include <cmath>

#include "common/example_history.h"
#include "data/market.h"
#include "site/site_config.h"
#include "sim/backtest.h"

namespace mullet {
namespace {

using testing_history::History;
using testing_history::LoadExample;

// The highest value per facility MWh a group can reach at any point its
// firmware allows, computed here from the model and the tuning curve.
double BestValuePerMwh(const MinerGroup& g, double hashprice_usd_per_th_day, double pue) {
  const double share = g.uptime * (1 - g.pool_fee);
  auto value = [&](double power_w, double th) {
    return hashprice_usd_per_th_day * th / 24 * share / (power_w * pue / 1e6);
  };
  double best = value(g.model.power.value(), g.model.hashrate.value());
  for (const MinerProfile& p : g.firmware.profiles) {
    best = std::max(best, value(p.power.value(), p.hashrate.value()));
  }
  if (g.firmware.power_target_min) {
    // Value per MWh falls with power on the curve: its best is at the minimum.
    const double p = g.firmware.power_target_min->value();
    const double th = g.model.hashrate.value() *
                      std::pow(p / g.model.power.value(), 1 - g.firmware.efficiency_exponent);
    best = std::max(best, value(p, th));
  }
  return best;
}

TEST(BacktestHistoryTest, WinterStormUriCurtailsMiningInEveryHourAboveBreakeven) {
  std::vector<Scenario> scenarios = LoadExample("all_mining_west_texas.yaml");
  ASSERT_FALSE(scenarios.empty());
  Scenario sc = scenarios.front();
  // No minimum on time, so that no hour is held on by a start the hour before.
  for (MinerGroup& g : sc.site.miners) g.min_on = Hours(0);
  const MarketSeries m = History("2021-02-10T00:00:00Z", "2021-02-22T00:00:00Z");
  ASSERT_EQ(m.size(), 12u * 24);
  const BacktestResult r = RunBacktest(sc, m, PolicyKind::kMullet);
  const size_t nl = r.loads.size();
  const size_t first_miner = nl - sc.site.miners.size();
  int above = 0, spikes = 0;
  for (size_t k = 0; k < m.size(); ++k) {
    spikes += m.power_price[k].value() >= 8000;
    for (size_t i = 0; i < sc.site.miners.size(); ++i) {
      const MinerGroup& g = sc.site.miners[i];
      const double breakeven =
          BestValuePerMwh(g, m.hashprice[k].value(), sc.site.cooling.Pue(g.cooling));
      if (m.power_price[k].value() <= breakeven) continue;
      ++above;
      EXPECT_EQ(r.load_mw[k * nl + first_miner + i], 0.0f)
          << FormatUtc(m.times[k]) << " " << g.name << " price " << m.power_price[k].value()
          << " breakeven " << breakeven;
      EXPECT_TRUE(IsCurtailmentDecision(r.load_reason[k * nl + first_miner + i]))
          << FormatUtc(m.times[k]) << " " << ReasonName(r.load_reason[k * nl + first_miner + i]);
    }
  }
  EXPECT_GT(spikes, 40);  // HB_WEST day-ahead at $8000+ for days
  EXPECT_GT(above, 100);
  EXPECT_GT(r.summary.curtailed_hours, 40);
  // And it mined in the cheap hours either side.
  EXPECT_GT(r.summary.btc_mined, 0);
  EXPECT_LT(r.summary.mining_uptime, 0.9);
  // The always-on baseline paid for the storm.
  const BacktestResult always = RunBacktest(sc, m, PolicyKind::kAlwaysOn);
  EXPECT_GT(r.summary.profit_usd, always.summary.profit_usd + 1e6);
}

TEST(BacktestHistoryTest, HybridSiteOver2024StaysInsideEveryLimit) {
  const std::vector<Scenario> scenarios = LoadExample("hybrid_west_texas.yaml");
  ASSERT_EQ(scenarios.size(), 3u);
  const MarketSeries m = History("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
  ASSERT_EQ(m.size(), 8784u);
  for (const Scenario& sc : scenarios) {
    const BacktestResult r = RunBacktest(sc, m, PolicyKind::kMullet);
    const BacktestSummary& s = r.summary;
    EXPECT_EQ(s.steps, 8784);
    EXPECT_TRUE(std::isfinite(s.profit_usd));
    EXPECT_LE(s.max_site_power_mw, sc.site.interconnect.megawatts() + 1e-6) << sc.name;
    for (size_t k = 0; k < r.times.size(); ++k) {
      ASSERT_LE(r.facility_mw[k], r.site_cap_mw[k] + 1e-3f) << sc.name << " " << FormatUtc(r.times[k]);
    }
    EXPECT_EQ(s.months.size(), 12u);
    if (!sc.site.leases.empty()) {
      EXPECT_GT(s.ai_revenue_usd, 0);
      EXPECT_GE(s.firm_availability, 0.999) << sc.name;
    }
    if (!sc.site.miners.empty()) {
      EXPECT_GT(s.btc_mined, 0);
      EXPECT_GT(s.mining_uptime, 0.5);
    }
  }
}

}  // namespace
}  // namespace mullet
