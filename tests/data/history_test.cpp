#include "data/history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>

namespace mullet {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// The real data. Tests fail (never skip) when it is missing: CI always has it.
fs::path Shared(const char* file) { return fs::path(MULLET_SHARED_DATA) / file; }
fs::path Broken(const char* file) { return fs::path(MULLET_TESTDATA) / "broken" / file; }

UtcTime T(const char* text) { return *ParseUtcTimestamp(text); }
UtcTime Midnight(const char* date) { return UtcTime(*ParseDate(date)); }

TEST(HistoryTest, SharedDataDirectoryExists) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the data tests need ../shared/data";
}

// ---- Real files: row counts from the data README's table, then facts. ----

TEST(HistoryTest, DifficultyEpochsCoverHeights2016To876960WithoutGaps) {
  const Result<DifficultyEpochs> e_result =
      LoadDifficultyEpochs(Shared(data_files::kDifficultyEpochs));
  ASSERT_TRUE(e_result.ok()) << e_result.status().message();
  const DifficultyEpochs& e = *e_result;
  ASSERT_EQ(e.epochs.size(), 435u);
  EXPECT_TRUE(e.gaps.empty());
  EXPECT_EQ(e.epochs.front().start_height, 2016);
  EXPECT_EQ(e.epochs.front().start, T("2009-01-27T13:38:51Z"));
  EXPECT_EQ(e.epochs.front().bits, 0x1d00ffffu);
  EXPECT_EQ(e.epochs.front().difficulty, 1.0);
  const DifficultyEpoch& last = e.epochs.back();
  EXPECT_EQ(last.start_height, 876960);
  EXPECT_EQ(last.end, T("2025-01-12T20:01:51Z"));
  EXPECT_EQ(last.bits, 0x1702905cu);
  EXPECT_EQ(last.difficulty, 109782075598905.1875);
  EXPECT_NEAR(last.implied_hashrate.hashes_per_second(), 7.903106e+20, 1e14);
  EXPECT_EQ(last.subsidy_at_start, Btc(3.125));
}

TEST(HistoryTest, NetworkDailyHas5903DaysWithoutGaps) {
  const Result<NetworkDaily> n_result = LoadNetworkDaily(Shared(data_files::kNetworkDaily));
  ASSERT_TRUE(n_result.ok()) << n_result.status().message();
  const NetworkDaily& n = *n_result;
  ASSERT_EQ(n.days.size(), 5903u);
  EXPECT_TRUE(n.gaps.empty());
  EXPECT_EQ(FormatDate(n.days.front().date), "2009-01-09");
  EXPECT_EQ(n.days.front().block_count, 19);
  EXPECT_EQ(FormatDate(n.days.back().date), "2025-03-08");
  EXPECT_EQ(n.days.back().block_count, 137);
  EXPECT_EQ(n.days.back().subsidy, Btc(428.125));
  EXPECT_NEAR(n.days.back().hashrate.eh_s(), 753.0049, 1e-6);
}

TEST(HistoryTest, FeesDailyHasTheOneYearGapAndTwoMissingDays) {
  const Result<FeesDaily> f_result = LoadFeesDaily(Shared(data_files::kFeesDaily));
  ASSERT_TRUE(f_result.ok()) << f_result.status().message();
  const FeesDaily& f = *f_result;
  ASSERT_EQ(f.days.size(), 4415u);
  EXPECT_EQ(FormatDate(f.days.front().date), "2012-01-01");
  EXPECT_EQ(FormatDate(f.days.back().date), "2025-02-02");
  ASSERT_EQ(f.gaps.size(), 3u);
  EXPECT_EQ(f.gaps[0].first, Midnight("2021-03-28"));
  EXPECT_EQ(f.gaps[0].last, Midnight("2021-03-28"));
  EXPECT_EQ(f.gaps[0].missing, 1);
  EXPECT_EQ(f.gaps[1].first, Midnight("2022-03-27"));
  EXPECT_EQ(f.gaps[1].missing, 1);
  EXPECT_EQ(f.gaps[2].first, Midnight("2022-04-30"));
  EXPECT_EQ(f.gaps[2].last, Midnight("2023-04-29"));
  EXPECT_EQ(f.gaps[2].missing, 365);
  const auto coinmetrics = std::count_if(f.days.begin(), f.days.end(),
                                         [](const FeeDay& d) { return d.source == "coinmetrics"; });
  EXPECT_EQ(coinmetrics, 3131);
}

