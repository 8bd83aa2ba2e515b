// The planner's finance: NPV, IRR and payback of one path's monthly cash
// flows, and the statistics of many paths (percentiles, value at risk,
// expected shortfall, the chance of falling below a cash floor).
//
// Conventions, one home each:
// - Month m of a cash-flow vector is m months from the decision; month 0 is
//   today and is not discounted. At an annual rate r the factor of month m
//   is (1 + r)^(-m / 12): monthly compounding equivalent to r a year, so a
//   flow 12 months out is divided by exactly 1 + r.
// - IRR is quoted as an annual rate in the same convention.
// - Percentiles interpolate linearly between order statistics (numpy's
//   default, Hyndman and Fan's type 7).
// Pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_PLAN_FINANCE_H_
#define MULLET_PLAN_FINANCE_H_

#include <optional>
#include <span>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

// Present value at month 0 of `flows` (month m at index m) at `annual_rate`.
// REQUIRES: annual_rate > -1.
Usd NetPresentValue(std::span<const Usd> flows, double annual_rate);

// The rates IRR searches, annual: -99 % to +100,000 %.
inline constexpr double kIrrLowestRate = -0.99;
inline constexpr double kIrrHighestRate = 1000.0;

enum class IrrOutcome {
  kUnique,        // exactly one rate in the bracket makes NPV zero: `rate`
  kNoSignChange,  // the flows never change sign (all in or all out): no IRR
  kNoRoot,        // the flows change sign but NPV has no zero in the bracket
  kAmbiguous,     // NPV crosses zero more than once: `roots`, no single IRR
};

struct Irr {
  IrrOutcome outcome = IrrOutcome::kNoSignChange;
  std::optional<double> rate;  // annual; set only when kUnique
  std::vector<double> roots;   // every crossing found, ascending
  int sign_changes = 0;        // in the flows, zeros skipped
};

// The internal rate of return of monthly flows. Rule: NPV is a polynomial in
// x = (1 + r)^(-1/12), and by Descartes' rule of signs it has at most as many
// positive roots as the flows have sign changes. With one sign change a root
// is unique if there is one, and NPV's signs at the ends of the bracket
// [kIrrLowestRate, kIrrHighestRate] decide. With more, the bracket is
// scanned on a grid of 4000 steps in log(1 + r) (0.29 % of 1 + r apart).
// Each crossing is refined by bisection to 1e-12 in log(1 + r). One crossing
// is the IRR; several are kAmbiguous, with every crossing in `roots` and no
// `rate`. Not found: a rate where NPV touches zero without crossing (a
// double root), and two crossings closer than a grid step.
Irr InternalRateOfReturn(std::span<const Usd> flows);

// The first month at which cumulative cash, having been negative, is back to
// zero or above; month 0 when it is never negative; none when it never comes
// back. (Undiscounted.)
std::optional<int> PaybackMonth(std::span<const Usd> flows);

// Income tax month by month, as a company pays it: on its tax year's income
// to date (tax years of 12 months from the first), so that a loss in one
// month of a year offsets a profit in another; each month pays what is due
// on the year to date less what the year has paid (negative: a refund of
// this year's payments). A year that ends in a loss carries it forward; it
// offsets later years' income up to `offset_share` of that income (the US
// federal rule since 2018: 0.8; 1: all of it; 0: nothing carried).
// REQUIRES: 0 <= rate <= 1, 0 <= offset_share <= 1.
class TaxYears {
 public:
  TaxYears(double rate, double offset_share) : rate_(rate), offset_share_(offset_share) {}
  // Month `m` (0, 1, ... in order) with `taxable` income (negative: a loss):
  // the tax paid that month.
  double Month(int m, double taxable);
  double carried() const { return carried_; }  // losses carried from earlier years

 private:
  double Used() const;
  double rate_, offset_share_;
  double carried_ = 0, year_income_ = 0, year_paid_ = 0;
};

// Linear interpolation between order statistics at quantile q in [0, 1]:
// h = (n - 1) q, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])
// over the sorted sample. Fails on an empty sample, a NaN in it, or q
// outside [0, 1].
Result<double> Percentile(std::span<const double> sample, double q);

// The same at several quantiles, sorting once.
Result<std::vector<double>> Percentiles(std::span<const double> sample, std::span<const double> qs);

// The left tail of a sample of outcomes where more is better (NPV, cash).
struct TailRisk {
  double value_at_risk = 0;       // the alpha-percentile of the outcomes (Percentile's rule)
  double expected_shortfall = 0;  // the mean of the worst alpha of the outcomes
};

// VaR and expected shortfall (CVaR) at level alpha (0.05: the worst 5 %).
// Both are levels of the outcome, not losses: a VaR of -2e6 USD says that one
// path in twenty ends below -2e6. Expected shortfall is the mean of the worst
// alpha * n outcomes, the boundary one weighted by its fraction when alpha * n
// is not whole (Acerbi and Tasche, "On the coherence of expected shortfall",
// J. Banking & Finance 26 (2002)); it is never above the VaR. Fails on an
// empty sample, a NaN, or alpha outside (0, 1].
Result<TailRisk> TailRiskOf(std::span<const double> outcomes, double alpha);

// The first month a cash balance is strictly below `floor`; none if never.
std::optional<int> FirstMonthBelow(std::span<const Usd> balance, Usd floor);

// The cash floor across paths.
struct FloorRisk {
  double probability = 0;                 // share of paths that ever fall below
  std::optional<int> earliest_month;      // the first month any path does
  std::vector<double> breached_by_month;  // [m]: share of paths below at or before m
};

// Each path is a monthly cash balance; all paths the same length. Fails when
// there are no paths or their lengths differ.
Result<FloorRisk> CashFloorRisk(std::span<const std::vector<Usd>> balances, Usd floor);

}  // namespace mullet

#endif  // MULLET_PLAN_FINANCE_H_
