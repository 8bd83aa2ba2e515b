#include "data/market.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>

#include "data/history.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

UtcTime T(const char* text) { return *ParseUtcTimestamp(text); }
fs::path Shared() { return fs::path(MULLET_SHARED_DATA); }
fs::path Fixture(const char* file) { return fs::path(MULLET_TESTDATA) / "market" / file; }

// The index of the step starting at `t`, or -1.
std::ptrdiff_t IndexOf(const MarketSeries& m, UtcTime t) {
  if (m.times.empty() || t < m.times.front()) return -1;
  const std::chrono::seconds step = std::chrono::duration_cast<std::chrono::seconds>(m.step);
  const std::ptrdiff_t i = (t - m.times.front()) / step;
  return i < static_cast<std::ptrdiff_t>(m.size()) && m.times[i] == t ? i : -1;
}

// Every series has one entry per step, and hashprice = BTC/TH/day x BTC price.
void ExpectConsistent(const MarketSeries& m) {
  ASSERT_EQ(m.power_price.size(), m.size());
  ASSERT_EQ(m.hashprice.size(), m.size());
  ASSERT_EQ(m.btc_price.size(), m.size());
  ASSERT_EQ(m.btc_per_th_day.size(), m.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    ASSERT_TRUE(std::isfinite(m.power_price[i].value())) << i;
    ASSERT_TRUE(std::isfinite(m.hashprice[i].value())) << i;
    ASSERT_GT(m.btc_price[i], UsdPerBtc(0)) << i;
    ASSERT_NEAR(HashpriceOf(m.btc_per_th_day[i], m.btc_price[i]) / m.hashprice[i], 1.0, 1e-12) << i;
    if (i > 0) {
      ASSERT_EQ(m.times[i] - m.times[i - 1], m.step) << i;
    }
  }
}

// The whole day-ahead file with the hashprice from history, built once.
class MarketTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MarketOptions o;
    o.data_dir = Shared();
    whole_ = new Result<MarketSeries>(BuildMarket(o));
  }
  static void TearDownTestSuite() {
    delete whole_;
    whole_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(whole_->ok()) << whole_->status().message(); }

  static const MarketSeries& Whole() { return whole_->value(); }
  static UsdPerTerahashDay HashpriceAt(const char* t) {
    const std::ptrdiff_t i = IndexOf(Whole(), T(t));
    EXPECT_GE(i, 0) << t;
    return i < 0 ? UsdPerTerahashDay(0) : Whole().hashprice[i];
  }

  static Result<MarketSeries>* whole_;
};
Result<MarketSeries>* MarketTest::whole_ = nullptr;

MarketOptions Hourly2024() {
  MarketOptions o;
  o.data_dir = Shared();
  o.from = T("2024-01-01T00:00:00Z");
  o.to = T("2025-01-01T00:00:00Z");
  return o;
}

TEST(MarketDataTest, SharedDataDirectoryExists) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the market tests need ../shared/data";
}

// ---- Power price. ----

TEST_F(MarketTest, DefaultRangeIsTheWholeDayAheadFile) {
  const MarketSeries& m = Whole();
  ASSERT_EQ(m.size(), 35064u);  // 8760 x 3 + 8784 hours, 2021-01-01T06Z .. 2025-01-01T05Z
  EXPECT_EQ(m.times.front(), T("2021-01-01T06:00:00Z"));
  EXPECT_EQ(m.times.back(), T("2025-01-01T05:00:00Z"));
  EXPECT_EQ(m.step, Hours(1));
  EXPECT_EQ(m.power_filled_steps, 0);
  EXPECT_EQ(m.power_source, "ercot_dam_spp_hourly_2021_2024.csv:hb_west");
  EXPECT_EQ(m.hashprice_source, "history");
  EXPECT_EQ(m.btc_price_source, "btc_price_daily.csv (previous day's close)");
  // The fee gap: the windows ending 2022-05-06 .. 2023-04-29 hold no fee day,
  // i.e. the days 2022-05-07 .. 2023-04-30: 359 days of 24 hours.
  EXPECT_EQ(m.hashprice_filled_steps, 359 * 24);
  ExpectConsistent(m);
}

