// The planner's network hashrate: daily log growth that answers hashprice
// with a lag, deflated by the fleet's efficiency gains, bounded by how fast
// ASICs ship and by how fast miners leave, and stalled when mining stops
// paying (serve-and-plan-notes.md §4 (i)).
//
// Why this form: Fantazzini and Kolodin (JRFM 13:263, 2020) find price and
// hashrate cointegrated with causality from price to hashrate at a lag of one
// to six weeks; Prat and Walter (JPE 2021) model free entry, which caps
// revenue per hash; revenue per hash deflated by technical progress
// mean-reverts. So hashrate grows faster the further hashprice (revenue per
// hash) stands above a reference that falls as machines get more efficient.
//
// Model, for simulated day t = 0, 1, ..., with h_t = log H_t (H in TH/s):
//   xbar_t = (1/K) sum_{k=0}^{K-1} log hp_{t-L-k}   (hashprice L days back,
//            averaged over K = hashprice_window_days days: one day's price
//            and luck are noise)
//   z_t    = xbar_t - log hp_ref + e * t / 365      (hp_ref(t) = hp_ref *
//            exp(-e t / 365): the reference falls with efficiency gains e a year)
//   m_t    = a + b * z_t + sigma * eps_t            (eps_t = NormalAt(t))
//   stall: if xbar_t < log hp_be - e * t / 365 (hashprice below the fleet's
//          breakeven, which falls with efficiency alike), m_t = min(m_t, 0)
//   bound: g_t = clamp(m_t, -W * max_exit - S_t, W * max_ship - S_t), with
//          S_t = g_{t-1} + ... + g_{t-W+1} (days before 0 count as 0), so the
//          growth over any W = bound_window_days days stays within
//          [-W * max_exit, W * max_ship]: ASICs ship by the month, and a
//          day's noise is not a shipment.
//   h_{t+1} = h_t + g_t.
// The hashprice before day 0 comes from the caller's series (history), and
// the days before the series' start take its first value. eps is normal: the
// fit estimates one stdev, and growth's one fat tail in history (2021's
// Chinese ban: half the hashrate gone in weeks, whatever hashprice did) is
// not a response to hashprice. hp_be is a parameter: the fit's threshold
// (below), or a fleet's own from core/economics/mining_cost.h's
// BreakevenHashprice(power price, efficiency).
//
// Deterministic: day t's draw is the stream's NormalAt(t), so a path depends
// on (seed, path, stream) and the inputs only.
//
// The fit (FitHashrateModel) on daily history h_i, x_i = log hp_i, i the
// day of the sample (n days; the caller picks the window):
//   y_i     = (h_{i+W} - h_i) / W         forward growth over W days, per day
//   r_i(L)  = (1/W) sum_{k<W} xbar_{i+k}   the driver the model averages over
//             those W days (xbar with lag L, as above)
//   tau_i   = (i + (W-1)/2 - (n-1)) / 365  their mean day, years before the last
//   for each L in [min_lag, max_lag]: least squares y = c + b r(L) + c1 tau
//   (tau left out when e is given: r deflated by e tau instead); the partial
//   correlation of y and r(L) given tau; L is the lag where it is highest.
//   e = c1 / b (the reference's fall a year that makes growth's own trend
//   the response to hashprice); hp_ref = exp(mean of r + e tau) (the sample's
//   mean deflated hashprice), so a = mean(y) is the growth at the reference.
//   sigma: the residuals' stdev, less the estimate's own noise, times
//   sqrt(W) (a W-day mean of i.i.d. daily noise has stdev sigma / sqrt(W)).
//   A day's hashrate estimate is blocks found times difficulty, with Poisson
//   luck (~1 / sqrt(144) = 8 %) the network never had: its stdev s comes
//   from second differences (h_i - (h_{i-1} + h_{i+1}) / 2 has variance
//   1.5 s^2 where the true h is locally straight) and 2 s^2 / W^2 (both
//   ends of y_i) is taken out of the residual variance.
//   max_ship: the ship_percentile of y, max_exit minus its exit_percentile
//   (each at least 0); hp_be = hp_ref exp(-a / b), where the mean entry is zero
//   (0, never stalling, when b <= 0).
// The references (hp_ref, hp_be) are the sample's last day's: day 0 of a
// simulation that starts on it; ShiftedBy moves them.
//
// On history 2016-2025 (README.md has the figures) the response is real but
// weak: b > 0, partial correlation 0.17, and it falls steadily with the lag
// from 0 days on, so the fitted lag is the range's lower edge (7), not a
// measurement of the published one to six weeks.
//
// Thread safety: pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_PLAN_HASHRATE_MODEL_H_
#define MULLET_PLAN_HASHRATE_MODEL_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"
#include "plan/random.h"

