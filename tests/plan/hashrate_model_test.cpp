#include "plan/hashrate_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "calibrate/calibrate.h"
#include "calibrate/model_inputs.h"
#include "data/history.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kHashrateStream = 2;

// A hashprice path: a slow sine in log around `level`, amplitude `swing`
// (log), period `period` days. Smooth, as history's K-day mean is.
std::vector<UsdPerTerahashDay> SineHashprice(std::int64_t days, double level, double swing,
                                             double period) {
  std::vector<UsdPerTerahashDay> hp;
  for (std::int64_t d = 0; d < days; ++d) {
    hp.push_back(UsdPerTerahashDay(
        level * std::exp(swing * std::sin(2 * M_PI * static_cast<double>(d) / period))));
  }
  return hp;
}

HashrateModelParams KnownParams() {
  HashrateModelParams p;
  p.lag_days = 21;
  p.hashprice_window_days = 7;
  p.growth_at_reference = 0.001;  // 44 % a year at the reference
  p.sensitivity = 0.004;
  p.reference_hashprice = UsdPerTerahashDay(0.1);
  p.breakeven_hashprice = UsdPerTerahashDay(0);
  p.noise_per_day = 0.01;
  p.bound_window_days = 30;
  p.max_ship_per_day = 0.02;
  p.max_exit_per_day = 0.02;
  return p;
}

double LogGrowth(const std::vector<TerahashPerSecond>& path) {
  return std::log(path.back().value() / path.front().value());
}

std::string FiguresOf(const HashrateFit& fit) {
  const HashrateModelParams& p = fit.params;
  std::string s =
      "L " + std::to_string(p.lag_days) + " corr " + std::to_string(fit.correlation) + " a " +
      std::to_string(p.growth_at_reference) + " b " + std::to_string(p.sensitivity) + " e " +
      std::to_string(p.efficiency_gain_per_year) + " hp_ref " +
      std::to_string(p.reference_hashprice.value()) + " hp_be " +
      std::to_string(p.breakeven_hashprice.value()) + " sigma " + std::to_string(p.noise_per_day) +
      " ship " + std::to_string(p.max_ship_per_day) + " exit " +
      std::to_string(p.max_exit_per_day) + " resid " + std::to_string(fit.residual_stdev) +
      " y stdev " + std::to_string(fit.growth_stdev) + " measurement " +
      std::to_string(fit.measurement_stdev) + " pairs " + std::to_string(fit.samples);
  for (const HashrateLagFit& l : fit.by_lag) {
    if (l.lag_days % 7 == 0)
      s += " r(" + std::to_string(l.lag_days) + ")=" + std::to_string(l.correlation);
  }
  return s;
}

TEST(HashrateModelTest, RejectsBadParamsNamingTheField) {
  const auto message = [](HashrateModelParams p) {
    const Status s = ValidateHashrateParams(p);
    return s.ok() ? std::string("ok") : s.message();
  };
  HashrateModelParams p = KnownParams();
  EXPECT_EQ(message(p), "ok");
  p.lag_days = -1;
  EXPECT_NE(message(p).find("lag_days"), std::string::npos);
  p = KnownParams();
  p.reference_hashprice = UsdPerTerahashDay(0);
  EXPECT_NE(message(p).find("reference_hashprice"), std::string::npos);
  p = KnownParams();
  p.max_ship_per_day = -0.01;
  EXPECT_NE(message(p).find("max_ship_per_day"), std::string::npos);
  p = KnownParams();
  p.noise_per_day = NAN;
  EXPECT_NE(message(p).find("noise_per_day"), std::string::npos);
  p = KnownParams();
  p.breakeven_hashprice = UsdPerTerahashDay(-1);
  EXPECT_NE(message(p).find("breakeven_hashprice"), std::string::npos);
}

