#include "plan/gpu_rent_model.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <map>
#include <numbers>
#include <string>

namespace mullet {
namespace {

constexpr double kDaysPerYear = 365;
// The interquartile range of a standard normal: 2 x 0.6745.
constexpr double kNormalIqr = 1.349;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

constexpr Date DateOf(int y, unsigned m, unsigned d) {
  return Date(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d));
}

// NVIDIA's press releases: A100 "in full production" at GTC 2020 (14 May
// 2020); H100 "in full production", partners shipping from October 2022
// (GTC, 20 September 2022); H200 shipping in the second quarter of 2024
// (GTC, March 2024); B200 volume shipments from early 2025 (fiscal Q4 2025
// results, February 2025). Middle of the quarter where only a quarter is known.
constexpr std::array<GpuGeneration, 4> kGenerations = {{
    {"A100_SXM", DateOf(2020, 5, 14)},
    {"H100_SXM", DateOf(2022, 10, 1)},
    {"H200_SXM", DateOf(2024, 5, 15)},
    {"B200_SXM", DateOf(2025, 1, 15)},
}};

}  // namespace

Status ValidateGpuRentParams(const GpuRentParams& p) {
  if (!(p.start_usd_per_gpu_hour > 0) || !std::isfinite(p.start_usd_per_gpu_hour)) {
    return Status::InvalidArgument("start_usd_per_gpu_hour: must be positive and finite");
  }
  if (!std::isfinite(p.annual_decline)) {
    return Status::InvalidArgument("annual_decline: must be finite");
  }
  if (!(p.cycle_amplitude >= 0) || !std::isfinite(p.cycle_amplitude)) {
    return Status::InvalidArgument("cycle_amplitude: must be finite and at least 0");
  }
  if (!(p.cycle_period_years > 0) || !std::isfinite(p.cycle_period_years)) {
    return Status::InvalidArgument("cycle_period_years: must be positive and finite");
  }
  if (!std::isfinite(p.cycle_phase)) return Status::InvalidArgument("cycle_phase: must be finite");
  if (!(p.noise_stdev >= 0) || !std::isfinite(p.noise_stdev)) {
    return Status::InvalidArgument("noise_stdev: must be finite and at least 0");
  }
  if (!(p.noise_persistence >= 0 && p.noise_persistence < 1)) {
    return Status::InvalidArgument("noise_persistence: must be in [0, 1)");
  }
  return Status::Ok();
}

double GpuRentCurve(const GpuRentParams& p, std::int64_t day) {
  const double tau = static_cast<double>(day) / kDaysPerYear;
  const double cycle =
      p.cycle_amplitude *
      (std::sin(2 * std::numbers::pi * tau / p.cycle_period_years + p.cycle_phase) -
       std::sin(p.cycle_phase));
  return p.start_usd_per_gpu_hour * std::exp(-p.annual_decline * tau + cycle);
}

std::vector<double> SimulateGpuRent(const GpuRentParams& p, std::int64_t days,
                                    const RandomStream& stream) {
  assert(ValidateGpuRentParams(p).ok());
  assert(days >= 0 && days < (std::int64_t{1} << 31));
  const double shock = p.noise_stdev * std::sqrt(1 - p.noise_persistence * p.noise_persistence);
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(days) + 1);
  out.push_back(p.start_usd_per_gpu_hour);
  double x = 0;
  for (std::int64_t t = 0; t < days; ++t) {
    x = p.noise_persistence * x + shock * stream.NormalAt(static_cast<std::uint64_t>(t));
    out.push_back(GpuRentCurve(p, t + 1) * std::exp(x));
  }
  return out;
}

std::span<const GpuGeneration> DatacenterGpuGenerations() { return kGenerations; }