namespace mullet {

struct HashrateModelParams {
  int lag_days = 28;                         // L: hashprice leads hashrate by this many days; >= 0
  int hashprice_window_days = 7;             // K: days of hashprice averaged (in log); >= 1
  double growth_at_reference = 0;            // a: mean daily log growth at hp_ref
  double sensitivity = 0;                    // b: daily log growth per unit of log(hp / hp_ref)
  UsdPerTerahashDay reference_hashprice{1};  // hp_ref at day 0; > 0
  UsdPerTerahashDay breakeven_hashprice{0};  // hp_be at day 0; >= 0 (0: never stalls)
  // e: the fleet's efficiency gain, a fraction of log a year (0.2: J/TH falls
  // by exp(-0.2) a year); hp_ref and hp_be fall alike. Default 0.
  double efficiency_gain_per_year = 0;
  double noise_per_day = 0;        // sigma: stdev of the daily noise, log; >= 0
  int bound_window_days = 30;      // W; >= 1
  double max_ship_per_day = 0.01;  // growth over W days <= W * this; >= 0
  double max_exit_per_day = 0.01;  // growth over W days >= -W * this; >= 0
};

// InvalidArgument naming the field if a parameter is out of its range or not finite.
Status ValidateHashrateParams(const HashrateModelParams& params);

// The same model with day 0 moved `days` later (negative: earlier): hp_ref
// and hp_be as the model has them on that day.
HashrateModelParams ShiftedBy(const HashrateModelParams& params, std::int64_t days);

// The daily hashrate H_0 = start, H_1 .. H_days (days + 1 values). Day t of
// the simulation reads hashprice[first_day + t - L - k] (k < K), the index
// clamped to [0, hashprice.size() - 1]: hand in history before first_day and
// the simulated path after. Depends on (params, start, hashprice, first_day,
// stream's seed, path and stream id) only. REQUIRES: ValidateHashrateParams
// ok, start > 0, every hashprice > 0, hashprice not empty, first_day >= 0,
// 0 <= days < 2^31.
std::vector<TerahashPerSecond> SimulateHashrate(const HashrateModelParams& params,
                                                TerahashPerSecond start,
                                                std::span<const UsdPerTerahashDay> hashprice,
                                                std::int64_t first_day, std::int64_t days,
                                                const RandomStream& stream);

// The same model a day at a time, for a caller whose hashprice depends on
// the hashrate it simulates (the planner's paths): Step(xbar_t, eps_t)
// takes day t's window mean of log hashprice (as above: days t - L - k,
// k < K) and its normal draw, and returns H_{t+1}. SimulateHashrate is
// this stepper over a given series. Not for sharing between threads.
class HashrateStepper {
 public:
  // REQUIRES: ValidateHashrateParams ok, start > 0.
  HashrateStepper(const HashrateModelParams& params, TerahashPerSecond start);
  TerahashPerSecond Step(double xbar, double eps);

 private:
  HashrateModelParams params_;
  double log_ref_, log_breakeven_, window_max_, window_min_;
  double h_;
  double window_sum_ = 0;       // S_t: g_{t-1} + ... + g_{t-W+1}
  std::vector<double> recent_;  // the last W growths, a ring by t mod W
  std::int64_t t_ = 0;
};

struct HashrateFitOptions {
  int min_lag_days = 7;  // the lags tried; 0 <= min <= max
  int max_lag_days = 42;
  int growth_window_days = 30;    // W of the fit's forward growth and of the bound
  int hashprice_window_days = 7;  // K, as the model
  // e: fitted (the time trend of y beyond b r, divided by b) when
  // fit_efficiency_gain (default), else efficiency_gain_per_year (finite).
  bool fit_efficiency_gain = true;
  double efficiency_gain_per_year = 0;
  double ship_percentile = 0.99;  // of W-day forward growth, in (0, 1]
  double exit_percentile = 0.01;  // in [0, 1)
};

struct HashrateLagFit {
  int lag_days = 0;
  double correlation = 0;  // of y and r(L)
  double slope = 0;        // b at this lag
};

struct HashrateFit {
  HashrateModelParams params;          // hp_ref and hp_be on the sample's last day
  std::vector<HashrateLagFit> by_lag;  // min_lag .. max_lag
  double correlation = 0;              // at the chosen lag
  double residual_stdev = 0;           // of y, per day (W-day mean growth)
  double growth_stdev = 0;             // of y itself
  double measurement_stdev = 0;        // of a day's log hashrate about its local line
  std::int64_t samples = 0;            // pairs (y_i, r_i) used
};

// Fits the model to daily history (the caller's window: e.g. since 2016,
// when the ASIC market matured). hashrate[i] and hashprice[i] are the same
// day, consecutive days. InvalidArgument naming the field: sizes differ, a
// value not positive and finite, options out of range, or fewer than 365
// pairs (y_i, r_i) for the longest lag.
Result<HashrateFit> FitHashrateModel(std::span<const TerahashPerSecond> hashrate,
                                     std::span<const UsdPerTerahashDay> hashprice,
                                     const HashrateFitOptions& options = {});

}  // namespace mullet

#endif  // MULLET_PLAN_HASHRATE_MODEL_H_