TEST(HistoryTest, PriceDailyHas5144DaysAndMatchesTheBitstampClose) {
  const Result<PriceDaily> p_result = LoadPriceDaily(Shared(data_files::kPriceDaily));
  ASSERT_TRUE(p_result.ok()) << p_result.status().message();
  const PriceDaily& p = *p_result;
  const Result<OhlcvDaily> o_result = LoadOhlcvDaily(Shared(data_files::kOhlcvDaily));
  ASSERT_TRUE(o_result.ok()) << o_result.status().message();
  const OhlcvDaily& o = *o_result;
  ASSERT_EQ(p.days.size(), 5144u);
  ASSERT_EQ(o.days.size(), 4903u);
  EXPECT_TRUE(p.gaps.empty());
  EXPECT_TRUE(o.gaps.empty());
  EXPECT_EQ(FormatDate(p.days.back().date), "2026-01-30");
  EXPECT_EQ(p.days.back().source, "coingecko_next_0000utc");
  EXPECT_EQ(FormatDate(o.days.back().date), "2025-06-03");
  // The README: the first 4903 closes are the Bitstamp closes.
  for (std::size_t i = 0; i < o.days.size(); ++i) {
    ASSERT_EQ(p.days[i].date, o.days[i].date);
    ASSERT_EQ(p.days[i].close, o.days[i].close) << FormatDate(p.days[i].date);
    ASSERT_EQ(p.days[i].source, "bitstamp_close");
  }
  // Bitstamp halt 2015-01-06 -> 2015-01-09: zero volume.
  const auto halted = std::count_if(o.days.begin(), o.days.end(),
                                    [](const OhlcvDay& d) { return d.volume == Btc(0); });
  EXPECT_EQ(halted, 5);
}

TEST(HistoryTest, EfficiencyDailyHas5350Days) {
  const Result<EfficiencyDaily> e_result =
      LoadEfficiencyDaily(Shared(data_files::kEfficiencyDaily));
  ASSERT_TRUE(e_result.ok()) << e_result.status().message();
  const EfficiencyDaily& e = *e_result;
  ASSERT_EQ(e.days.size(), 5350u);
  EXPECT_TRUE(e.gaps.empty());
  EXPECT_EQ(FormatDate(e.days.back().date), "2025-03-10");
  EXPECT_NEAR(e.days.back().lower.value(), 13.4, 0.05);
  EXPECT_NEAR(e.days.back().estimated.value(), 19.5, 0.05);
  EXPECT_NEAR(e.days.back().upper.value(), 28.1, 0.05);
}

TEST(HistoryTest, GpuRentalIndexHas30Rows) {
  const Result<std::vector<GpuRentalRow>> g_result =
      LoadGpuRentalIndex(Shared(data_files::kGpuRentalIndex));
  ASSERT_TRUE(g_result.ok()) << g_result.status().message();
  const std::vector<GpuRentalRow>& g = *g_result;
  ASSERT_EQ(g.size(), 30u);
  EXPECT_EQ(FormatDate(g.front().date), "2026-03-12");
  EXPECT_EQ(g.front().gpu_model, "A100_SXM");
  EXPECT_EQ(g.front().price_type, "seller_ask_interruptible");
  EXPECT_EQ(g.front().index_usd_per_gpu_hour, 0.52);
  EXPECT_EQ(g.front().n_observations, 16);
  EXPECT_EQ(g.back().confidence, "medium");
}