Result<GpuRentFit> FitGpuRentModel(std::span<const GpuRentQuote> quotes,
                                   std::span<const GpuGeneration> generations,
                                   const GpuRentFitOptions& o) {
  if (!(o.cycle_amplitude >= 0) || !std::isfinite(o.cycle_amplitude)) {
    return Status::InvalidArgument("cycle_amplitude: must be finite and at least 0");
  }
  if (!(o.cycle_period_years > 0) || !std::isfinite(o.cycle_period_years)) {
    return Status::InvalidArgument("cycle_period_years: must be positive and finite");
  }
  if (!(o.noise_half_life_days > 0) || !std::isfinite(o.noise_half_life_days)) {
    return Status::InvalidArgument("noise_half_life_days: must be positive and finite");
  }
  std::map<std::string, std::vector<double>> by_model;
  std::vector<double> spreads;
  GpuRentFit fit;
  bool any = false;
  for (std::size_t i = 0; i < quotes.size(); ++i) {
    const GpuRentQuote& q = quotes[i];
    for (const double v : {q.usd_per_gpu_hour, q.p25_usd_per_gpu_hour, q.p75_usd_per_gpu_hour}) {
      if (!(v > 0) || !std::isfinite(v)) {
        return Status::InvalidArgument("quotes[" + std::to_string(i) +
                                       "]: prices must be positive and finite");
      }
    }
    if (q.price_type != o.price_type) continue;
    by_model[q.gpu_model].push_back(q.usd_per_gpu_hour);
    spreads.push_back(std::log(q.p75_usd_per_gpu_hour / q.p25_usd_per_gpu_hour) / kNormalIqr);
    if (!any || q.date > fit.as_of) fit.as_of = q.date;
    any = true;
  }
  std::vector<Date> launches;
  for (const GpuGeneration& g : generations) {
    const auto it = by_model.find(g.gpu_model);
    if (it == by_model.end()) continue;
    const double age = static_cast<double>((fit.as_of - g.available).count()) / kDaysPerYear;
    fit.generations.push_back({g.gpu_model, age, Median(it->second)});
    launches.push_back(g.available);
  }
  const std::size_t n = fit.generations.size();
  if (n < 2) {
    return Status::InvalidArgument("quotes: need at least two generations quoted as '" +
                                   o.price_type + "'");
  }
  const auto start =
      std::find_if(fit.generations.begin(), fit.generations.end(),
                   [&](const GpuGenerationFit& g) { return g.gpu_model == o.generation; });
  if (start == fit.generations.end()) {
    return Status::InvalidArgument("generation: '" + o.generation + "' is not quoted as '" +
                                   o.price_type + "'");
  }
  // The mean of successive log ratios telescopes to the two ends.
  const double steps = static_cast<double>(n - 1);
  fit.generation_step =
      std::log(fit.generations.back().usd_per_gpu_hour / fit.generations.front().usd_per_gpu_hour) /
      steps;
  fit.generation_interval_years =
      static_cast<double>((launches.back() - launches.front()).count()) / kDaysPerYear / steps;
  double sa = 0, sl = 0, saa = 0, sal = 0;
  for (const GpuGenerationFit& g : fit.generations) {
    const double l = std::log(g.usd_per_gpu_hour);
    sa += g.age_years, sl += l, saa += g.age_years * g.age_years, sal += g.age_years * l;
  }
  const double m = static_cast<double>(n);
  fit.age_slope = (m * sal - sa * sl) / (m * saa - sa * sa);

  GpuRentParams& p = fit.params;
  p.start_usd_per_gpu_hour = start->usd_per_gpu_hour;
  p.annual_decline = fit.generation_step / fit.generation_interval_years;
  p.cycle_amplitude = o.cycle_amplitude;
  p.cycle_period_years = o.cycle_period_years;
  // Phase -pi/2 at the trough, advancing 2 pi a period.
  p.cycle_phase = -std::numbers::pi / 2 +
                  2 * std::numbers::pi * static_cast<double>((fit.as_of - o.cycle_trough).count()) /
                      (kDaysPerYear * o.cycle_period_years);
  p.noise_stdev = Median(spreads);
  p.noise_persistence = std::pow(0.5, 1 / o.noise_half_life_days);
  return fit;
}

}  // namespace mullet