TEST(MarketDataTest, DayAhead2024HourlyHas8784StepsAndNoFills) {
  const Result<MarketSeries> r = BuildMarket(Hourly2024());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const MarketSeries& m = *r;
  ASSERT_EQ(m.size(), 8784u);
  EXPECT_EQ(m.power_filled_steps, 0);
  EXPECT_EQ(m.hashprice_filled_steps, 0);
  // ercot_dam_spp_hourly_2021_2024.csv: 2024-01-01T00:00:00Z,31.39,... and T06: 19.79.
  EXPECT_EQ(m.power_price[0], UsdPerMegawattHour(31.39));
  EXPECT_EQ(m.power_price[6], UsdPerMegawattHour(19.79));
  // The data README's annual mean is per UTC year: 28.94 USD/MWh for 2024.
  const double mean =
      std::accumulate(m.power_price.begin(), m.power_price.end(), 0.0,
                      [](double s, UsdPerMegawattHour p) { return s + p.value(); }) /
      static_cast<double>(m.size());
  EXPECT_NEAR(mean, 28.94, 0.005);
  ExpectConsistent(m);
}

TEST(MarketDataTest, RealTime2024FillsTheWeekGapAndTheMissingHour) {
  MarketOptions o;
  o.data_dir = Shared();
  o.power_csv = Shared() / data_files::kErcotRtm;
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const MarketSeries& m = *r;
  ASSERT_EQ(m.size(), 8784u);  // 2024-01-01T06Z .. 2025-01-01T05Z
  EXPECT_EQ(m.power_filled_steps, 169 + 1);
  EXPECT_EQ(m.power_source, "ercot_rtm_spp_hourly_2024.csv:hb_west");
  // The week gap 2024-03-10T07Z .. 2024-03-17T07Z carries 2024-03-10T06Z's 119.6725.
  const std::ptrdiff_t gap = IndexOf(m, T("2024-03-10T07:00:00Z"));
  ASSERT_GE(gap, 0);
  for (std::ptrdiff_t i = gap; i < gap + 169; ++i) {
    EXPECT_EQ(m.power_price[i], UsdPerMegawattHour(119.6725)) << FormatUtc(m.times[i]);
  }
  EXPECT_EQ(m.power_price[gap + 169], UsdPerMegawattHour(45.9625));  // 2024-03-17T08Z, a row
  // The missing 2024-11-03T07Z carries 06Z's 21.31.
  EXPECT_EQ(m.power_price[IndexOf(m, T("2024-11-03T07:00:00Z"))], UsdPerMegawattHour(21.31));
  EXPECT_EQ(m.power_price[IndexOf(m, T("2024-11-03T08:00:00Z"))], UsdPerMegawattHour(18.85));
}

TEST(MarketDataTest, CarriesTheLastPriceForwardInAUserFile) {
  MarketOptions o;
  o.power_csv = Fixture("power_gap.csv");
  o.power_column = "lz_west_usd_per_mwh";  // the full column name works too
  o.hashprice_constant = UsdPerTerahashDay(0.05);
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 6u);
  const double expected[] = {11, 21, 21, 21, 41, -4};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(r->power_price[i].value(), expected[i]) << i;
  EXPECT_EQ(r->power_filled_steps, 2);
  EXPECT_EQ(r->power_source, "power_gap.csv:lz_west");
}

TEST(MarketDataTest, DayStepsAverageTheirHours) {
  MarketOptions o = Hourly2024();
  o.to = T("2024-01-08T00:00:00Z");
  const Result<MarketSeries> hourly = BuildMarket(o);
  ASSERT_TRUE(hourly.ok()) << hourly.status().message();
  o.step = Hours(24);
  const Result<MarketSeries> daily = BuildMarket(o);
  ASSERT_TRUE(daily.ok()) << daily.status().message();
  ASSERT_EQ(daily->size(), 7u);
  EXPECT_EQ(daily->step, Hours(24));
  for (std::size_t d = 0; d < 7; ++d) {
    double power = 0, usd = 0, btc = 0;
    for (std::size_t h = 24 * d; h < 24 * d + 24; ++h) {
      power += hourly->power_price[h].value();
      usd += hourly->hashprice[h].value();
      btc += hourly->btc_per_th_day[h].value();
    }
    EXPECT_EQ(daily->times[d], hourly->times[24 * d]);
    EXPECT_NEAR(daily->power_price[d].value(), power / 24, 1e-9) << d;
    EXPECT_NEAR(daily->hashprice[d].value(), usd / 24, 1e-15) << d;
    EXPECT_NEAR(daily->btc_per_th_day[d].value(), btc / 24, 1e-18) << d;
  }
  // A UTC day's hours share the previous close, so the step's price is that close.
  EXPECT_NEAR(daily->btc_price[1].value(), hourly->btc_price[24].value(), 1e-6);
  ExpectConsistent(*daily);
}