TEST(HashrateModelTest, WithoutNoiseOrBoundsGrowthIsTheLaggedEquation) {
  HashrateModelParams p = KnownParams();
  p.noise_per_day = 0;
  p.max_ship_per_day = 1;
  p.max_exit_per_day = 1;
  p.hashprice_window_days = 1;
  // Hashprice doubles the reference from day 100 of the series; the
  // simulation starts at day 100, so growth answers L = 21 days later.
  std::vector<UsdPerTerahashDay> hp(400, UsdPerTerahashDay(0.1));
  for (std::size_t d = 100; d < hp.size(); ++d) hp[d] = UsdPerTerahashDay(0.2);
  const std::vector<TerahashPerSecond> path = SimulateHashrate(
      p, TerahashPerSecond(1e8), hp, 100, 200, RandomStream(1, 0, kHashrateStream));
  ASSERT_EQ(path.size(), 201u);
  for (int t = 0; t < 200; ++t) {
    const double g = std::log(path[t + 1].value() / path[t].value());
    const double expected = t < 21 ? 0.001 : 0.001 + 0.004 * std::log(2.0);
    ASSERT_NEAR(g, expected, 1e-12) << "day " << t;
  }
}

TEST(HashrateModelTest, GrowthNeverExceedsTheShipBound) {
  HashrateModelParams p = KnownParams();
  p.sensitivity = 0.05;  // far above the bound at this hashprice
  const std::vector<UsdPerTerahashDay> hp = SineHashprice(800, 1.0, 1.0, 200);
  for (std::uint64_t path_id = 0; path_id < 20; ++path_id) {
    const std::vector<TerahashPerSecond> path = SimulateHashrate(
        p, TerahashPerSecond(1e8), hp, 60, 700, RandomStream(3, path_id, kHashrateStream));
    double max_window = -1e9, min_window = 1e9;
    for (std::size_t t = 30; t < path.size(); ++t) {
      const double g30 = std::log(path[t].value() / path[t - 30].value());
      max_window = std::max(max_window, g30);
      min_window = std::min(min_window, g30);
    }
    EXPECT_LE(max_window, 30 * p.max_ship_per_day + 1e-9) << "path " << path_id;
    EXPECT_GE(min_window, -30 * p.max_exit_per_day - 1e-9) << "path " << path_id;
    // The bound binds: growth runs at it in the high phase.
    EXPECT_GT(max_window, 30 * p.max_ship_per_day - 1e-6) << "path " << path_id;
  }
}

TEST(HashrateModelTest, BelowBreakevenHashrateNeverGrows) {
  HashrateModelParams p = KnownParams();
  p.growth_at_reference = 0.003;  // strong entry at the reference...
  p.breakeven_hashprice = UsdPerTerahashDay(0.05);
  // ...but hashprice sits at a tenth of breakeven: noise alone never adds hashrate.
  const std::vector<UsdPerTerahashDay> hp(1000, UsdPerTerahashDay(0.005));
  for (std::uint64_t path_id = 0; path_id < 20; ++path_id) {
    const std::vector<TerahashPerSecond> path = SimulateHashrate(
        p, TerahashPerSecond(1e8), hp, 0, 900, RandomStream(4, path_id, kHashrateStream));
    for (std::size_t t = 1; t < path.size(); ++t) {
      // exp(log H) may round one ulp up: a relative 1e-12 is no growth.
      ASSERT_LE(path[t].value(), path[t - 1].value() * (1 + 1e-12))
          << "path " << path_id << " day " << t;
    }
  }
  // Without the breakeven, the same noise makes it grow on some days.
  p.breakeven_hashprice = UsdPerTerahashDay(0);
  p.sensitivity = 0;
  const std::vector<TerahashPerSecond> free =
      SimulateHashrate(p, TerahashPerSecond(1e8), hp, 0, 900, RandomStream(4, 0, kHashrateStream));
  EXPECT_GT(LogGrowth(free), 0);
}

