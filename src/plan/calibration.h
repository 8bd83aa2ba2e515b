// The statistics a market model is calibrated against: history's and a
// simulation's, computed the same way, so plan_test (and the plan report)
// can set one against the other.
//
// Conventions, one home each:
// - Moments are the sample's own (population, 1/n): mean, stdev
//   sqrt(m2), skewness m3 / m2^1.5, excess kurtosis m4 / m2^2 - 3, with m_k
//   the k-th central moment.
// - The autocorrelation at lag k is sum_{t} (x_t - mean)(x_{t+k} - mean) /
//   sum_t (x_t - mean)^2 over the whole series (the standard biased
//   estimator, as statsmodels' acf).
// Pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_PLAN_CALIBRATION_H_
#define MULLET_PLAN_CALIBRATION_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"
#include "plan/power_price_model.h"

namespace mullet {

struct Moments {
  std::int64_t count = 0;
  double mean = 0;
  double stdev = 0;
  double skewness = 0;
  double excess_kurtosis = 0;
};

// The moments of `x`. InvalidArgument: fewer than two values, a value not
// finite, or all values equal (skewness and kurtosis undefined).
Result<Moments> MomentsOf(std::span<const double> x);

// The autocorrelation of `x` at lags 1 .. max_lag (element k - 1 is lag k).
// InvalidArgument: max_lag < 1 or not below x's size, a value not finite,
// or x constant.
Result<std::vector<double>> Autocorrelation(std::span<const double> x, int max_lag);

// The same of |x|: volatility clustering shows as positive values over many lags.
Result<std::vector<double>> AbsoluteAutocorrelation(std::span<const double> x, int max_lag);

struct PowerPriceStats {
  std::int64_t hours = 0;
  UsdPerMegawattHour mean{0};
  UsdPerMegawattHour stdev{0};  // population, as Moments
  // share_above[i]: the fraction of hours priced strictly above thresholds[i].
  std::vector<UsdPerMegawattHour> thresholds;
  std::vector<double> share_above;
  UsdPerMegawattHour max{0};
  // The mean of hour h of the day (as PowerDay counts hours).
  std::array<UsdPerMegawattHour, kHoursPerDay> mean_by_hour{};
  // The mean of calendar month m (0 = January) by the days' dates; NaN for
  // a month without days.
  std::array<UsdPerMegawattHour, 12> mean_by_month{};
};

// The statistics of hourly prices. InvalidArgument: no days.
Result<PowerPriceStats> PowerPriceStatsOf(std::span<const PowerDay> days,
                                          std::span<const UsdPerMegawattHour> thresholds);

}  // namespace mullet

#endif  // MULLET_PLAN_CALIBRATION_H_
