// "Network state as of a date": the inputs of `mullet econ --at` taken from
// history (difficulty epochs, daily BTC close, trailing fees, blocks per day).

#ifndef MULLET_DATA_NETWORK_STATE_H_
#define MULLET_DATA_NETWORK_STATE_H_

#include <filesystem>
#include <optional>

#include "core/chain/subsidy.h"
#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "data/history.h"

namespace mullet {

struct NetworkState {
  Date date;
  double difficulty = 0;  // of the epoch in force at the end of `date`
  BlockHeight epoch_start_height = 0;
  // Height reached at the end of `date`: the epoch's start height plus the
  // share of the epoch's 2016 blocks elapsed by then (linear in time within
  // the epoch; exact at epoch boundaries).
  BlockHeight height = 0;
  Sats subsidy{0};                        // BlockSubsidy(height)
  UsdPerBtc price{0};                     // BTC close of `date`
  Btc fees_per_block{0};                  // trailing mean over the fee window
  int fee_days = 0;                       // days with fee data in the window
  int fee_window_days = 0;                // the window asked for
  TerahashPerSecond network_hashrate{0};  // daily estimate of `date`, 0 if none
  // Set when `date` is past the end of the history: the last day with real
  // data in every series. Past it, the rule of docs/market.md (as the
  // backtest's market): the last difficulty holds, a block every 600 s after
  // the last epoch (the subsidy follows that height), fees per block over the
  // last window with data, the last BTC close.
  std::optional<Date> history_ends;
};

class NetworkHistory {
 public:
  // Loads difficulty epochs, prices, fees and the network daily series from
  // the standard files in `dir`.
  static Result<NetworkHistory> Load(const std::filesystem::path& dir);

  // The state at the end of UTC day `date`. Fees per block are the sum of
  // fees over the `fee_window_days` days ending on `date` divided by the blocks
  // mined on those same days (days missing from either series are skipped).
  // Past the end of the history the rule of NetworkState::history_ends holds
  // (and that field is set). Fails with OutOfRange, naming the file and its
  // covered range, when `date` is before the difficulty epochs or the price
  // series, in a gap of them, or when no fee day falls in the window. A window of 0 days skips the fees (fees_per_block
  // stays 0): for a caller that brings its own.
  Result<NetworkState> At(Date date, int fee_window_days = 7) const;

  const DifficultyEpochs& epochs() const { return epochs_; }
  const PriceDaily& prices() const { return prices_; }
  const FeesDaily& fees() const { return fees_; }
  const NetworkDaily& network() const { return network_; }

  // The last day with real data in every series (REQUIRES: epochs loaded).
  Date RealUntil() const;

 private:
  std::filesystem::path dir_;
  DifficultyEpochs epochs_;
  PriceDaily prices_;
  FeesDaily fees_;
  NetworkDaily network_;
};

}  // namespace mullet

#endif  // MULLET_DATA_NETWORK_STATE_H_