TEST(HistoryTest, ErcotDamHas35064HoursWithoutGaps) {
  const Result<HourlyPrices> d_result = LoadHourlyPrices(Shared(data_files::kErcotDam));
  ASSERT_TRUE(d_result.ok()) << d_result.status().message();
  const HourlyPrices& d = *d_result;
  EXPECT_EQ(d.points, (std::vector<std::string>{"hb_west", "hb_north", "hb_south", "hb_houston",
                                                "hb_pan", "hb_hubavg", "lz_west"}));
  ASSERT_EQ(d.hours.size(), 35064u);
  ASSERT_EQ(d.prices.size(), 7u);
  for (const auto& series : d.prices) EXPECT_EQ(series.size(), d.hours.size());
  EXPECT_TRUE(d.gaps.empty());
  EXPECT_EQ(d.hours.front(), T("2021-01-01T06:00:00Z"));
  EXPECT_EQ(d.hours.back(), T("2025-01-01T05:00:00Z"));
  EXPECT_EQ(d.prices[0].front(), UsdPerMegawattHour(18.21));
}

// The README's annual HB_WEST means are over UTC calendar years (2021 then
// starts at 06:00Z, 8754 hours). Over Central-time years 2021 would be 142.64
// and 2023 56.49, so the tolerance below tells the two apart.
TEST(HistoryTest, ErcotDamAnnualMeanHbWestMatchesTheReadmeOnUtcYears) {
  const Result<HourlyPrices> d_result = LoadHourlyPrices(Shared(data_files::kErcotDam));
  ASSERT_TRUE(d_result.ok()) << d_result.status().message();
  const HourlyPrices& d = *d_result;
  const double expected[] = {142.72, 59.80, 56.47, 28.94};
  for (int year = 2021; year <= 2024; ++year) {
    const UtcTime from(std::chrono::sys_days(std::chrono::year(year) / 1 / 1));
    const UtcTime to(std::chrono::sys_days(std::chrono::year(year + 1) / 1 / 1));
    double sum = 0;
    int n = 0;
    for (std::size_t i = 0; i < d.hours.size(); ++i) {
      if (d.hours[i] >= from && d.hours[i] < to) {
        sum += d.prices[0][i].value();
        ++n;
      }
    }
    EXPECT_EQ(n, year == 2021 ? 8754 : year == 2024 ? 8784 : 8760) << year;
    EXPECT_NEAR(sum / n, expected[year - 2021], 0.006) << year;
  }
}

TEST(HistoryTest, ErcotDamWinterStormUri) {
  const Result<HourlyPrices> d_result = LoadHourlyPrices(Shared(data_files::kErcotDam));
  ASSERT_TRUE(d_result.ok()) << d_result.status().message();
  const HourlyPrices& d = *d_result;
  const std::size_t north = 1, west = 0, lz_west = 6;
  int hours_in_window = 0, at_cap = 0;
  UsdPerMegawattHour max_lz_west(0);
  UtcTime max_at;
  for (std::size_t i = 0; i < d.hours.size(); ++i) {
    if (d.hours[i] < T("2021-02-15T00:00:00Z") || d.hours[i] >= T("2021-02-20T00:00:00Z")) continue;
    ++hours_in_window;
    if (d.prices[north][i] >= UsdPerMegawattHour(8000)) ++at_cap;
    if (d.prices[lz_west][i] > max_lz_west) {
      max_lz_west = d.prices[lz_west][i];
      max_at = d.hours[i];
    }
  }
  EXPECT_EQ(hours_in_window, 120);
  EXPECT_EQ(at_cap, 53);
  EXPECT_EQ(max_lz_west, UsdPerMegawattHour(9026.99));
  EXPECT_EQ(max_at, T("2021-02-17T13:00:00Z"));
  // 2023 HB_WEST max 4207.43 at 2023-08-26T00:00Z.
  const auto hour = std::find(d.hours.begin(), d.hours.end(), T("2023-08-26T00:00:00Z"));
  ASSERT_NE(hour, d.hours.end());
  EXPECT_EQ(d.prices[west][hour - d.hours.begin()], UsdPerMegawattHour(4207.43));
}

