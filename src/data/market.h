// The market a backtest runs against: power price, hashprice and BTC price on
// one aligned time grid, built from the real history in ../shared/data, from a
// user's own CSV files, or from constants. docs/market.md states the rules for
// users; this header states the contract.
//
// Rules (each is a choice; docs/market.md explains why):
//  * Grid: steps start at from, from + step, ... and cover [from, to) exactly.
//    `step` is a whole number of hours (1 h, 24 h...) or divides the hour
//    (5, 15, 30 min...). `from` is on the hour.
//  * Power price at a step, on the power file's own interval (an hour, or
//    15 minutes for real-time prices kept at 15 minutes): the interval's price
//    (steps of one interval); the mean of the step's intervals (longer steps);
//    the price of the interval holding the step's start (shorter steps, the
//    price repeats). An interval missing inside the file's range takes the
//    last known price (carried forward) and marks its step filled; times
//    before the file's first row or after its last interval are OutOfRange.
//  * Hashprice from history, at each hour start t (no lookahead): difficulty of
//    the epoch in force at t; height interpolated linearly in time within the
//    epoch, subsidy = BlockSubsidy(height); BTC price = close of the UTC day
//    before t's day; fees per block = sum of fees / sum of blocks over the
//    `fee_window_days` days ending the day before t's day. A window without fee
//    data takes the linear interpolation (by day) between the nearest windows
//    with data on each side, or the nearest one where there is only one side;
//    past the last epoch the last difficulty holds and the height advances one
//    block per 600 s. Those hours mark their step filled. Steps longer than an
//    hour take the mean of their hours' values; shorter steps take the value at
//    their start.
//  * A user hashprice (constant or CSV) replaces the computed one. The BTC
//    price is then btc_price_constant if given, else the previous day's close
//    from data_dir if given, else kAssumedBtcPrice; and in every case
//    btc_per_th_day = hashprice / btc_price, so that BTC mined x price is the
//    USD earned.
//
// Thread safety: BuildMarket reads files and touches no shared state; it may run
// on several threads at once.

#ifndef MULLET_DATA_MARKET_H_
#define MULLET_DATA_MARKET_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

// The most steps a market may have: 10 million (1,100 years of hours, 95 of
// 5-minute steps); a longer grid is refused before anything is allocated.
inline constexpr std::int64_t kMaxMarketSteps = 10'000'000;

// The BTC price assumed when a user hashprice comes without any BTC price
// (no btc_price_constant, no data_dir): only BTC accounting depends on it.
inline constexpr UsdPerBtc kAssumedBtcPrice{100'000};

// One market series on a regular grid. Every vector has times.size() entries;
// entry i holds for the step [times[i], times[i] + step).
struct MarketSeries {
  std::vector<UtcTime> times;  // step starts, strictly increasing by `step`
  Hours step{1};
  std::vector<UsdPerMegawattHour> power_price;  // index price at each step
  std::vector<UsdPerTerahashDay> hashprice;     // USD per TH/s per day, pool fee NOT deducted
  std::vector<UsdPerBtc> btc_price;             // for BTC accounting (BTC mined x price)
  // Always hashprice[i] / btc_price[i] (to rounding).
  std::vector<BtcPerTerahashDay> btc_per_th_day;
  std::int64_t power_filled_steps = 0;      // steps with an hour filled by the gap rule
  std::int64_t hashprice_filled_steps = 0;  // steps with an hour filled (fees, epochs)
  std::string power_source;  // "ercot_dam_spp_hourly_2021_2024.csv:hb_west", "constant 35 USD/MWh"
  std::string hashprice_source;  // "history", "constant 0.05 USD/TH/day", "hashprice.csv"
  std::string btc_price_source;  // "btc_price_daily.csv (previous day's close)", "constant ..."
  // Set when the run goes past the end of the Bitcoin history: the last day
  // every series it reads has real data for. Past it the rule of
  // docs/market.md holds (the last difficulty, a block every 600 s, the last
  // fees per block and BTC close); the CLI warns with this date.
  std::optional<Date> history_ends;
  // What the market changed of the window asked for, in words: the hours at
  // either end the power file lacks (less than a day) and where the run then
  // starts or ends. The CLI prints them as warnings.
  std::vector<std::string> notes;

  std::size_t size() const { return times.size(); }
};

struct MarketOptions {
  // The standard data directory (../shared/data). Needed for the power price
  // when power_csv is not given, and for the hashprice from history.
  std::optional<std::filesystem::path> data_dir;
  // Any CSV in the ERCOT schema (timestamp_utc, <point>_usd_per_mwh...).
  // Default: data_dir / ercot_dam_spp_hourly_2021_2024.csv.
  std::optional<std::filesystem::path> power_csv;
  // The price column: "hb_west" or "hb_west_usd_per_mwh". Default "hb_west".
  std::string power_column = "hb_west";
  // A flat power price instead of a series (then from and to are required).
  std::optional<UsdPerMegawattHour> fixed_power_price;
  // The run covers [from, to). Defaults: the power file's first hour, and its
  // last hour + 1 h rounded down to a whole number of steps. An explicit span
  // must be a whole number of steps. `from` must be on the hour.
  std::optional<UtcTime> from, to;
  // A whole number of hours, or a divisor of one hour (5 min, 15 min...). Default 1 h.
  Hours step{1};
  // A flat hashprice, used verbatim (USD per TH/s per day, before pool fees).
  std::optional<UsdPerTerahashDay> hashprice_constant;
  // A hashprice file: `timestamp_utc` or `date`, then `hashprice_usd_per_th_day`
  // or `hashprice_usd_per_ph_day`; rows strictly increasing. Each value holds
  // from its row's time until the next row's; the last one to the end of the
  // run. The run may not start before the first row.
  std::optional<std::filesystem::path> hashprice_csv;
  // BTC price for every step, replacing the historical close everywhere
  // (including in the hashprice from history). USD/BTC, > 0.
  std::optional<UsdPerBtc> btc_price_constant;
  // Days in the trailing fee window (history only). 0 leaves fees out
  // (subsidy only). Default 7.
  int fee_window_days = 7;
};

// Builds the series. Errors (all with a message naming the file and what it covers):
//  * InvalidArgument: to <= from; a bad step; `from` off the hour; a span that is
//    not a whole number of steps; an unknown power column (the message lists
//    the file's columns); conflicting options (fixed_power_price with
//    power_csv, hashprice_constant with hashprice_csv); a hashprice from
//    history without data_dir; a negative or non-finite constant.
//  * OutOfRange: hours before the power file's first row or after its last;
//    a run starting before the hashprice file's first row; days outside the
//    difficulty epochs, the BTC price file or all fee data.
//  * NotFound / IoError / DataError from the files (DataError names
//    file:line: column).
Result<MarketSeries> BuildMarket(const MarketOptions& options);

}  // namespace mullet

#endif  // MULLET_DATA_MARKET_H_