TEST(MarketDataTest, SubHourlyStepsRepeatTheHourlyPrice) {
  MarketOptions o = Hourly2024();
  o.to = T("2024-01-01T02:00:00Z");
  o.step = std::chrono::duration_cast<Hours>(minutes(15));
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ(r->times[1], T("2024-01-01T00:15:00Z"));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(r->power_price[i], UsdPerMegawattHour(31.39));
  for (std::size_t i = 4; i < 8; ++i) EXPECT_EQ(r->power_price[i], r->power_price[4]);
  ExpectConsistent(*r);
}

// A real-time file kept at 15 minutes: each step is priced on the file's own
// intervals (prices here: 100 + the interval's index, so the expected means
// are worked by hand).
class FifteenMinuteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = fs::temp_directory_path() / ("mullet_rtm15_" + std::to_string(::getpid()) + ".csv");
    std::ofstream out(file_);
    out << "timestamp_utc,hb_west_usd_per_mwh\n";
    UtcTime t = T("2024-07-01T00:00:00Z");
    for (int i = 0; i < 16; ++i, t += minutes(15)) {
      if (i == 6) continue;  // 01:30 missing: 01:15's price carries forward
      out << FormatUtc(t) << "," << 100 + i << "\n";
    }
  }
  void TearDown() override { fs::remove(file_); }
  MarketOptions Options(Hours step) const {
    MarketOptions o;
    o.power_csv = file_;
    o.hashprice_constant = UsdPerTerahashDay(0.05);
    o.step = step;
    return o;
  }
  fs::path file_;
};

TEST_F(FifteenMinuteFileTest, LoadsWithItsIntervalAndGaps) {
  Result<HourlyPrices> p = LoadHourlyPrices(file_);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->interval, minutes(15));
  ASSERT_EQ(p->gaps.size(), 1u);
  EXPECT_EQ(p->gaps[0].first, T("2024-07-01T01:30:00Z"));
  EXPECT_EQ(p->gaps[0].missing, 1);
}

TEST_F(FifteenMinuteFileTest, EachStepIsPricedOnTheFilesOwnIntervals) {
  const double price[16] = {100, 101, 102, 103, 104, 105, 105, 107, 108, 109, 110, 111, 112, 113, 114, 115};
  Result<MarketSeries> quarter = BuildMarket(Options(std::chrono::duration_cast<Hours>(minutes(15))));
  ASSERT_TRUE(quarter.ok()) << quarter.status().message();
  ASSERT_EQ(quarter->size(), 16u);  // the whole file by default: 00:00 to 04:00
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(quarter->power_price[i].value(), price[i]) << i;
  EXPECT_EQ(quarter->power_filled_steps, 1);

  Result<MarketSeries> hourly = BuildMarket(Options(Hours(1)));
  ASSERT_TRUE(hourly.ok()) << hourly.status().message();
  ASSERT_EQ(hourly->size(), 4u);
  EXPECT_DOUBLE_EQ(hourly->power_price[0].value(), (100 + 101 + 102 + 103) / 4.0);
  EXPECT_DOUBLE_EQ(hourly->power_price[1].value(), (104 + 105 + 105 + 107) / 4.0);
  EXPECT_DOUBLE_EQ(hourly->power_price[3].value(), (112 + 113 + 114 + 115) / 4.0);
  EXPECT_EQ(hourly->power_filled_steps, 1);

  Result<MarketSeries> five = BuildMarket(Options(std::chrono::duration_cast<Hours>(minutes(5))));
  ASSERT_TRUE(five.ok()) << five.status().message();
  ASSERT_EQ(five->size(), 48u);
  for (std::size_t i = 0; i < 48; ++i) EXPECT_EQ(five->power_price[i].value(), price[i / 3]) << i;

  MarketOptions late = Options(Hours(1));
  late.from = T("2024-07-01T03:00:00Z");
  late.to = T("2024-07-01T05:00:00Z");
  Result<MarketSeries> clipped = BuildMarket(late);  // less than a day past the file: clipped, and said
  ASSERT_TRUE(clipped.ok()) << clipped.status().message();
  EXPECT_EQ(clipped->size(), 1u);
  ASSERT_FALSE(clipped->notes.empty());
  late.to = T("2024-07-03T00:00:00Z");
  Result<MarketSeries> past = BuildMarket(late);
  ASSERT_FALSE(past.ok());
  EXPECT_TRUE(Contains(past.status().message(), "no price for the hours 2024-07-01T04:00:00Z"))
      << past.status().message();
}

