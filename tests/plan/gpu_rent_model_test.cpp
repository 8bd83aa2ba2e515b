#include "plan/gpu_rent_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "calibrate/model_inputs.h"
#include "data/history.h"
#include "plan/calibration.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kGpuStream = 4;

GpuRentParams KnownParams() {
  return {.start_usd_per_gpu_hour = 3.0,
          .annual_decline = 0.25,
          .cycle_amplitude = 0.2,
          .cycle_period_years = 4,
          .cycle_phase = 0.5,
          .noise_stdev = 0.1,
          .noise_persistence = 0.99};
}

TEST(GpuRentModelTest, RejectsBadParamsNamingTheField) {
  const auto message = [](GpuRentParams p) {
    const Status s = ValidateGpuRentParams(p);
    return s.ok() ? std::string("ok") : s.message();
  };
  GpuRentParams p = KnownParams();
  EXPECT_EQ(message(p), "ok");
  p.start_usd_per_gpu_hour = 0;
  EXPECT_NE(message(p).find("start_usd_per_gpu_hour"), std::string::npos);
  p = KnownParams();
  p.cycle_period_years = 0;
  EXPECT_NE(message(p).find("cycle_period_years"), std::string::npos);
  p = KnownParams();
  p.noise_persistence = 1;
  EXPECT_NE(message(p).find("noise_persistence"), std::string::npos);
  p = KnownParams();
  p.annual_decline = NAN;
  EXPECT_NE(message(p).find("annual_decline"), std::string::npos);
}

TEST(GpuRentModelTest, WithoutNoiseThePathIsTheCurve) {
  GpuRentParams p = KnownParams();
  p.noise_stdev = 0;
  const std::vector<double> r = SimulateGpuRent(p, 3650, RandomStream(1, 0, kGpuStream));
  ASSERT_EQ(r.size(), 3651u);
  EXPECT_EQ(r[0], 3.0);
  // A whole cycle later (4 years) the cycle is back where it began: only
  // the decline is left.
  EXPECT_NEAR(r[1460], 3.0 * std::exp(-0.25 * 4), 1e-9);
  EXPECT_NEAR(r[730],
              3.0 * std::exp(-0.5 + 0.2 * (std::sin(std::numbers::pi + 0.5) - std::sin(0.5))),
              1e-9);
  for (std::int64_t t = 0; t <= 3650; ++t) ASSERT_EQ(r[t], GpuRentCurve(p, t));
}

TEST(GpuRentModelTest, NoiseIsStationaryAboutTheCurve) {
  const GpuRentParams p = KnownParams();
  // Day 2,000 of 2,000 paths: log(P / curve) has stdev sigma (the AR(1) is
  // stationary after 2,000 days at rho = 0.99) and mean 0.
  std::vector<double> x;
  for (std::uint64_t path = 0; path < 2000; ++path) {
    const std::vector<double> r = SimulateGpuRent(p, 2000, RandomStream(3, path, kGpuStream));
    x.push_back(std::log(r[2000] / GpuRentCurve(p, 2000)));
  }
  const Result<Moments> m = MomentsOf(x);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(m->mean, 0, 0.01);  // standard error 0.1 / sqrt(2000) = 0.0022
  EXPECT_NEAR(m->stdev, 0.1, 0.006);
}

TEST(GpuRentModelTest, APathDependsOnSeedAndPathOnly) {
  const GpuRentParams p = KnownParams();
  const std::vector<double> a = SimulateGpuRent(p, 1000, RandomStream(42, 17, kGpuStream));
  RandomStream used(42, 17, kGpuStream);
  for (int i = 0; i < 50; ++i) (void)used.Normal();
  EXPECT_EQ(SimulateGpuRent(p, 1000, used), a);
  EXPECT_NE(SimulateGpuRent(p, 1000, RandomStream(42, 18, kGpuStream)), a);
  EXPECT_NE(SimulateGpuRent(p, 1000, RandomStream(43, 17, kGpuStream)), a);
}

Date DateOf(int y, unsigned m, unsigned d) {
  return Date(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d));
}

