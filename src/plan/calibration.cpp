#include "plan/calibration.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

namespace mullet {
namespace {

Status CheckFinite(std::span<const double> x) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      return Status::InvalidArgument("x[" + std::to_string(i) + "]: not finite");
    }
  }
  return Status::Ok();
}

double MeanOf(std::span<const double> x) {
  double sum = 0;
  for (const double v : x) sum += v;
  return sum / static_cast<double>(x.size());
}

}  // namespace

Result<Moments> MomentsOf(std::span<const double> x) {
  if (x.size() < 2) return Status::InvalidArgument("x: need at least two values");
  if (Status s = CheckFinite(x); !s.ok()) return s;
  const double mean = MeanOf(x);
  double m2 = 0, m3 = 0, m4 = 0;
  for (const double v : x) {
    const double d = v - mean;
    const double d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const auto n = static_cast<double>(x.size());
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (m2 == 0) return Status::InvalidArgument("x: all values equal");
  Moments m;
  m.count = static_cast<std::int64_t>(x.size());
  m.mean = mean;
  m.stdev = std::sqrt(m2);
  m.skewness = m3 / std::pow(m2, 1.5);
  m.excess_kurtosis = m4 / (m2 * m2) - 3;
  return m;
}

Result<std::vector<double>> Autocorrelation(std::span<const double> x, int max_lag) {
  if (max_lag < 1 || static_cast<std::size_t>(max_lag) >= x.size()) {
    return Status::InvalidArgument("max_lag: must be 1 to " + std::to_string(x.size()) +
                                   " - 1 for " + std::to_string(x.size()) + " values");
  }
  if (Status s = CheckFinite(x); !s.ok()) return s;
  const double mean = MeanOf(x);
  std::vector<double> d(x.size());
  double denominator = 0;
  for (std::size_t t = 0; t < x.size(); ++t) {
    d[t] = x[t] - mean;
    denominator += d[t] * d[t];
  }
  if (denominator == 0) return Status::InvalidArgument("x: all values equal");
  std::vector<double> acf;
  acf.reserve(static_cast<std::size_t>(max_lag));
  for (int k = 1; k <= max_lag; ++k) {
    const auto lag = static_cast<std::size_t>(k);
    double numerator = 0;
    for (std::size_t t = 0; t + lag < d.size(); ++t) numerator += d[t] * d[t + lag];
    acf.push_back(numerator / denominator);
  }
  return acf;
}

Result<std::vector<double>> AbsoluteAutocorrelation(std::span<const double> x, int max_lag) {
  std::vector<double> magnitudes(x.size());
  for (std::size_t t = 0; t < x.size(); ++t) magnitudes[t] = std::fabs(x[t]);
  return Autocorrelation(magnitudes, max_lag);
}

Result<PowerPriceStats> PowerPriceStatsOf(std::span<const PowerDay> days,
                                          std::span<const UsdPerMegawattHour> thresholds) {
  if (days.empty()) return Status::InvalidArgument("days: none");
  PowerPriceStats stats;
  stats.thresholds.assign(thresholds.begin(), thresholds.end());
  std::vector<std::int64_t> above(thresholds.size(), 0);
  std::array<double, kHoursPerDay> by_hour{};
  std::array<double, 12> by_month{};
  std::array<std::int64_t, 12> month_hours{};
  double sum = 0;
  double max = -std::numeric_limits<double>::infinity();
  for (const PowerDay& day : days) {
    const auto month = static_cast<unsigned>(std::chrono::year_month_day(day.date).month()) - 1;
    for (int h = 0; h < kHoursPerDay; ++h) {
      const double p = day.prices[static_cast<std::size_t>(h)].value();
      sum += p;
      by_hour[static_cast<std::size_t>(h)] += p;
      by_month[month] += p;
      if (p > max) max = p;
      for (std::size_t i = 0; i < thresholds.size(); ++i) {
        if (p > thresholds[i].value()) ++above[i];
      }
    }
    month_hours[month] += kHoursPerDay;
  }
  const auto n_days = static_cast<double>(days.size());
  const double n = n_days * kHoursPerDay;
  const double mean = sum / n;
  double m2 = 0;
  for (const PowerDay& day : days) {
    for (const UsdPerMegawattHour p : day.prices) m2 += (p.value() - mean) * (p.value() - mean);
  }
  stats.hours = static_cast<std::int64_t>(days.size()) * kHoursPerDay;
  stats.mean = UsdPerMegawattHour(mean);
  stats.stdev = UsdPerMegawattHour(std::sqrt(m2 / n));
  stats.max = UsdPerMegawattHour(max);
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    stats.share_above.push_back(static_cast<double>(above[i]) / n);
  }
  for (std::size_t h = 0; h < by_hour.size(); ++h) {
    stats.mean_by_hour[h] = UsdPerMegawattHour(by_hour[h] / n_days);
  }
  for (std::size_t m = 0; m < by_month.size(); ++m) {
    stats.mean_by_month[m] =
        UsdPerMegawattHour(month_hours[m] > 0 ? by_month[m] / static_cast<double>(month_hours[m])
                                              : std::numeric_limits<double>::quiet_NaN());
  }
  return stats;
}

}  // namespace mullet