TEST_F(FifteenMinuteFileTest, ARowOffTheFilesGridIsAnErrorNamingIt) {
  {
    std::ofstream out(file_, std::ios::app);
    out << "2024-07-01T04:05:00Z,1\n";
  }
  Result<HourlyPrices> p = LoadHourlyPrices(file_);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(Contains(p.status().message(),
                       ":17: timestamp_utc: '2024-07-01T04:05:00Z' is not on the file's 15-minute grid"))
      << p.status().message();
}

// ---- Hashprice from history. ----

TEST_F(MarketTest, HashpriceMatchesTheFormulaByHand) {
  // economics.md §1.3: HP = 86400e12 (subsidy + fees) / (D 2^32) x price, with
  // 2021-02-15T00Z: D = 21434395961348.917969 (epoch 669312), close of
  // 2021-02-14 = 48764.35, fees 2021-02-08..14 = 1124.27258187 BTC / 1024 blocks.
  EXPECT_NEAR(
      HashpriceAt("2021-02-15T00:00:00Z").value(),
      86400e12 * (6.25 + 1124.27258187 / 1024) / (21434395961348.917969 * 0x1p32) * 48764.35, 1e-9);
  // 2024-12-01T00Z: D = 102289407543323.796875 (epoch 870912), close of
  // 2024-11-30 = 96441, fees 2024-11-24..30 = 84.99748324 BTC / 1002 blocks.
  EXPECT_NEAR(HashpriceAt("2024-12-01T00:00:00Z").value(),
              86400e12 * (3.125 + 84.99748324 / 1002) / (102289407543323.796875 * 0x1p32) * 96441,
              1e-10);
}

TEST_F(MarketTest, HashpriceIsInPlausibleRanges) {
  const auto month = [](const char* from, const char* to, double lo, double hi) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < Whole().size(); ++i) {
      if (Whole().times[i] < T(from) || Whole().times[i] >= T(to)) continue;
      EXPECT_GE(Whole().hashprice[i].value(), lo) << FormatUtc(Whole().times[i]);
      EXPECT_LE(Whole().hashprice[i].value(), hi) << FormatUtc(Whole().times[i]);
      sum += Whole().hashprice[i].value();
      ++n;
    }
    EXPECT_GT(n, 0u);
    return sum / static_cast<double>(n);
  };
  // February 2021: BTC 32k -> 57k at D ~ 21 T: 0.22 .. 0.43 USD/TH/day.
  const double feb_2021 = month("2021-02-01T00:00:00Z", "2021-03-01T00:00:00Z", 0.2, 0.45);
  EXPECT_GT(feb_2021, 0.25);
  EXPECT_LT(feb_2021, 0.5);
  // December 2024: BTC ~ 95k at D ~ 102-110 T, 3.125 BTC subsidy: 0.05 .. 0.07.
  month("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z", 0.05, 0.07);
}

