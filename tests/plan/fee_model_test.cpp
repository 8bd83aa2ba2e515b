#include "plan/fee_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "calibrate/model_inputs.h"
#include "data/history.h"
#include "plan/calibration.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kFeeStream = 3;

std::vector<FeeObservation> AsObservations(const std::vector<Btc>& fees, std::size_t skip = 0) {
  std::vector<FeeObservation> out;
  for (std::size_t i = skip; i < fees.size(); ++i) {
    out.push_back({static_cast<std::int64_t>(i), fees[i]});
  }
  return out;
}

FeeModelParams KnownParams() {
  return {.mean_log_fees = 3.0,
          .slow_persistence = 0.99,
          .slow_stdev = 0.8,
          .fast_persistence = 0.5,
          .fast_stdev = 0.3,
          .tail_dof = 6};
}

TEST(FeeModelTest, RejectsBadParamsNamingTheField) {
  const auto message = [](FeeModelParams p) {
    const Status s = ValidateFeeParams(p);
    return s.ok() ? std::string("ok") : s.message();
  };
  FeeModelParams p = KnownParams();
  EXPECT_EQ(message(p), "ok");
  p.slow_persistence = 1;
  EXPECT_NE(message(p).find("slow_persistence"), std::string::npos);
  p = KnownParams();
  p.fast_stdev = -0.1;
  EXPECT_NE(message(p).find("fast_stdev"), std::string::npos);
  p = KnownParams();
  p.tail_dof = 2;
  EXPECT_NE(message(p).find("tail_dof"), std::string::npos);
  p = KnownParams();
  p.mean_log_fees = NAN;
  EXPECT_NE(message(p).find("mean_log_fees"), std::string::npos);
}

TEST(FeeModelTest, WithoutNoiseTheLevelDecaysToTheMean) {
  FeeModelParams p = KnownParams();
  p.slow_stdev = 0;
  p.fast_stdev = 0;
  const std::vector<Btc> f =
      SimulateFees(p, Btc(std::exp(4.0)), 100, RandomStream(1, 0, kFeeStream));
  ASSERT_EQ(f.size(), 101u);
  EXPECT_EQ(f[0], Btc(std::exp(4.0)));
  // s_t = 0.99^t (4 - 3).
  EXPECT_NEAR(std::log(f[100].value()), 3 + std::pow(0.99, 100), 1e-12);
}

TEST(FeeModelTest, APathDependsOnSeedAndPathOnly) {
  const FeeModelParams p = KnownParams();
  const std::vector<Btc> a = SimulateFees(p, Btc(20), 2000, RandomStream(42, 17, kFeeStream));
  RandomStream used(42, 17, kFeeStream);
  for (int i = 0; i < 100; ++i) (void)used.Uniform(), (void)used.Normal();
  EXPECT_EQ(SimulateFees(p, Btc(20), 2000, used), a);
  EXPECT_NE(SimulateFees(p, Btc(20), 2000, RandomStream(42, 18, kFeeStream)), a);
  EXPECT_NE(SimulateFees(p, Btc(20), 2000, RandomStream(43, 17, kFeeStream)), a);
  // A shorter path is the longer one's prefix.
  const std::vector<Btc> b = SimulateFees(p, Btc(20), 500, RandomStream(42, 17, kFeeStream));
  EXPECT_EQ(std::vector<Btc>(a.begin(), a.begin() + 501), b);
}

TEST(FeeModelTest, StatsSkipGapsAndNameBadDays) {
  // Days 0, 1, 2 then 5, 6: lag 3 has one pair (2-5), and the jump over
  // the gap is not a day's change.
  const std::vector<FeeObservation> f = {
      {0, Btc(1)}, {1, Btc(2)}, {2, Btc(4)}, {5, Btc(1)}, {6, Btc(2)}};
  const Result<FeeStats> st = FeeStatsOf(f, 3);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->changes, 3);                // 0-1, 1-2, 5-6; 2-5 is not a day's change
  EXPECT_NEAR(st->change_stdev, 0, 1e-12);  // every change is log 2
  ASSERT_EQ(st->acf.size(), 3u);
  // y = log 2 x (0, 1, 2, 0, 1), mean 0.8 log 2, variance 0.56 (log 2)^2;
  // lag 3's one pair (2-5): (2 - 0.8)(0 - 0.8) / 0.56 = -1.714.
  EXPECT_NEAR(st->acf[2], -0.96 / 0.56, 1e-12);
  const std::vector<FeeObservation> bad = {{0, Btc(1)}, {0, Btc(2)}, {1, Btc(3)}};
  const Result<FeeStats> r = FeeStatsOf(bad, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("fees[1].day"), std::string::npos);
  const std::vector<FeeObservation> zero = {{0, Btc(1)}, {1, Btc(0)}, {2, Btc(3)}};
  EXPECT_NE(FeeStatsOf(zero, 1).status().message().find("fees[1]"), std::string::npos);
}

