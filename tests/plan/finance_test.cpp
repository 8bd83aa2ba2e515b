#include "plan/finance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace mullet {
namespace {

// Flows at the months given, zero elsewhere, `months` long.
std::vector<Usd> At(int months, std::initializer_list<std::pair<int, double>> flows) {
  std::vector<Usd> out(static_cast<std::size_t>(months), Usd(0));
  for (const auto& [m, c] : flows) out[static_cast<std::size_t>(m)] += Usd(c);
  return out;
}

TEST(NetPresentValueTest, DiscountsMonthMByTheTwelfthRootConvention) {
  // 100 at month 6 at 21 %: 100 / 1.21^(6/12) = 100 / 1.1 = 90.909...
  EXPECT_NEAR(NetPresentValue(At(7, {{6, 100}}), 0.21).value(), 100 / 1.1, 1e-9);
  // -1000 now, +1100 in 12 months at 10 %: -1000 + 1100 / 1.1 = 0.
  EXPECT_NEAR(NetPresentValue(At(13, {{0, -1000}, {12, 1100}}), 0.10).value(), 0, 1e-9);
  // Month 0 is not discounted; a zero rate is the plain sum.
  EXPECT_DOUBLE_EQ(NetPresentValue(At(1, {{0, 250}}), 0.5).value(), 250);
  EXPECT_DOUBLE_EQ(NetPresentValue(At(3, {{0, -5}, {1, 2}, {2, 4}}), 0.0).value(), 1);
  EXPECT_EQ(NetPresentValue({}, 0.1), Usd(0));
}

// Cross-check against an independent computation: this python3 script (run
// once; it sums c / (1 + r)^(m/12) term by term and bisects on r) printed
// 280283.04680916324 0.2600656738074372 0.9949874371066294
//
//   flows = [-1_000_000.0] + [35_000.0] * 36
//   flows[36] += 200_000.0
//   def npv(r): return sum(c / (1 + r) ** (m / 12) for m, c in enumerate(flows))
//   lo, hi = 0.0, 1.0
//   for _ in range(200):
//       mid = (lo + hi) / 2
//       if npv(mid) > 0: lo = mid
//       else: hi = mid
//   print(repr(npv(0.08)), repr(lo))
//   import math
//   y = 100 - math.sqrt(9900); print(repr(1 / y - 1))
std::vector<Usd> ThreeYearLease() {
  std::vector<Usd> flows(37, Usd(35'000));
  flows[0] = Usd(-1'000'000);
  flows[36] += Usd(200'000);
  return flows;
}

TEST(NetPresentValueTest, MatchesAnIndependentPythonComputation) {
  EXPECT_NEAR(NetPresentValue(ThreeYearLease(), 0.08).value(), 280283.04680916324, 1e-6);
}

TEST(IrrTest, MatchesAnIndependentPythonComputation) {
  const Irr irr = InternalRateOfReturn(ThreeYearLease());
  EXPECT_EQ(irr.outcome, IrrOutcome::kUnique);
  EXPECT_EQ(irr.sign_changes, 1);
  ASSERT_TRUE(irr.rate.has_value());
  EXPECT_NEAR(*irr.rate, 0.2600656738074372, 1e-9);
  EXPECT_NEAR(NetPresentValue(ThreeYearLease(), *irr.rate).value(), 0, 1e-3);
}

TEST(IrrTest, TenPercentForOneHundredThatReturnsOneTenInAYear) {
  // -100 now, +110 at month 12: 110 / (1 + r) = 100, r = 0.10.
  const Irr irr = InternalRateOfReturn(At(13, {{0, -100}, {12, 110}}));
  ASSERT_EQ(irr.outcome, IrrOutcome::kUnique);
  EXPECT_NEAR(*irr.rate, 0.10, 1e-10);
  // A negative IRR: +90 back, r = -0.10.
  const Irr loss = InternalRateOfReturn(At(13, {{0, -100}, {12, 90}}));
  ASSERT_EQ(loss.outcome, IrrOutcome::kUnique);
  EXPECT_NEAR(*loss.rate, -0.10, 1e-10);
}

TEST(IrrTest, NoneWithoutASignChange) {
  const Irr all_in = InternalRateOfReturn(At(5, {{0, 10}, {3, 20}}));
  EXPECT_EQ(all_in.outcome, IrrOutcome::kNoSignChange);
  EXPECT_FALSE(all_in.rate.has_value());
  EXPECT_EQ(InternalRateOfReturn(At(5, {{0, -10}, {4, -1}})).outcome, IrrOutcome::kNoSignChange);
  EXPECT_EQ(InternalRateOfReturn(At(5, {})).outcome, IrrOutcome::kNoSignChange);
}

TEST(IrrTest, NoneWhenTheRootIsOutsideTheBracket) {
  // -100 now, +50 a month later: 50 x = 100 with x = (1 + r)^(-1/12), so
  // 1 + r = 2^-12 and r = -0.99976, below the -99 % the search goes to.
  const Irr irr = InternalRateOfReturn(At(2, {{0, -100}, {1, 50}}));
  EXPECT_EQ(irr.outcome, IrrOutcome::kNoRoot);
  EXPECT_EQ(irr.sign_changes, 1);
  EXPECT_FALSE(irr.rate.has_value());
}

TEST(IrrTest, TwoSignChangesAndTwoRootsIsAmbiguous) {
  // -100 now, +230 at month 12, -132 at month 24. With y = 1 / (1 + r):
  // -100 + 230 y - 132 y^2 = 0, i.e. (1 + r)^2 - 2.3 (1 + r) + 1.32 = 0,
  // so 1 + r = 1.1 or 1.2: both 10 % and 20 % zero the NPV.
  const Irr irr = InternalRateOfReturn(At(25, {{0, -100}, {12, 230}, {24, -132}}));
  EXPECT_EQ(irr.outcome, IrrOutcome::kAmbiguous);
  EXPECT_EQ(irr.sign_changes, 2);
  EXPECT_FALSE(irr.rate.has_value());
  ASSERT_EQ(irr.roots.size(), 2u);
  EXPECT_NEAR(irr.roots[0], 0.10, 1e-9);
  EXPECT_NEAR(irr.roots[1], 0.20, 1e-9);
}

// Every grid point evaluated, then bisection between neighbours of opposite
// sign: what InternalRateOfReturn finds with more than one sign change, by
// its documented rule, without the pruning that skips most grid points.
std::vector<double> EveryGridPointRoots(const std::vector<Usd>& flows) {
  auto npv = [&](double s) {
    const double x = std::exp(-s / 12.0);
    double sum = 0;
    for (auto it = flows.rbegin(); it != flows.rend(); ++it) sum = sum * x + it->value();
    return sum;
  };
  const double lo = std::log1p(kIrrLowestRate), hi = std::log1p(kIrrHighestRate);
  constexpr int kSteps = 4000;
  std::vector<double> roots;
  double s_prev = lo, f_prev = npv(lo);
  if (f_prev == 0) roots.push_back(lo);
  for (int i = 1; i <= kSteps; ++i) {
    const double s = lo + (hi - lo) * i / kSteps;
    const double f = npv(s);
    if (f == 0) {
      roots.push_back(s);
    } else if (f_prev != 0 && (f < 0) != (f_prev < 0)) {
      double a = s_prev, b = s, fa = f_prev;
      for (int k = 0; k < 200 && b - a > 1e-12; ++k) {
        const double mid = 0.5 * (a + b), fm = npv(mid);
        if (fm == 0) {
          a = b = mid;
          break;
        }
        if ((fm < 0) == (fa < 0)) {
          a = mid;
          fa = fm;
        } else {
          b = mid;
        }
      }
      roots.push_back(0.5 * (a + b));
    }
    s_prev = s;
    f_prev = f;
  }
  for (double& r : roots) r = std::expm1(r);
  return roots;
}

TEST(IrrTest, SkippingGridRunsFindsWhatEveryGridPointFinds) {
  // Flows like a plan's increments: capex, then noisy monthly margins of
  // either sign, sometimes a large last flow; many sign changes. Roots
  // close together and roots near the bracket's ends included.
  std::uint64_t state = 12345;
  auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  int multi = 0, with_roots = 0;
  for (int t = 0; t < 400; ++t) {
    std::vector<Usd> flows(static_cast<std::size_t>(13 + t % 60), Usd(0));
    flows[0] = Usd(-1e8 * uniform());
    const double drift = 2e6 * (uniform() - 0.3);
    for (std::size_t m = 1; m < flows.size(); ++m) flows[m] = Usd(drift + 3e6 * (uniform() - 0.5));
    if (t % 3 == 0) flows.back() += Usd(2e8 * (uniform() - 0.5));
    const Irr irr = InternalRateOfReturn(flows);
    if (irr.sign_changes < 2) continue;
    ++multi;
    const std::vector<double> want = EveryGridPointRoots(flows);
    with_roots += want.empty() ? 0 : 1;
    ASSERT_EQ(irr.roots, want) << "case " << t;
  }
  // The two known cases with two roots and one in the bracket.
  EXPECT_EQ(InternalRateOfReturn(At(25, {{0, -100}, {12, 230}, {24, -132}})).roots,
            EveryGridPointRoots(At(25, {{0, -100}, {12, 230}, {24, -132}})));
  EXPECT_EQ(InternalRateOfReturn(At(25, {{0, -100}, {12, 200}, {24, -1}})).roots,
            EveryGridPointRoots(At(25, {{0, -100}, {12, 200}, {24, -1}})));
  EXPECT_GT(multi, 300);
  EXPECT_GT(with_roots, 100);
}

TEST(IrrTest, TwoSignChangesWithOneRootInTheBracketIsUnique) {
  // -100 now, +200 at month 12, -1 at month 24: -100 + 200 y - y^2 = 0,
  // y = 100 -+ sqrt(9900) = 0.50126 or 199.499; r = 1/y - 1 = 0.99499 or
  // -0.99499, the second below the bracket. Python above: 0.9949874371066294.
  const Irr irr = InternalRateOfReturn(At(25, {{0, -100}, {12, 200}, {24, -1}}));
  EXPECT_EQ(irr.sign_changes, 2);
  ASSERT_EQ(irr.outcome, IrrOutcome::kUnique);
  EXPECT_NEAR(*irr.rate, 0.9949874371066294, 1e-9);
}

TEST(PaybackTest, FirstMonthCumulativeCashIsBackToZero) {
  // Cumulative: -100, -70, -40, -10, +20: month 4.
  EXPECT_EQ(PaybackMonth(At(5, {{0, -100}, {1, 30}, {2, 30}, {3, 30}, {4, 30}})), 4);
  // Exactly zero counts: -100, -50, 0.
  EXPECT_EQ(PaybackMonth(At(3, {{0, -100}, {1, 50}, {2, 50}})), 2);
  // A quiet month before the spend is not a payback: 0, -100, -50, +10: month 3.
  EXPECT_EQ(PaybackMonth(At(4, {{1, -100}, {2, 50}, {3, 60}})), 3);
  // Never negative: pays back at once.
  EXPECT_EQ(PaybackMonth(At(2, {{0, 5}, {1, 5}})), 0);
  // Never back: -100, -90, -80.
  EXPECT_EQ(PaybackMonth(At(3, {{0, -100}, {1, 10}, {2, 10}})), std::nullopt);
}

TEST(PercentileTest, InterpolatesLinearlyBetweenOrderStatistics) {
  // numpy.percentile([15, 20, 35, 40, 50], 40) = 29.0: h = 4 x 0.4 = 1.6,
  // 20 + 0.6 x (35 - 20) = 29. Unsorted input.
  const std::vector<double> x = {40, 15, 50, 35, 20};
  EXPECT_DOUBLE_EQ(*Percentile(x, 0.4), 29.0);
  EXPECT_DOUBLE_EQ(*Percentile(x, 0.0), 15.0);
  EXPECT_DOUBLE_EQ(*Percentile(x, 1.0), 50.0);
  EXPECT_DOUBLE_EQ(*Percentile(x, 0.5), 35.0);
  // h = 4 x 0.9 = 3.6: 40 + 0.6 x 10 = 46.
  const std::vector<double> qs = {0.1, 0.9};
  const Result<std::vector<double>> both = Percentiles(x, qs);
  ASSERT_TRUE(both.ok());
  EXPECT_DOUBLE_EQ((*both)[0], 17.0);  // h = 0.4: 15 + 0.4 x 5
  EXPECT_DOUBLE_EQ((*both)[1], 46.0);
  const std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(*Percentile(one, 0.3), 7.0);
}

TEST(PercentileTest, RejectsEmptySamplesNaNsAndBadQuantiles) {
  EXPECT_EQ(Percentile({}, 0.5).status().code(), StatusCode::kInvalidArgument);
  const std::vector<double> x = {1, 2};
  EXPECT_FALSE(Percentile(x, 1.5).ok());
  EXPECT_FALSE(Percentile(x, -0.1).ok());
  EXPECT_FALSE(Percentile(x, std::nan("")).ok());
  const std::vector<double> with_nan = {1, std::nan("")};
  EXPECT_FALSE(Percentile(with_nan, 0.5).ok());
}

std::vector<double> OneToHundred() {
  std::vector<double> x;
  for (int i = 100; i >= 1; --i) x.push_back(i);
  return x;
}

TEST(TailRiskTest, FivePercentOfOneToHundred) {
  // VaR: h = 99 x 0.05 = 4.95, x[4] + 0.95 (x[5] - x[4]) = 5 + 0.95 = 5.95.
  // ES: the mean of the worst 5: (1 + 2 + 3 + 4 + 5) / 5 = 3.
  const Result<TailRisk> risk = TailRiskOf(OneToHundred(), 0.05);
  ASSERT_TRUE(risk.ok());
  EXPECT_NEAR(risk->value_at_risk, 5.95, 1e-12);
  EXPECT_NEAR(risk->expected_shortfall, 3.0, 1e-12);
}

TEST(TailRiskTest, FractionalTailWeighsTheBoundaryOutcome) {
  // alpha n = 2.5: (1 + 2 + 0.5 x 3) / 2.5 = 1.8. VaR: h = 2.475, 3.475.
  const Result<TailRisk> risk = TailRiskOf(OneToHundred(), 0.025);
  ASSERT_TRUE(risk.ok());
  EXPECT_NEAR(risk->expected_shortfall, 1.8, 1e-12);
  EXPECT_NEAR(risk->value_at_risk, 3.475, 1e-12);
  EXPECT_LE(risk->expected_shortfall, risk->value_at_risk);
  // alpha = 1: the whole mean, 50.5.
  EXPECT_NEAR(TailRiskOf(OneToHundred(), 1.0)->expected_shortfall, 50.5, 1e-12);
}

TEST(TailRiskTest, RejectsBadAlphaAndEmptySamples) {
  EXPECT_FALSE(TailRiskOf(OneToHundred(), 0.0).ok());
  EXPECT_FALSE(TailRiskOf(OneToHundred(), 1.5).ok());
  EXPECT_FALSE(TailRiskOf({}, 0.05).ok());
}

TEST(CashFloorTest, FirstMonthStrictlyBelowTheFloor) {
  const std::vector<Usd> path = {Usd(10), Usd(0), Usd(-1), Usd(3)};
  EXPECT_EQ(FirstMonthBelow(path, Usd(0)), 2);  // 0 is not below 0
  EXPECT_EQ(FirstMonthBelow(path, Usd(5)), 1);
  EXPECT_EQ(FirstMonthBelow(path, Usd(-5)), std::nullopt);
}

TEST(CashFloorTest, ProbabilityAndTimingAcrossPaths) {
  // A falls below 0 at month 2, B never, C at month 0: P = 2/3, earliest 0;
  // breached by month: [1/3, 1/3, 2/3, 2/3].
  const std::vector<std::vector<Usd>> paths = {
      {Usd(10), Usd(5), Usd(-1), Usd(3)},
      {Usd(10), Usd(10), Usd(10), Usd(10)},
      {Usd(-5), Usd(1), Usd(1), Usd(1)},
  };
  const Result<FloorRisk> risk = CashFloorRisk(paths, Usd(0));
  ASSERT_TRUE(risk.ok());
  EXPECT_NEAR(risk->probability, 2.0 / 3.0, 1e-15);
  EXPECT_EQ(risk->earliest_month, 0);
  ASSERT_EQ(risk->breached_by_month.size(), 4u);
  EXPECT_NEAR(risk->breached_by_month[0], 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(risk->breached_by_month[1], 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(risk->breached_by_month[2], 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(risk->breached_by_month[3], 2.0 / 3.0, 1e-15);
  // Nobody below -10.
  const Result<FloorRisk> none = CashFloorRisk(paths, Usd(-10));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->probability, 0.0);
  EXPECT_EQ(none->earliest_month, std::nullopt);
}

TEST(CashFloorTest, RejectsNoPathsAndRaggedPaths) {
  EXPECT_FALSE(CashFloorRisk({}, Usd(0)).ok());
  const std::vector<std::vector<Usd>> ragged = {{Usd(1), Usd(2)}, {Usd(1)}};
  const Result<FloorRisk> risk = CashFloorRisk(ragged, Usd(0));
  ASSERT_FALSE(risk.ok());
  EXPECT_NE(risk.status().message().find("path 1"), std::string::npos);
}

// By hand, at 20 % with 80 % of a year's income open to carried losses:
// year 0 nets -100 + 50 + 150 = 100 (20 due, paid when the year to date
// turns positive); year 1 loses 300, carried; year 2's 200 takes 160 of it
// (80 %), then 300 to date takes 240, then a loss of 250 leaves 50 to date
// and 40 used: 8, then 4, then a refund of 10; year 3 has 300 - 40 = 260
// carried, all used against 1,000: 0.2 x 740 = 148.
TEST(TaxYearsTest, AYearsLossesOffsetItsGainsAndCarryForwardUpToTheShare) {
  TaxYears tax(0.2, 0.8);
  std::vector<double> income(48, 0.0);
  income[0] = -100;
  income[1] = 50;
  income[2] = 150;
  income[12] = -300;
  income[24] = 200;
  income[25] = 100;
  income[26] = -250;
  income[36] = 1000;
  std::vector<double> paid;
  for (int m = 0; m < 48; ++m) paid.push_back(tax.Month(m, income[static_cast<std::size_t>(m)]));
  EXPECT_DOUBLE_EQ(paid[0], 0);
  EXPECT_DOUBLE_EQ(paid[1], 0);
  EXPECT_NEAR(paid[2], 20, 1e-12);
  EXPECT_DOUBLE_EQ(paid[12], 0);
  EXPECT_NEAR(paid[24], 8, 1e-12);
  EXPECT_NEAR(paid[25], 4, 1e-12);
  EXPECT_NEAR(paid[26], -10, 1e-12);
  EXPECT_NEAR(paid[36], 148, 1e-12);
  EXPECT_DOUBLE_EQ(tax.carried(), 260);  // as year 3 began
  double total = 0;
  for (double p : paid) total += p;
  EXPECT_NEAR(total, 20 + 2 + 148, 1e-9);

  // Nothing carried: year 2 pays on its 50, year 3 on its 1,000.
  TaxYears none(0.2, 0);
  double none_total = 0;
  for (int m = 0; m < 48; ++m) none_total += none.Month(m, income[static_cast<std::size_t>(m)]);
  EXPECT_NEAR(none_total, 20 + 10 + 200, 1e-9);
}

}  // namespace
}  // namespace mullet
