// The planner's BTC price without history at hand: a two-regime Markov
// switching model of daily log returns with Student-t innovations, fitted by
// maximum likelihood (Hamilton, Econometrica 57 (1989) 357; the filter below).
// btc_price_model.h's bootstrap is the default where history is handed in;
// this is the fallback whose few parameters a calibration file can carry.
//
// Model, day t = 0, 1, ...: a hidden regime S_t in {0 calm, 1 wild},
//   P(S_0 = 1) = pi_start (the filtered chance of the wild regime on history's
//   last day), P(S_{t+1} = S_t) = p_00 or p_11;
//   x_t = c + sigma_{S_t} z_t,   z_t = clamp(sqrt((nu - 2) / nu) T_t, -k, k)
// T_t Student-t with nu degrees of freedom, so z_t has unit variance (before
// the clamp at k standard deviations). Fat tails come from the t and the
// mixture of two volatilities; volatility clustering from the regimes'
// persistence: |x| is autocorrelated while a regime lasts. The clamp (k = 12
// by default, beyond any day of history: the worst, 2013-04-11's -0.77, is 9
// of the wild regime's stdevs) makes E[exp(x)] finite, which a t's is not,
// so the expected price is defined.
//
// Draws by index: S_t from UniformAt(3t), T_t =
// StudentTFromUniforms(UniformAt(3t + 1), UniformAt(3t + 2), nu); a path
// depends on (params, drift, seed, path, stream) only.
//
// The drift c, as btc_price_model.h's (ReturnDrift): kHistorical, c = mu
// (history's mean); kLogDrift, c = log(1 + g) / 365 (z is symmetric, so the
// expected log return is c); kExpectedReturn (default, g = 0), c =
// (log(1 + g) - log m(365)) / 365 with m(T) = E[exp(sum_{t<T} sigma_{S_t}
// z_t)] exactly by the recursion over the regime: v_0(s) = 1, v_T(s) = M_s
// sum_s' P(s, s') v_{T-1}(s'), m(T) = sum_s pi_start(s) v_T(s), M_s =
// E[exp(sigma_s z)] by numerical integration of the clamped t.
//
// The fit (FitBtcRegimeModel): mu the sample's mean; sigma_0, sigma_1, p_00,
// p_11 and nu maximize the likelihood of the returns less mu by the Hamilton
// filter (xi_{t|t-1} = P' xi_{t-1|t-1}; l_t = sum_s xi_{t|t-1}(s) f_s(r_t);
// xi_{t|t} = xi_{t|t-1} f(r_t) / l_t; xi_{0|-1} the chain's stationary law),
// by Nelder-Mead over (log sigma_0, log sigma_1, logit p_00, logit p_11,
// log(nu - 2)) from a fixed start; the clamp is left out of the likelihood
// (it never binds on history). The regimes are ordered so sigma_0 <= sigma_1.
//
// What it cannot do: jumps apart from the t's tails, leverage (volatility
// that answers falls more than rises), a third regime, and the momentum
// inside history's blocks that the bootstrap keeps.
//
// Thread safety: pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_PLAN_BTC_REGIME_MODEL_H_
#define MULLET_PLAN_BTC_REGIME_MODEL_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/status/result.h"
#include "plan/btc_price_model.h"
#include "plan/random.h"

namespace mullet {

struct BtcRegimeParams {
  double mean_log_return = 0;  // mu: history's mean daily log return (kHistorical's c)
  double calm_stdev = 0.025;   // sigma_0, daily log; > 0
  double wild_stdev = 0.07;    // sigma_1, daily log; >= sigma_0
  double stay_calm = 0.99;     // p_00, per day; in (0, 1)
  double stay_wild = 0.95;     // p_11, per day; in (0, 1)
  double tail_dof = 4;         // nu; > 2
  double clip_stdevs = 12;     // k; > 0
  double wild_at_start = 0.2;  // pi_start, the chance day 0 is wild; in [0, 1]
};

// InvalidArgument naming the field if a parameter is out of its range or not finite.
Status ValidateBtcRegimeParams(const BtcRegimeParams& params);

struct BtcRegimeDrift {
  ReturnDrift drift = ReturnDrift::kExpectedReturn;
  double annual_drift = 0;  // g; > -1; ignored for kHistorical
};

// c of `drift` (the header comment). REQUIRES: ValidateBtcRegimeParams ok,
// annual_drift > -1.
double BtcRegimeDailyShift(const BtcRegimeParams& params, const BtcRegimeDrift& drift = {});

// E[S_days / S_0] with shift c, exactly up to the integration of M_s
// (relative error below 1e-9). REQUIRES: ValidateBtcRegimeParams ok, days >= 0.
double BtcRegimeExpectedGrossReturn(const BtcRegimeParams& params, double daily_shift,
                                    std::int64_t days);

// The simulated daily log returns x_0 .. x_{days-1} with shift c.
// REQUIRES: ValidateBtcRegimeParams ok, 0 <= days < 2^31 / 3.
std::vector<double> SimulateBtcRegimeLogReturns(const BtcRegimeParams& params, double daily_shift,
                                                std::int64_t days, const RandomStream& stream);

struct BtcRegimeFit {
  BtcRegimeParams params;
  double log_likelihood = 0;  // of the returns less mu, at the fit
  int evaluations = 0;        // of the likelihood by Nelder-Mead
};

// Fits the model to daily log returns in time order. InvalidArgument
// naming the field: fewer than 365 returns, a value not finite, or returns
// all equal.
Result<BtcRegimeFit> FitBtcRegimeModel(std::span<const double> log_returns);

}  // namespace mullet

#endif  // MULLET_PLAN_BTC_REGIME_MODEL_H_