TEST(HashrateModelTest, APathDependsOnSeedAndPathOnly) {
  const HashrateModelParams p = KnownParams();
  const std::vector<UsdPerTerahashDay> hp = SineHashprice(600, 0.1, 0.5, 300);
  const auto run = [&](std::uint64_t seed, std::uint64_t path) {
    return SimulateHashrate(p, TerahashPerSecond(1e8), hp, 50, 500,
                            RandomStream(seed, path, kHashrateStream));
  };
  const std::vector<TerahashPerSecond> a = run(42, 7);
  EXPECT_EQ(run(42, 7), a);
  RandomStream used(42, 7, kHashrateStream);
  for (int i = 0; i < 10; ++i) (void)used.Normal();
  EXPECT_EQ(SimulateHashrate(p, TerahashPerSecond(1e8), hp, 50, 500, used), a);
  EXPECT_NE(run(42, 8), a);
  EXPECT_NE(run(43, 7), a);
}

TEST(HashrateModelTest, EfficiencyGainsLowerTheReference) {
  HashrateModelParams p = KnownParams();
  p.efficiency_gain_per_year = 0.3;
  const HashrateModelParams later = ShiftedBy(p, 365);
  EXPECT_NEAR(later.reference_hashprice.value(), 0.1 * std::exp(-0.3), 1e-15);
  // At a constant hashprice the same fleet grows faster each year, as the
  // reference falls: b * e per day more every year.
  p.noise_per_day = 0;
  p.max_ship_per_day = 1;
  const std::vector<UsdPerTerahashDay> hp(800, UsdPerTerahashDay(0.1));
  const std::vector<TerahashPerSecond> path =
      SimulateHashrate(p, TerahashPerSecond(1), hp, 0, 730, RandomStream(1, 0, kHashrateStream));
  const double first = std::log(path[1].value() / path[0].value());
  const double second = std::log(path[366].value() / path[365].value());
  EXPECT_NEAR(second - first, p.sensitivity * 0.3, 1e-12);
}

// 12 years of a hashprice that swings by a factor e^0.8 over 400 days, with
// a second, shorter swing (97 days) so that lags are told apart.
std::vector<UsdPerTerahashDay> TwoSwingHashprice() {
  std::vector<UsdPerTerahashDay> hp = SineHashprice(4400, 0.1, 0.8, 400);
  for (std::size_t d = 0; d < hp.size(); ++d) {
    hp[d] = UsdPerTerahashDay(hp[d].value() *
                              std::exp(0.3 * std::sin(2 * M_PI * static_cast<double>(d) / 97)));
  }
  return hp;
}

TEST(HashrateModelTest, FitRecoversKnownLagAndSlope) {
  HashrateModelParams truth = KnownParams();
  // Noise 0.005 a day: over 4,399 days the mean growth is off by 0.005 /
  // sqrt(4399) = 7.5e-5 (one stdev), so a within 2.5e-4 is over 3 of them.
  truth.noise_per_day = 0.005;
  const std::vector<UsdPerTerahashDay> hp = TwoSwingHashprice();
  const std::vector<TerahashPerSecond> h = SimulateHashrate(
      truth, TerahashPerSecond(1e6), hp, 0, 4399, RandomStream(5, 0, kHashrateStream));
  const Result<HashrateFit> fit = FitHashrateModel(h, hp);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const HashrateModelParams& p = fit->params;
  EXPECT_NEAR(p.lag_days, truth.lag_days, 2);
  EXPECT_NEAR(p.sensitivity, truth.sensitivity, 0.15 * truth.sensitivity);
  // a is the growth at the fitted reference (the sample's mean hashprice):
  // carried to the true reference, it is the true a.
  const double a_at_truth =
      p.growth_at_reference +
      p.sensitivity * std::log(truth.reference_hashprice.value() / p.reference_hashprice.value());
  EXPECT_NEAR(a_at_truth, truth.growth_at_reference, 2.5e-4) << FiguresOf(*fit);
  EXPECT_NEAR(p.efficiency_gain_per_year, 0, 0.03);
  EXPECT_NEAR(p.noise_per_day, truth.noise_per_day, 0.25 * truth.noise_per_day);
  EXPECT_GT(fit->correlation, 0.5) << FiguresOf(*fit);
  ASSERT_EQ(fit->by_lag.size(), 36u);
  EXPECT_EQ(fit->by_lag.front().lag_days, 7);
}

