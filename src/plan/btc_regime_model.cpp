#include "plan/btc_regime_model.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <numbers>
#include <string>

namespace mullet {
namespace {

constexpr double kDaysPerYear = 365;
constexpr std::int64_t kYear = 365;

// The log density of the unit-variance Student-t with nu degrees of freedom
// scaled by sigma, at e.
double LogUnitTDensity(double e, double sigma, double nu, double log_norm) {
  const double q = e * e / ((nu - 2) * sigma * sigma);
  return log_norm - std::log(sigma) - 0.5 * (nu + 1) * std::log1p(q);
}

double LogNormOf(double nu) {
  return std::lgamma(0.5 * (nu + 1)) - std::lgamma(0.5 * nu) -
         0.5 * std::log(std::numbers::pi * (nu - 2));
}

// M = E[exp(sigma z)], z = clamp(a T, -k, k), a = sqrt((nu - 2) / nu):
// Simpson's rule over the unclamped part (in z), the clamped tails' mass at
// exp(+-sigma k). The density of z is a unit-variance t's.
double ClampedTMgf(double sigma, double nu, double k) {
  constexpr int kSteps = 20'000;  // even
  const double log_norm = LogNormOf(nu);
  const double h = 2 * k / kSteps;
  double inside = 0, mass = 0;
  for (int i = 0; i <= kSteps; ++i) {
    const double z = -k + h * i;
    const double w = (i == 0 || i == kSteps) ? 1 : (i % 2 == 1 ? 4 : 2);
    const double f = std::exp(LogUnitTDensity(z, 1, nu, log_norm));
    mass += w * f;
    inside += w * f * std::exp(sigma * z);
  }
  inside *= h / 3;
  mass *= h / 3;
  const double tail = std::max(0.0, (1 - mass) / 2);
  return inside + tail * (std::exp(sigma * k) + std::exp(-sigma * k));
}

double Logistic(double x) { return 1 / (1 + std::exp(-x)); }

// Minus the log likelihood by the Hamilton filter; theta = (log sigma_0,
// log sigma_1, logit p_00, logit p_11, log(nu - 2)).
double NegativeLogLikelihood(std::span<const double> e, const std::array<double, 5>& theta) {
  const double s0 = std::exp(theta[0]), s1 = std::exp(theta[1]);
  const double p00 = Logistic(theta[2]), p11 = Logistic(theta[3]);
  const double nu = 2 + std::exp(theta[4]);
  if (!std::isfinite(s0) || !std::isfinite(s1) || !std::isfinite(nu) || nu > 1e4) return 1e300;
  const double log_norm = LogNormOf(nu);
  double xi1 = (1 - p00) / ((1 - p00) + (1 - p11));  // stationary P(wild)
  double ll = 0;
  for (const double r : e) {
    const double f0 = std::exp(LogUnitTDensity(r, s0, nu, log_norm));
    const double f1 = std::exp(LogUnitTDensity(r, s1, nu, log_norm));
    const double l = (1 - xi1) * f0 + xi1 * f1;
    if (!(l > 0)) return 1e300;
    ll += std::log(l);
    const double post1 = xi1 * f1 / l;
    xi1 = (1 - post1) * (1 - p00) + post1 * p11;
  }
  return -ll;
}

// The filtered P(wild) after the last return, at theta.
double FilteredWildAtEnd(std::span<const double> e, const BtcRegimeParams& p) {
  const double log_norm = LogNormOf(p.tail_dof);
  double xi1 = (1 - p.stay_calm) / ((1 - p.stay_calm) + (1 - p.stay_wild));
  for (const double r : e) {
    const double f0 = std::exp(LogUnitTDensity(r, p.calm_stdev, p.tail_dof, log_norm));
    const double f1 = std::exp(LogUnitTDensity(r, p.wild_stdev, p.tail_dof, log_norm));
    const double post1 = xi1 * f1 / ((1 - xi1) * f0 + xi1 * f1);
    xi1 = (1 - post1) * (1 - p.stay_calm) + post1 * p.stay_wild;
  }
  return xi1;
}

// Nelder and Mead (Computer Journal 7 (1965) 308) with the usual
// coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2).
template <typename F>
std::array<double, 5> NelderMead(F f, const std::array<double, 5>& start, double step,
                                 int max_evals, int& evals) {
  constexpr int kN = 5;
  std::array<std::array<double, kN>, kN + 1> x;
  std::array<double, kN + 1> fx;
  for (int i = 0; i <= kN; ++i) {
    x[i] = start;
    if (i > 0) x[i][i - 1] += step;
    fx[i] = f(x[i]);
  }
  evals = kN + 1;
  while (evals < max_evals) {
    std::array<int, kN + 1> order;
    for (int i = 0; i <= kN; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return fx[a] < fx[b]; });
    const int best = order[0], worst = order[kN], second = order[kN - 1];
    if (std::fabs(fx[worst] - fx[best]) < 1e-9 * (1 + std::fabs(fx[best]))) break;
    std::array<double, kN> centroid{};
    for (int i = 0; i <= kN; ++i) {
      if (i == worst) continue;
      for (int j = 0; j < kN; ++j) centroid[j] += x[i][j] / kN;
    }
    const auto along = [&](double t) {
      std::array<double, kN> y;
      for (int j = 0; j < kN; ++j) y[j] = centroid[j] + t * (x[worst][j] - centroid[j]);
      return y;
    };
    const std::array<double, kN> xr = along(-1);
    const double fr = f(xr);
    ++evals;
    if (fr < fx[best]) {
      const std::array<double, kN> xe = along(-2);
      const double fe = f(xe);
      ++evals;
      if (fe < fr) {
        x[worst] = xe, fx[worst] = fe;
      } else {
        x[worst] = xr, fx[worst] = fr;
      }
    } else if (fr < fx[second]) {
      x[worst] = xr, fx[worst] = fr;
    } else {
      const std::array<double, kN> xc = fr < fx[worst] ? along(-0.5) : along(0.5);
      const double fc = f(xc);
      ++evals;
      if (fc < std::min(fr, fx[worst])) {
        x[worst] = xc, fx[worst] = fc;
      } else {
        for (int i = 0; i <= kN; ++i) {
          if (i == best) continue;
          for (int j = 0; j < kN; ++j) x[i][j] = x[best][j] + 0.5 * (x[i][j] - x[best][j]);
          fx[i] = f(x[i]);
          ++evals;
        }
      }
    }
  }
  const auto best = std::min_element(fx.begin(), fx.end()) - fx.begin();
  return x[static_cast<std::size_t>(best)];
}

}  // namespace

