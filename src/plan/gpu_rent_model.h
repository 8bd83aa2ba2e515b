// The planner's GPU rent: what one GPU of a given generation rents for, USD
// per GPU-hour, day by day. It falls as newer generations launch, moves in a
// market cycle (the 2023 shortage, the 2025 glut, the 2026 tightening), and
// wanders about both (serve-and-plan-notes.md §4 (iv)).
//
// Model, day t = 0, 1, ..., years tau = t / 365:
//   log P_t = log P_0 - delta tau
//             + A (sin(2 pi tau / T_c + phi) - sin(phi))    the cycle, 0 at day 0
//             + x_t
//   x_0 = 0,  x_{t+1} = rho x_t + sigma sqrt(1 - rho^2) z_t,  z_t = NormalAt(t)
// so P_0 is today's rent, delta the generation's fall a year (in log),
// sigma the stationary stdev of the wander about the curve. A path depends
// on (params, seed, path, stream) only.
//
// The data (gpu_rental_index_ccir_2026-03.csv) are four days of one
// cross-section: the median marketplace ask of A100, H100, H200, B200 (and
// L40S, an inference card of another line, left out) in March 2026. One date
// cannot show a decline over time, so the fit reads it through one
// assumption, stated: the generations' rents lie on one age curve (each
// newer generation launches where its predecessor once stood and follows the
// same path down; the price ladder is stationary). Then the cross-section
// is the age curve, and
//   s     = mean over successive generations of log(P_{g+1} / P_g), g + 1
//           the newer: the step one launch takes off its predecessor's rent
//   T_gen = mean years between successive launches
//   delta = s / T_gen
// with each generation's price the median of its days' index, and the launch
// dates (kGpuGenerations) public dates, not from the data: first volume
// shipments as NVIDIA announced them. The least-squares slope of log P on age
// is the check (the same decline read from all points rather than the two
// ends). sigma from the data too: the median over the price type's rows of the
// sellers' interquartile range in log, over 1.349 (a normal's IQR): how far
// one seller's ask stands from the median, which a site's own rent does as
// well. Not from the data, all assumptions with their reasons in
// GpuRentFitOptions: rho, T_c, A and phi.
//
// What it cannot do: a shortage regime (a jump to 2023's $8 an H100-hour),
// contracts (a 1-year lease's price is a forward of this spot), steps at
// launch dates (the decline is smooth, s spread over T_gen), a floor at the
// power cost of running the GPU, and any correlation with BTC.
//
// Thread safety: pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_PLAN_GPU_RENT_MODEL_H_
#define MULLET_PLAN_GPU_RENT_MODEL_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "plan/random.h"

namespace mullet {

struct GpuRentParams {
  double start_usd_per_gpu_hour = 2.0;  // P_0; > 0
  double annual_decline = 0.3;          // delta, log a year; finite (negative: rising)
  double cycle_amplitude = 0.15;        // A, log; >= 0
  double cycle_period_years = 4.5;      // T_c; > 0
  double cycle_phase = 0;               // phi, radians at day 0; finite
  double noise_stdev = 0.1;             // sigma, log; >= 0
  double noise_persistence = 0.992;     // rho, per day; in [0, 1)
};

// InvalidArgument naming the field if a parameter is out of its range or not finite.
Status ValidateGpuRentParams(const GpuRentParams& params);

// The daily rents P_0 = start, P_1 .. P_days (days + 1 values), USD per
// GPU-hour. REQUIRES: ValidateGpuRentParams ok, 0 <= days < 2^31.
std::vector<double> SimulateGpuRent(const GpuRentParams& params, std::int64_t days,
                                    const RandomStream& stream);

// The curve without the wander: log P_0 - delta tau + the cycle, exponentiated.
double GpuRentCurve(const GpuRentParams& params, std::int64_t day);

// A data-centre GPU generation and when it became available: assumptions
// from public announcements, not from the data.
struct GpuGeneration {
  const char* gpu_model;  // as the CCIR file names it
  Date available;
};

// A100 (2020-05-14, launched "in full production"), H100 (2022-10-01, partners
// shipping from October 2022), H200 (2024-05-15, shipping in the second
// quarter of 2024), B200 (2025-01-15, volume shipments from early 2025); in
// launch order.
std::span<const GpuGeneration> DatacenterGpuGenerations();

// One row of a rental index: a model's median ask on a day, and its
// sellers' interquartile range.
struct GpuRentQuote {
  Date date;
  std::string gpu_model;
  std::string price_type;
  double usd_per_gpu_hour = 0;
  double p25_usd_per_gpu_hour = 0;
  double p75_usd_per_gpu_hour = 0;
};

struct GpuRentFitOptions {
  // The quotes used: on-demand asks (firm capacity, what a hosting site
  // sells), and the generation the parameters start from.
  std::string price_type = "seller_ask_noninterruptible";
  std::string generation = "H100_SXM";
  // Assumptions, not in the data. The cycle: the shortage's peak (early
  // 2023, H100s at $8 an hour) to the glut's trough (October 2025: $1.70,
  // SemiAnalysis via serve-and-plan-notes.md §4 (iv)) is about 2.5 years, so
  // a period near 4.5 years; the trough is phase -pi/2. Amplitude 0.15 in
  // log: +16 % to -14 % about the trend (the notes' H100 rose 10 % in a
  // month from December 2025, and 38 % from October 2025 to a 1-year contract's
  // March 2026 price, which mixes contract and spot).
  double cycle_amplitude = 0.15;
  double cycle_period_years = 4.5;
  Date cycle_trough{std::chrono::year(2025) / 10 / 1};
  // rho: the wander's half-life, days (90: prices are re-set as quarterly
  // contracts roll).
  double noise_half_life_days = 90;
};

struct GpuGenerationFit {
  std::string gpu_model;
  double age_years = 0;         // at as_of
  double usd_per_gpu_hour = 0;  // the median of its days' index
};

struct GpuRentFit {
  GpuRentParams params;                       // day 0 = as_of
  Date as_of;                                 // the quotes' last date
  std::vector<GpuGenerationFit> generations;  // in launch order, those quoted
  double generation_step = 0;                 // s, log
  double generation_interval_years = 0;       // T_gen
  double age_slope = 0;                       // least squares d log P / d age, a year (the check)
};

// Fits the model to a cross-section. InvalidArgument naming the field:
// options out of range, a quote not positive and finite (p25 <= index <=
// p75 is not required), fewer than two generations of `generations` quoted
// at price_type, or options.generation not among them.
Result<GpuRentFit> FitGpuRentModel(std::span<const GpuRentQuote> quotes,
                                   std::span<const GpuGeneration> generations,
                                   const GpuRentFitOptions& options = {});

}  // namespace mullet

#endif  // MULLET_PLAN_GPU_RENT_MODEL_H_
