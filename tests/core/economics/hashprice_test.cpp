#include "core/economics/hashprice.h"

#include <gtest/gtest.h>

#include "core/chain/subsidy.h"

namespace mullet {
namespace {

NetworkConditions Net(double d, BlockHeight height, double fees_btc, double price) {
  NetworkConditions n;
  n.difficulty = d;
  n.subsidy = BlockSubsidy(height);
  n.fees_per_block = Btc(fees_btc);
  n.price = UsdPerBtc(price);
  return n;
}

struct HashpriceRow {
  double difficulty;
  BlockHeight height;  // sets the subsidy
  double fees_btc;
  double price;
  double sats_per_th_day;
  double usd_per_ph_day;
};

// economics.md §1.3, the hashprice table.
class HashpriceTableTest : public testing::TestWithParam<HashpriceRow> {};

TEST_P(HashpriceTableTest, ReproducesTheTable) {
  const HashpriceRow& r = GetParam();
  const NetworkConditions net = Net(r.difficulty, r.height, r.fees_btc, r.price);
  EXPECT_NEAR(ExpectedBtcPerTerahashDay(net).sats_per_th_day(), r.sats_per_th_day, 0.005);
  EXPECT_NEAR(Hashprice(net).usd_per_ph_day(), r.usd_per_ph_day, 0.005);
}

INSTANTIATE_TEST_SUITE_P(Economics, HashpriceTableTest,
                         testing::Values(HashpriceRow{88.1e12, 840'000, 0.0, 60'000, 71.36, 42.81},
                                         HashpriceRow{100e12, 840'000, 0.10, 100'000, 64.88, 64.88},
                                         HashpriceRow{72e12, 630'000, 0.30, 43'000, 183.00,
                                                      78.69}));

TEST(HashpriceTest, ExactFactorPaysSlightlyLess) {
  NetworkConditions net = Net(88.1e12, 840'000, 0, 60'000);
  const double shorthand = Hashprice(net).value();
  net.factor = HashFactor::kExact;
  EXPECT_NEAR(shorthand / Hashprice(net).value() - 1.0, 1.5259e-5, 1e-8);
}

TEST(HashpriceTest, ScalesWithRewardAndPriceAndInverselyWithDifficulty) {
  const double base = Hashprice(Net(80e12, 840'000, 0.1, 50'000)).value();
  EXPECT_NEAR(Hashprice(Net(160e12, 840'000, 0.1, 50'000)).value(), base / 2, 1e-15);
  EXPECT_NEAR(Hashprice(Net(80e12, 840'000, 0.1, 100'000)).value(), base * 2, 1e-15);
  EXPECT_GT(Hashprice(Net(80e12, 840'000, 0.2, 50'000)).value(), base);
}

}  // namespace
}  // namespace mullet