TEST(GpuRentModelTest, FitReadsTheStepAndIntervalOffACrossSection) {
  // Three generations two years apart, each step x2: s = log 2, T_gen = 2,
  // delta = log 2 / 2; the medians of their days; sigma from the IQR.
  const std::vector<GpuGeneration> gens = {
      {"OLD", DateOf(2020, 1, 1)}, {"MID", DateOf(2021, 12, 31)}, {"NEW", DateOf(2023, 12, 31)}};
  const double iqr = std::exp(0.2 * 1.349);
  std::vector<GpuRentQuote> q;
  for (const auto& [model, price] : {std::pair{"OLD", 1.0}, {"MID", 2.0}, {"NEW", 4.0}}) {
    for (int day = 1; day <= 3; ++day) {
      const double v = day == 2 ? price : price * (day == 1 ? 0.9 : 1.3);  // median: price
      q.push_back({DateOf(2025, 1, day), model, "ask", v, v / std::sqrt(iqr), v * std::sqrt(iqr)});
    }
    q.push_back({DateOf(2025, 1, 3), model, "other", 99, 98, 100});  // another price type
  }
  const Result<GpuRentFit> fit =
      FitGpuRentModel(q, gens, {.price_type = "ask", .generation = "MID"});
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  EXPECT_EQ(fit->as_of, DateOf(2025, 1, 3));
  ASSERT_EQ(fit->generations.size(), 3u);
  EXPECT_NEAR(fit->generation_step, std::log(2.0), 1e-12);
  EXPECT_NEAR(fit->generation_interval_years, 730.0 / 365, 1e-12);
  EXPECT_NEAR(fit->params.annual_decline, std::log(2.0) / 2, 1e-12);
  EXPECT_NEAR(fit->age_slope, -std::log(2.0) / 2, 1e-12);  // the ladder is exactly one curve
  EXPECT_EQ(fit->params.start_usd_per_gpu_hour, 2.0);
  EXPECT_NEAR(fit->params.noise_stdev, 0.2, 1e-12);
  EXPECT_NEAR(std::log(0.5) / std::log(fit->params.noise_persistence), 90, 1e-9);
  const Result<GpuRentFit> missing =
      FitGpuRentModel(q, gens, {.price_type = "ask", .generation = "X"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("generation"), std::string::npos);
  EXPECT_FALSE(FitGpuRentModel(q, gens, {.price_type = "none"}).ok());
}

// ---- Against the CCIR cross-section (../shared/data). ----

std::vector<GpuRentQuote> CcirQuotes() {
  const Result<std::vector<GpuRentalRow>> rows =
      LoadGpuRentalIndex(fs::path(MULLET_SHARED_DATA) / data_files::kGpuRentalIndex);
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  return rows.ok() ? GpuRentQuotesOf(*rows) : std::vector<GpuRentQuote>{};
}

std::string FiguresOf(const GpuRentFit& f) {
  std::string s;
  for (const GpuGenerationFit& g : f.generations) {
    s += g.gpu_model + " age " + std::to_string(g.age_years) + " $" +
         std::to_string(g.usd_per_gpu_hour) + "; ";
  }
  return s + "step " + std::to_string(f.generation_step) + " interval " +
         std::to_string(f.generation_interval_years) + " delta " +
         std::to_string(f.params.annual_decline) + " age slope " + std::to_string(f.age_slope) +
         " sigma " + std::to_string(f.params.noise_stdev) + " phase " +
         std::to_string(f.params.cycle_phase) + " start " +
         std::to_string(f.params.start_usd_per_gpu_hour);
}

TEST(GpuRentModelTest, FitOnCcirFindsAGenerationLadder) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the calibration tests need ../shared/data";
  const std::vector<GpuRentQuote> q = CcirQuotes();
  ASSERT_EQ(q.size(), 30u);
  for (const char* type : {"seller_ask_noninterruptible", "seller_ask_interruptible"}) {
    const Result<GpuRentFit> fit =
        FitGpuRentModel(q, DatacenterGpuGenerations(), {.price_type = type});
    ASSERT_TRUE(fit.ok()) << fit.status().message();
    const std::string figures = std::string(type) + ": " + FiguresOf(*fit);
    RecordProperty(type, figures);
    ASSERT_EQ(fit->generations.size(), 4u) << figures;
    // Each newer generation rents for more in the cross-section.
    for (std::size_t g = 1; g < 4; ++g) {
      EXPECT_GT(fit->generations[g].usd_per_gpu_hour, fit->generations[g - 1].usd_per_gpu_hour)
          << figures;
    }
    // Launches 1.55 years apart; a fall of 20-45 % a year, and the age slope
    // through all four points agrees with the ends' step within 30 %.
    EXPECT_NEAR(fit->generation_interval_years, 1.55, 0.05) << figures;
    EXPECT_GT(fit->params.annual_decline, -std::log(0.8)) << figures;
    EXPECT_LT(fit->params.annual_decline, -std::log(0.55)) << figures;
    EXPECT_NEAR(-fit->age_slope, fit->params.annual_decline, 0.3 * fit->params.annual_decline)
        << figures;
    EXPECT_GT(fit->params.noise_stdev, 0.0) << figures;
    EXPECT_LT(fit->params.noise_stdev, 0.4) << figures;
  }
  const Result<GpuRentFit> fit = FitGpuRentModel(q, DatacenterGpuGenerations());
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->params.start_usd_per_gpu_hour, 3.34);  // H100 on demand, March 2026
  EXPECT_EQ(fit->as_of, DateOf(2026, 3, 13));           // the last on-demand day
}

// The simulated paths against the cross-section they were fitted to: an
// H100 simulated until it is as old as the A100 is now (2.4 years on) has,
// with the cycle taken out, a median near the A100's rent today: the
// ladder's claim. Near, not at: the ladder is not one straight line (H100 to
// A100 falls 0.42 a year in log, the fitted decline is 0.30), so within 0.3.
TEST(GpuRentModelTest, SimulatedH100AgesIntoTodaysA100) {
  const std::vector<GpuRentQuote> q = CcirQuotes();
  const Result<GpuRentFit> fit = FitGpuRentModel(q, DatacenterGpuGenerations());
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  const double a100 = fit->generations[0].usd_per_gpu_hour;
  const double h100_age = fit->generations[1].age_years;
  const auto days = static_cast<std::int64_t>((fit->generations[0].age_years - h100_age) * 365);
  GpuRentParams trend = fit->params;
  trend.cycle_amplitude = 0;
  const double cycle = GpuRentCurve(fit->params, days) / GpuRentCurve(trend, days);
  std::vector<double> end;
  for (std::uint64_t path = 0; path < 1001; ++path) {
    end.push_back(
        SimulateGpuRent(fit->params, days, RandomStream(20260313, path, kGpuStream)).back() /
        cycle);
  }
  std::sort(end.begin(), end.end());
  RecordProperty("median", std::to_string(end[500]));
  EXPECT_GT(cycle, 1.0);  // March 2026 is past the trough: the cycle rises
  EXPECT_NEAR(std::log(end[500] / a100), 0, 0.3) << end[500] << " vs A100 " << a100;
  EXPECT_GT(end[500], a100) << "the ends' decline is the slower";
}

}  // namespace
}  // namespace mullet