TEST_F(MarketTest, HalvingCutsTheSubsidyOnItsDay) {
  // Height is interpolated in epoch 838656 (2024-04-10T21:17:33Z ..
  // 2024-04-24T14:51:52Z): it reaches 840000 at 2024-04-20T01:00:26Z, so the
  // 02:00Z step is the first with 3.125 BTC (block 840000 was mined 00:09Z).
  const std::ptrdiff_t i = IndexOf(Whole(), T("2024-04-20T02:00:00Z"));
  ASSERT_GE(i, 0);
  // Same day, epoch, close and fee window: only the subsidy moves.
  EXPECT_EQ(Whole().btc_price[i], Whole().btc_price[i - 1]);
  const double ratio = Whole().btc_per_th_day[i] / Whole().btc_per_th_day[i - 1];
  // (3.125 + f) / (6.25 + f), f = fees per block over 2024-04-13..19.
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 0.6);
  for (std::ptrdiff_t k = i - 24; k < i - 1; ++k) {  // no other step on 04-19/20 drops
    EXPECT_GT(Whole().btc_per_th_day[k + 1] / Whole().btc_per_th_day[k], 0.9)
        << FormatUtc(Whole().times[k + 1]);
  }
}

TEST_F(MarketTest, HashpriceAcrossTheHalvingWeekCarriesTheRunesFees) {
  // 2024-04-18 vs 2024-04-22 drops to ~0.80, not ~0.5: the Runes launch at
  // block 840000 paid 1257.7 BTC of fees on 2024-04-20 (344 on 04-21), so the
  // 7-day window behind 04-22 holds 2.18 BTC/block against 0.83 behind 04-18,
  // and BTC closed 64554 on 04-21 against 61004 on 04-17 (+5.8 %).
  const double with_fees =
      HashpriceAt("2024-04-22T00:00:00Z") / HashpriceAt("2024-04-18T00:00:00Z");
  EXPECT_GT(with_fees, 0.75);
  EXPECT_LT(with_fees, 0.85);
  // Subsidy only (fee window 0): the halving alone, times the BTC price move:
  // 0.5 x 64554 / 61004 = 0.529.
  MarketOptions o;
  o.data_dir = Shared();
  o.from = T("2024-04-18T00:00:00Z");
  o.to = T("2024-04-23T00:00:00Z");
  o.fee_window_days = 0;
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const double subsidy_only = r->hashprice[96] / r->hashprice[0];
  EXPECT_GT(subsidy_only, 0.4);
  EXPECT_LT(subsidy_only, 0.65);
  EXPECT_NEAR(subsidy_only, 0.5 * 64554 / 61004, 1e-12);
}

