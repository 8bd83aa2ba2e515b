#include "sim/backtest.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dispatch/test_sites.h"

namespace mullet {
namespace {

using testing_sites::Group;
using testing_sites::Lease;
using testing_sites::MiningSite;

// An hourly market built in code from 2024-03-01: prices from `prices`, a flat hashprice.
MarketSeries Market(const std::vector<double>& prices, double hashprice_ph, double btc_price = 60000) {
  return testing_sites::Market(*ParseUtcTimestamp("2024-03-01T00:00:00Z"), Hours(1), prices, hashprice_ph,
                               btc_price);
}

std::vector<double> PricePath(int hours, unsigned seed) {
  std::vector<double> p;
  double x = 40;
  for (int k = 0; k < hours; ++k) {
    seed = seed * 1103515245u + 12345u;
    x = std::max(-10.0, x + static_cast<double>(seed % 4001) / 100.0 - 20.0);
    if (k % 17 == 5) x = 450;  // a spike
    p.push_back(x);
  }
  return p;
}

// A small pure-mining site under strike-price, checked hour by hour by an
// independent computation of revenue and cost.
TEST(BacktestTest, HandCheckedStrikePriceMiningSite) {
  Site site = MiningSite();
  site.contract.adder = UsdPerMegawattHour(3);
  site.miners[0].strike_price = UsdPerMegawattHour(70);
  site.miners[1].strike_price = UsdPerMegawattHour(55);
  site.miners[0].pool_fee = 0.02;
  site.miners[0].uptime = 0.97;
  site.miners[1].ramp_up = Seconds(600);
  const std::vector<double> prices = PricePath(96, 7);
  const double hp = 48;  // $/PH/day
  const MarketSeries m = Market(prices, hp);
  const BacktestResult r = RunBacktest({"mining", site}, m, PolicyKind::kStrikePrice);

  double revenue = 0, cost = 0, btc = 0, energy = 0, curtailed = 0;
  std::vector<bool> was_on = {true, true};
  for (size_t k = 0; k < prices.size(); ++k) {
    bool any_off = false;
    for (size_t g = 0; g < 2; ++g) {
      const MinerGroup& grp = site.miners[g];
      const bool on = prices[k] <= grp.strike_price->value();
      any_off |= !on;
      if (on) {
        const double ramp = was_on[g] ? 1.0 : 1.0 - 600.0 / 3600.0 * (g == 1);
        const double th = grp.model.hashrate.value() * grp.count * ramp;
        const double share = grp.uptime * (1 - grp.pool_fee);
        revenue += hp / 1000 * th / 24 * share;
        btc += hp / 1000 / 60000 * th / 24 * share;
        const double mwh = grp.model.power.megawatts() * grp.count;
        energy += mwh;
        cost += mwh * (prices[k] + 3);
      }
      was_on[g] = on;
    }
    curtailed += any_off ? 1 : 0;
  }
  const BacktestSummary& s = r.summary;
  EXPECT_NEAR(s.mining_revenue_usd, revenue, 1e-6 * revenue);
  EXPECT_NEAR(s.btc_mined, btc, 1e-9 * btc);
  EXPECT_NEAR(s.power_cost_usd, cost, 1e-6 * std::fabs(cost));
  EXPECT_NEAR(s.energy_mwh, energy, 1e-9 * energy);
  EXPECT_NEAR(s.profit_usd, revenue - cost, 1e-6 * std::fabs(revenue));
  EXPECT_EQ(s.curtailed_hours, curtailed);
  EXPECT_GT(curtailed, 0);
  EXPECT_LT(curtailed, 96);
  EXPECT_EQ(s.steps, 96);
  EXPECT_NEAR(s.direct_cost_per_btc_usd, cost / btc, 1e-6 * cost / btc);
}

TEST(BacktestTest, ProfitIsTheSumOfItsParts) {
  Site site = MiningSite();
  site.leases.push_back(Lease("ai", 2));
  site.contract.adder = UsdPerMegawattHour(4);
  site.contract.block = FixedBlock{Megawatts(5), UsdPerMegawattHour(30)};
  const MarketSeries m = Market(PricePath(24 * 40, 11), 45);
  for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice, PolicyKind::kAlwaysOn}) {
    const BacktestSummary s = RunBacktest({"x", site}, m, p).summary;
    EXPECT_NEAR(s.profit_usd,
                s.mining_revenue_usd + s.ai_revenue_usd + s.sell_back_credit_usd + s.dr_credit_usd -
                    s.power_cost_usd - s.four_cp_charge_usd - s.sla_credit_usd,
                1e-6);
    double months_profit = 0;
    for (const MonthRow& row : s.months) months_profit += row.profit_usd;
    EXPECT_NEAR(months_profit, s.profit_usd, 1e-3) << PolicyName(p);
    EXPECT_EQ(s.months.size(), 2u);  // March and April 2024
  }
}

