#include "plan/fee_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <string>

namespace mullet {
namespace {

Status InRange(double v, double lo, double hi, bool hi_open, const char* field) {
  const bool ok = std::isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi);
  if (!ok) {
    return Status::InvalidArgument(std::string(field) + ": must be finite, in [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) +
                                   (hi_open ? ")" : "]"));
  }
  return Status::Ok();
}

// The excess kurtosis of a Student-t with nu degrees of freedom's inverse:
// k = 6 / (nu - 4) gives nu = 4 + 6 / k (infinite when k <= 0).
double DofOfKurtosis(double excess_kurtosis) {
  if (!(excess_kurtosis > 0)) return std::numeric_limits<double>::infinity();
  return 4 + 6 / excess_kurtosis;
}

}  // namespace

Status ValidateFeeParams(const FeeModelParams& p) {
  const double inf = std::numeric_limits<double>::infinity();
  if (!std::isfinite(p.mean_log_fees)) return Status::InvalidArgument("mean_log_fees: not finite");
  if (Status s = InRange(p.slow_persistence, 0, 1, true, "slow_persistence"); !s.ok()) return s;
  if (Status s = InRange(p.fast_persistence, 0, 1, true, "fast_persistence"); !s.ok()) return s;
  if (Status s = InRange(p.slow_stdev, 0, 1e3, false, "slow_stdev"); !s.ok()) return s;
  if (Status s = InRange(p.fast_stdev, 0, 1e3, false, "fast_stdev"); !s.ok()) return s;
  if (!std::isfinite(p.tail_dof) || !(p.tail_dof > 2) || p.tail_dof == inf) {
    return Status::InvalidArgument("tail_dof: must be finite and above 2");
  }
  return Status::Ok();
}

std::vector<Btc> SimulateFees(const FeeModelParams& p, Btc start, std::int64_t days,
                              const RandomStream& stream) {
  assert(ValidateFeeParams(p).ok());
  assert(start.value() > 0 && std::isfinite(start.value()));
  assert(days >= 0 && days < (std::int64_t{1} << 31));
  const double slow_shock = p.slow_stdev * std::sqrt(1 - p.slow_persistence * p.slow_persistence);
  // e_t has variance nu / (nu - 2): scaled to 1 so sigma_f is f's stdev.
  const double fast_shock = p.fast_stdev * std::sqrt(1 - p.fast_persistence * p.fast_persistence) *
                            std::sqrt((p.tail_dof - 2) / p.tail_dof);
  std::vector<Btc> out;
  out.reserve(static_cast<std::size_t>(days) + 1);
  out.push_back(start);
  double s = std::log(start.value()) - p.mean_log_fees;
  double f = 0;
  for (std::int64_t t = 0; t < days; ++t) {
    const auto i = static_cast<std::uint64_t>(t);
    const double e =
        StudentTFromUniforms(stream.UniformAt(2 * i), stream.UniformAt(2 * i + 1), p.tail_dof);
    s = p.slow_persistence * s + slow_shock * stream.NormalAt(i);
    f = p.fast_persistence * f + fast_shock * e;
    out.push_back(Btc(std::exp(p.mean_log_fees + s + f)));
  }
  return out;
}

Result<FeeStats> FeeStatsOf(std::span<const FeeObservation> fees, int max_lag) {
  if (max_lag < 1) return Status::InvalidArgument("max_lag: must be at least 1");
  for (std::size_t i = 0; i < fees.size(); ++i) {
    const double v = fees[i].fees.value();
    if (!(v > 0) || !std::isfinite(v)) {
      return Status::InvalidArgument("fees[" + std::to_string(i) +
                                     "]: must be positive and finite");
    }
    if (i > 0 && fees[i].day <= fees[i - 1].day) {
      return Status::InvalidArgument("fees[" + std::to_string(i) +
                                     "].day: days must be strictly increasing");
    }
  }
  FeeStats st;
  st.days = static_cast<std::int64_t>(fees.size());
  if (st.days < 3) return Status::InvalidArgument("fees: need at least three days");
  std::vector<double> y(fees.size());
  double sum = 0, sum_fees = 0;
  for (std::size_t i = 0; i < fees.size(); ++i) {
    y[i] = std::log(fees[i].fees.value());
    sum += y[i];
    sum_fees += fees[i].fees.value();
  }
  const auto n = static_cast<double>(fees.size());
  st.mean_log = sum / n;
  st.mean_fees = sum_fees / n;
  double m2 = 0;
  for (const double v : y) m2 += (v - st.mean_log) * (v - st.mean_log);
  m2 /= n;
  if (m2 == 0) return Status::InvalidArgument("fees: all days equal");
  st.stdev_log = std::sqrt(m2);

  // Lag k's pairs: for each i, the day k later if present. Days are sorted,
  // so a pointer j walks forward with i.
  for (int k = 1; k <= max_lag; ++k) {
    double cov = 0;
    std::int64_t pairs = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < fees.size(); ++i) {
      const std::int64_t want = fees[i].day + k;
      while (j < fees.size() && fees[j].day < want) ++j;
      if (j == fees.size()) break;
      if (fees[j].day == want) {
        cov += (y[i] - st.mean_log) * (y[j] - st.mean_log);
        ++pairs;
      }
    }
    if (pairs == 0) {
      return Status::InvalidArgument("fees: no pair of days " + std::to_string(k) + " apart");
    }
    st.acf.push_back(cov / static_cast<double>(pairs) / m2);
  }

  std::vector<double> d;
  for (std::size_t i = 1; i < fees.size(); ++i) {
    if (fees[i].day == fees[i - 1].day + 1) d.push_back(y[i] - y[i - 1]);
  }
  if (d.size() < 2) return Status::InvalidArgument("fees: need at least two consecutive pairs");
  st.changes = static_cast<std::int64_t>(d.size());
  double dmean = 0;
  for (const double v : d) dmean += v;
  dmean /= static_cast<double>(d.size());
  double d2 = 0, d4 = 0;
  for (const double v : d) {
    const double e2 = (v - dmean) * (v - dmean);
    d2 += e2;
    d4 += e2 * e2;
  }
  d2 /= static_cast<double>(d.size());
  d4 /= static_cast<double>(d.size());
  st.change_stdev = std::sqrt(d2);
  st.change_excess_kurtosis = d2 > 0 ? d4 / (d2 * d2) - 3 : 0;
  std::int64_t beyond = 0;
  for (const double v : d) beyond += std::fabs(v - dmean) > 3 * st.change_stdev ? 1 : 0;
  st.change_share_beyond_3_stdev = static_cast<double>(beyond) / static_cast<double>(d.size());
  return st;
}