TEST_F(MarketTest, FeeGapIsInterpolatedAndCounted) {
  MarketOptions o;
  o.data_dir = Shared();
  o.from = T("2022-10-01T00:00:00Z");
  o.to = T("2022-11-01T00:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->hashprice_filled_steps, static_cast<std::int64_t>(r->size()));
  EXPECT_EQ(r->power_filled_steps, 0);
  for (UsdPerTerahashDay hp : r->hashprice) {
    ASSERT_TRUE(std::isfinite(hp.value()));
    ASSERT_GT(hp.value(), 0.05);  // BTC ~ 19-20k, D ~ 35 T: ~0.07
    ASSERT_LT(hp.value(), 0.09);
  }
  // Fees per block implied at 2022-10-15T00Z (epoch 758016, D = 35610794164371.648438):
  // the last window with data ends 2022-04-29 (13.62522412 BTC / 150 blocks), the
  // first after it ends 2023-04-30 (47.6465005 BTC / 148 blocks); the windows
  // behind 2022-05-06 and 2023-05-01; 2022-10-15 is 162 of their 360 days.
  const std::ptrdiff_t i = IndexOf(*r, T("2022-10-15T00:00:00Z"));
  ASSERT_GE(i, 0);
  const double implied =
      r->btc_per_th_day[i].value() * 35610794164371.648438 * 0x1p32 / 86400e12 - 6.25;
  const double before = 13.62522412 / 150, after = 47.6465005 / 148;
  EXPECT_NEAR(implied, before + (after - before) * 162 / 360, 1e-9);
}

TEST(MarketDataTest, PastTheLastEpochHoldsItsDifficultyAndCountsFilled) {
  MarketOptions o;
  o.data_dir = Shared();
  o.fixed_power_price = UsdPerMegawattHour(30);
  o.from = T("2025-01-12T00:00:00Z");
  o.to = T("2025-01-14T00:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // The last epoch ends 2025-01-12T20:01:51Z: the steps from 21:00Z on are held.
  EXPECT_EQ(r->hashprice_filled_steps, 3 + 24);
  EXPECT_EQ(r->power_filled_steps, 0);
  EXPECT_EQ(r->power_source, "constant 30 USD/MWh");
  // Same day, same close and fees, held difficulty: no jump at the boundary.
  EXPECT_EQ(r->btc_per_th_day[21], r->btc_per_th_day[20]);
}

TEST(MarketDataTest, BtcPriceConstantReplacesTheCloseEverywhere) {
  MarketOptions o = Hourly2024();
  o.to = T("2024-01-03T00:00:00Z");
  const Result<MarketSeries> history = BuildMarket(o);
  ASSERT_TRUE(history.ok()) << history.status().message();
  o.btc_price_constant = UsdPerBtc(100000);
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->btc_price_source, "constant 100000 USD/BTC");
  for (std::size_t i = 0; i < r->size(); ++i) {
    EXPECT_EQ(r->btc_price[i], UsdPerBtc(100000));
    EXPECT_EQ(r->btc_per_th_day[i], history->btc_per_th_day[i]);
    EXPECT_EQ(r->hashprice[i], HashpriceOf(history->btc_per_th_day[i], UsdPerBtc(100000)));
  }
}

// ---- A user's hashprice. ----

TEST(MarketDataTest, ConstantHashpriceIsUsedVerbatim) {
  MarketOptions o = Hourly2024();
  o.hashprice_constant = UsdPerTerahashDay(0.05);
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->hashprice_source, "constant 0.05 USD/TH/day");
  EXPECT_EQ(r->hashprice_filled_steps, 0);
  for (UsdPerTerahashDay hp : r->hashprice) ASSERT_EQ(hp, UsdPerTerahashDay(0.05));
  // BTC accounting still uses history: 2024-07-01T00Z takes the close of 2024-06-30 (61940).
  const std::ptrdiff_t i = IndexOf(*r, T("2024-07-01T00:00:00Z"));
  ASSERT_GE(i, 0);
  EXPECT_EQ(r->btc_price[i], UsdPerBtc(61940));
  EXPECT_DOUBLE_EQ(r->btc_per_th_day[i].value(), 0.05 / 61940);
  ExpectConsistent(*r);
}

TEST(MarketDataTest, WithoutDataTheBtcPriceIsAssumedOrGiven) {
  MarketOptions o;
  o.fixed_power_price = UsdPerMegawattHour(35);
  o.hashprice_constant = UsdPerTerahashDay(0.05);
  o.from = T("2030-01-01T00:00:00Z");
  o.to = T("2030-01-02T00:00:00Z");
  Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 24u);
  EXPECT_EQ(r->power_price[5], UsdPerMegawattHour(35));
  EXPECT_EQ(r->btc_price[5], kAssumedBtcPrice);
  EXPECT_EQ(r->btc_per_th_day[5], BtcPerTerahashDay(0.05 / 100000));
  EXPECT_EQ(r->btc_price_source, "assumed 100000 USD/BTC");
  o.btc_price_constant = UsdPerBtc(50000);
  r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->btc_per_th_day[5], BtcPerTerahashDay(0.05 / 50000));
}

TEST(MarketDataTest, HashpriceCsvIsStepHeld) {
  MarketOptions o;
  o.fixed_power_price = UsdPerMegawattHour(35);
  o.hashprice_csv = Fixture("hashprice_hourly.csv");
  o.from = T("2024-06-01T00:00:00Z");
  o.to = T("2024-06-01T06:00:00Z");
  Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->hashprice_source, "hashprice_hourly.csv");
  const double hourly[] = {0.05, 0.05, 0.06, 0.06, 0.07, 0.07};  // the 03:30 row holds from 04:00
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(r->hashprice[i].value(), hourly[i]) << i;
  o.step = std::chrono::duration_cast<Hours>(minutes(30));
  r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 12u);
  EXPECT_EQ(r->hashprice[6].value(), 0.06);  // 03:00
  EXPECT_EQ(r->hashprice[7].value(), 0.07);  // 03:30
}

