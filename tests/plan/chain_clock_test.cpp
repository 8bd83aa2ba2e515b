#include "plan/chain_clock.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace mullet {
namespace {

constexpr double kD0 = 100e12;               // 100 T
constexpr double kEpochSeconds = 1'209'600;  // 2016 x 600 s

TerahashPerSecond H0() { return ImpliedNetworkHashrate(kD0); }

ChainStart StartAt(BlockHeight height, double difficulty = kD0) {
  ChainStart start;
  start.height = height;
  start.difficulty = difficulty;
  start.time = *ParseUtcTimestamp("2024-04-20T00:09:27Z");
  return start;
}

ChainClockOptions Rule(RetargetSpan span) {
  ChainClockOptions options;
  options.retarget = span;
  return options;
}

std::vector<ChainEpoch> RunClock(const ChainStart& start, std::vector<TerahashPerSecond> daily,
                                 double horizon_s, RetargetSpan span = RetargetSpan::kFullEpoch) {
  Result<std::vector<ChainEpoch>> epochs =
      RunChainClock(start, daily, Seconds(horizon_s), Rule(span));
  EXPECT_TRUE(epochs.ok()) << epochs.status().message();
  return epochs.ok() ? *epochs : std::vector<ChainEpoch>{};
}

// 907,200 = 450 x 2016 begins an epoch, and no halving is near.
constexpr BlockHeight kAligned = 907'200;

TEST(ChainClockTest, ImpliedHashrateKeepsTenMinuteBlocksAndTheDifficulty) {
  const auto epochs = RunClock(StartAt(kAligned), {H0()}, 3 * kEpochSeconds - 100);
  ASSERT_EQ(epochs.size(), 3u);
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    const ChainEpoch& e = epochs[i];
    EXPECT_EQ(e.first_height, kAligned + 2016 * static_cast<BlockHeight>(i));
    EXPECT_EQ(e.blocks(), 2016);
    EXPECT_NEAR(e.start.count(), kEpochSeconds * static_cast<double>(i), 1e-6);
    EXPECT_NEAR((e.end - e.start).count(), kEpochSeconds, 1e-6);
    EXPECT_NEAR(e.difficulty / kD0, 1.0, 1e-12);
    EXPECT_NEAR(e.next_difficulty / kD0, 1.0, 1e-12);
  }
  // 2024-04-20T00:09:27Z + 14 days, to the second (truncated).
  EXPECT_LE(std::chrono::abs(epochs[0].end_time - *ParseUtcTimestamp("2024-05-04T00:09:27Z")),
            std::chrono::seconds(1));
}

TEST(ChainClockTest, ConsensusRuleSettlesOneOffByOneAbove) {
  // Bitcoin Core measures 2015 intervals against 2016: at constant hashrate
  // the first retarget raises difficulty by 2016/2015; then 2015 intervals of
  // 600 x 2016/2015 s are exactly 1,209,600 s, and it holds there.
  const auto epochs =
      RunClock(StartAt(kAligned), {H0()}, 2 * kEpochSeconds, RetargetSpan::kConsensus);
  ASSERT_GE(epochs.size(), 2u);
  EXPECT_NEAR(epochs[0].next_difficulty / kD0, 2016.0 / 2015.0, 1e-12);
  EXPECT_NEAR(epochs[1].difficulty / kD0, 2016.0 / 2015.0, 1e-12);
  EXPECT_NEAR((epochs[1].end - epochs[1].start).count(), kEpochSeconds * 2016.0 / 2015.0, 1e-5);
  EXPECT_NEAR(epochs[1].next_difficulty / kD0, 2016.0 / 2015.0, 1e-12);
}

TEST(ChainClockTest, DoubledHashrateHalvesTheEpochAndDoublesTheDifficulty) {
  const auto epochs = RunClock(StartAt(kAligned), {H0() * 2.0}, 0);
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_NEAR(epochs[0].end.count(), kEpochSeconds / 2, 1e-6);
  EXPECT_NEAR(epochs[0].next_difficulty / kD0, 2.0, 1e-12);

  const auto consensus = RunClock(StartAt(kAligned), {H0() * 2.0}, 0, RetargetSpan::kConsensus);
  // 2015 intervals of 300 s against 1,209,600 s.
  EXPECT_NEAR(consensus[0].next_difficulty / kD0, kEpochSeconds / (2015 * 300.0), 1e-12);
}

TEST(ChainClockTest, TenfoldHashrateIsClampedToFourfold) {
  const auto up = RunClock(StartAt(kAligned), {H0() * 10.0}, 0);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_NEAR(up[0].end.count(), kEpochSeconds / 10, 1e-6);
  EXPECT_NEAR(up[0].next_difficulty / kD0, 4.0, 1e-12);
  const auto down = RunClock(StartAt(kAligned), {H0() / 10.0}, 0);
  EXPECT_NEAR(down[0].end.count(), kEpochSeconds * 10, 1e-4);
  EXPECT_NEAR(down[0].next_difficulty / kD0, 0.25, 1e-12);
}

