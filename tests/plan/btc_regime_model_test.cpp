#include "plan/btc_regime_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "calibrate/model_inputs.h"
#include "data/history.h"
#include "plan/calibration.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kBtcStream = 1;

BtcRegimeParams KnownParams() {
  return {.mean_log_return = 0.001,
          .calm_stdev = 0.02,
          .wild_stdev = 0.06,
          .stay_calm = 0.98,
          .stay_wild = 0.95,
          .tail_dof = 5,
          .clip_stdevs = 12,
          .wild_at_start = 0.3};
}

TEST(BtcRegimeModelTest, RejectsBadParamsNamingTheField) {
  const auto message = [](BtcRegimeParams p) {
    const Status s = ValidateBtcRegimeParams(p);
    return s.ok() ? std::string("ok") : s.message();
  };
  BtcRegimeParams p = KnownParams();
  EXPECT_EQ(message(p), "ok");
  p.wild_stdev = 0.01;
  EXPECT_NE(message(p).find("wild_stdev"), std::string::npos);
  p = KnownParams();
  p.stay_calm = 1;
  EXPECT_NE(message(p).find("stay_calm"), std::string::npos);
  p = KnownParams();
  p.tail_dof = 2;
  EXPECT_NE(message(p).find("tail_dof"), std::string::npos);
  p = KnownParams();
  p.wild_at_start = 1.5;
  EXPECT_NE(message(p).find("wild_at_start"), std::string::npos);
}

TEST(BtcRegimeModelTest, APathDependsOnSeedAndPathOnly) {
  const BtcRegimeParams p = KnownParams();
  const std::vector<double> a =
      SimulateBtcRegimeLogReturns(p, 0, 3000, RandomStream(42, 17, kBtcStream));
  RandomStream used(42, 17, kBtcStream);
  for (int i = 0; i < 100; ++i) (void)used.Uniform();
  EXPECT_EQ(SimulateBtcRegimeLogReturns(p, 0, 3000, used), a);
  EXPECT_NE(SimulateBtcRegimeLogReturns(p, 0, 3000, RandomStream(42, 18, kBtcStream)), a);
  EXPECT_NE(SimulateBtcRegimeLogReturns(p, 0, 3000, RandomStream(43, 17, kBtcStream)), a);
}

TEST(BtcRegimeModelTest, ExpectedReturnDriftIsAMartingaleAYearAhead) {
  const BtcRegimeParams p = KnownParams();
  const double c = BtcRegimeDailyShift(p);
  EXPECT_NEAR(BtcRegimeExpectedGrossReturn(p, c, 365), 1.0, 1e-12);
  const double c20 = BtcRegimeDailyShift(p, {.annual_drift = 0.2});
  EXPECT_NEAR(BtcRegimeExpectedGrossReturn(p, c20, 365), 1.2, 1e-12);
  EXPECT_EQ(BtcRegimeDailyShift(p, {.drift = ReturnDrift::kHistorical}), 0.001);
  EXPECT_NEAR(BtcRegimeDailyShift(p, {.drift = ReturnDrift::kLogDrift, .annual_drift = 0.1}),
              std::log(1.1) / 365, 1e-15);
  // The recursion against 40,000 simulated years: the mean of exp(sum x).
  double sum = 0;
  constexpr int kPaths = 40'000;
  for (std::uint64_t path = 0; path < kPaths; ++path) {
    double s = 0;
    for (const double x : SimulateBtcRegimeLogReturns(p, c, 365, RandomStream(5, path, kBtcStream)))
      s += x;
    sum += std::exp(s);
  }
  // A year's log stdev is about 0.6 here: the mean of 40,000 is within 1 %
  // at over three standard errors.
  EXPECT_NEAR(sum / kPaths, 1.0, 0.01);
}

