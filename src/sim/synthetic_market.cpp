#include "sim/synthetic_market.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <vector>

#include "sim/default_market_params.h"

namespace mullet {
namespace {

namespace p = default_market;
using std::chrono::days;
using std::chrono::hours;

// Uniform and normal draws from std::mt19937_64, written out so that a seed
// gives the same numbers with any standard library (the std:: distributions
// are implementation-defined).
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : engine_(seed) {}

  // In (0, 1): the top 53 bits, centred in their interval, so log() is finite.
  double Uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }

  // Standard normal, Box-Muller; the second value of each pair is kept.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(Uniform()));
    const double angle = 2.0 * std::numbers::pi * Uniform();
    spare_ = r * std::sin(angle);
    has_spare_ = true;
    return r * std::cos(angle);
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// Independent streams for power and hashprice: changing one model does not
// move the other's draws.
constexpr std::uint64_t kHashpriceStream = 0x9E3779B97F4A7C15ULL;

int SeasonOf(unsigned month) { return static_cast<int>(month % 12) / 3; }

// A spike's price: two-piece Pareto (see default_market_params.h).
double SpikePrice(Draws& d) {
  if (d.Uniform() < p::kBigSpikeShare) {
    const double x = p::kBigSpikeThreshold * std::pow(d.Uniform(), -1.0 / p::kBigSpikeAlpha);
    return std::min(x, p::kOfferCap);
  }
  // Inverse CDF of the Pareto truncated to [threshold, big threshold].
  const double tail = std::pow(p::kSpikeThreshold / p::kBigSpikeThreshold, p::kSpikeAlpha);
  return p::kSpikeThreshold * std::pow(1.0 - d.Uniform() * (1.0 - tail), -1.0 / p::kSpikeAlpha);
}

std::vector<double> PowerPrices(std::uint64_t seed, std::size_t n) {
  Draws d(seed);
  std::vector<double> out;
  out.reserve(n);
  const double stationary_sd =
      p::kLogDeviationSigma / std::sqrt(1.0 - p::kLogDeviationPhi * p::kLogDeviationPhi);
  double x = stationary_sd * d.Normal();
  Date day{};
  bool spike_day = false, negative_day = false;
  for (std::size_t i = 0; i < n; ++i) {
    // ERCOT's operating day and hour, in Central Standard Time.
    const UtcTime market = kDefaultMarketFrom + hours(i) - hours(6);
    const Date market_day = std::chrono::floor<days>(market);
    const unsigned month = static_cast<unsigned>(std::chrono::year_month_day(market_day).month());
    const int season = SeasonOf(month);
    const auto hour = static_cast<std::size_t>((market - market_day) / hours(1));
    if (i == 0 || market_day != day) {
      day = market_day;
      spike_day = d.Uniform() < p::kSpikeDayShare[season];
      negative_day = d.Uniform() < p::kNegativeDayShare[season];
    }
    if (i > 0) x = p::kLogDeviationPhi * x + p::kLogDeviationSigma * d.Normal();
    const double u_spike = d.Uniform();
    const double u_negative = d.Uniform();
    const double spike_share = p::kSpikeShare[season][hour];
    const double negative_share = p::kNegativeShare[season][hour];
    double price;
    if (spike_day && u_spike < spike_share / p::kSpikeDayShare[season]) {
      price = SpikePrice(d);
    } else if (negative_day &&
               u_negative < negative_share / (p::kNegativeDayShare[season] * (1.0 - spike_share))) {
      // Divided by (1 - spike share): a negative hour is drawn only when no spike is.
      price = p::kNegativeMeanMagnitude * std::log(d.Uniform());  // minus an exponential
    } else {
      // A base hour stays at or below the spike threshold, as in the data: the
      // spike process alone makes the hours above it.
      price = std::min(std::exp(p::kMonthMeanLogPrice[month - 1] + p::kHourShape[season][hour] + x),
                       p::kSpikeThreshold);
    }
    out.push_back(price);
  }
  return out;
}

struct DailyBitcoin {
  std::vector<double> btc_price;       // USD/BTC
  std::vector<double> btc_per_th_day;  // BTC/TH/day
};

DailyBitcoin Bitcoin(std::uint64_t seed, std::size_t n_days) {
  Draws d(seed + kHashpriceStream);
  const Date halving{std::chrono::year{p::kHalvingYear} / p::kHalvingMonth / p::kHalvingDay};
  const double independent = std::sqrt(1.0 - p::kLogReturnCorrelation * p::kLogReturnCorrelation);
  // Log changes since the start, so that day 0 is the calibrated start exactly.
  double log_price = 0;
  double log_btc = 0;
  DailyBitcoin out;
  for (std::size_t k = 0; k < n_days; ++k) {
    const Date day = std::chrono::floor<days>(kDefaultMarketFrom) + days(k);
    if (k > 0) {
      const double z_price = d.Normal();
      const double z_btc = p::kLogReturnCorrelation * z_price + independent * d.Normal();
      log_price += p::kBtcPriceDailyLogDrift + p::kBtcPriceDailyLogVol * z_price;
      log_btc += p::kBtcPerThDayDailyLogDrift + p::kBtcPerThDayDailyLogVol * z_btc;
    }
    if (day == halving) log_btc += std::log(p::kHalvingDrop);
    out.btc_price.push_back(p::kStartBtcPrice * std::exp(log_price));
    out.btc_per_th_day.push_back(p::kStartBtcPerThDay * std::exp(log_btc));
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

MarketSeries DefaultMarket(std::uint64_t seed) {
  const auto n = static_cast<std::size_t>((kDefaultMarketTo - kDefaultMarketFrom) / hours(1));
  const std::vector<double> power = PowerPrices(seed, n);
  const DailyBitcoin bitcoin = Bitcoin(seed, n / 24);
  MarketSeries m;
  m.step = Hours(1);
  m.times.reserve(n);
  m.power_price.reserve(n);
  m.hashprice.reserve(n);
  m.btc_price.reserve(n);
  m.btc_per_th_day.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    m.times.push_back(kDefaultMarketFrom + hours(i));
    m.power_price.push_back(UsdPerMegawattHour(power[i]));
    const UsdPerBtc price(bitcoin.btc_price[i / 24]);
    const BtcPerTerahashDay btc(bitcoin.btc_per_th_day[i / 24]);
    m.btc_price.push_back(price);
    m.btc_per_th_day.push_back(btc);
    m.hashprice.push_back(HashpriceOf(btc, price));
  }
  const std::string seed_text = " (seed " + std::to_string(seed) + ")";
  m.power_source = "synthetic HB_WEST day-ahead, 2023-2024 calibration" + seed_text;
  m.hashprice_source = "synthetic, 2024 calibration" + seed_text;
  m.btc_price_source = "synthetic, 2024 calibration" + seed_text;
  return m;
}

std::string DefaultMarketDescription() {
  return "Built-in default market: one synthetic year of hours, 2024-01-01T00:00Z to "
         "2025-01-01T00:00Z, no data directory needed. Power is an ERCOT HB_WEST day-ahead-like "
         "price calibrated on the 2023-2024 operating days (mean " +
         Fixed(p::kDataMeanPrice, 2) + " USD/MWh in the data, " + Fixed(p::kModelMeanPrice, 2) +
         " expected from the model): monthly level, hour-of-day shape by season, AR(1) deviation "
         "(phi " +
         Fixed(p::kLogDeviationPhi, 3) + " per hour), about " +
         Fixed(p::kDataSpikeHoursPerYear, 0) + " hours a year above " +
         Fixed(p::kSpikeThreshold, 0) + " USD/MWh (" + Fixed(p::kDataBigSpikeHoursPerYear, 0) +
         " above " + Fixed(p::kBigSpikeThreshold, 0) + ", capped at " + Fixed(p::kOfferCap, 0) +
         ") and " + Fixed(100 * p::kDataNegativeShare, 1) +
         " % of hours below zero. Hashprice starts at " + Fixed(p::kStartHashprice, 4) +
         " USD/TH/day (BTC " + Fixed(p::kStartBtcPrice, 0) +
         " USD) as on 2024-01-01; BTC price and BTC/TH/day move as daily log random walks fitted "
         "to 2024 (hashprice drift " +
         Fixed(100 * p::kHashpriceDailyLogDrift, 3) + " %/day, volatility " +
         Fixed(100 * p::kHashpriceDailyLogVol, 2) + " %/day), and the halving on " +
         FormatDate(Date{std::chrono::year{p::kHalvingYear} / p::kHalvingMonth / p::kHalvingDay}) +
         " multiplies BTC/TH/day by " + Fixed(p::kHalvingDrop, 3) +
         ". Parameters: src/sim/default_market_params.h, derived from ../shared/data by "
         "scripts/derive_default_market.py.";
}

}  // namespace mullet
