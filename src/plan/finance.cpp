#include "plan/finance.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

namespace mullet {
namespace {

// NPV as the polynomial sum_m c_m x^m in x = (1 + r)^(-1/12), by Horner's
// rule from the last month (one multiply-add a month, no pow per month).
double NpvAtX(std::span<const Usd> flows, double x) {
  double sum = 0;
  for (auto it = flows.rbegin(); it != flows.rend(); ++it) sum = sum * x + it->value();
  return sum;
}

// The same as a function of s = log(1 + r).
double NpvAtLogRate(std::span<const Usd> flows, double s) {
  return NpvAtX(flows, std::exp(-s / 12.0));
}

int SignChanges(std::span<const Usd> flows) {
  int changes = 0;
  int last = 0;
  for (const Usd c : flows) {
    const int sign = (c.value() > 0) - (c.value() < 0);
    if (sign == 0) continue;
    if (last != 0 && sign != last) ++changes;
    last = sign;
  }
  return changes;
}

// Bisection on s in [a, b] where NPV changes sign; 1e-12 in log(1 + r) is a
// relative 1e-12 in 1 + r, far below any rate worth quoting.
double Bisect(std::span<const Usd> flows, double a, double b) {
  double fa = NpvAtLogRate(flows, a);
  for (int i = 0; i < 200 && b - a > 1e-12; ++i) {
    const double mid = 0.5 * (a + b);
    const double fm = NpvAtLogRate(flows, mid);
    if (fm == 0) return mid;
    if ((fm < 0) == (fa < 0)) {
      a = mid;
      fa = fm;
    } else {
      b = mid;
    }
  }
  return 0.5 * (a + b);
}

// Grid steps over log(1 + r) in the bracket: log(1001) - log(0.01) = 11.5,
// so a step of 0.0029, i.e. 0.29 % of 1 + r. Two roots closer than that are
// missed (NPV does not change sign between grid points).
constexpr int kGridSteps = 4000;

// The roots of NPV(s) on the grid of kGridSteps steps over [lo, hi]: at a
// grid point where NPV is 0, or by bisection between neighbours of opposite
// sign, in increasing s. The same roots as evaluating every grid point,
// without evaluating most of them: a run of steps is skipped where NPV
// provably keeps its sign. In x = exp(-s / 12), |NPV'(x)| <= D(x) =
// sum_m m |c_m| x^(m-1), increasing in x; so on [x_b, x_a] (x_a at the
// run's smaller s) NPV has no root when |NPV(x_a)| > D(x_a) (x_a - x_b).
void GridRoots(std::span<const Usd> flows, double lo, double hi, std::vector<double>* roots) {
  auto s_at = [&](int i) { return lo + (hi - lo) * i / kGridSteps; };
  auto bound = [&](double x) {
    double d = 0;
    for (std::size_t m = flows.size() - 1; m >= 1; --m) d = d * x + static_cast<double>(m) * std::abs(flows[m].value());
    return d;
  };
  const double f_lo = NpvAtLogRate(flows, s_at(0));
  if (f_lo == 0) roots->push_back(s_at(0));
  // Runs [i, j] with NPV known at both ends, left to right.
  struct Run {
    int i, j;
    double fi, fj;
  };
  // Slack for rounding in NPV's evaluation: far above it, far below a flow.
  double slack = 0;
  for (const Usd c : flows) slack += std::abs(c.value());
  slack *= 1e-9;
  std::vector<Run> stack{{0, kGridSteps, f_lo, NpvAtLogRate(flows, s_at(kGridSteps))}};
  while (!stack.empty()) {
    const Run r = stack.back();
    stack.pop_back();
    if (r.j - r.i == 1) {
      if (r.fj == 0) {
        roots->push_back(s_at(r.j));
      } else if (r.fi != 0 && (r.fj < 0) != (r.fi < 0)) {
        roots->push_back(Bisect(flows, s_at(r.i), s_at(r.j)));
      }
      continue;
    }
    const double xa = std::exp(-s_at(r.i) / 12.0), xb = std::exp(-s_at(r.j) / 12.0);
    if (std::abs(r.fi) > bound(xa) * (xa - xb) * (1 + 1e-9) + slack) continue;  // no root in the run
    const int k = r.i + (r.j - r.i) / 2;
    const double fk = NpvAtLogRate(flows, s_at(k));
    stack.push_back({k, r.j, fk, r.fj});  // the right half after the left
    stack.push_back({r.i, k, r.fi, fk});
  }
}

Status CheckSample(std::span<const double> sample) {
  if (sample.empty()) return Status::InvalidArgument("the sample is empty");
  for (const double x : sample) {
    if (std::isnan(x)) return Status::InvalidArgument("the sample holds a NaN");
  }
  return Status::Ok();
}

// Percentile of a sorted sample (Percentile's rule).
double SortedPercentile(const std::vector<double>& sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

}  // namespace

Usd NetPresentValue(std::span<const Usd> flows, double annual_rate) {
  assert(annual_rate > -1);
  return Usd(NpvAtX(flows, std::pow(1.0 + annual_rate, -1.0 / 12.0)));
}

Irr InternalRateOfReturn(std::span<const Usd> flows) {
  Irr irr;
  irr.sign_changes = SignChanges(flows);
  if (irr.sign_changes == 0) return irr;

  const double lo = std::log1p(kIrrLowestRate);
  const double hi = std::log1p(kIrrHighestRate);
  std::vector<double> roots_s;
  if (irr.sign_changes == 1) {
    // Descartes: at most one positive root in x, so the ends decide.
    const double f_lo = NpvAtLogRate(flows, lo);
    const double f_hi = NpvAtLogRate(flows, hi);
    if (f_lo == 0) {
      roots_s.push_back(lo);
    } else if (f_hi == 0) {
      roots_s.push_back(hi);
    } else if ((f_lo < 0) != (f_hi < 0)) {
      roots_s.push_back(Bisect(flows, lo, hi));
    }
  } else {
    GridRoots(flows, lo, hi, &roots_s);
  }
  for (const double s : roots_s) irr.roots.push_back(std::expm1(s));
  if (irr.roots.empty()) {
    irr.outcome = IrrOutcome::kNoRoot;
  } else if (irr.roots.size() == 1) {
    irr.outcome = IrrOutcome::kUnique;
    irr.rate = irr.roots.front();
  } else {
    irr.outcome = IrrOutcome::kAmbiguous;
  }
  return irr;
}

double TaxYears::Used() const { return std::min(carried_, offset_share_ * std::max(0.0, year_income_)); }

double TaxYears::Month(int m, double taxable) {
  if (m > 0 && m % 12 == 0) {  // a new tax year: the last one's loss carried, or its use of the carried
    carried_ += year_income_ < 0 ? -year_income_ : -Used();
    year_income_ = 0;
    year_paid_ = 0;
  }
  year_income_ += taxable;
  const double due = rate_ * (std::max(0.0, year_income_) - Used());
  const double paid = due - year_paid_;
  year_paid_ = due;
  return paid;
}

std::optional<int> PaybackMonth(std::span<const Usd> flows) {
  double cumulative = 0;
  bool was_negative = false;
  for (std::size_t m = 0; m < flows.size(); ++m) {
    cumulative += flows[m].value();
    if (cumulative < 0) {
      was_negative = true;
    } else if (was_negative) {
      return static_cast<int>(m);
    }
  }
  if (!was_negative) return 0;
  return std::nullopt;
}

Result<double> Percentile(std::span<const double> sample, double q) {
  const double qs[] = {q};
  Result<std::vector<double>> all = Percentiles(sample, qs);
  if (!all.ok()) return all.status();
  return all->front();
}

Result<std::vector<double>> Percentiles(std::span<const double> sample,
                                        std::span<const double> qs) {
  if (Status s = CheckSample(sample); !s.ok()) return s;
  for (const double q : qs) {
    if (!(q >= 0 && q <= 1)) {
      return Status::InvalidArgument("quantile " + std::to_string(q) + " is outside [0, 1]");
    }
  }
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> out;
  out.reserve(qs.size());
  for (const double q : qs) out.push_back(SortedPercentile(sorted, q));
  return out;
}

Result<TailRisk> TailRiskOf(std::span<const double> outcomes, double alpha) {
  if (Status s = CheckSample(outcomes); !s.ok()) return s;
  if (!(alpha > 0 && alpha <= 1)) {
    return Status::InvalidArgument("alpha " + std::to_string(alpha) + " is outside (0, 1]");
  }
  std::vector<double> sorted(outcomes.begin(), outcomes.end());
  std::sort(sorted.begin(), sorted.end());
  TailRisk risk;
  risk.value_at_risk = SortedPercentile(sorted, alpha);
  // Acerbi-Tasche: the worst floor(alpha n) outcomes in full, the next one
  // by the fraction of it that falls inside the tail.
  const double tail = alpha * static_cast<double>(sorted.size());
  const auto whole = static_cast<std::size_t>(std::floor(tail));
  double sum = 0;
  for (std::size_t i = 0; i < whole; ++i) sum += sorted[i];
  if (whole < sorted.size()) sum += (tail - static_cast<double>(whole)) * sorted[whole];
  risk.expected_shortfall = sum / tail;
  return risk;
}

std::optional<int> FirstMonthBelow(std::span<const Usd> balance, Usd floor) {
  for (std::size_t m = 0; m < balance.size(); ++m) {
    if (balance[m] < floor) return static_cast<int>(m);
  }
  return std::nullopt;
}

Result<FloorRisk> CashFloorRisk(std::span<const std::vector<Usd>> balances, Usd floor) {
  if (balances.empty()) return Status::InvalidArgument("no cash paths");
  const std::size_t months = balances.front().size();
  std::vector<std::int64_t> first_breaches(months, 0);
  std::int64_t breached = 0;
  FloorRisk risk;
  for (std::size_t p = 0; p < balances.size(); ++p) {
    if (balances[p].size() != months) {
      return Status::InvalidArgument("cash path " + std::to_string(p) + " has " +
                                     std::to_string(balances[p].size()) + " months, path 0 has " +
                                     std::to_string(months));
    }
    const std::optional<int> first = FirstMonthBelow(balances[p], floor);
    if (!first) continue;
    ++breached;
    ++first_breaches[static_cast<std::size_t>(*first)];
    if (!risk.earliest_month || *first < *risk.earliest_month) risk.earliest_month = first;
  }
  const auto paths = static_cast<double>(balances.size());
  risk.probability = static_cast<double>(breached) / paths;
  std::int64_t so_far = 0;
  risk.breached_by_month.reserve(months);
  for (const std::int64_t n : first_breaches) {
    so_far += n;
    risk.breached_by_month.push_back(static_cast<double>(so_far) / paths);
  }
  return risk;
}

}  // namespace mullet