TEST(HistoryTest, ErcotRtmHasTheWeekGapAndTheFallBackHourMissing) {
  const Result<HourlyPrices> r_result = LoadHourlyPrices(Shared(data_files::kErcotRtm));
  ASSERT_TRUE(r_result.ok()) << r_result.status().message();
  const HourlyPrices& r = *r_result;
  EXPECT_EQ(r.points, (std::vector<std::string>{"hb_west", "hb_north", "lz_west"}));
  ASSERT_EQ(r.hours.size(), 8614u);
  ASSERT_EQ(r.gaps.size(), 2u);
  EXPECT_EQ(r.gaps[0].first, T("2024-03-10T07:00:00Z"));
  EXPECT_EQ(r.gaps[0].last, T("2024-03-17T07:00:00Z"));
  EXPECT_EQ(r.gaps[0].missing, 169);
  EXPECT_EQ(r.gaps[1].first, T("2024-11-03T07:00:00Z"));  // the second (CST) 01:00
  EXPECT_EQ(r.gaps[1].last, T("2024-11-03T07:00:00Z"));
  EXPECT_EQ(r.gaps[1].missing, 1);
  // 8614 rows + 170 missing = the 8784 hours of 2024.
  EXPECT_EQ((r.hours.back() - r.hours.front()) / hours(1) + 1, 8784);
  const auto max = std::max_element(r.prices[0].begin(), r.prices[0].end());
  EXPECT_EQ(*max, UsdPerMegawattHour(3056.645));
  EXPECT_EQ(r.hours[max - r.prices[0].begin()], T("2024-05-09T01:00:00Z"));
}

// ---- Broken files: each error names the file, the line and the column. ----

template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Status::Ok() : r.status();
}

struct BrokenCase {
  const char* file;
  Status (*load)(const fs::path&);
  const char* where;  // "<file>:<line>: <column>: " or "<file>:<line>: "
  const char* what;
};

Status Fees(const fs::path& p) { return StatusOf(LoadFeesDaily(p)); }
Status Network(const fs::path& p) { return StatusOf(LoadNetworkDaily(p)); }
Status Price(const fs::path& p) { return StatusOf(LoadPriceDaily(p)); }
Status Hourly(const fs::path& p) { return StatusOf(LoadHourlyPrices(p)); }
Status Epochs(const fs::path& p) { return StatusOf(LoadDifficultyEpochs(p)); }

// One column read: the same hours and values as the whole read, the point
// named with or without its suffix; an unknown one lists what there is.
TEST(HistoryTest, ErcotDamOnePointReadsThatColumnAlone) {
  const Result<HourlyPrices> all = LoadHourlyPrices(Shared(data_files::kErcotDam));
  ASSERT_TRUE(all.ok()) << all.status().message();
  for (const char* name : {"lz_west", "lz_west_usd_per_mwh"}) {
    const Result<HourlyPrices> one = LoadHourlyPrices(Shared(data_files::kErcotDam), name);
    ASSERT_TRUE(one.ok()) << one.status().message();
    EXPECT_EQ(one->points, std::vector<std::string>{"lz_west"});
    ASSERT_EQ(one->prices.size(), 1u);
    EXPECT_EQ(one->hours, all->hours);
    EXPECT_EQ(one->prices[0], all->prices[6]);
  }
  const Result<HourlyPrices> none = LoadHourlyPrices(Shared(data_files::kErcotDam), "hb_nowhere");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(),
            "ercot_dam_spp_hourly_2021_2024.csv has no price column 'hb_nowhere'; available: hb_west, "
            "hb_north, hb_south, hb_houston, hb_pan, hb_hubavg, lz_west");
}

