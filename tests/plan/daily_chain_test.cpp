// The chain a day at a time against the whole-path clock (chain_clock.h):
// the same retargets and epoch ends on the same hashrate path.

#include "plan/daily_chain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "plan/chain_clock.h"

namespace mullet {
namespace {

TEST(DailyChainTest, MatchesTheChainClockAcrossRetargetsAndAHalving) {
  // 500 days from height 837,000 (the 2024 halving at 840,000 inside), the
  // hashrate rising 0.2 % a day from 600 EH/s, then falling 0.3 % a day.
  const BlockHeight h0 = 837000;
  const double d0 = 80e12;
  std::vector<TerahashPerSecond> daily;
  double h = 6e8;
  for (int d = 0; d < 500; ++d) {
    daily.push_back(TerahashPerSecond(h));
    h *= d < 250 ? 1.002 : 0.997;
  }
  ChainStart start;
  start.height = h0;
  start.difficulty = d0;
  start.time = *ParseUtcTimestamp("2024-01-01T00:00:00Z");
  const Result<std::vector<ChainEpoch>> epochs = RunChainClock(start, daily, Seconds(500 * 86400.0));
  ASSERT_TRUE(epochs.ok()) << epochs.status().message();
  ASSERT_GT(epochs->size(), 25u);

  // The day-at-a-time chain, stepped hourly so that epoch ends are timed to the hour.
  DailyChain chain(h0, d0);
  std::size_t next = 0;  // the epoch whose end comes next
  int checked = 0;
  double before_halving = 0, after_halving = 0;
  for (int hour = 0; hour < 500 * 24 && next + 1 < epochs->size(); ++hour) {
    const double before = chain.height();
    const DailyChain::Span span = chain.Advance(daily[hour / 24], 3600);
    if (before < 840000 && chain.height() >= 840000) {
      // The hour that straddles the halving pays between the two subsidies.
      EXPECT_GT(span.subsidy_btc / span.blocks, 3.125);
      EXPECT_LT(span.subsidy_btc / span.blocks, 6.25);
    }
    if (chain.height() < 840000) before_halving = span.subsidy_btc / span.blocks;
    if (before >= 840000) after_halving = span.subsidy_btc / span.blocks;
    const ChainEpoch& e = (*epochs)[next];
    if (chain.height() >= static_cast<double>(e.end_height)) {
      const double end_s = e.end.count();
      EXPECT_NEAR((hour + 1) * 3600.0, end_s, 3600.0) << "epoch ending at " << e.end_height;
      EXPECT_NEAR(chain.difficulty() / e.next_difficulty, 1.0, 1e-4) << "epoch ending at " << e.end_height;
      ++checked;
      ++next;
    }
  }
  EXPECT_GT(checked, 25);
  EXPECT_DOUBLE_EQ(before_halving, 6.25);
  EXPECT_DOUBLE_EQ(after_halving, 3.125);
}

TEST(DailyChainTest, ConstantHashrateSettlesAtTheImpliedDifficulty) {
  // At the hashrate that 80e12 implies, a day brings 144 blocks (to the
  // 2016/2015 settling of Bitcoin Core's off-by-one after a retarget).
  const double d0 = 80e12;
  const TerahashPerSecond h = ImpliedNetworkHashrate(d0);
  DailyChain chain(840000 + 2016 * 10, d0);  // at an epoch's start
  const DailyChain::Span day = chain.Advance(h);
  EXPECT_NEAR(day.blocks, 144.0, 1e-6);
  EXPECT_NEAR(day.subsidy_btc, 144 * 3.125, 1e-6);
  for (int d = 0; d < 30; ++d) chain.Advance(h);
  EXPECT_NEAR(chain.difficulty() / d0, 2016.0 / 2015.0, 1e-9);
}

}  // namespace
}  // namespace mullet