TEST(MarketDataTest, DailyHashpriceCsvPerPetahashIsConverted) {
  MarketOptions o;
  o.data_dir = Shared();
  o.hashprice_csv = Fixture("hashprice_daily_ph.csv");
  o.from = T("2024-06-01T00:00:00Z");
  o.to = T("2024-06-04T00:00:00Z");  // the last row holds to the end of the run
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->hashprice[0].value(), 0.05);
  EXPECT_DOUBLE_EQ(r->hashprice[23].value(), 0.05);
  EXPECT_DOUBLE_EQ(r->hashprice[24].value(), 0.0625);
  EXPECT_DOUBLE_EQ(r->hashprice[71].value(), 0.0625);
  ExpectConsistent(*r);
}

// ---- Errors. ----

TEST(MarketDataTest, UnknownColumnListsTheAvailableOnes) {
  MarketOptions o = Hourly2024();
  o.power_column = "hb_nowhere";
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "ercot_dam_spp_hourly_2021_2024.csv"));
  EXPECT_TRUE(Contains(r.status().message(), "'hb_nowhere'"));
  EXPECT_TRUE(Contains(r.status().message(),
                       "hb_west, hb_north, hb_south, hb_houston, hb_pan, hb_hubavg, lz_west"));
}

TEST(MarketDataTest, FromBeforeThePowerDataIsOutOfRange) {
  MarketOptions o = Hourly2024();
  o.from = T("2020-12-31T00:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(Contains(r.status().message(), "ercot_dam_spp_hourly_2021_2024.csv"));
  EXPECT_TRUE(Contains(r.status().message(), "2020-12-31T00:00:00Z"));
  EXPECT_TRUE(Contains(r.status().message(), "2021-01-01T06:00:00Z to 2025-01-01T05:00:00Z"));

  o.from = T("2024-12-30T00:00:00Z");
  o.to = T("2025-01-03T00:00:00Z");  // more than a day past the last row
  const Result<MarketSeries> after = BuildMarket(o);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(Contains(after.status().message(), "2025-01-01T06:00:00Z"));
}

// Less than a day beyond either end of the file (ERCOT's operating day starts
// at 06:00Z): the run keeps the hours the file has, in whole steps, and says
// which were absent (issue 9).
TEST(MarketDataTest, AWindowLessThanADayBeyondTheFileRunsOnTheHoursItHas) {
  MarketOptions o = Hourly2024();
  o.from = T("2021-01-01T00:00:00Z");
  o.to = T("2021-01-03T00:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(FormatUtc(r->times.front()), "2021-01-01T06:00:00Z");
  EXPECT_EQ(r->size(), 42u);
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0],
            "ercot_dam_spp_hourly_2021_2024.csv has no prices for 2021-01-01T00:00:00Z to 2021-01-01T05:00:00Z: "
            "the run starts at 2021-01-01T06:00:00Z");

  // 4-hour steps from midnight: the first whole step inside the file starts at 08:00.
  o.step = Hours(4);
  o.to = T("2021-01-02T00:00:00Z");
  const Result<MarketSeries> four = BuildMarket(o);
  ASSERT_TRUE(four.ok()) << four.status().message();
  EXPECT_EQ(FormatUtc(four->times.front()), "2021-01-01T08:00:00Z");
  EXPECT_EQ(four->size(), 4u);

  // The end: the file's last hour is 2025-01-01T05:00Z.
  o.step = Hours(1);
  o.from = T("2024-12-31T00:00:00Z");
  o.to = T("2025-01-02T00:00:00Z");
  const Result<MarketSeries> end = BuildMarket(o);
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(FormatUtc(end->times.back()), "2025-01-01T05:00:00Z");
  ASSERT_EQ(end->notes.size(), 1u);
  EXPECT_TRUE(Contains(end->notes[0], "no prices for 2025-01-01T06:00:00Z to 2025-01-01T23:00:00Z: the run ends "
                                      "at 2025-01-01T06:00:00Z"));
  EXPECT_TRUE(BuildMarket(Hourly2024()).value().notes.empty());
}