TEST(ChainClockTest, HashrateThatChangesInsideAnEpochMovesItsEnd) {
  // Day 0 at H0 finds 86,400 / 600 = 144 blocks; the other 1872 at 2 H0 take
  // 1872 x 300 = 561,600 s. End: 648,000 s; difficulty x 1,209,600 / 648,000.
  const auto epochs = RunClock(StartAt(kAligned), {H0(), H0() * 2.0}, 0);
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_NEAR(epochs[0].end.count(), 648'000, 1e-6);
  EXPECT_NEAR(epochs[0].next_difficulty / kD0, kEpochSeconds / 648'000, 1e-12);
}

TEST(ChainClockTest, EpochStraddlingAHalvingSplitsItsBlocks) {
  // 1,048,320 = 520 x 2016; the halving at 1,050,000 falls 1680 blocks in.
  // 1680 x 312,500,000 + 336 x 156,250,000 = 525,000,000,000 + 52,500,000,000.
  const auto epochs = RunClock(StartAt(1'048'320), {H0()}, 0);
  ASSERT_EQ(epochs.size(), 1u);
  const ChainEpoch& e = epochs[0];
  ASSERT_EQ(e.run_count, 2);
  EXPECT_EQ(e.runs[0].first_height, 1'048'320);
  EXPECT_EQ(e.runs[0].blocks, 1680);
  EXPECT_EQ(e.runs[0].subsidy_per_block, Sats(312'500'000));
  EXPECT_EQ(e.runs[1].first_height, 1'050'000);
  EXPECT_EQ(e.runs[1].blocks, 336);
  EXPECT_EQ(e.runs[1].subsidy_per_block, Sats(156'250'000));
  EXPECT_NEAR(e.runs[1].start.count(), 1680 * 600.0, 1e-6);
  EXPECT_EQ(e.subsidy(), Sats(577'500'000'000));
}

TEST(ChainClockTest, HalvingOnAnEpochBoundaryDoesNotSplit) {
  // 1,260,000 = 625 x 2016: the epoch before pays 1.5625 BTC throughout,
  // the one after 0.78125 BTC.
  const auto epochs = RunClock(StartAt(1'257'984), {H0()}, kEpochSeconds + 100);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_EQ(epochs[0].run_count, 1);
  EXPECT_EQ(epochs[0].end_height, 1'260'000);
  EXPECT_EQ(epochs[0].runs[0].subsidy_per_block, Sats(156'250'000));
  EXPECT_EQ(epochs[1].run_count, 1);
  EXPECT_EQ(epochs[1].runs[0].subsidy_per_block, Sats(78'125'000));
}

TEST(ChainClockTest, EightYearsFromTheTwentyTwentyFourHalving) {
  // From 840,000 (1344 blocks into epoch 416, so a first epoch of 672) at
  // constant hashrate: halvings at 1,050,000 (mid-epoch, after exactly
  // 210,000 x 600 s) and 1,260,000 (on a boundary); every run pays
  // BlockSubsidy of its first height and the runs tile the heights.
  // 420,000 blocks of 600 s reach 1,260,000; a second later is the next epoch.
  const auto epochs = RunClock(StartAt(840'000), {H0()}, 420'000 * 600.0 + 1);
  ASSERT_FALSE(epochs.empty());
  EXPECT_EQ(epochs[0].blocks(), 672);
  EXPECT_NEAR(epochs[0].next_difficulty / kD0, 1.0, 1e-12);  // default: 600 s before the start
  BlockHeight next = 840'000;
  int splits = 0;
  for (const ChainEpoch& e : epochs) {
    EXPECT_EQ(e.first_height, next);
    EXPECT_EQ(e.end_height % 2016, 0);
    std::int64_t blocks = 0;
    for (const SubsidyRun& run : e.subsidy_runs()) {
      EXPECT_EQ(run.first_height, e.first_height + blocks);
      EXPECT_EQ(run.subsidy_per_block, BlockSubsidy(run.first_height));
      EXPECT_EQ(run.subsidy_per_block, BlockSubsidy(run.first_height + run.blocks - 1));
      blocks += run.blocks;
    }
    EXPECT_EQ(blocks, e.blocks());
    if (e.run_count == 2) {
      ++splits;
      EXPECT_EQ(e.runs[1].first_height, 1'050'000);
      EXPECT_NEAR(e.runs[1].start.count(), 210'000 * 600.0, 1e-3);
    }
    next = e.end_height;
  }
  EXPECT_EQ(splits, 1);
  EXPECT_EQ(next, 1'262'016);
}

TEST(ChainClockTest, MidEpochStartUsesTheElapsedTimespan) {
  // 1344 blocks already found in half the usual time: 403,200 s elapsed, and
  // the remaining 672 take 403,200 s: timespan 806,400, difficulty x 1.5.
  ChainStart start = StartAt(840'000);
  start.epoch_elapsed = Seconds(1344 * 300.0);
  const auto epochs = RunClock(start, {H0()}, 0);
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_NEAR(epochs[0].end.count(), 672 * 600.0, 1e-6);
  EXPECT_NEAR(epochs[0].next_difficulty / kD0, 1.5, 1e-12);
}

TEST(ChainClockTest, DifficultyNeverFallsBelowOne) {
  const auto epochs = RunClock(StartAt(kAligned, 1.0), {ImpliedNetworkHashrate(1.0) / 100.0}, 0);
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_EQ(epochs[0].next_difficulty, 1.0);
}

TEST(ChainClockTest, RejectsBadInputs) {
  const std::vector<TerahashPerSecond> ok = {H0()};
  EXPECT_FALSE(RunChainClock(StartAt(kAligned), {}, Seconds(0)).ok());
  const std::vector<TerahashPerSecond> zero_day = {H0(), TerahashPerSecond(0)};
  const auto zero = RunChainClock(StartAt(kAligned), zero_day, Seconds(0));
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("day 1"), std::string::npos);
  EXPECT_FALSE(RunChainClock(StartAt(kAligned, 0.0), ok, Seconds(0)).ok());
  EXPECT_FALSE(RunChainClock(StartAt(-1), ok, Seconds(0)).ok());
  EXPECT_FALSE(RunChainClock(StartAt(kAligned), ok, Seconds(-1)).ok());
  EXPECT_FALSE(
      RunChainClock(StartAt(kAligned), ok, Seconds(std::numeric_limits<double>::infinity())).ok());
}

}  // namespace
}  // namespace mullet
