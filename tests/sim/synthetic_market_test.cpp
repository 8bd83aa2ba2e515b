#include "sim/synthetic_market.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "data/history.h"
#include "sim/default_market_params.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
namespace p = default_market;
using std::chrono::days;
using std::chrono::hours;

// Seeds for the statistics: enough that 3 standard errors are small next to
// the tolerances below, few enough to run in well under a second.
constexpr std::uint64_t kSeeds = 20;

UtcTime T(const char* text) { return *ParseUtcTimestamp(text); }

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

struct PowerStats {
  double mean = 0;
  double spikes = 0;      // hours above kSpikeThreshold
  double big_spikes = 0;  // hours above kBigSpikeThreshold
  double negative_share = 0;
  double max = 0;
};

PowerStats StatsOf(const MarketSeries& m) {
  PowerStats s;
  for (UsdPerMegawattHour price : m.power_price) {
    const double v = price.value();
    s.mean += v;
    s.spikes += v > p::kSpikeThreshold;
    s.big_spikes += v > p::kBigSpikeThreshold;
    s.negative_share += v < 0;
    s.max = std::max(s.max, v);
  }
  s.mean /= static_cast<double>(m.size());
  s.negative_share /= static_cast<double>(m.size());
  return s;
}

// Calendar of ERCOT's operating day (CST, UTC-6), as the generator uses it.
struct MarketHour {
  unsigned month;  // 1..12
  int season;      // 0 winter .. 3 autumn
  int hour;        // 0..23
};
MarketHour MarketHourOf(UtcTime t) {
  const UtcTime market = t - hours(6);
  const Date day = std::chrono::floor<days>(market);
  const unsigned month = static_cast<unsigned>(std::chrono::year_month_day(day).month());
  return {month, static_cast<int>(month % 12) / 3, static_cast<int>((market - day) / hours(1))};
}

// Daily log returns of a per-day value held over each UTC day (hour 0 of each day).
template <typename Q>
std::vector<double> DailyLogReturns(const std::vector<Q>& hourly) {
  std::vector<double> out;
  for (std::size_t d = 1; d < hourly.size() / 24; ++d) {
    out.push_back(std::log(hourly[24 * d] / hourly[24 * (d - 1)]));
  }
  return out;
}