TEST(MarketDataTest, MalformedHashpriceCsvNamesFileLineAndColumn) {
  MarketOptions o;
  o.fixed_power_price = UsdPerMegawattHour(35);
  o.from = T("2024-06-01T00:00:00Z");
  o.to = T("2024-06-02T00:00:00Z");
  const struct {
    const char* file;
    const char* message;
  } cases[] = {
      {"hashprice_bad_value.csv",
       "hashprice_bad_value.csv:3: hashprice_usd_per_th_day: expected a number, got 'abc'"},
      {"hashprice_negative.csv",
       "hashprice_negative.csv:3: hashprice_usd_per_th_day: must be >= 0"},
      {"hashprice_out_of_order.csv",
       "hashprice_out_of_order.csv:3: timestamp_utc: '2024-06-01T00:00:00Z' is not after"},
      {"hashprice_wrong_header.csv",
       "hashprice_wrong_header.csv:1: unexpected column 'hashprice_usd' in column 2"},
  };
  for (const auto& c : cases) {
    o.hashprice_csv = Fixture(c.file);
    const Result<MarketSeries> r = BuildMarket(o);
    ASSERT_FALSE(r.ok()) << c.file;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError) << c.file;
    EXPECT_TRUE(Contains(r.status().message(), c.message));
  }
  o.hashprice_csv = Fixture("no_such_file.csv");
  EXPECT_EQ(BuildMarket(o).status().code(), StatusCode::kNotFound);
}

TEST(MarketDataTest, HashpriceCsvMustCoverTheStart) {
  MarketOptions o;
  o.fixed_power_price = UsdPerMegawattHour(35);
  o.hashprice_csv = Fixture("hashprice_hourly.csv");
  o.from = T("2024-05-31T23:00:00Z");
  o.to = T("2024-06-01T02:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(Contains(r.status().message(), "hashprice_hourly.csv"));
  EXPECT_TRUE(Contains(r.status().message(), "2024-06-01T00:00:00Z"));
}

TEST(MarketDataTest, RejectsBadSpansAndSteps) {
  const auto code = [](MarketOptions o) { return BuildMarket(o).status().code(); };
  MarketOptions o = Hourly2024();
  o.to = o.from;
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(BuildMarket(o).status().message(), "must be after from"));
  o.to = T("2023-12-31T00:00:00Z");
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);

  o = Hourly2024();
  o.step = Hours(1.5);  // neither whole hours nor a divisor of the hour
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o.step = std::chrono::duration_cast<Hours>(minutes(7));
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o.step = Hours(0);
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o.step = Hours(24);
  o.to = T("2024-01-02T12:00:00Z");  // 1.5 steps
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);

  o = Hourly2024();
  o.from = T("2024-01-01T00:30:00Z");
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
}

TEST(MarketDataTest, RejectsConflictingOrMissingOptions) {
  const auto code = [](MarketOptions o) { return BuildMarket(o).status().code(); };
  MarketOptions o = Hourly2024();
  o.hashprice_constant = UsdPerTerahashDay(0.05);
  o.hashprice_csv = Fixture("hashprice_hourly.csv");
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);

  o = Hourly2024();
  o.fixed_power_price = UsdPerMegawattHour(30);
  o.power_csv = Shared() / data_files::kErcotDam;
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);

  o = MarketOptions();  // no data at all
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o.fixed_power_price = UsdPerMegawattHour(30);
  o.from = T("2024-01-01T00:00:00Z");
  o.to = T("2024-01-02T00:00:00Z");
  EXPECT_TRUE(Contains(BuildMarket(o).status().message(), "needs data_dir"));
  o.hashprice_constant = UsdPerTerahashDay(-1);
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o.hashprice_constant = UsdPerTerahashDay(0.05);
  o.to.reset();  // a flat power price has no range of its own
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);

  o = Hourly2024();
  o.fee_window_days = -1;
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
}

TEST(MarketDataTest, HistoryBeforeTheBtcPriceFileIsOutOfRange) {
  MarketOptions o;
  o.data_dir = Shared();
  o.fixed_power_price = UsdPerMegawattHour(30);
  o.from = T("2011-12-31T00:00:00Z");  // needs the close of 2011-12-30
  o.to = T("2012-01-02T00:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(Contains(r.status().message(), "btc_price_daily.csv"));
  EXPECT_TRUE(Contains(r.status().message(), "2012-01-01"));
}

}  // namespace
}  // namespace mullet