TEST(HashrateModelTest, FitRecoversAnEfficiencyGain) {
  // The reference falls 20 % a year in log: at a level hashprice, growth
  // rises year by year. The fit sees it as a trend beyond b r and returns e.
  HashrateModelParams truth = KnownParams();
  truth.noise_per_day = 0.005;
  truth.efficiency_gain_per_year = 0.2;
  truth.growth_at_reference = -0.004;  // so that growth stays within the bounds
  const std::vector<UsdPerTerahashDay> hp = TwoSwingHashprice();
  const std::vector<TerahashPerSecond> h = SimulateHashrate(
      truth, TerahashPerSecond(1e6), hp, 0, 4399, RandomStream(6, 0, kHashrateStream));
  const Result<HashrateFit> fit = FitHashrateModel(h, hp);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const HashrateModelParams& p = fit->params;
  EXPECT_NEAR(p.efficiency_gain_per_year, 0.2, 0.03) << FiguresOf(*fit);
  EXPECT_NEAR(p.sensitivity, truth.sensitivity, 0.15 * truth.sensitivity) << FiguresOf(*fit);
  EXPECT_NEAR(p.lag_days, truth.lag_days, 2) << FiguresOf(*fit);
  // The fitted references are the last day's (day 4399 of the simulation).
  const HashrateModelParams last = ShiftedBy(truth, 4399);
  const double a_at_truth =
      p.growth_at_reference +
      p.sensitivity * std::log(last.reference_hashprice.value() / p.reference_hashprice.value());
  EXPECT_NEAR(a_at_truth, truth.growth_at_reference, 3e-4) << FiguresOf(*fit);
  // Told that e = 0, the fit blames hashprice for less and finds a weaker response.
  const Result<HashrateFit> blind = FitHashrateModel(h, hp, {.fit_efficiency_gain = false});
  ASSERT_TRUE(blind.ok());
  EXPECT_LT(blind->correlation, fit->correlation) << FiguresOf(*blind);
}

TEST(HashrateModelTest, FitRejectsBadInputNamingTheField) {
  const std::vector<UsdPerTerahashDay> hp(500, UsdPerTerahashDay(0.1));
  std::vector<TerahashPerSecond> h(500, TerahashPerSecond(1));
  std::vector<TerahashPerSecond> short_h(400, TerahashPerSecond(1));
  EXPECT_NE(FitHashrateModel(h, std::span(hp).first(499)).status().message().find("hashprice"),
            std::string::npos);
  h[3] = TerahashPerSecond(0);
  EXPECT_NE(FitHashrateModel(h, hp).status().message().find("hashrate[3]"), std::string::npos);
  h[3] = TerahashPerSecond(1);
  EXPECT_NE(
      FitHashrateModel(short_h, std::span(hp).first(400)).status().message().find("365 pairs"),
      std::string::npos);
  EXPECT_NE(FitHashrateModel(h, hp, {.min_lag_days = 10, .max_lag_days = 5})
                .status()
                .message()
                .find("max_lag_days"),
            std::string::npos);
}

// ---- Against the real history (../shared/data). ----

fs::path Shared(const char* file) { return fs::path(MULLET_SHARED_DATA) / file; }

// History, day by day over the days the network, price and fee files all
// reach (2012-01-01 to 2025-02-02), as `mullet calibrate` fits it
// (calibrate/model_inputs.h: hashprice as miners earned it, fees in their
// gap counted as 0); and CBECI's efficiency trend, for a bound on the fit.
struct History : HashpriceHistory {
  double efficiency_gain_per_year = 0;  // CBECI's log J/TH trend since kSampleStart, negated
};

// The fit's window starts here: the ASIC market had matured (16 nm and below).
constexpr std::chrono::year_month_day kSampleStart = kHashrateSampleStart;