std::size_t HalvingReturnIndex() {
  const Date halving{std::chrono::year{p::kHalvingYear} / p::kHalvingMonth / p::kHalvingDay};
  return static_cast<std::size_t>(
             (halving - std::chrono::floor<days>(kDefaultMarketFrom)).count()) -
         1;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double Sd(const std::vector<double>& v) {
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

TEST(SyntheticMarketTest, CoversTheYear2024Hourly) {
  const MarketSeries m = DefaultMarket();
  ASSERT_EQ(m.size(), 8784u);
  EXPECT_EQ(m.times.front(), T("2024-01-01T00:00:00Z"));
  EXPECT_EQ(m.times.back(), T("2024-12-31T23:00:00Z"));
  EXPECT_EQ(m.step, Hours(1));
  EXPECT_EQ(m.power_filled_steps, 0);
  EXPECT_EQ(m.hashprice_filled_steps, 0);
  EXPECT_TRUE(Contains(m.power_source, "synthetic"));
  EXPECT_TRUE(Contains(m.hashprice_source, "seed 1"));
  ASSERT_EQ(m.power_price.size(), m.size());
  ASSERT_EQ(m.hashprice.size(), m.size());
  ASSERT_EQ(m.btc_price.size(), m.size());
  ASSERT_EQ(m.btc_per_th_day.size(), m.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    ASSERT_EQ(m.times[i], kDefaultMarketFrom + hours(i));
    ASSERT_TRUE(std::isfinite(m.power_price[i].value())) << i;
    ASSERT_LE(m.power_price[i].value(), p::kOfferCap) << i;
    ASSERT_EQ(m.hashprice[i], HashpriceOf(m.btc_per_th_day[i], m.btc_price[i])) << i;
    if (i % 24 != 0) {  // daily values, held over the UTC day
      ASSERT_EQ(m.hashprice[i], m.hashprice[i - 1]) << i;
    }
  }
}

TEST(SyntheticMarketTest, SameSeedSameSeriesOtherSeedOtherSeries) {
  const MarketSeries a = DefaultMarket(7);
  const MarketSeries b = DefaultMarket(7);
  EXPECT_EQ(a.power_price, b.power_price);
  EXPECT_EQ(a.hashprice, b.hashprice);
  EXPECT_EQ(a.btc_price, b.btc_price);
  EXPECT_EQ(a.btc_per_th_day, b.btc_per_th_day);
  EXPECT_EQ(DefaultMarket().power_price, DefaultMarket(1).power_price);

  const MarketSeries c = DefaultMarket(8);
  EXPECT_NE(a.power_price, c.power_price);
  EXPECT_NE(a.hashprice, c.hashprice);
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a.power_price[i] == c.power_price[i];
  EXPECT_LT(same, a.size() / 100);  // not one shifted draw: a different path
}

// The default seed's year is a typical one, and the average over seeds is the
// data's: per seed the mean price has a spread of about 3 USD/MWh (spikes).
TEST(SyntheticMarketTest, MeanPriceAndSpikesMatchTheData) {
  const PowerStats one = StatsOf(DefaultMarket());
  EXPECT_NEAR(one.mean, p::kDataMeanPrice, 0.15 * p::kDataMeanPrice);
  EXPECT_NEAR(one.spikes, p::kDataSpikeHoursPerYear, 0.35 * p::kDataSpikeHoursPerYear);
  EXPECT_NEAR(one.big_spikes, p::kDataBigSpikeHoursPerYear, 0.5 * p::kDataBigSpikeHoursPerYear);

  PowerStats avg;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const PowerStats s = StatsOf(DefaultMarket(seed));
    avg.mean += s.mean / kSeeds;
    avg.spikes += s.spikes / kSeeds;
    avg.big_spikes += s.big_spikes / kSeeds;
    avg.negative_share += s.negative_share / kSeeds;
    avg.max = std::max(avg.max, s.max);
  }
  EXPECT_NEAR(avg.mean, p::kDataMeanPrice, 0.05 * p::kDataMeanPrice);
  EXPECT_NEAR(avg.spikes, p::kDataSpikeHoursPerYear, 0.10 * p::kDataSpikeHoursPerYear);
  EXPECT_NEAR(avg.big_spikes, p::kDataBigSpikeHoursPerYear, 0.15 * p::kDataBigSpikeHoursPerYear);
  EXPECT_NEAR(avg.negative_share, p::kDataNegativeShare, 0.15 * p::kDataNegativeShare);
  EXPECT_LE(avg.max, p::kOfferCap);
}

// Mean log price of base hours by season and CST hour, minus the month level,
// is the calibrated shape: the evening peak and the midday solar dip.
TEST(SyntheticMarketTest, HourOfDayShapeMatchesTheCalibration) {
  double sum[4][24] = {};
  double n[4][24] = {};
  for (std::uint64_t seed = 1; seed <= kSeeds / 2; ++seed) {
    const MarketSeries m = DefaultMarket(seed);
    for (std::size_t i = 0; i < m.size(); ++i) {
      const double v = m.power_price[i].value();
      if (v < 0 || v > p::kSpikeThreshold) continue;  // base hours only, as the calibration
      const MarketHour h = MarketHourOf(m.times[i]);
      sum[h.season][h.hour] += std::log(std::max(v, 1.0)) - p::kMonthMeanLogPrice[h.month - 1];
      n[h.season][h.hour] += 1;
    }
  }
  for (int s = 0; s < 4; ++s) {
    int peak = 0, synthetic_peak = 0;
    for (int h = 0; h < 24; ++h) {
      ASSERT_GT(n[s][h], 0);
      const double shape = sum[s][h] / n[s][h];
      // A cell averages ~900 hours of an AR(1) with sd 0.67 (standard error
      // ~0.03); the cap at 200 and the floor at 1 USD/MWh in log space move a
      // cell by up to ~0.09 (winter 08 CST).
      EXPECT_NEAR(shape, p::kHourShape[s][h], 0.15) << "season " << s << " hour " << h;
      if (p::kHourShape[s][h] > p::kHourShape[s][peak]) peak = h;
      if (shape > sum[s][synthetic_peak] / n[s][synthetic_peak]) synthetic_peak = h;
    }
    EXPECT_LE(std::abs(peak - synthetic_peak), 1) << "season " << s;
  }
}

TEST(SyntheticMarketTest, HashpriceStartsAtThe2024Level) {
  const MarketSeries m = DefaultMarket();
  EXPECT_DOUBLE_EQ(m.hashprice[0].value(), p::kStartHashprice);
  EXPECT_DOUBLE_EQ(m.btc_price[0].value(), p::kStartBtcPrice);
  EXPECT_DOUBLE_EQ(m.btc_per_th_day[0].value(), p::kStartBtcPerThDay);
  // The default seed's year is a plausible 2024: mean within a factor of 2 of
  // the real one, every value a hashprice seen in 2021-2025 or near it.
  double mean = 0;
  for (UsdPerTerahashDay hp : m.hashprice) {
    mean += hp.value() / static_cast<double>(m.size());
    ASSERT_GT(hp.value(), 0.02);
    ASSERT_LT(hp.value(), 0.5);
  }
  EXPECT_GT(mean, 0.5 * p::kDataHashpriceMean2024);
  EXPECT_LT(mean, 2.0 * p::kDataHashpriceMean2024);
}

TEST(SyntheticMarketTest, HalvingCutsBtcPerTerahashDayOnApril20) {
  const std::size_t halving = HalvingReturnIndex();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const MarketSeries m = DefaultMarket(seed);
    EXPECT_EQ(m.times[24 * (halving + 1)], T("2024-04-20T00:00:00Z"));
    const std::vector<double> r = DailyLogReturns(m.btc_per_th_day);
    // The drop, times one day's move (within 4.5 standard deviations).
    EXPECT_NEAR(r[halving], std::log(p::kHalvingDrop) + p::kBtcPerThDayDailyLogDrift,
                4.5 * p::kBtcPerThDayDailyLogVol)
        << "seed " << seed;
  }
}