TEST(FeeModelTest, FitRecoversKnownParameters) {
  const FeeModelParams truth = KnownParams();
  // One long path (200,000 days) from the mean: the sample's statistics are
  // the model's, so the fit must give the parameters back.
  const std::vector<Btc> f =
      SimulateFees(truth, Btc(std::exp(3.0)), 200'000, RandomStream(9, 0, kFeeStream));
  const Result<FeeFit> fit =
      FitFeeModel(AsObservations(f), {.min_slow_lag = 20, .max_slow_lag = 120});
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const FeeModelParams& p = fit->params;
  EXPECT_NEAR(p.mean_log_fees, 3.0, 0.05);
  EXPECT_NEAR(p.slow_persistence, 0.99, 0.002);
  EXPECT_NEAR(p.slow_stdev, 0.8, 0.05);
  EXPECT_NEAR(p.fast_persistence, 0.5, 0.05);
  EXPECT_NEAR(p.fast_stdev, 0.3, 0.03);
  // nu = 6 behind a kurtosis estimate: within 1.5.
  EXPECT_NEAR(p.tail_dof, 6, 1.5) << fit->fitted_tail_dof;
}

// ---- Against the real history (../shared/data). ----

fs::path Shared(const char* file) { return fs::path(MULLET_SHARED_DATA) / file; }

std::vector<FeeObservation> HistoryFees() {
  const Result<FeesDaily> fees = LoadFeesDaily(Shared(data_files::kFeesDaily));
  EXPECT_TRUE(fees.ok()) << fees.status().message();
  return fees.ok() ? FeeObservationsOf(*fees) : std::vector<FeeObservation>{};
}

std::string FiguresOf(const FeeStats& s) {
  return "mean log " + std::to_string(s.mean_log) + " stdev log " + std::to_string(s.stdev_log) +
         " mean fees " + std::to_string(s.mean_fees) + " acf1 " + std::to_string(s.acf[0]) +
         " acf7 " + std::to_string(s.acf[6]) + " acf30 " + std::to_string(s.acf[29]) + " acf90 " +
         std::to_string(s.acf[89]) + " acf180 " + std::to_string(s.acf[179]) + " change stdev " +
         std::to_string(s.change_stdev) + " change kurtosis " +
         std::to_string(s.change_excess_kurtosis) + " beyond 3 sd " +
         std::to_string(s.change_share_beyond_3_stdev);
}

std::string FiguresOf(const FeeModelParams& p) {
  return "mu " + std::to_string(p.mean_log_fees) + " phi_s " + std::to_string(p.slow_persistence) +
         " sigma_s " + std::to_string(p.slow_stdev) + " phi_f " +
         std::to_string(p.fast_persistence) + " sigma_f " + std::to_string(p.fast_stdev) + " nu " +
         std::to_string(p.tail_dof);
}

TEST(FeeModelTest, FitOnHistoryFindsASlowLevelAndFatTailedBursts) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the calibration tests need ../shared/data";
  const std::vector<FeeObservation> hist = HistoryFees();
  ASSERT_EQ(hist.size(), 4415u);
  const Result<FeeFit> fit = FitFeeModel(hist);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const std::string figures = FiguresOf(fit->params) + " | " + FiguresOf(fit->history) + " | w " +
                              std::to_string(fit->slow_weight) + " nu fitted " +
                              std::to_string(fit->fitted_tail_dof);
  RecordProperty("figures", figures);
  const FeeModelParams& p = fit->params;
  // 35 BTC a day at the mean of the log; the slow level's half-life between
  // two and eight months; bursts that fade within days; the tails fat.
  EXPECT_NEAR(std::exp(p.mean_log_fees), 35, 3) << figures;
  EXPECT_GT(std::log(0.5) / std::log(p.slow_persistence), 60) << figures;
  EXPECT_LT(std::log(0.5) / std::log(p.slow_persistence), 240) << figures;
  EXPECT_GT(fit->slow_weight, 0.8) << figures;
  EXPECT_LT(p.fast_persistence, 0.8) << figures;
  EXPECT_LT(p.tail_dof, 8) << figures;
}

