#include "plan/hashrate_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <string>

namespace mullet {
namespace {

constexpr double kDaysPerYear = 365;

// lo = -inf: finite is all that is asked.
Status FiniteAtLeast(double v, double lo, const char* field) {
  if (!std::isfinite(v) || !(v >= lo)) {
    return Status::InvalidArgument(std::string(field) + ": must be finite" +
                                   (std::isinf(lo) ? "" : " and at least " + std::to_string(lo)));
  }
  return Status::Ok();
}

// numpy's linear rule: the q-quantile of sorted values at rank q (n - 1).
double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double rank = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (rank - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// Prefix sums of log hashprice: the K-day mean ending at any day in O(1).
std::vector<double> PrefixOfLogs(std::span<const UsdPerTerahashDay> hashprice) {
  std::vector<double> prefix(hashprice.size() + 1, 0.0);
  for (std::size_t i = 0; i < hashprice.size(); ++i) {
    prefix[i + 1] = prefix[i] + std::log(hashprice[i].value());
  }
  return prefix;
}

// xbar: the mean of log hp over days end - K + 1 .. end, each index clamped
// to the series (days before it take its first value, after it its last).
double WindowMeanLog(const std::vector<double>& prefix, std::int64_t end, int window) {
  const auto n = static_cast<std::int64_t>(prefix.size()) - 1;
  const std::int64_t first = end - window + 1;
  double sum = 0;
  std::int64_t lo = first, hi = end;  // the part inside [0, n - 1]
  if (lo < 0) {
    const std::int64_t before = std::min<std::int64_t>(-lo, window);
    sum += static_cast<double>(before) * (prefix[1] - prefix[0]);
    lo = 0;
  }
  if (hi > n - 1) {
    const std::int64_t after = std::min<std::int64_t>(hi - (n - 1), window);
    sum += static_cast<double>(after) * (prefix[n] - prefix[n - 1]);
    hi = n - 1;
  }
  if (lo <= hi) sum += prefix[hi + 1] - prefix[lo];
  return sum / window;
}

}  // namespace

Status ValidateHashrateParams(const HashrateModelParams& p) {
  if (p.lag_days < 0) return Status::InvalidArgument("lag_days: must be at least 0");
  if (p.hashprice_window_days < 1) {
    return Status::InvalidArgument("hashprice_window_days: must be at least 1");
  }
  if (p.bound_window_days < 1) {
    return Status::InvalidArgument("bound_window_days: must be at least 1");
  }
  const double inf = std::numeric_limits<double>::infinity();
  if (Status s = FiniteAtLeast(p.growth_at_reference, -inf, "growth_at_reference"); !s.ok()) {
    return s;
  }
  if (Status s = FiniteAtLeast(p.sensitivity, -inf, "sensitivity"); !s.ok()) return s;
  if (!(p.reference_hashprice.value() > 0) || !std::isfinite(p.reference_hashprice.value())) {
    return Status::InvalidArgument("reference_hashprice: must be positive and finite");
  }
  if (Status s = FiniteAtLeast(p.breakeven_hashprice.value(), 0, "breakeven_hashprice"); !s.ok()) {
    return s;
  }
  if (Status s = FiniteAtLeast(p.efficiency_gain_per_year, -inf, "efficiency_gain_per_year");
      !s.ok()) {
    return s;
  }
  if (Status s = FiniteAtLeast(p.noise_per_day, 0, "noise_per_day"); !s.ok()) return s;
  if (Status s = FiniteAtLeast(p.max_ship_per_day, 0, "max_ship_per_day"); !s.ok()) return s;
  return FiniteAtLeast(p.max_exit_per_day, 0, "max_exit_per_day");
}

HashrateModelParams ShiftedBy(const HashrateModelParams& params, std::int64_t days) {
  HashrateModelParams shifted = params;
  const double factor =
      std::exp(-params.efficiency_gain_per_year * static_cast<double>(days) / kDaysPerYear);
  shifted.reference_hashprice = UsdPerTerahashDay(params.reference_hashprice.value() * factor);
  shifted.breakeven_hashprice = UsdPerTerahashDay(params.breakeven_hashprice.value() * factor);
  return shifted;
}

HashrateStepper::HashrateStepper(const HashrateModelParams& params, TerahashPerSecond start)
    : params_(params),
      log_ref_(std::log(params.reference_hashprice.value())),
      // log(0) = -inf: a breakeven of 0 never stalls.
      log_breakeven_(params.breakeven_hashprice.value() > 0 ? std::log(params.breakeven_hashprice.value())
                                                            : -std::numeric_limits<double>::infinity()),
      window_max_(params.bound_window_days * params.max_ship_per_day),
      window_min_(-params.bound_window_days * params.max_exit_per_day),
      h_(std::log(start.value())),
      recent_(static_cast<std::size_t>(params.bound_window_days), 0.0) {
  assert(ValidateHashrateParams(params).ok());
  assert(start.value() > 0);
}

TerahashPerSecond HashrateStepper::Step(double xbar, double eps) {
  const double deflate = params_.efficiency_gain_per_year * static_cast<double>(t_) / kDaysPerYear;
  double m = params_.growth_at_reference + params_.sensitivity * (xbar - log_ref_ + deflate) +
             params_.noise_per_day * eps;
  if (xbar < log_breakeven_ - deflate) m = std::min(m, 0.0);  // mining does not pay: stall
  const double g = std::clamp(m, window_min_ - window_sum_, window_max_ - window_sum_);
  h_ += g;
  // Slide the window: S_{t+1} = g_t + ... + g_{t-W+2}; recent_ is a ring of the last W - 1.
  window_sum_ += g;
  const std::size_t w = recent_.size();
  const std::size_t slot = static_cast<std::size_t>(t_) % w;
  recent_[slot] = g;  // first: with W = 1 the growth leaving is this one
  if (t_ - params_.bound_window_days + 1 >= 0) window_sum_ -= recent_[(slot + 1) % w];
  ++t_;
  return TerahashPerSecond(std::exp(h_));
}

std::vector<TerahashPerSecond> SimulateHashrate(const HashrateModelParams& params,
                                                TerahashPerSecond start,
                                                std::span<const UsdPerTerahashDay> hashprice,
                                                std::int64_t first_day, std::int64_t days,
                                                const RandomStream& stream) {
  assert(start.value() > 0 && !hashprice.empty() && first_day >= 0);
  assert(days >= 0 && days < (std::int64_t{1} << 31));
  const std::vector<double> prefix = PrefixOfLogs(hashprice);
  HashrateStepper stepper(params, start);
  std::vector<TerahashPerSecond> path;
  path.reserve(static_cast<std::size_t>(days) + 1);
  path.push_back(start);
  for (std::int64_t t = 0; t < days; ++t) {
    const double xbar =
        WindowMeanLog(prefix, first_day + t - params.lag_days, params.hashprice_window_days);
    path.push_back(stepper.Step(xbar, stream.NormalAt(static_cast<std::uint64_t>(t))));
  }
  return path;
}

Result<HashrateFit> FitHashrateModel(std::span<const TerahashPerSecond> hashrate,
                                     std::span<const UsdPerTerahashDay> hashprice,
                                     const HashrateFitOptions& options) {
  if (hashrate.size() != hashprice.size()) {
    return Status::InvalidArgument("hashprice: " + std::to_string(hashprice.size()) +
                                   " days, hashrate has " + std::to_string(hashrate.size()));
  }
  for (std::size_t i = 0; i < hashrate.size(); ++i) {
    if (!(hashrate[i].value() > 0) || !std::isfinite(hashrate[i].value())) {
      return Status::InvalidArgument("hashrate[" + std::to_string(i) +
                                     "]: must be positive and finite");
    }
    if (!(hashprice[i].value() > 0) || !std::isfinite(hashprice[i].value())) {
      return Status::InvalidArgument("hashprice[" + std::to_string(i) +
                                     "]: must be positive and finite");
    }
  }
  if (options.min_lag_days < 0 || options.max_lag_days < options.min_lag_days) {
    return Status::InvalidArgument("min_lag_days, max_lag_days: need 0 <= min <= max");
  }
  if (options.growth_window_days < 1) {
    return Status::InvalidArgument("growth_window_days: must be at least 1");
  }
  if (options.hashprice_window_days < 1) {
    return Status::InvalidArgument("hashprice_window_days: must be at least 1");
  }
  if (!std::isfinite(options.efficiency_gain_per_year)) {
    return Status::InvalidArgument("efficiency_gain_per_year: must be finite");
  }
  if (!(options.ship_percentile > 0 && options.ship_percentile <= 1)) {
    return Status::InvalidArgument("ship_percentile: must be in (0, 1]");
  }
  if (!(options.exit_percentile >= 0 && options.exit_percentile < 1)) {
    return Status::InvalidArgument("exit_percentile: must be in [0, 1)");
  }
  const auto n = static_cast<std::int64_t>(hashrate.size());
  const int w = options.growth_window_days;
  const int k_window = options.hashprice_window_days;
  // Pairs i with every hashprice day of r_i(L) inside the series for the
  // longest lag, and i + W inside it: the same days for every lag.
  const std::int64_t first = options.max_lag_days + k_window - 1;
  const std::int64_t last = n - 1 - w;
  const std::int64_t count = last - first + 1;
  if (count < 365) {
    return Status::InvalidArgument("hashrate: " + std::to_string(n) +
                                   " days leave fewer than 365 pairs for the longest lag");
  }
  const std::vector<double> prefix = PrefixOfLogs(hashprice);
  std::vector<double> y(static_cast<std::size_t>(count));
  for (std::int64_t i = first; i <= last; ++i) {
    y[static_cast<std::size_t>(i - first)] =
        (std::log(hashrate[i + w].value()) - std::log(hashrate[i].value())) / w;
  }
  double y_mean = 0;
  for (const double v : y) y_mean += v / static_cast<double>(count);

  // r_i(L): the model's driver averaged over the W days of y_i, undeflated;
  // tau_i: the mean day of those W days, in years before the sample's last day.
  const auto driver = [&](int lag) {
    std::vector<double> r(static_cast<std::size_t>(count));
    for (std::int64_t i = first; i <= last; ++i) {
      double sum = 0;
      for (int k = 0; k < w; ++k) sum += WindowMeanLog(prefix, i + k - lag, k_window);
      r[static_cast<std::size_t>(i - first)] = sum / w;
    }
    return r;
  };
  std::vector<double> tau(static_cast<std::size_t>(count));
  for (std::int64_t i = first; i <= last; ++i) {
    tau[static_cast<std::size_t>(i - first)] =
        (static_cast<double>(i - (n - 1)) + (w - 1) / 2.0) / kDaysPerYear;
  }
  // Residuals of v after least squares on the constant (and on tau when e is
  // fitted): Frisch-Waugh-Lovell, so b and the correlation are those of
  // y = c + b r + c1 tau, with e = c1 / b.
  const bool fit_gain = options.fit_efficiency_gain;
  const auto residualize = [&](std::vector<double> v) {
    const auto m = static_cast<double>(v.size());
    double v_mean = 0, t_mean = 0;
    for (std::size_t j = 0; j < v.size(); ++j) v_mean += v[j] / m, t_mean += tau[j] / m;
    double stt = 0, stv = 0;
    for (std::size_t j = 0; j < v.size(); ++j) {
      stt += (tau[j] - t_mean) * (tau[j] - t_mean);
      stv += (tau[j] - t_mean) * (v[j] - v_mean);
    }
    const double slope = fit_gain ? stv / stt : 0;
    for (std::size_t j = 0; j < v.size(); ++j) v[j] -= v_mean + slope * (tau[j] - t_mean);
    return v;
  };
  const std::vector<double> y_res = residualize(y);
  double syy = 0;
  for (const double v : y_res) syy += v * v;

  HashrateFit fit;
  fit.samples = count;
  double best_correlation = -std::numeric_limits<double>::infinity();
  std::vector<double> best_r;
  for (int lag = options.min_lag_days; lag <= options.max_lag_days; ++lag) {
    std::vector<double> r = driver(lag);
    if (!fit_gain) {
      for (std::size_t j = 0; j < r.size(); ++j) r[j] += options.efficiency_gain_per_year * tau[j];
    }
    const std::vector<double> r_res = residualize(r);
    double srr = 0, sry = 0;
    for (std::size_t j = 0; j < r.size(); ++j) {
      srr += r_res[j] * r_res[j];
      sry += r_res[j] * y_res[j];
    }
    const double slope = srr > 0 ? sry / srr : 0;
    const double correlation = srr > 0 && syy > 0 ? sry / std::sqrt(srr * syy) : 0;
    fit.by_lag.push_back({lag, correlation, slope});
    if (correlation > best_correlation) {
      best_correlation = correlation;
      best_r = std::move(r);
      fit.params.lag_days = lag;
      fit.params.sensitivity = slope;
    }
  }
  fit.correlation = best_correlation;
  HashrateModelParams& p = fit.params;
  p.hashprice_window_days = k_window;
  p.bound_window_days = w;
  p.efficiency_gain_per_year = options.efficiency_gain_per_year;
  if (fit_gain) {
    // c1: the slope on tau of y - b r; e = c1 / b (no gain without a positive b).
    std::vector<double> rest(y.size());
    for (std::size_t j = 0; j < y.size(); ++j) rest[j] = y[j] - p.sensitivity * best_r[j];
    double t_mean = 0, rest_mean = 0;
    for (std::size_t j = 0; j < y.size(); ++j) {
      t_mean += tau[j] / static_cast<double>(count);
      rest_mean += rest[j] / static_cast<double>(count);
    }
    double stt = 0, str = 0;
    for (std::size_t j = 0; j < y.size(); ++j) {
      stt += (tau[j] - t_mean) * (tau[j] - t_mean);
      str += (tau[j] - t_mean) * (rest[j] - rest_mean);
    }
    p.efficiency_gain_per_year = p.sensitivity > 0 ? str / stt / p.sensitivity : 0;
    for (std::size_t j = 0; j < best_r.size(); ++j) {
      best_r[j] += p.efficiency_gain_per_year * tau[j];
    }
  }
  // best_r is now the deflated driver: hp_ref its mean (in log), a = mean y.
  double r_mean = 0;
  for (const double v : best_r) r_mean += v / static_cast<double>(count);
  p.growth_at_reference = y_mean;
  p.reference_hashprice = UsdPerTerahashDay(std::exp(r_mean));
  double ss_res = 0, ss_y = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    const double e = y[j] - y_mean - p.sensitivity * (best_r[j] - r_mean);
    ss_res += e * e;
    ss_y += (y[j] - y_mean) * (y[j] - y_mean);
  }
  fit.residual_stdev = std::sqrt(ss_res / static_cast<double>(count));
  fit.growth_stdev = std::sqrt(ss_y / static_cast<double>(count));
  // A daily hashrate estimate is blocks found times difficulty: Poisson luck,
  // about 1 / sqrt(144) = 8 % a day, that the network's hashrate never had.
  // Its stdev s from second differences (h_i - (h_{i-1} + h_{i+1}) / 2 has
  // variance 1.5 s^2 where the true h is locally straight); it enters y_i at
  // both ends, variance 2 s^2 / W^2, which is taken out of the residual's.
  double ss_second = 0;
  for (std::int64_t i = 1; i + 1 < n; ++i) {
    const double d = std::log(hashrate[i].value()) -
                     (std::log(hashrate[i - 1].value()) + std::log(hashrate[i + 1].value())) / 2;
    ss_second += d * d;
  }
  fit.measurement_stdev = std::sqrt(ss_second / static_cast<double>(n - 2) / 1.5);
  const double true_residual_variance = std::max(
      0.0, fit.residual_stdev * fit.residual_stdev -
               2 * fit.measurement_stdev * fit.measurement_stdev / (static_cast<double>(w) * w));
  p.noise_per_day = std::sqrt(true_residual_variance * w);
  p.max_ship_per_day = std::max(0.0, Quantile(y, options.ship_percentile));
  p.max_exit_per_day = std::max(0.0, -Quantile(y, options.exit_percentile));
  p.breakeven_hashprice =
      p.sensitivity > 0
          ? UsdPerTerahashDay(p.reference_hashprice.value() * std::exp(-y_mean / p.sensitivity))
          : UsdPerTerahashDay(0);
  return fit;
}

}  // namespace mullet