History LoadHistory() {
  History out;
  const Result<NetworkDaily> net = LoadNetworkDaily(Shared(data_files::kNetworkDaily));
  const Result<PriceDaily> prices = LoadPriceDaily(Shared(data_files::kPriceDaily));
  const Result<FeesDaily> fees = LoadFeesDaily(Shared(data_files::kFeesDaily));
  const Result<EfficiencyDaily> eff = LoadEfficiencyDaily(Shared(data_files::kEfficiencyDaily));
  EXPECT_TRUE(net.ok() && prices.ok() && fees.ok() && eff.ok());
  if (!net.ok() || !prices.ok() || !fees.ok() || !eff.ok()) return out;
  Result<HashpriceHistory> series = HashpriceHistoryOf(*net, *prices, *fees);
  EXPECT_TRUE(series.ok()) << series.status().message();
  if (!series.ok()) return out;
  static_cast<HashpriceHistory&>(out) = std::move(series).value();
  const Date last_fee = fees->days.back().date;
  // Least-squares slope of log(estimated J/TH) on years, over the sample.
  double st = 0, sy = 0, stt = 0, sty = 0, m = 0;
  for (const EfficiencyDay& d : eff->days) {
    if (d.date < Date(kSampleStart) || d.date > last_fee) continue;
    const double t = (d.date - Date(kSampleStart)).count() / 365.0;
    const double y = std::log(d.estimated.value());
    st += t, sy += y, stt += t * t, sty += t * y, m += 1;
  }
  out.efficiency_gain_per_year = -(m * sty - st * sy) / (m * stt - st * st);
  return out;
}

// The window's geometric mean of hashrate over days i - 3 .. i + 3: one
// day's estimate carries the luck of ~144 blocks (8 %).
TerahashPerSecond WeekAround(const History& hist, std::int64_t i) {
  double sum = 0;
  for (std::int64_t k = i - 3; k <= i + 3; ++k) sum += std::log(hist.hashrate[k].value());
  return TerahashPerSecond(std::exp(sum / 7));
}

Result<HashrateFit> FitOnHistory(const History& hist) {
  const std::int64_t start = hist.IndexOf(Date(kSampleStart));
  return FitHashrateModel(std::span(hist.hashrate).subspan(start),
                          std::span(hist.hashprice).subspan(start));
}

TEST(HashrateModelTest, HistoryIsConsecutiveDays) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the history tests need ../shared/data";
  const History hist = LoadHistory();
  ASSERT_GT(hist.dates.size(), 4000u);
  EXPECT_EQ(hist.dates.back(), Date(std::chrono::year(2025) / 2 / 2));
  EXPECT_EQ(hist.dates[hist.IndexOf(Date(kSampleStart))], Date(kSampleStart));
  for (std::size_t i = 1; i < hist.dates.size(); ++i) {
    ASSERT_EQ((hist.dates[i] - hist.dates[i - 1]).count(), 1) << FormatDate(hist.dates[i]);
  }
}

TEST(HashrateModelTest, FitOnHistoryFindsAPositiveLaggedResponse) {
  const History hist = LoadHistory();
  ASSERT_GT(hist.dates.size(), 4000u);
  const Result<HashrateFit> fit = FitOnHistory(hist);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const std::string figures = FiguresOf(*fit);
  RecordProperty("figures", figures);
  const HashrateModelParams& p = fit->params;
  EXPECT_GE(p.lag_days, 7) << figures;
  EXPECT_LE(p.lag_days, 42) << figures;
  EXPECT_GT(p.sensitivity, 0) << figures;
  // Weak but there: 0.17 over 3,243 overlapping pairs (about 100 independent
  // 30-day windows: a standard error near 0.1).
  EXPECT_GT(fit->correlation, 0.1) << figures;
  // The reference falls with efficiency: slower than CBECI's J/TH trend
  // (0.32 a year over the same window), but falling.
  EXPECT_GT(p.efficiency_gain_per_year, 0.05) << figures;
  EXPECT_LT(p.efficiency_gain_per_year, hist.efficiency_gain_per_year) << figures;
  // A day's estimate is ~144 blocks' luck: 1 / sqrt(144) = 0.083.
  EXPECT_NEAR(fit->measurement_stdev, 0.083, 0.015) << figures;
  // The shipment bound is real growth: between 10 % and 100 % in 30 days.
  EXPECT_GT(30 * p.max_ship_per_day, std::log(1.1)) << figures;
  EXPECT_LT(30 * p.max_ship_per_day, std::log(2.0)) << figures;
  EXPECT_LT(p.breakeven_hashprice.value(), p.reference_hashprice.value()) << figures;
}

