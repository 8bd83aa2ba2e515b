#include "plan/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mullet {
namespace {

using std::chrono::days;

TEST(CalibrationTest, MomentsOfASmallSampleMatchTheFormulas) {
  // 1, 2, 3, 4, 10: mean 4, central deviations -3 -2 -1 0 6.
  // m2 = 50/5 = 10, m3 = (-27 - 8 - 1 + 216)/5 = 36, m4 = (81 + 16 + 1 + 1296)/5 = 278.8.
  const std::vector<double> x = {1, 2, 3, 4, 10};
  const Result<Moments> m = MomentsOf(x);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->count, 5);
  EXPECT_DOUBLE_EQ(m->mean, 4);
  EXPECT_DOUBLE_EQ(m->stdev, std::sqrt(10.0));
  EXPECT_NEAR(m->skewness, 36 / std::pow(10.0, 1.5), 1e-12);
  EXPECT_NEAR(m->excess_kurtosis, 278.8 / 100 - 3, 1e-12);
}

TEST(CalibrationTest, MomentsRejectWhatHasNone) {
  EXPECT_FALSE(MomentsOf(std::vector<double>{1}).ok());
  EXPECT_FALSE(MomentsOf(std::vector<double>{2, 2, 2}).ok());
  const Result<Moments> nan = MomentsOf(std::vector<double>{1, NAN, 3});
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("x[1]"), std::string::npos) << nan.status().message();
}

TEST(CalibrationTest, AutocorrelationOfAnAlternatingSeriesIsMinusOneThenOne) {
  // +1, -1, +1, ... (even length, mean 0): lag k sums n - k products of
  // (-1)^k over n squares, so the biased estimator gives (-1)^k (n - k) / n.
  std::vector<double> x;
  for (int i = 0; i < 100; ++i) x.push_back(i % 2 == 0 ? 1 : -1);
  const Result<std::vector<double>> acf = Autocorrelation(x, 3);
  ASSERT_TRUE(acf.ok()) << acf.status().message();
  ASSERT_EQ(acf->size(), 3u);
  EXPECT_DOUBLE_EQ((*acf)[0], -0.99);
  EXPECT_DOUBLE_EQ((*acf)[1], 0.98);
  EXPECT_DOUBLE_EQ((*acf)[2], -0.97);
  // Its magnitudes are constant: no autocorrelation is defined.
  EXPECT_FALSE(AbsoluteAutocorrelation(x, 3).ok());
}

TEST(CalibrationTest, AbsoluteAutocorrelationSeesClusteredVolatility) {
  // Signs alternate (returns uncorrelated-looking) but the size comes in runs of 10.
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back((i % 2 == 0 ? 1 : -1) * ((i / 10) % 2 == 0 ? 1 : 5));
  const Result<std::vector<double>> plain = Autocorrelation(x, 1);
  const Result<std::vector<double>> absolute = AbsoluteAutocorrelation(x, 1);
  ASSERT_TRUE(plain.ok() && absolute.ok());
  EXPECT_LT((*plain)[0], -0.5);
  EXPECT_GT((*absolute)[0], 0.7);
}

TEST(CalibrationTest, AutocorrelationRejectsALagTheSeriesCannotHave) {
  const std::vector<double> x = {1, 2, 3};
  EXPECT_FALSE(Autocorrelation(x, 0).ok());
  EXPECT_FALSE(Autocorrelation(x, 3).ok());
  EXPECT_TRUE(Autocorrelation(x, 2).ok());
}

TEST(CalibrationTest, PowerStatsCountHoursByHourMonthAndThreshold) {
  const Date jan1 = *ParseDate("2024-01-01");
  const Date feb1 = *ParseDate("2024-02-01");
  PowerDay a{jan1, {}};
  PowerDay b{jan1 + days(1), {}};
  PowerDay c{feb1, {}};
  for (int h = 0; h < kHoursPerDay; ++h) {
    const auto i = static_cast<std::size_t>(h);
    a.prices[i] = UsdPerMegawattHour(h);
    b.prices[i] = UsdPerMegawattHour(h + 2);
    c.prices[i] = UsdPerMegawattHour(h == 18 ? 3000 : 30);
  }
  const std::vector<PowerDay> history = {a, b, c};
  const std::vector<UsdPerMegawattHour> thresholds = {UsdPerMegawattHour(100),
                                                      UsdPerMegawattHour(1000)};
  const Result<PowerPriceStats> s = PowerPriceStatsOf(history, thresholds);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->hours, 72);
  // January: mean of 0..23 and 2..25 = 12.5; February: (23 * 30 + 3000) / 24.
  EXPECT_DOUBLE_EQ(s->mean_by_month[0].value(), 12.5);
  EXPECT_DOUBLE_EQ(s->mean_by_month[1].value(), (23 * 30 + 3000) / 24.0);
  EXPECT_TRUE(std::isnan(s->mean_by_month[2].value()));
  EXPECT_DOUBLE_EQ(s->mean_by_hour[0].value(), (0 + 2 + 30) / 3.0);
  EXPECT_DOUBLE_EQ(s->mean_by_hour[18].value(), (18 + 20 + 3000) / 3.0);
  EXPECT_DOUBLE_EQ(s->mean.value(), (12.5 * 48 + 23 * 30 + 3000) / 72);
  EXPECT_DOUBLE_EQ(s->max.value(), 3000);
  ASSERT_EQ(s->share_above.size(), 2u);
  EXPECT_DOUBLE_EQ(s->share_above[0], 1 / 72.0);
  EXPECT_DOUBLE_EQ(s->share_above[1], 1 / 72.0);
  EXPECT_FALSE(PowerPriceStatsOf({}, thresholds).ok());
}

}  // namespace
}  // namespace mullet