Status ValidateBtcRegimeParams(const BtcRegimeParams& p) {
  if (!std::isfinite(p.mean_log_return))
    return Status::InvalidArgument("mean_log_return: not finite");
  if (!(p.calm_stdev > 0) || !std::isfinite(p.calm_stdev)) {
    return Status::InvalidArgument("calm_stdev: must be positive and finite");
  }
  if (!(p.wild_stdev >= p.calm_stdev) || !std::isfinite(p.wild_stdev)) {
    return Status::InvalidArgument("wild_stdev: must be finite and at least calm_stdev");
  }
  if (!(p.stay_calm > 0 && p.stay_calm < 1))
    return Status::InvalidArgument("stay_calm: must be in (0, 1)");
  if (!(p.stay_wild > 0 && p.stay_wild < 1))
    return Status::InvalidArgument("stay_wild: must be in (0, 1)");
  if (!(p.tail_dof > 2) || !std::isfinite(p.tail_dof)) {
    return Status::InvalidArgument("tail_dof: must be finite and above 2");
  }
  if (!(p.clip_stdevs > 0) || !std::isfinite(p.clip_stdevs)) {
    return Status::InvalidArgument("clip_stdevs: must be positive and finite");
  }
  if (!(p.wild_at_start >= 0 && p.wild_at_start <= 1)) {
    return Status::InvalidArgument("wild_at_start: must be in [0, 1]");
  }
  return Status::Ok();
}

double BtcRegimeExpectedGrossReturn(const BtcRegimeParams& p, double c, std::int64_t days) {
  assert(ValidateBtcRegimeParams(p).ok() && days >= 0);
  const double m0 = ClampedTMgf(p.calm_stdev, p.tail_dof, p.clip_stdevs) * std::exp(c);
  const double m1 = ClampedTMgf(p.wild_stdev, p.tail_dof, p.clip_stdevs) * std::exp(c);
  double v0 = 1, v1 = 1;
  for (std::int64_t t = 0; t < days; ++t) {
    const double n0 = m0 * (p.stay_calm * v0 + (1 - p.stay_calm) * v1);
    const double n1 = m1 * ((1 - p.stay_wild) * v0 + p.stay_wild * v1);
    v0 = n0, v1 = n1;
  }
  return (1 - p.wild_at_start) * v0 + p.wild_at_start * v1;
}

