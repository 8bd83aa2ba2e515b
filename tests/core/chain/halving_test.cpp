#include "core/chain/halving.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

TEST(HalvingTest, ProjectsAtTenMinutesWhenHashrateMatchesDifficulty) {
  const double d = 88.1e12;
  const HalvingProjection p =
      ProjectNextHalving(830'000, At("2024-02-15T00:00:00Z"), d, ImpliedNetworkHashrate(d));
  EXPECT_EQ(p.height, 840'000);
  EXPECT_EQ(p.blocks_remaining, 10'000);
  EXPECT_NEAR(p.mean_block_interval.count(), 600.0, 1e-9);
  // 10,000 blocks x 600 s = 69.44 days.
  EXPECT_EQ(FormatUtc(p.date), "2024-04-24T10:40:00Z");
}

TEST(HalvingTest, MoreHashrateBringsTheHalvingForward) {
  const double d = 88.1e12;
  const UtcTime now = At("2024-02-15T00:00:00Z");
  const HalvingProjection base = ProjectNextHalving(830'000, now, d, ImpliedNetworkHashrate(d));
  const HalvingProjection fast =
      ProjectNextHalving(830'000, now, d, ImpliedNetworkHashrate(d) * 1.1);
  EXPECT_LT(fast.date, base.date);
  EXPECT_NEAR(fast.time_remaining.count() * 1.1, base.time_remaining.count(), 1e-3);
}

}  // namespace
}  // namespace mullet