TEST(BtcRegimeModelTest, FitRecoversKnownParameters) {
  const BtcRegimeParams truth = KnownParams();
  const std::vector<double> r =
      SimulateBtcRegimeLogReturns(truth, 0.001, 20'000, RandomStream(8, 0, kBtcStream));
  const Result<BtcRegimeFit> fit = FitBtcRegimeModel(r);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const BtcRegimeParams& p = fit->params;
  EXPECT_NEAR(p.calm_stdev, 0.02, 0.002);
  EXPECT_NEAR(p.wild_stdev, 0.06, 0.006);
  EXPECT_NEAR(p.stay_calm, 0.98, 0.01);
  EXPECT_NEAR(p.stay_wild, 0.95, 0.02);
  EXPECT_NEAR(p.tail_dof, 5, 1.5);
  EXPECT_NEAR(p.mean_log_return, 0.001, 0.0005);
}

// ---- Against the real history (../shared/data), as btc_price_model_test's. ----

std::vector<double> HistoryReturns() {
  const Result<PriceDaily> prices =
      LoadPriceDaily(fs::path(MULLET_SHARED_DATA) / data_files::kPriceDaily);
  EXPECT_TRUE(prices.ok()) << prices.status().message();
  if (!prices.ok()) return {};
  Result<std::vector<double>> r = BtcLogReturnsOf(*prices);
  return r.ok() ? std::move(r).value() : std::vector<double>{};
}

struct Figures {
  double stdev = 0, kurtosis = 0, abs_acf1 = 0, abs_acf10 = 0;
  std::string text;
};

Figures FiguresOf(const std::vector<double>& r) {
  Figures f;
  const Result<Moments> m = MomentsOf(r);
  const Result<std::vector<double>> a = AbsoluteAutocorrelation(r, 10);
  if (!m.ok() || !a.ok()) return f;
  f.stdev = m->stdev;
  f.kurtosis = m->excess_kurtosis;
  f.abs_acf1 = (*a)[0];
  f.abs_acf10 = (*a)[9];
  f.text = "stdev " + std::to_string(f.stdev) + " kurtosis " + std::to_string(f.kurtosis) +
           " |r| acf1 " + std::to_string(f.abs_acf1) + " acf10 " + std::to_string(f.abs_acf10);
  return f;
}

// 100 paths of history's length (5,143 days), each path's figures averaged:
// a history-length sample's kurtosis, as history's own is one.
Figures SimulatedFigures(const BtcRegimeParams& p, double c) {
  Figures mean;
  constexpr int kPaths = 100;
  for (std::uint64_t path = 0; path < kPaths; ++path) {
    const Figures f = FiguresOf(
        SimulateBtcRegimeLogReturns(p, c, 5143, RandomStream(20260130, path, kBtcStream)));
    mean.stdev += f.stdev / kPaths;
    mean.kurtosis += f.kurtosis / kPaths;
    mean.abs_acf1 += f.abs_acf1 / kPaths;
    mean.abs_acf10 += f.abs_acf10 / kPaths;
  }
  mean.text = "stdev " + std::to_string(mean.stdev) + " kurtosis " + std::to_string(mean.kurtosis) +
              " |r| acf1 " + std::to_string(mean.abs_acf1) + " acf10 " +
              std::to_string(mean.abs_acf10);
  return mean;
}

TEST(BtcRegimeModelTest, FitOnHistoryKeepsTailsAndClusteringAndBeatsGbm) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the calibration tests need ../shared/data";
  const std::vector<double> r = HistoryReturns();
  ASSERT_EQ(r.size(), 5143u);
  const Result<BtcRegimeFit> fit = FitBtcRegimeModel(r);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const BtcRegimeParams& p = fit->params;
  const std::string params =
      "mu " + std::to_string(p.mean_log_return) + " s0 " + std::to_string(p.calm_stdev) + " s1 " +
      std::to_string(p.wild_stdev) + " p00 " + std::to_string(p.stay_calm) + " p11 " +
      std::to_string(p.stay_wild) + " nu " + std::to_string(p.tail_dof) + " wild at start " +
      std::to_string(p.wild_at_start) + " ll " + std::to_string(fit->log_likelihood) + " evals " +
      std::to_string(fit->evaluations);
  const Figures h = FiguresOf(r);
  const Figures sim = SimulatedFigures(p, BtcRegimeDailyShift(p));
  BtcRegimeParams gbm;  // one regime, normal: both stdevs history's, nu huge
  gbm.calm_stdev = gbm.wild_stdev = h.stdev;
  gbm.tail_dof = 1e6;
  const Figures g = SimulatedFigures(gbm, 0);
  const std::string figures =
      params + " | history " + h.text + " | simulated " + sim.text + " | GBM " + g.text;
  RecordProperty("figures", figures);
  EXPECT_NEAR(sim.stdev, h.stdev, 0.1 * h.stdev) << figures;
  // Clustering, kept only in part: the fitted t (nu 3.1) makes |r| noisy
  // inside a regime, so the |r| autocorrelation is 0.14 at 1 day (history
  // 0.40) and 0.087 at 10 (0.166). Held: at least a third of history's at 1
  // day and half at 10, and not above it; GBM has none.
  EXPECT_GT(sim.abs_acf1, h.abs_acf1 / 3) << figures;
  EXPECT_LT(sim.abs_acf1, h.abs_acf1) << figures;
  EXPECT_GT(sim.abs_acf10, h.abs_acf10 / 2) << figures;
  EXPECT_LT(sim.abs_acf10, h.abs_acf10) << figures;
  // Fat tails: history's 36.5 rests on a few days of 2013; the mean of a
  // history-length path's kurtosis (32.6) is held within 30 % of it.
  EXPECT_NEAR(sim.kurtosis, h.kurtosis, 0.3 * h.kurtosis) << figures;
  // GBM keeps the stdev and loses the rest.
  EXPECT_NEAR(g.stdev, h.stdev, 0.05 * h.stdev) << figures;
  EXPECT_LT(std::fabs(g.kurtosis), 0.5) << figures;
  EXPECT_LT(g.abs_acf1, 0.05) << figures;
  EXPECT_LT(g.abs_acf10, 0.05) << figures;
}

}  // namespace
}  // namespace mullet