// A run that reads one column still checks every row's shape and time, and
// that column's values; the other columns' values it does not parse.
TEST(HistoryTest, OnePointReadChecksShapeTimeAndItsOwnColumn) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_onepoint_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& body) {
    const fs::path f = dir / "p.csv";
    std::ofstream(f) << "timestamp_utc,a_usd_per_mwh,b_usd_per_mwh\n" << body;
    return f;
  };
  const fs::path bad_b = write("2024-01-01T00:00:00Z,1.5,x\n2024-01-01T01:00:00Z,2.5,3\n");
  const Result<HourlyPrices> a = LoadHourlyPrices(bad_b, "a");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->prices[0][1], UsdPerMegawattHour(2.5));
  const Status b = StatusOf(LoadHourlyPrices(bad_b, "b"));
  EXPECT_EQ(b.message(), "p.csv:2: b_usd_per_mwh: expected a number, got 'x'");
  const Status short_row = StatusOf(LoadHourlyPrices(write("2024-01-01T00:00:00Z,1.5\n"), "a"));
  EXPECT_TRUE(Contains(short_row.message(), "p.csv:2: b_usd_per_mwh: missing field")) << short_row.message();
  const Status bad_time = StatusOf(LoadHourlyPrices(write("2024-01-01T00:30:00Z,1,2\n"), "a"));
  EXPECT_TRUE(Contains(bad_time.message(), "is not on the hour")) << bad_time.message();
  fs::remove_all(dir);
}

class HistoryBrokenTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(HistoryBrokenTest, FailsWithFileLineAndColumn) {
  const BrokenCase& c = GetParam();
  const Status s = c.load(Broken(c.file));
  EXPECT_EQ(s.code(), StatusCode::kDataError) << s.message();
  EXPECT_TRUE(Contains(s.message(), c.where));
  EXPECT_TRUE(Contains(s.message(), c.what));
}

INSTANTIATE_TEST_SUITE_P(
    Files, HistoryBrokenTest,
    ::testing::Values(
        BrokenCase{"fees_wrong_header.csv", Fees, "fees_wrong_header.csv:1: ",
                   "missing column 'fees_btc' (column 2 is 'fee_btc')"},
        BrokenCase{"fees_not_a_number.csv", Fees,
                   "fees_not_a_number.csv:3: fees_btc: ", "expected a number, got 'abc'"},
        BrokenCase{"fees_negative.csv", Fees,
                   "fees_negative.csv:4: fees_btc: ", "must be >= 0, got '-0.5'"},
        BrokenCase{"fees_header_only.csv", Fees, "fees_header_only.csv:2: ", "no data rows"},
        BrokenCase{"network_too_few_fields.csv", Network,
                   "network_too_few_fields.csv:3: hashrate_h_per_s: ", "missing field"},
        BrokenCase{"price_out_of_order.csv", Price, "price_out_of_order.csv:4: date: ",
                   "'2024-01-02' is not after the previous row (2024-01-03)"},
        BrokenCase{"price_bad_date.csv", Price,
                   "price_bad_date.csv:4: date: ", "expected a date YYYY-MM-DD, got '2023-02-29'"},
        BrokenCase{"price_zero.csv", Price, "price_zero.csv:3: close_usd: ", "must be > 0"},
        BrokenCase{"hourly_duplicate_timestamp.csv", Hourly,
                   "hourly_duplicate_timestamp.csv:4: timestamp_utc: ",
                   "is not after the previous row (2024-01-01T07:00:00Z, a duplicate)"},
        BrokenCase{"hourly_not_on_hour.csv", Hourly,
                   "hourly_not_on_hour.csv:3: timestamp_utc: ", "is not on the hour"},
        BrokenCase{"hourly_bad_price_column.csv", Hourly, "hourly_bad_price_column.csv:1: ",
                   "unexpected column 'hb_north_usd' in column 3"},
        BrokenCase{"hourly_infinite_price.csv", Hourly,
                   "hourly_infinite_price.csv:3: hb_west_usd_per_mwh: ",
                   "expected a finite number, got 'inf'"},
        BrokenCase{"epochs_bad_bits.csv", Epochs, "epochs_bad_bits.csv:3: bits_hex: ",
                   "expected 0x and 8 hex digits, got '1d00ffff'"},
        BrokenCase{"epochs_difficulty_disagrees.csv", Epochs,
                   "epochs_difficulty_disagrees.csv:2: difficulty: ", "disagrees with bits_hex"},
        BrokenCase{"epochs_out_of_order.csv", Epochs,
                   "epochs_out_of_order.csv:4: epoch_start_height: ",
                   "is not after the previous row (4032)"}),
    [](const ::testing::TestParamInfo<BrokenCase>& param) {
      std::string name = param.param.file;
      name = name.substr(0, name.find('.'));
      return name;
    });