double BtcRegimeDailyShift(const BtcRegimeParams& p, const BtcRegimeDrift& d) {
  assert(d.annual_drift > -1);
  switch (d.drift) {
    case ReturnDrift::kHistorical:
      return p.mean_log_return;
    case ReturnDrift::kLogDrift:
      return std::log1p(d.annual_drift) / kDaysPerYear;
    case ReturnDrift::kExpectedReturn:
      break;
  }
  return (std::log1p(d.annual_drift) - std::log(BtcRegimeExpectedGrossReturn(p, 0, kYear))) /
         kDaysPerYear;
}

std::vector<double> SimulateBtcRegimeLogReturns(const BtcRegimeParams& p, double c,
                                                std::int64_t days, const RandomStream& stream) {
  assert(ValidateBtcRegimeParams(p).ok());
  assert(days >= 0 && days < (std::int64_t{1} << 31) / 3);
  const double scale = std::sqrt((p.tail_dof - 2) / p.tail_dof);
  std::vector<double> x;
  x.reserve(static_cast<std::size_t>(days));
  bool wild = false;
  for (std::int64_t t = 0; t < days; ++t) {
    const auto i = static_cast<std::uint64_t>(t);
    const double u = stream.UniformAt(3 * i);
    if (t == 0) {
      wild = u < p.wild_at_start;
    } else {
      wild = wild ? u < p.stay_wild : !(u < p.stay_calm);
    }
    const double z =
        std::clamp(scale * StudentTFromUniforms(stream.UniformAt(3 * i + 1),
                                                stream.UniformAt(3 * i + 2), p.tail_dof),
                   -p.clip_stdevs, p.clip_stdevs);
    x.push_back(c + (wild ? p.wild_stdev : p.calm_stdev) * z);
  }
  return x;
}

Result<BtcRegimeFit> FitBtcRegimeModel(std::span<const double> r) {
  if (r.size() < 365) return Status::InvalidArgument("log_returns: need at least 365");
  double mean = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!std::isfinite(r[i])) {
      return Status::InvalidArgument("log_returns[" + std::to_string(i) + "]: not finite");
    }
    mean += r[i];
  }
  mean /= static_cast<double>(r.size());
  double var = 0;
  std::vector<double> e;
  e.reserve(r.size());
  for (const double v : r) {
    e.push_back(v - mean);
    var += (v - mean) * (v - mean);
  }
  var /= static_cast<double>(r.size());
  if (!(var > 0)) return Status::InvalidArgument("log_returns: all equal");
  const double sd = std::sqrt(var);
  // Start: a calm regime at 0.6 of the stdev, a wild one at 1.8, lasting
  // 50 and 20 days, nu = 5.
  const std::array<double, 5> start = {std::log(0.6 * sd), std::log(1.8 * sd), std::log(49.0),
                                       std::log(19.0), std::log(3.0)};
  BtcRegimeFit fit;
  const auto nll = [&](const std::array<double, 5>& t) { return NegativeLogLikelihood(e, t); };
  // A restart from the first optimum with a smaller simplex: Nelder-Mead's
  // simplex can collapse before the optimum (Lagarias et al., SIAM J. Optim.
  // 9 (1998) 112).
  int evals = 0;
  std::array<double, 5> theta = NelderMead(nll, start, 0.5, 6000, evals);
  fit.evaluations = evals;
  theta = NelderMead(nll, theta, 0.1, 6000, evals);
  fit.evaluations += evals;
  fit.log_likelihood = -NegativeLogLikelihood(e, theta);
  BtcRegimeParams& p = fit.params;
  p.mean_log_return = mean;
  p.calm_stdev = std::exp(theta[0]);
  p.wild_stdev = std::exp(theta[1]);
  p.stay_calm = Logistic(theta[2]);
  p.stay_wild = Logistic(theta[3]);
  p.tail_dof = 2 + std::exp(theta[4]);
  if (p.calm_stdev > p.wild_stdev) {
    std::swap(p.calm_stdev, p.wild_stdev);
    std::swap(p.stay_calm, p.stay_wild);
  }
  p.wild_at_start = FilteredWildAtEnd(e, p);
  return fit;
}

}  // namespace mullet
