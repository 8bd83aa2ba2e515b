// The built-in default market: one synthetic year, so that a backtest runs
// without any data directory (product.md §6). Its parameters are derived from
// the real data by scripts/derive_default_market.py and committed in
// src/sim/default_market_params.h; docs/market.md describes the model.
//
// Power: hourly, an ERCOT HB_WEST day-ahead-like price calibrated on the
// 2023-2024 operating days: log price = month level + hour-of-day shape by
// season + an AR(1) deviation; spike hours (above 200 USD/MWh, sizes from a
// two-piece Pareto capped at ERCOT's 5000 USD/MWh offer cap) and negative hours
// with the shares observed per season and hour, clustered in "event days".
// Hashprice: daily, BTC price and BTC/TH/day as correlated log random walks
// fitted to 2024, starting from 2024-01-01's hashprice, with the halving's
// subsidy cut applied on 2024-04-20; values hold for the whole UTC day.
//
// Deterministic: std::mt19937_64 and a Box-Muller normal written here, so a
// seed gives the same series with any standard library (up to the last bit of
// libm's exp/log/sin/cos). Thread safety: pure functions.

#ifndef MULLET_SIM_SYNTHETIC_MARKET_H_
#define MULLET_SIM_SYNTHETIC_MARKET_H_

#include <cstdint>
#include <string>

#include "core/time/calendar.h"
#include "data/market.h"

namespace mullet {

// The synthetic year: [kDefaultMarketFrom, kDefaultMarketTo), hourly.
inline constexpr UtcTime kDefaultMarketFrom{
    std::chrono::sys_days{std::chrono::year{2024} / std::chrono::January / 1}};
inline constexpr UtcTime kDefaultMarketTo{
    std::chrono::sys_days{std::chrono::year{2025} / std::chrono::January / 1}};

// 8784 hourly steps from 2024-01-01T00:00Z; no filled steps. The same seed
// always gives the same series; different seeds give different ones.
MarketSeries DefaultMarket(std::uint64_t seed = 1);

// A paragraph for reports: what the default market is and where its numbers
// come from.
std::string DefaultMarketDescription();

}  // namespace mullet

#endif  // MULLET_SIM_SYNTHETIC_MARKET_H_
