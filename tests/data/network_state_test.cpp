#include "data/network_state.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace mullet {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

Date D(const char* text) { return *ParseDate(text); }

// Loaded once: the real files take a moment under the sanitizers.
class NetworkStateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    real_ = new Result<NetworkHistory>(NetworkHistory::Load(MULLET_SHARED_DATA));
  }
  static void TearDownTestSuite() {
    delete real_;
    real_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(real_->ok()) << real_->status().message(); }

  static const NetworkHistory& Real() { return real_->value(); }

  static Result<NetworkHistory>* real_;
};
Result<NetworkHistory>* NetworkStateTest::real_ = nullptr;

TEST_F(NetworkStateTest, LoadsTheFourFiles) {
  EXPECT_EQ(Real().epochs().epochs.size(), 435u);
  EXPECT_EQ(Real().prices().days.size(), 5144u);
  EXPECT_EQ(Real().fees().days.size(), 4415u);
  EXPECT_EQ(Real().network().days.size(), 5903u);
}

TEST_F(NetworkStateTest, SubsidyHalvesAcross2024April20) {
  const Result<NetworkState> before = Real().At(D("2024-04-19"));
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(before->subsidy, Sats(625'000'000));
  EXPECT_LT(before->height, 840'000);
  const Result<NetworkState> after = Real().At(D("2024-04-21"));
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->subsidy, Sats(312'500'000));
  EXPECT_GE(after->height, 840'000);
  EXPECT_EQ(before->epoch_start_height, 838'656);  // both in the same epoch
  EXPECT_EQ(after->epoch_start_height, 838'656);
}

TEST_F(NetworkStateTest, July2024UsesItsEpochAndClose) {
  const Result<NetworkState> s = Real().At(D("2024-07-01"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->date, D("2024-07-01"));
  // btc_difficulty_epochs.csv: 848736,2024-06-20T09:29:57Z,2024-07-05T03:21:13Z,...,0x17035d25,
  // 83675262295059.906250
  EXPECT_EQ(s->epoch_start_height, 848'736);
  EXPECT_EQ(s->difficulty, 83675262295059.906250);
  EXPECT_GT(s->height, 848'736);
  EXPECT_LT(s->height, 848'736 + 2016);
  EXPECT_EQ(s->subsidy, Sats(312'500'000));
  EXPECT_EQ(s->price, UsdPerBtc(63180.00));  // btc_price_daily.csv close of 2024-07-01
  EXPECT_GT(s->fees_per_block, Btc(0.01));
  EXPECT_LT(s->fees_per_block, Btc(2));
  EXPECT_EQ(s->fee_days, 7);
  EXPECT_EQ(s->fee_window_days, 7);
  EXPECT_GT(s->network_hashrate.eh_s(), 400);
  EXPECT_LT(s->network_hashrate.eh_s(), 1000);
}

TEST_F(NetworkStateTest, HeightGrowsDayByDayAndStaysInItsEpoch) {
  BlockHeight previous = 0;
  for (Date d = D("2024-01-01"); d <= D("2024-12-31"); d += days(1)) {
    const Result<NetworkState> s = Real().At(d);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_GT(s->height, previous) << FormatDate(d);
    EXPECT_GE(s->height, s->epoch_start_height);
    EXPECT_LT(s->height, s->epoch_start_height + 2016);
    previous = s->height;
  }
}

TEST_F(NetworkStateTest, FeesPerBlockIsTheWindowSumOverItsBlocks) {
  const Result<NetworkState> one = Real().At(D("2024-07-01"), 1);
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->fee_days, 1);
  // 2024-07-01 in btc_fees_daily.csv and btc_network_daily.csv.
  const auto& fees = Real().fees().days;
  const auto& net = Real().network().days;
  Btc day_fees(0);
  int day_blocks = 0;
  for (const FeeDay& f : fees) {
    if (f.date == D("2024-07-01")) day_fees = f.fees;
  }
  for (const NetworkDay& n : net) {
    if (n.date == D("2024-07-01")) day_blocks = n.block_count;
  }
  ASSERT_GT(day_blocks, 0);
  EXPECT_DOUBLE_EQ(one->fees_per_block.value(), day_fees.value() / day_blocks);
}

TEST_F(NetworkStateTest, WindowOverlappingTheFeeGapUsesTheDaysPresent) {
  // The gap ends 2023-04-29: the 7 days to 2023-05-02 hold 3 fee days.
  const Result<NetworkState> s = Real().At(D("2023-05-02"), 7);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->fee_days, 3);
  EXPECT_EQ(s->fee_window_days, 7);
}

TEST_F(NetworkStateTest, DateInTheFeeGapIsOutOfRangeNamingTheFeeFile) {
  const Result<NetworkState> s = Real().At(D("2022-10-01"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(Contains(s.status().message(), "btc_fees_daily.csv"));
  EXPECT_TRUE(Contains(s.status().message(), "2022-04-30 to 2023-04-29"));
  EXPECT_TRUE(Contains(s.status().message(), "--fees-btc-per-block"));
}

// Past the end of the history (issue 9: one rule with the backtest's market,
// docs/market.md): the last epoch (start height 876,960, ends
// 2025-01-12T20:01:51Z) holds its difficulty; a block every 600 s after its
// end; the last close (2026-01-30: 84,141.78) and the last fee window hold.
// The end of 2030-01-01 is 156,830,289 s past the epoch's end: 261,383 blocks
// (past the 2028 halving: the subsidy follows).
TEST_F(NetworkStateTest, PastTheHistoryTheLastValuesHoldAndTheEndIsNamed) {
  const Result<NetworkState> s = Real().At(D("2030-01-01"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_TRUE(s->history_ends.has_value());
  EXPECT_EQ(FormatDate(*s->history_ends), "2025-01-12");
  EXPECT_EQ(s->difficulty, Real().epochs().epochs.back().difficulty);
  EXPECT_EQ(s->epoch_start_height, 876'960);
  EXPECT_EQ(s->height, 876'960 + 2016 + 261'383);
  EXPECT_EQ(s->subsidy, Sats(156'250'000));
  EXPECT_EQ(s->subsidy, BlockSubsidy(s->height));
  EXPECT_EQ(s->price.value(), 84141.78);
  // The last fee window with data: the same value at any later date.
  const Result<NetworkState> later = Real().At(D("2031-07-01"));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->fees_per_block, s->fees_per_block);
  EXPECT_GT(s->fees_per_block.value(), 0);
  // The first day past the last epoch's end is past too; the day before is not.
  EXPECT_TRUE(Real().At(D("2025-01-12"))->history_ends.has_value());
  EXPECT_FALSE(Real().At(D("2025-01-11"))->history_ends.has_value());
}

TEST_F(NetworkStateTest, DatesBeforeTheEpochsAreOutOfRange) {
  for (const char* date : {"2009-01-01", "2008-06-01"}) {
    const Result<NetworkState> s = Real().At(D(date));
    ASSERT_FALSE(s.ok()) << date;
    EXPECT_EQ(s.status().code(), StatusCode::kOutOfRange);
    EXPECT_EQ(s.status().message(), std::string(date) +
                                        " is outside btc_difficulty_epochs.csv (covers "
                                        "2009-01-27 to 2025-01-11)");
  }
  // The first and last days covered: their ends fall inside the first and last epochs.
  EXPECT_EQ(Real().At(D("2025-01-11"))->epoch_start_height, 876'960);
  EXPECT_FALSE(Real().At(D("2009-01-27")).ok());  // no price until 2012
  EXPECT_TRUE(Contains(Real().At(D("2009-01-27")).status().message(), "btc_price_daily.csv"));
}

TEST_F(NetworkStateTest, DateBeforeThePricesIsOutOfRangeNamingThePriceFile) {
  const Result<NetworkState> s = Real().At(D("2011-06-01"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.status().message(),
            "no BTC close for 2011-06-01 in btc_price_daily.csv (covers 2012-01-01 to 2026-01-30)");
}

TEST_F(NetworkStateTest, FeeWindowMustNotBeNegative) {
  EXPECT_EQ(Real().At(D("2024-07-01"), -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(NetworkStateTest, ZeroFeeWindowSkipsFeesEvenInTheFeeGap) {
  // 2022-10-01 lies in the fee file's one-year gap: with a window it fails,
  // without one the rest of the state is still there.
  ASSERT_FALSE(Real().At(D("2022-10-01")).ok());
  const Result<NetworkState> s = Real().At(D("2022-10-01"), 0);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->fee_days, 0);
  EXPECT_EQ(s->fees_per_block, Btc(0));
  EXPECT_GT(s->difficulty, 0);
  EXPECT_GT(s->price.value(), 0);
  EXPECT_EQ(s->subsidy, Sats(625'000'000));
}

// ---- A small synthetic history (tests/testdata/mini_history) for exact values. ----

class MiniHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<NetworkHistory> h = NetworkHistory::Load(fs::path(MULLET_TESTDATA) / "mini_history");
    ASSERT_TRUE(h.ok()) << h.status().message();
    history_ = std::move(h).value();
  }
  NetworkHistory history_;
};

TEST_F(MiniHistoryTest, HeightIsLinearInTimeWithinTheEpoch) {
  // Epoch 2016 runs 2020-01-01T00:00Z to 2020-01-15T00:00Z (14 days).
  EXPECT_EQ(history_.At(D("2020-01-07"))->height, 2016 + 1008);  // 7 of 14 days
  EXPECT_EQ(history_.At(D("2020-01-13"))->height, 2016 + 1872);  // 13 of 14 days
  EXPECT_EQ(history_.At(D("2020-01-13"))->epoch_start_height, 2016);
  // The end of 2020-01-14 is the next epoch's start: exact at the boundary.
  EXPECT_EQ(history_.At(D("2020-01-14"))->height, 4032);
  EXPECT_EQ(history_.At(D("2020-01-14"))->epoch_start_height, 4032);
  EXPECT_EQ(history_.At(D("2020-01-07"))->subsidy, Sats(50 * kSatsPerBtc));
}

TEST_F(MiniHistoryTest, FeesSkipDaysMissingFromEitherSeries) {
  // Fees: 1.5, 2.5, 3.5, 4.5 on Jan 1-4, none on Jan 5-6, 7.5 on Jan 7.
  // Blocks: 144 a day but 100 on Jan 3.
  const Result<NetworkState> s = history_.At(D("2020-01-07"), 7);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->fee_days, 5);
  EXPECT_DOUBLE_EQ(s->fees_per_block.value(), 19.5 / 676);
  EXPECT_EQ(s->price, UsdPerBtc(106));
  EXPECT_EQ(s->network_hashrate, HashesPerSecond(7e7));
}

TEST_F(MiniHistoryTest, FeeErrorsSayWhyTheWindowIsEmpty) {
  const Result<NetworkState> gap = history_.At(D("2020-01-06"), 2);
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(gap.status().message(),
            "fee data is missing for the 2 days 2020-01-05 to 2020-01-06 in btc_fees_daily.csv "
            "(the file has no data from 2020-01-05 to 2020-01-06); pass --fees-btc-per-block to "
            "give the fees per block");
  const Result<NetworkState> after = history_.At(D("2020-01-18"), 7);
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(Contains(after.status().message(), "(the file covers 2020-01-01 to 2020-01-10)"));
}

TEST_F(MiniHistoryTest, DateInAnEpochGapIsOutOfRange) {
  const Result<NetworkState> s = history_.At(D("2020-02-01"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.status().message(),
            "2020-02-01 falls in a gap of btc_difficulty_epochs.csv (no epochs from "
            "2020-01-29T00:00:00Z to 2020-02-12T00:00:00Z)");
}

TEST(NetworkHistoryTest, MissingDirectoryIsNotFound) {
  const fs::path dir = fs::path(MULLET_TESTDATA) / "no_such_dir";
  const Result<NetworkHistory> h = NetworkHistory::Load(dir);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(h.status().message(), (dir / data_files::kDifficultyEpochs).string()));
}

}  // namespace
}  // namespace mullet