// The fit against history: 200 paths of 4,400 days (history's length) from
// the mean, after 1,000 days' burn-in, each path's statistics computed as
// history's and averaged (so the finite-sample bias of a long-lag acf is
// the same on both sides).
TEST(FeeModelTest, SimulationReproducesHistorysPersistenceAndTails) {
  const std::vector<FeeObservation> hist = HistoryFees();
  ASSERT_EQ(hist.size(), 4415u);
  const Result<FeeFit> fit = FitFeeModel(hist);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const FeeStats& h = fit->history;
  FeeStats sim;
  sim.acf.assign(180, 0.0);
  constexpr int kPaths = 200;
  std::vector<Btc> all;  // every path's days after the burn-in, for pooled figures
  for (std::uint64_t path = 0; path < kPaths; ++path) {
    const std::vector<Btc> f = SimulateFees(fit->params, Btc(std::exp(fit->params.mean_log_fees)),
                                            5400, RandomStream(20250202, path, kFeeStream));
    const Result<FeeStats> st = FeeStatsOf(AsObservations(f, 1001), 180);
    ASSERT_TRUE(st.ok()) << st.status().message();
    sim.mean_log += st->mean_log / kPaths;
    sim.stdev_log += st->stdev_log / kPaths;
    sim.mean_fees += st->mean_fees / kPaths;
    sim.change_stdev += st->change_stdev / kPaths;
    sim.change_excess_kurtosis += st->change_excess_kurtosis / kPaths;
    sim.change_share_beyond_3_stdev += st->change_share_beyond_3_stdev / kPaths;
    all.insert(all.end(), f.begin() + 1001, f.end());
    for (std::size_t k = 0; k < 180; ++k) sim.acf[k] += st->acf[k] / kPaths;
  }
  const Result<FeeStats> pooled = FeeStatsOf(AsObservations(all), 1);
  ASSERT_TRUE(pooled.ok());
  const std::string figures = "history: " + FiguresOf(h) + " | simulated: " + FiguresOf(sim) +
                              " | pooled change kurtosis " +
                              std::to_string(pooled->change_excess_kurtosis);
  RecordProperty("figures", figures);
  EXPECT_NEAR(sim.mean_log, h.mean_log, 0.1) << figures;
  EXPECT_NEAR(sim.stdev_log, h.stdev_log, 0.15 * h.stdev_log) << figures;
  EXPECT_NEAR(sim.mean_fees, h.mean_fees, 0.25 * h.mean_fees) << figures;
  EXPECT_NEAR(sim.change_stdev, h.change_stdev, 0.05 * h.change_stdev) << figures;
  // Fat tails, but not history's: the bursts' volatility changes from era to
  // era (a daily change's stdev 0.19 in 2017, 0.41 in 2024), which the model
  // does not have, and that mixture is much of history's kurtosis (12.6;
  // the model's, a path's, about 4). Held: clearly fat (a normal's 0 and
  // 0.27 %) and below history's.
  EXPECT_GT(sim.change_excess_kurtosis, 2.5) << figures;
  EXPECT_LT(sim.change_excess_kurtosis, h.change_excess_kurtosis) << figures;
  EXPECT_GT(sim.change_share_beyond_3_stdev, 0.5 * h.change_share_beyond_3_stdev) << figures;
  for (const int k : {1, 7, 30, 90}) {
    EXPECT_NEAR(sim.acf[k - 1], h.acf[k - 1], 0.1) << "lag " << k << ": " << figures;
  }
  EXPECT_NEAR(sim.acf[179], h.acf[179], 0.15) << figures;
}

TEST(FeeModelTest, FeeChangesBarelyMoveWithBtcReturns) {
  const std::vector<FeeObservation> hist = HistoryFees();
  const Result<PriceDaily> prices = LoadPriceDaily(Shared(data_files::kPriceDaily));
  ASSERT_TRUE(prices.ok()) << prices.status().message();
  std::map<std::int64_t, double> close;
  for (const PriceDay& d : prices->days) close[d.date.time_since_epoch().count()] = d.close.value();
  std::vector<double> df, dr;
  for (std::size_t i = 1; i < hist.size(); ++i) {
    const std::int64_t a = hist[i - 1].day, b = hist[i].day;
    if (b != a + 1 || !close.contains(a) || !close.contains(b)) continue;
    df.push_back(std::log(hist[i].fees.value() / hist[i - 1].fees.value()));
    dr.push_back(std::log(close[b] / close[a]));
  }
  ASSERT_GT(df.size(), 4000u);
  double mf = 0, mr = 0;
  for (std::size_t i = 0; i < df.size(); ++i) mf += df[i], mr += dr[i];
  mf /= static_cast<double>(df.size());
  mr /= static_cast<double>(df.size());
  double sff = 0, srr = 0, sfr = 0;
  for (std::size_t i = 0; i < df.size(); ++i) {
    sff += (df[i] - mf) * (df[i] - mf);
    srr += (dr[i] - mr) * (dr[i] - mr);
    sfr += (df[i] - mf) * (dr[i] - mr);
  }
  const double corr = sfr / std::sqrt(sff * srr);
  RecordProperty("correlation", std::to_string(corr));
  // 0.056: positive, but under 1 % of the variance, which is why the model
  // draws fees independently of BTC (fee_model.h). Should it pass 0.1,
  // the independence is to be revisited.
  EXPECT_GT(corr, 0.0);
  EXPECT_LT(corr, 0.1);
}

}  // namespace
}  // namespace mullet