// Over kSeeds years (~7300 daily returns) the drift's standard error is
// 0.037 / sqrt(7300) = 0.00044 and the volatility's 0.8 %.
TEST(SyntheticMarketTest, HashpriceDriftAndVolatilityMatchTheCalibration) {
  std::vector<double> hashprice, price;
  const std::size_t halving = HalvingReturnIndex();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const MarketSeries m = DefaultMarket(seed);
    std::vector<double> r = DailyLogReturns(m.hashprice);
    r[halving] -= std::log(p::kHalvingDrop);
    hashprice.insert(hashprice.end(), r.begin(), r.end());
    const std::vector<double> rp = DailyLogReturns(m.btc_price);
    price.insert(price.end(), rp.begin(), rp.end());
  }
  EXPECT_NEAR(Mean(hashprice), p::kHashpriceDailyLogDrift, 0.0015);
  EXPECT_NEAR(Sd(hashprice), p::kHashpriceDailyLogVol, 0.03 * p::kHashpriceDailyLogVol);
  EXPECT_NEAR(Mean(price), p::kBtcPriceDailyLogDrift, 0.0011);
  EXPECT_NEAR(Sd(price), p::kBtcPriceDailyLogVol, 0.03 * p::kBtcPriceDailyLogVol);
}

TEST(SyntheticMarketTest, DescriptionNamesTheCalibration) {
  const std::string d = DefaultMarketDescription();
  EXPECT_TRUE(Contains(d, "HB_WEST"));
  EXPECT_TRUE(Contains(d, "2023-2024"));
  EXPECT_TRUE(Contains(d, "2024-04-20"));
  EXPECT_TRUE(Contains(d, "scripts/derive_default_market.py"));
}

// The committed parameters still describe ../shared/data (like
// builtin_network_test): if this fails, rerun scripts/derive_default_market.py.
TEST(SyntheticMarketTest, ParametersMatchTheSharedData) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: this test needs ../shared/data";
  // Hashprice: BuildMarket's history rules at 2024-01-01T00Z, computed in C++
  // here and in Python by the script.
  MarketOptions o;
  o.data_dir = fs::path(MULLET_SHARED_DATA);
  o.from = T("2024-01-01T00:00:00Z");
  o.to = T("2024-01-01T01:00:00Z");
  const Result<MarketSeries> r = BuildMarket(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->hashprice[0].value() / p::kStartHashprice, 1.0, 1e-12);
  EXPECT_EQ(r->btc_price[0].value(), p::kStartBtcPrice);
  EXPECT_NEAR(r->btc_per_th_day[0].value() / p::kStartBtcPerThDay, 1.0, 1e-12);

  // Power: HB_WEST day-ahead over the CST operating days of 2023 and 2024.
  const Result<HourlyPrices> prices =
      LoadHourlyPrices(fs::path(MULLET_SHARED_DATA) / data_files::kErcotDam);
  ASSERT_TRUE(prices.ok()) << prices.status().message();
  ASSERT_EQ(prices->points[0], "hb_west");
  double sum = 0, n = 0, spikes = 0, big = 0, negative = 0;
  for (std::size_t i = 0; i < prices->hours.size(); ++i) {
    if (prices->hours[i] < T("2023-01-01T06:00:00Z")) continue;
    const double v = prices->prices[0][i].value();
    sum += v;
    n += 1;
    spikes += v > p::kSpikeThreshold;
    big += v > p::kBigSpikeThreshold;
    negative += v < 0;
  }
  ASSERT_EQ(n, 8760 + 8784);
  EXPECT_NEAR(sum / n, p::kDataMeanPrice, 1e-9);
  EXPECT_EQ(spikes, 2 * p::kDataSpikeHoursPerYear);
  EXPECT_EQ(big, 2 * p::kDataBigSpikeHoursPerYear);
  EXPECT_NEAR(negative / n, p::kDataNegativeShare, 1e-15);
}

}  // namespace
}  // namespace mullet
