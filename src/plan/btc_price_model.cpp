#include "plan/btc_price_model.h"

#include <cassert>
#include <cmath>
#include <string>
#include <utility>

namespace mullet {
namespace {

// BTC trades every calendar day: a year of daily returns is 365 of them.
constexpr double kDaysPerYear = 365;

// floor(n * u) for u in (0, 1): an index in [0, n). The min guards the
// rounding of n * u up to n when u is within 2^-53 of 1.
std::size_t IndexOf(double u, std::size_t n) {
  const auto i = static_cast<std::size_t>(static_cast<double>(n) * u);
  return i < n ? i : n - 1;
}

// log m(T) for the unshifted returns (the recursion of the header). Each
// step divides W by its mean and keeps the log, so no horizon overflows.
double LogExpectedGross(const std::vector<double>& returns, double p_new_block, std::int64_t days) {
  const std::size_t n = returns.size();
  std::vector<double> growth(n), w(n, 1.0), next(n);
  for (std::size_t j = 0; j < n; ++j) growth[j] = std::exp(returns[j]);
  double log_scale = 0;
  double mean = 1;  // of w
  for (std::int64_t t = 0; t < days; ++t) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      next[j] = growth[j] * ((1 - p_new_block) * w[(j + 1) % n] + p_new_block * mean);
      sum += next[j];
    }
    mean = sum / static_cast<double>(n);
    for (std::size_t j = 0; j < n; ++j) w[j] = next[j] / mean;
    log_scale += std::log(mean);
    mean = 1;
  }
  return log_scale;
}

}  // namespace

Result<std::vector<double>> DailyLogReturns(std::span<const UsdPerBtc> closes) {
  if (closes.size() < 2) {
    return Status::InvalidArgument("closes: need at least two daily closes, got " +
                                   std::to_string(closes.size()));
  }
  std::vector<double> returns;
  returns.reserve(closes.size() - 1);
  for (std::size_t i = 0; i < closes.size(); ++i) {
    const double c = closes[i].value();
    if (!(c > 0) || !std::isfinite(c)) {
      return Status::InvalidArgument("closes[" + std::to_string(i) +
                                     "]: a close must be positive and finite");
    }
    if (i > 0) returns.push_back(std::log(c / closes[i - 1].value()));
  }
  return returns;
}

Result<BtcPriceModel> BtcPriceModel::Create(std::vector<double> log_returns,
                                            BtcPriceOptions options) {
  if (log_returns.empty()) return Status::InvalidArgument("log_returns: empty");
  for (std::size_t i = 0; i < log_returns.size(); ++i) {
    if (!std::isfinite(log_returns[i])) {
      return Status::InvalidArgument("log_returns[" + std::to_string(i) + "]: not finite");
    }
  }
  if (!(options.mean_block_days >= 1) || !std::isfinite(options.mean_block_days)) {
    return Status::InvalidArgument("mean_block_days: must be at least 1 day");
  }
  if (!(options.annual_drift > -1) || !std::isfinite(options.annual_drift)) {
    return Status::InvalidArgument("annual_drift: must be above -1 (-100 % a year)");
  }
  double shift = 0;
  const double per_year = std::log1p(options.annual_drift);
  if (options.drift == ReturnDrift::kLogDrift) {
    double sum = 0;
    for (const double r : log_returns) sum += r;
    shift = -sum / static_cast<double>(log_returns.size()) + per_year / kDaysPerYear;
  } else if (options.drift == ReturnDrift::kExpectedReturn) {
    const double log_m = LogExpectedGross(log_returns, 1 / options.mean_block_days,
                                          static_cast<std::int64_t>(kDaysPerYear));
    shift = (per_year - log_m) / kDaysPerYear;
  }
  return BtcPriceModel(std::move(log_returns), options, shift);
}

double BtcPriceModel::ExpectedGrossReturn(std::int64_t days) const {
  assert(days >= 0);
  return std::exp(LogExpectedGross(returns_, 1 / options_.mean_block_days, days) +
                  shift_ * static_cast<double>(days));
}

BootstrapDraw BtcPriceModel::Draw(std::int64_t days, const RandomStream& stream) const {
  assert(days >= 0 && days < (std::int64_t{1} << 31));
  const std::size_t n = returns_.size();
  const double p_new_block = 1.0 / options_.mean_block_days;
  BootstrapDraw draw;
  draw.source.resize(static_cast<std::size_t>(days));
  draw.block_start.resize(static_cast<std::size_t>(days));
  std::size_t j = 0;
  for (std::int64_t t = 0; t < days; ++t) {
    const auto i = static_cast<std::uint64_t>(t);
    const bool start = t == 0 || stream.UniformAt(2 * i) < p_new_block;
    j = start ? IndexOf(stream.UniformAt(2 * i + 1), n) : (j + 1) % n;
    draw.source[static_cast<std::size_t>(t)] = j;
    draw.block_start[static_cast<std::size_t>(t)] = start;
  }
  return draw;
}

std::vector<double> BtcPriceModel::SimulateLogReturns(std::int64_t days,
                                                      const RandomStream& stream) const {
  const BootstrapDraw draw = Draw(days, stream);
  std::vector<double> x;
  x.reserve(draw.source.size());
  for (const std::size_t j : draw.source) x.push_back(returns_[j] + shift_);
  return x;
}

std::vector<UsdPerBtc> BtcPriceModel::SimulatePrices(UsdPerBtc start, std::int64_t days,
                                                     const RandomStream& stream) const {
  assert(start.value() > 0);
  const std::vector<double> x = SimulateLogReturns(days, stream);
  std::vector<UsdPerBtc> prices;
  prices.reserve(x.size() + 1);
  prices.push_back(start);
  // Accumulate in log space: one exp a day, no drift of rounding in a product.
  double log_price = std::log(start.value());
  for (const double r : x) {
    log_price += r;
    prices.push_back(UsdPerBtc(std::exp(log_price)));
  }
  return prices;
}

}  // namespace mullet
