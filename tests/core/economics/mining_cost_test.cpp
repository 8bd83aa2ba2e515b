#include "core/economics/mining_cost.h"

#include <gtest/gtest.h>

#include "core/asic/catalog.h"
#include "core/chain/subsidy.h"
#include "core/economics/hashprice.h"

namespace mullet {
namespace {

BtcPerTerahashDay Expected(double d, double fees_btc) {
  NetworkConditions n;
  n.difficulty = d;
  n.subsidy = BlockSubsidy(840'000);
  n.fees_per_block = Btc(fees_btc);
  n.price = UsdPerBtc(1);
  return ExpectedBtcPerTerahashDay(n);
}

OperatingPoint Op(double j_per_th) {
  OperatingPoint op;
  op.efficiency = JoulesPerTerahash(j_per_th);
  return op;
}

// economics.md §1.4, computed checks.
TEST(MiningCostTest, ElectricityCostPerBtcMatchesTheVectors) {
  EXPECT_NEAR(ElectricityCostPerBtc(Expected(88.1e12, 0), UsdPerKilowattHour(0.05), Op(25)).value(),
              42'043, 1.0);
  EXPECT_NEAR(
      ElectricityCostPerBtc(Expected(100e12, 0.1), UsdPerKilowattHour(0.04), Op(20)).value(),
      29'595, 1.0);
}

TEST(MiningCostTest, PueRaisesAndPoolFeeAndUptimeRaiseCostPerBtc) {
  const BtcPerTerahashDay e = Expected(88.1e12, 0);
  const double base = ElectricityCostPerBtc(e, UsdPerKilowattHour(0.05), Op(25)).value();
  OperatingPoint op = Op(25);
  op.pue = 1.2;
  EXPECT_NEAR(ElectricityCostPerBtc(e, UsdPerKilowattHour(0.05), op).value(), base * 1.2, 1e-6);
  op = Op(25);
  op.pool_fee = 0.02;
  op.uptime = 0.95;
  EXPECT_NEAR(ElectricityCostPerBtc(e, UsdPerKilowattHour(0.05), op).value(), base / (0.98 * 0.95),
              1e-6);
}

struct BreakevenRow {
  const char* model;
  double usd_per_kwh;
};

// economics.md §1.5: breakeven power price per model at $45/PH/day, PUE 1, no fees.
class BreakevenTest : public testing::TestWithParam<BreakevenRow> {};

TEST_P(BreakevenTest, PerModelAt45DollarsPerPetahashDay) {
  const AsicCatalog catalog = AsicCatalog::BuiltIn();
  const Result<AsicModel> m = catalog.Find(GetParam().model);
  ASSERT_TRUE(m.ok()) << m.status().message();
  OperatingPoint op;
  op.efficiency = m->efficiency();
  // The table rounds each model's J/TH (the M60S to 18.5); allow that rounding.
  EXPECT_NEAR(BreakevenPowerPrice(UsdPerPetahashDay(45), op).usd_per_kwh(), GetParam().usd_per_kwh,
              0.0006);
}

INSTANTIATE_TEST_SUITE_P(
    Economics, BreakevenTest,
    testing::Values(BreakevenRow{"S19j Pro", 0.0615}, BreakevenRow{"S19 XP", 0.0872},
                    BreakevenRow{"S21", 0.1071}, BreakevenRow{"S21 XP", 0.1389},
                    BreakevenRow{"M30S++", 0.0605}, BreakevenRow{"M50S", 0.0721},
                    BreakevenRow{"M60S", 0.1014}));

TEST(MiningCostTest, BreakevenPowerAndHashpriceAreInverse) {
  OperatingPoint op = Op(17.5);
  op.pue = 1.1;
  op.pool_fee = 0.025;
  op.uptime = 0.97;
  const UsdPerMegawattHour p = BreakevenPowerPrice(UsdPerPetahashDay(45), op);
  EXPECT_NEAR(BreakevenHashprice(p, op).usd_per_ph_day(), 45.0, 1e-9);
  EXPECT_NEAR(BreakevenHashprice(UsdPerKilowattHour(0.05), Op(20)).value(), 0.024 * 20 * 0.05,
              1e-12);
}

TEST(MiningCostTest, PerKilowattMonthMatchesTheVectors) {
  EXPECT_NEAR(MiningGrossPerKilowattMonth(UsdPerPetahashDay(45), Op(17.5)).value(), 78.3, 0.05);
  EXPECT_NEAR(MiningGrossPerKilowattMonth(UsdPerPetahashDay(45), Op(13.5)).value(), 101.5, 0.05);
  EXPECT_NEAR(PowerCostPerKilowattMonth(UsdPerKilowattHour(0.04), Op(17.5)).value(), 29.2, 0.05);
}

TEST(MiningCostTest, CostTiersStackDirectCashAllIn) {
  const BtcPerTerahashDay e = Expected(100e12, 0.1);
  OperatingPoint op = Op(20);
  CostInputs in;
  in.fleet_hashrate = PetahashPerSecond(1000);  // 1 EH/s
  in.cash_opex_per_month = Usd(1'000'000);
  in.interest_per_month = Usd(500'000);
  in.depreciation_per_month = Usd(2'000'000);
  in.stock_pay_per_month = Usd(250'000);
  const CostPerBtc c = CostTiers(e, UsdPerKilowattHour(0.04), op, in);
  EXPECT_NEAR(c.direct.value(), 29'595, 1.0);
  // BTC per month: 1e6 TH/s x BTC/TH/day x 30.4375 days.
  const double btc = e.value() * 1e6 * 30.4375;
  EXPECT_NEAR(c.mined_per_month.value(), btc, 1e-9);
  EXPECT_NEAR(c.cash.value(), c.direct.value() + 1'500'000 / btc, 1e-6);
  EXPECT_NEAR(c.all_in.value(), c.cash.value() + 2'250'000 / btc, 1e-6);
}

TEST(MiningCostTest, HostingAddsToDirectCostOnTheMinersOwnDraw) {
  const BtcPerTerahashDay e = Expected(100e12, 0.1);
  OperatingPoint op = Op(20);
  op.pue = 1.5;
  CostInputs in;
  in.hosting = UsdPerKilowattHour(0.01);
  const CostPerBtc c = CostTiers(e, UsdPerKilowattHour(0.04), op, in);
  // (0.04 x 1.5 + 0.01) / (0.04 x 1.5) of the power-only cost.
  EXPECT_NEAR(c.direct.value() / ElectricityCostPerBtc(e, UsdPerKilowattHour(0.04), op).value(),
              0.07 / 0.06, 1e-12);
  EXPECT_EQ(c.cash, c.direct);
  EXPECT_EQ(c.all_in, c.direct);
}

}  // namespace
}  // namespace mullet
