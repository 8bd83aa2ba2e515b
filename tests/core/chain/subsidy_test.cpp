#include "core/chain/subsidy.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

// Test vectors: economics.md §1.1.
TEST(SubsidyTest, FirstEraPaysFiftyBitcoin) {
  EXPECT_EQ(BlockSubsidy(0), Sats(5'000'000'000));
  EXPECT_EQ(BlockSubsidy(209'999), Sats(5'000'000'000));
}

TEST(SubsidyTest, HalvesAtEachInterval) {
  EXPECT_EQ(BlockSubsidy(210'000), Sats(2'500'000'000));
  EXPECT_EQ(BlockSubsidy(839'999), Sats(625'000'000));
  EXPECT_EQ(BlockSubsidy(840'000), Sats(312'500'000));  // April 2024: 3.125 BTC
  EXPECT_EQ(BlockSubsidy(1'050'000), Sats(156'250'000));
}

TEST(SubsidyTest, LastSatoshiAndZeroFromHalving33) {
  EXPECT_EQ(BlockSubsidy(HalvingHeight(32)), Sats(1));
  EXPECT_EQ(BlockSubsidy(6'929'999), Sats(1));
  EXPECT_EQ(BlockSubsidy(6'930'000), Sats(0));
  EXPECT_EQ(HalvingHeight(33), 6'930'000);
}

TEST(SubsidyTest, ZeroFromTheSixtyFourthHalvingWithoutUndefinedShift) {
  EXPECT_EQ(BlockSubsidy(HalvingHeight(64)), Sats(0));
  EXPECT_EQ(BlockSubsidy(HalvingHeight(100)), Sats(0));
}

TEST(SubsidyTest, TotalIssuanceIsExact) {
  EXPECT_EQ(TotalIssuance(), Sats(2'099'999'997'690'000));
  EXPECT_LT(TotalIssuance(), kMaxMoney);
  EXPECT_NEAR(ToBtc(TotalIssuance()).value(), 20'999'999.9769, 1e-6);
}

TEST(SubsidyTest, IssuedBeforeMatchesABlockByBlockSum) {
  std::int64_t sum = 0;
  for (BlockHeight h = 0; h < 650'000; h += 1) sum += BlockSubsidy(h).value();
  EXPECT_EQ(IssuedBefore(650'000), Sats(sum));
  EXPECT_EQ(IssuedBefore(0), Sats(0));
}

TEST(SubsidyTest, NextHalvingHeight) {
  EXPECT_EQ(NextHalvingHeight(839'999), 840'000);
  EXPECT_EQ(NextHalvingHeight(840'000), 1'050'000);
  EXPECT_EQ(HalvingsAt(840'000), 4);
}

}  // namespace
}  // namespace mullet