Result<FeeFit> FitFeeModel(std::span<const FeeObservation> fees, const FeeFitOptions& o) {
  if (o.min_slow_lag < 2 || o.max_slow_lag <= o.min_slow_lag) {
    return Status::InvalidArgument("min_slow_lag, max_slow_lag: need 2 <= min < max");
  }
  if (!(o.min_tail_dof > 2) || !(o.max_tail_dof >= o.min_tail_dof) ||
      !std::isfinite(o.max_tail_dof)) {
    return Status::InvalidArgument("min_tail_dof, max_tail_dof: need 2 < min <= max, finite");
  }
  Result<FeeStats> stats = FeeStatsOf(fees, o.max_slow_lag);
  if (!stats.ok()) return stats.status();
  FeeFit fit;
  fit.history = std::move(stats).value();
  const std::vector<double>& acf = fit.history.acf;

  // log acf(k) = log w + k log phi_s, least squares over the slow lags.
  double sk = 0, sl = 0, skk = 0, skl = 0, m = 0;
  for (int k = o.min_slow_lag; k <= o.max_slow_lag; ++k) {
    const double a = acf[static_cast<std::size_t>(k - 1)];
    if (!(a > 0)) {
      return Status::InvalidArgument("fees: autocorrelation at lag " + std::to_string(k) +
                                     " is not positive: no slow level to fit");
    }
    const double kd = k;
    const double l = std::log(a);
    sk += kd, sl += l, skk += kd * kd, skl += kd * l, m += 1;
  }
  const double slope = (m * skl - sk * sl) / (m * skk - sk * sk);
  const double intercept = (sl - slope * sk) / m;
  FeeModelParams& p = fit.params;
  p.mean_log_fees = fit.history.mean_log;
  p.slow_persistence = std::clamp(std::exp(slope), 0.0, 0.9999);
  const double w = std::clamp(std::exp(intercept), 0.0, 1.0);
  fit.slow_weight = w;
  const double variance = fit.history.stdev_log * fit.history.stdev_log;
  p.slow_stdev = std::sqrt(w * variance);
  p.fast_stdev = std::sqrt((1 - w) * variance);
  p.fast_persistence =
      w < 1 ? std::clamp((acf[0] - w * p.slow_persistence) / (1 - w), 0.0, 0.99) : 0.0;

  // nu from the daily change's kurtosis (header comment).
  const double phi = p.fast_persistence;
  const double v_slow = 2 * p.slow_stdev * p.slow_stdev * (1 - p.slow_persistence);
  const double v_fast = 2 * p.fast_stdev * p.fast_stdev * (1 - phi);
  double dof = std::numeric_limits<double>::infinity();
  if (v_fast > 0) {
    const double k_fast = fit.history.change_excess_kurtosis * (v_slow + v_fast) *
                          (v_slow + v_fast) / (v_fast * v_fast);
    const double sum_a2 = 2 / (1 + phi);
    const double sum_a4 = 1 + std::pow(1 - phi, 4) / (1 - std::pow(phi, 4));
    dof = DofOfKurtosis(k_fast * sum_a2 * sum_a2 / sum_a4);
  }
  fit.fitted_tail_dof = dof;
  p.tail_dof = std::clamp(dof, o.min_tail_dof, o.max_tail_dof);
  return fit;
}

}  // namespace mullet
