#include "core/chain/difficulty.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

TEST(DifficultyTest, ImpliedHashrateAt88TIs630EH) {
  // economics.md §1.2: D = 88.1 T -> 630.6 EH/s (Galaxy: "88.1 T (630 EH implied)").
  EXPECT_NEAR(ImpliedNetworkHashrate(88.1e12).eh_s(), 630.6, 0.05);
  EXPECT_NEAR(ImpliedNetworkHashrate(79.5e12).eh_s(), 569.1, 0.1);
}

TEST(DifficultyTest, ExactFactorIsHigherByOnePointFiveTwoE5) {
  const long double shorthand = HashesPerBlock(100e12, HashFactor::kShorthand);
  const long double exact = HashesPerBlock(100e12, HashFactor::kExact);
  EXPECT_NEAR(static_cast<double>((exact - shorthand) / shorthand), 1.5259e-5, 1e-9);
  EXPECT_NEAR(static_cast<double>(HashesPerDifficultyUnit(HashFactor::kExact)),
              4'295'032'833.000015, 1e-5);
}

TEST(DifficultyTest, HashrateAndDifficultyRoundTrip) {
  for (HashFactor f : {HashFactor::kShorthand, HashFactor::kExact}) {
    const double d = 109'782'075'598'905.1875;
    const TerahashPerSecond h = ImpliedNetworkHashrate(d, f);
    EXPECT_NEAR(DifficultyForHashrate(h, f) / d, 1.0, 1e-12);
  }
}

TEST(DifficultyTest, BlocksComeFasterWhenHashrateRunsAhead) {
  const double d = 88.1e12;
  const TerahashPerSecond h = ImpliedNetworkHashrate(d);
  EXPECT_NEAR(MeanBlockInterval(d, h).count(), 600.0, 1e-9);
  EXPECT_NEAR(MeanBlockInterval(d, h * 1.2).count(), 500.0, 1e-9);
}

TEST(DifficultyTest, DifficultyFromBitsMatchesBitcoinCore) {
  // Genesis bits 0x1d00ffff is difficulty 1.
  ASSERT_TRUE(DifficultyFromBits(0x1d00ffff).ok());
  EXPECT_DOUBLE_EQ(*DifficultyFromBits(0x1d00ffff), 1.0);
  // The epoch starting at 876960 (btc_difficulty_epochs.csv): 109782075598905.1875.
  EXPECT_NEAR(*DifficultyFromBits(0x1702905c) / 109782075598905.1875, 1.0, 1e-12);
}

TEST(DifficultyTest, DifficultyFromBitsRejectsZeroAndNegativeMantissa) {
  EXPECT_FALSE(DifficultyFromBits(0x1d000000).ok());
  EXPECT_FALSE(DifficultyFromBits(0x1d800000).ok());
}

}  // namespace
}  // namespace mullet