// A year from each 1 January 2016 .. 2024, simulated with the historical
// hashprice path (which holds the realized hashrate: a check of the response,
// not a forecast), 201 paths each: the median against the realized growth,
// and whether the realized growth lies in the paths' 5-95 % band.
struct Backtest {
  double mean_abs_error = 0;  // of the median, log
  int inside_band = 0;        // years of 9
  std::string figures;
};

Backtest BacktestYears(const History& hist, const HashrateModelParams& fitted) {
  Backtest out;
  const auto n = static_cast<std::int64_t>(hist.dates.size());
  for (int year = 2016; year <= 2024; ++year) {
    const std::int64_t s = hist.IndexOf(Date(std::chrono::year(year) / 1 / 1));
    const TerahashPerSecond start = WeekAround(hist, s);
    const double realized = std::log(WeekAround(hist, s + 365).value() / start.value());
    const HashrateModelParams at = ShiftedBy(fitted, s - (n - 1));
    std::vector<double> g;
    for (std::uint64_t path = 0; path < 201; ++path) {
      const std::vector<TerahashPerSecond> h = SimulateHashrate(
          at, start, hist.hashprice, s, 365, RandomStream(20250202, path, kHashrateStream));
      g.push_back(LogGrowth(h));
    }
    std::sort(g.begin(), g.end());
    out.mean_abs_error += std::fabs(g[100] - realized) / 9;
    if (realized >= g[10] && realized <= g[190]) ++out.inside_band;
    out.figures += std::to_string(year) + ": realized " + std::to_string(realized) + " median " +
                   std::to_string(g[100]) + " band [" + std::to_string(g[10]) + ", " +
                   std::to_string(g[190]) + "]; ";
  }
  return out;
}

TEST(HashrateModelTest, SimulationWithHistorysHashpriceTracksRealizedYears) {
  const History hist = LoadHistory();
  ASSERT_GT(hist.dates.size(), 4000u);
  const Result<HashrateFit> fit = FitOnHistory(hist);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const Backtest model = BacktestYears(hist, fit->params);
  HashrateModelParams flat_params = fit->params;  // b = 0: growth blind to hashprice
  flat_params.sensitivity = 0;
  const Backtest flat = BacktestYears(hist, flat_params);
  HashrateModelParams lag0_params = fit->params;
  lag0_params.lag_days = 0;
  const Backtest lag0 = BacktestYears(hist, lag0_params);
  const std::string figures = "model: mean abs error " + std::to_string(model.mean_abs_error) +
                              ", in band " + std::to_string(model.inside_band) + "/9; " +
                              model.figures + "b = 0: " + std::to_string(flat.mean_abs_error) +
                              ", " + std::to_string(flat.inside_band) + "/9; " + flat.figures +
                              "lag 0: " + std::to_string(lag0.mean_abs_error) + ", " +
                              std::to_string(lag0.inside_band) + "/9";
  RecordProperty("figures", figures);
  // The model: 0.26 in log (a factor of 1.3 over a year); 2021's Chinese
  // ban (hashrate fell by half in a month, whatever hashprice did) is its
  // one miss outside the band.
  EXPECT_LT(model.mean_abs_error, 0.30) << figures;
  EXPECT_GE(model.inside_band, 8) << figures;
  // Blind to hashprice, the same drift and noise miss by 0.41 (its wide band
  // still holds 8 years: the band alone cannot tell them apart).
  EXPECT_GT(flat.mean_abs_error, model.mean_abs_error + 0.1) << figures;
  // Not asserted: lag 0 does as well as the fitted lag (0.262, in the
  // figures): history does not pin the lag down (README.md).
}

}  // namespace
}  // namespace mullet
