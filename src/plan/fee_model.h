// The planner's transaction fees: what miners are paid in fees each day, in
// BTC, as a parametric model fitted to history (btc_fees_daily.csv).
//
// What history shows (2012-2025, 4,415 days with a one-year gap; README.md
// has the figures): log fees wander far (stdev 1.05: from 12 BTC a day in
// 2014 to 236 in 2017 and 6 in early 2025) and slowly (autocorrelation 0.80
// at 30 days, 0.60 at 90, 0.39 at 180: a half-life near five months), on top
// of day-to-day bursts that fade within days (0.96 at 1 day but 0.92 at 7:
// congestion, inscription waves, the halving day's 1,496 BTC) and have fat
// tails (the daily change's excess kurtosis is 12). One AR(1) cannot hold
// both: fitted to the 1-day autocorrelation (0.96) it forgets by 30 days
// (0.96^30 = 0.28). So log fees are the sum of two AR(1)s:
//
//   y_t = log F_t = mu + s_t + f_t                      F in BTC per day
//   s_{t+1} = phi_s s_t + sigma_s sqrt(1 - phi_s^2) z_t      the slow level (normal)
//   f_{t+1} = phi_f f_t + sigma_f sqrt(1 - phi_f^2) e_t      the bursts (Student-t)
//
// z_t standard normal, e_t Student-t with nu degrees of freedom scaled to
// unit variance (nu > 2), so sigma_s and sigma_f are the components'
// stationary stdevs and acf_y(k) = w phi_s^k + (1 - w) phi_f^k, w =
// sigma_s^2 / (sigma_s^2 + sigma_f^2).
//
// Draws by index: z_t = NormalAt(t); e_t = StudentTFromUniforms(UniformAt(2t),
// UniformAt(2t + 1)) (random.h). A path depends on (params, start, seed,
// path, stream) only.
//
// The start: s_0 = log(start) - mu, f_0 = 0 (today's level is taken as the
// slow level; a burst on the day handed in would be read as a level).
//
// The fit (FitFeeModel), on daily fees with gaps (a missing day is missing,
// never filled): mu and the variance V of y are the sample's; acf(k) is the
// mean of (y_t - mu)(y_{t+k} - mu) over the pairs present k days apart,
// over V. The slow part from the long lags, where the bursts are gone:
// least squares of log acf(k) = log w + k log phi_s over k in [min_slow_lag,
// max_slow_lag]; then phi_f = (acf(1) - w phi_s) / (1 - w) (clamped to
// [0, 0.99]); sigma_s^2 = w V, sigma_f^2 = (1 - w) V. nu from the daily
// change's excess kurtosis k_d over consecutive pairs: the change of the
// fast part is a linear filter of e with weights a_0 = 1, a_j = (phi_f - 1)
// phi_f^(j-1), whose excess kurtosis is k_e sum a^4 / (sum a^2)^2 (sum a^2
// = 2 / (1 + phi_f), sum a^4 = 1 + (1 - phi_f)^4 / (1 - phi_f^4)); the slow
// part's change is normal, so k_d = k_fast v_f^2 / (v_s + v_f)^2 with v_x =
// 2 sigma_x^2 (1 - phi_x) the changes' variances; and a Student-t has k_e =
// 6 / (nu - 4). nu is clamped to [min_tail_dof, max_tail_dof]: at nu <= 4
// the kurtosis is infinite and no sample's estimate pins it.
//
// Not in the model: a trend (fees in BTC show none over 2012-2025: 2025's
// level is 2012's), the halvings (fees do not halve; the subsidy does),
// weekdays, and BTC's price: the correlation of the daily change of log fees
// with BTC's daily log return is 0.056 on history (0.3 % of the variance;
// 0.17 over 30-day changes, two standard errors from 0), so the two are
// drawn independently.
//
// Thread safety: pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_PLAN_FEE_MODEL_H_
#define MULLET_PLAN_FEE_MODEL_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"
#include "plan/random.h"

namespace mullet {

struct FeeModelParams {
  double mean_log_fees = 3.5;       // mu: the mean of log(fees in BTC a day)
  double slow_persistence = 0.995;  // phi_s, per day; in [0, 1)
  double slow_stdev = 1.0;          // sigma_s: the slow level's stationary stdev, log; >= 0
  double fast_persistence = 0.5;    // phi_f, per day; in [0, 1)
  double fast_stdev = 0.3;          // sigma_f: the bursts' stationary stdev, log; >= 0
  double tail_dof = 5;              // nu of the bursts' innovations; > 2
};

// InvalidArgument naming the field if a parameter is out of its range or not finite.
Status ValidateFeeParams(const FeeModelParams& params);

// The daily fees F_0 = start, F_1 .. F_days (days + 1 values), BTC a day.
// REQUIRES: ValidateFeeParams ok, start > 0 and finite, 0 <= days < 2^31.
std::vector<Btc> SimulateFees(const FeeModelParams& params, Btc start, std::int64_t days,
                              const RandomStream& stream);

// One day of history: `day` numbers days (any origin, e.g. days since
// 1970-01-01); consecutive days differ by 1.
struct FeeObservation {
  std::int64_t day = 0;
  Btc fees{0};
};

// The statistics the model is fitted to and checked against, of history or
// of a simulation alike (calibration.h's conventions, with gaps: a lag's
// pairs are the days present at both ends).
struct FeeStats {
  std::int64_t days = 0;
  double mean_log = 0;       // of y = log F
  double stdev_log = 0;      // population
  double mean_fees = 0;      // of F, BTC a day
  std::vector<double> acf;   // acf[k - 1]: of y at lag k, as in the header comment
  std::int64_t changes = 0;  // consecutive pairs
  double change_stdev = 0;   // of y_{t+1} - y_t
  double change_excess_kurtosis = 0;
  // The share of changes more than 3 of their stdevs from their mean (a
  // normal's: 0.27 %): the tails, robust where the kurtosis is not.
  double change_share_beyond_3_stdev = 0;
};

// The statistics of `fees` at lags 1 .. max_lag. InvalidArgument naming the
// field: days not strictly increasing, a fee not positive and finite,
// max_lag < 1, fewer than two consecutive pairs, y constant, or a lag
// without a pair.
Result<FeeStats> FeeStatsOf(std::span<const FeeObservation> fees, int max_lag);

struct FeeFitOptions {
  int min_slow_lag = 30;  // the lags where the bursts have faded; 2 <= min < max
  int max_slow_lag = 180;
  double min_tail_dof = 4.1;  // the clamp on nu; 2 < min <= max
  double max_tail_dof = 100;
};

struct FeeFit {
  FeeModelParams params;
  FeeStats history;            // the sample's statistics, lags 1 .. max_slow_lag
  double slow_weight = 0;      // w
  double fitted_tail_dof = 0;  // nu before the clamp (infinite: no excess kurtosis)
};

// Fits the model to daily history (in time order, gaps allowed).
// InvalidArgument naming the field: options out of range, FeeStatsOf's
// errors, or an acf at the slow lags not positive (no persistence to fit).
Result<FeeFit> FitFeeModel(std::span<const FeeObservation> fees, const FeeFitOptions& options = {});

}  // namespace mullet

#endif  // MULLET_PLAN_FEE_MODEL_H_