TEST(BacktestTest, FixedBlockSellsBackWhatIsNotUsed) {
  Site site = MiningSite();
  site.contract.block = FixedBlock{Megawatts(8), UsdPerMegawattHour(25)};
  // A price so high every miner stops: the whole block is sold back.
  const MarketSeries m = Market(std::vector<double>(10, 900), 45);
  const BacktestSummary s = RunBacktest({"x", site}, m, PolicyKind::kMullet).summary;
  EXPECT_EQ(s.energy_mwh, 0);
  EXPECT_NEAR(s.power_cost_usd, 8 * 25 * 10, 1e-6);
  EXPECT_NEAR(s.sell_back_credit_usd, 8 * 900 * 10, 1e-6);
  EXPECT_NEAR(s.profit_usd, 8 * (900 - 25) * 10, 1e-6);
}

TEST(BacktestTest, SlaCreditsWhenFirmLoadIsCut) {
  Site site = MiningSite();
  site.interconnect = Megawatts(3);
  site.leases.push_back(Lease("ai", 3));
  site.contract.demand_response.push_back(
      {*ParseUtcTimestamp("2024-03-02T00:00:00Z"), *ParseUtcTimestamp("2024-03-02T10:00:00Z"), Megawatts(2),
       std::nullopt, UsdPerMegawattHour(0)});
  const MarketSeries m = Market(std::vector<double>(24 * 10, 30), 45);
  const BacktestSummary s = RunBacktest({"x", site}, m, PolicyKind::kMullet).summary;
  EXPECT_EQ(s.sla_breach_hours, 10);
  // 10 h at 2/3 of 3 MW in 240 h: availability 1 - 10/720, below 99 %: 25 % credit.
  EXPECT_NEAR(s.firm_availability, 1 - 10.0 / 720, 1e-9);
  const double rent = 120 * 3000 * (240 / (30.4375 * 24));
  EXPECT_NEAR(s.colocation_revenue_usd, rent, 1e-6);
  EXPECT_NEAR(s.sla_credit_usd, 0.25 * rent, 1e-6);
}

TEST(BacktestTest, DemandResponseCreditsTheReductionBelowBaseline) {
  Site site = MiningSite();
  site.contract.demand_response.push_back(
      {*ParseUtcTimestamp("2024-03-01T05:00:00Z"), *ParseUtcTimestamp("2024-03-01T07:00:00Z"), std::nullopt,
       Megawatts(4), UsdPerMegawattHour(100)});
  const MarketSeries m = Market(std::vector<double>(12, 20), 50);
  const BacktestResult r = RunBacktest({"x", site}, m, PolicyKind::kMullet);
  // Baseline 6.55 MW; the cap 2.55 MW fits 728 S21s (2.548 MW).
  EXPECT_NEAR(r.facility_mw[5], 2.548, 1e-6);
  EXPECT_NEAR(r.summary.dr_credit_usd, 2 * (6.55 - 2.548) * 100, 1e-3);
  EXPECT_EQ(r.load_reason[5 * r.loads.size() + 0], Reason::kCurtailDrEvent);
}

TEST(BacktestTest, MulletBeatsAlwaysOnThroughPriceSpikes) {
  const Site site = MiningSite();
  const MarketSeries m = Market(PricePath(24 * 30, 3), 45);
  const double mullet = RunBacktest({"x", site}, m, PolicyKind::kMullet).summary.profit_usd;
  const double always = RunBacktest({"x", site}, m, PolicyKind::kAlwaysOn).summary.profit_usd;
  EXPECT_GT(mullet, always);
}

}  // namespace
}  // namespace mullet