TEST(HistoryTest, MissingFileIsNotFoundNamingThePath) {
  const fs::path path = Broken("no_such_file.csv");
  for (const Status& s : {Fees(path), Network(path), Price(path), Hourly(path), Epochs(path),
                          StatusOf(LoadOhlcvDaily(path)), StatusOf(LoadEfficiencyDaily(path)),
                          StatusOf(LoadGpuRentalIndex(path))}) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound);
    EXPECT_TRUE(Contains(s.message(), path.string()));
  }
}

TEST(HistoryTest, WrongHeaderIsCaughtByEveryLoader) {
  // A real file of another schema: each loader names a column at line 1.
  const fs::path fees = Shared(data_files::kFeesDaily);
  for (const Status& s :
       {Network(fees), Price(fees), Epochs(fees), Hourly(fees), StatusOf(LoadOhlcvDaily(fees)),
        StatusOf(LoadEfficiencyDaily(fees)), StatusOf(LoadGpuRentalIndex(fees))}) {
    EXPECT_EQ(s.code(), StatusCode::kDataError);
    EXPECT_TRUE(Contains(s.message(), "btc_fees_daily.csv:1: "));
    EXPECT_TRUE(Contains(s.message(), "column"));
  }
}

// ---- Gap bookkeeping on a small synthetic directory. ----

TEST(HistoryTest, EpochGapsCountTheMissingEpochs) {
  const fs::path dir = fs::path(MULLET_TESTDATA) / "mini_history";
  const Result<DifficultyEpochs> e_result =
      LoadDifficultyEpochs(dir / data_files::kDifficultyEpochs);
  ASSERT_TRUE(e_result.ok()) << e_result.status().message();
  const DifficultyEpochs& e = *e_result;
  ASSERT_EQ(e.epochs.size(), 3u);
  ASSERT_EQ(e.gaps.size(), 1u);
  EXPECT_EQ(e.gaps[0].first, T("2020-01-29T00:00:00Z"));  // end of the epoch before
  EXPECT_EQ(e.gaps[0].last, T("2020-02-12T00:00:00Z"));   // start of the epoch after
  EXPECT_EQ(e.gaps[0].missing, 1);
}

TEST(HistoryTest, DailyGapsGiveTheMissingDays) {
  const fs::path dir = fs::path(MULLET_TESTDATA) / "mini_history";
  const Result<FeesDaily> f_result = LoadFeesDaily(dir / data_files::kFeesDaily);
  ASSERT_TRUE(f_result.ok()) << f_result.status().message();
  const FeesDaily& f = *f_result;
  ASSERT_EQ(f.gaps.size(), 1u);
  EXPECT_EQ(f.gaps[0].first, Midnight("2020-01-05"));
  EXPECT_EQ(f.gaps[0].last, Midnight("2020-01-06"));
  EXPECT_EQ(f.gaps[0].missing, 2);
}

}  // namespace
}  // namespace mullet
