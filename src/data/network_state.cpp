#include "data/network_state.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <string>

#include "core/chain/difficulty.h"

namespace mullet {
namespace {

using std::chrono::days;
using std::chrono::seconds;

// The row of `date` in a daily series sorted by date, or null.
template <typename T>
const T* FindDay(const std::vector<T>& rows, Date date) {
  const auto it = std::lower_bound(rows.begin(), rows.end(), date,
                                   [](const T& row, Date d) { return row.date < d; });
  return it != rows.end() && it->date == date ? &*it : nullptr;
}

template <typename T>
std::string Covers(const std::vector<T>& rows) {
  return "covers " + FormatDate(rows.front().date) + " to " + FormatDate(rows.back().date);
}

// The epoch in force at the end of `date` (the instant the next day starts):
// the last epoch that started at or before it and ends after it.
Result<const DifficultyEpoch*> EpochAt(const DifficultyEpochs& epochs, Date date) {
  const std::string file = data_files::kDifficultyEpochs;
  const std::vector<DifficultyEpoch>& v = epochs.epochs;
  if (v.empty()) return Status::OutOfRange(file + " holds no epochs");
  const UtcTime t(date + days(1));
  const auto after =
      std::upper_bound(v.begin(), v.end(), t,
                       [](UtcTime instant, const DifficultyEpoch& e) { return instant < e.start; });
  if (after != v.begin() && t < std::prev(after)->end) return &*std::prev(after);
  if (after != v.begin() && after != v.end()) {
    return Status::OutOfRange(FormatDate(date) + " falls in a gap of " + file +
                              " (no epochs from " + FormatUtc(std::prev(after)->end) + " to " +
                              FormatUtc(after->start) + ")");
  }
  // The dates whose end falls in [first start, last end).
  const Date first = std::chrono::ceil<days>(v.front().start) - days(1);
  const Date last = std::chrono::floor<days>(v.back().end - days(1) - seconds(1));
  return Status::OutOfRange(FormatDate(date) + " is outside " + file + " (covers " +
                            FormatDate(first) + " to " + FormatDate(last) + ")");
}

// Why no fee day qualified in the window [from, to], for the message.
std::string FeeWindowError(const FeesDaily& fees, const NetworkDaily& network, Date from, Date to,
                           int window) {
  std::string m = std::string("fee data is missing for the ") + std::to_string(window) +
                  (window == 1 ? " day " : " days ") + FormatDate(from) + " to " + FormatDate(to) +
                  " in " + data_files::kFeesDaily;
  bool explained = false;
  for (const Gap& g : fees.gaps) {
    const Date gap_first = std::chrono::floor<days>(g.first);
    const Date gap_last = std::chrono::floor<days>(g.last);
    if (gap_first <= to && gap_last >= from) {
      m += " (the file has no data from " + FormatDate(gap_first) + " to " + FormatDate(gap_last) +
           ")";
      explained = true;
      break;
    }
  }
  if (!explained && !fees.days.empty() &&
      (to < fees.days.front().date || from > fees.days.back().date)) {
    m += " (the file " + Covers(fees.days) + ")";
  } else if (!explained && !network.days.empty()) {
    m += " or in " + std::string(data_files::kNetworkDaily) + " (blocks per day; " +
         Covers(network.days) + ")";
  }
  return m + "; pass --fees-btc-per-block to give the fees per block";
}

}  // namespace

Result<NetworkHistory> NetworkHistory::Load(const std::filesystem::path& dir) {
  NetworkHistory h;
  h.dir_ = dir;
  Result<DifficultyEpochs> epochs = LoadDifficultyEpochs(dir / data_files::kDifficultyEpochs);
  if (!epochs.ok()) return epochs.status();
  h.epochs_ = std::move(epochs).value();
  Result<PriceDaily> prices = LoadPriceDaily(dir / data_files::kPriceDaily);
  if (!prices.ok()) return prices.status();
  h.prices_ = std::move(prices).value();
  Result<FeesDaily> fees = LoadFeesDaily(dir / data_files::kFeesDaily);
  if (!fees.ok()) return fees.status();
  h.fees_ = std::move(fees).value();
  Result<NetworkDaily> network = LoadNetworkDaily(dir / data_files::kNetworkDaily);
  if (!network.ok()) return network.status();
  h.network_ = std::move(network).value();
  return h;
}

Date NetworkHistory::RealUntil() const {
  Date until = std::chrono::floor<days>(epochs_.epochs.back().end - seconds(1));
  if (!prices_.days.empty()) until = std::min(until, prices_.days.back().date);
  if (!fees_.days.empty()) until = std::min(until, fees_.days.back().date);
  if (!network_.days.empty()) until = std::min(until, network_.days.back().date);
  return until;
}

Result<NetworkState> NetworkHistory::At(Date date, int fee_window_days) const {
  if (fee_window_days < 0) {
    return Status::InvalidArgument("the fee window must be at least 0 days, got " +
                                   std::to_string(fee_window_days));
  }
  NetworkState s;
  s.date = date;
  // Past the end of the history (docs/market.md), one rule with the
  // backtest's market: the last epoch's difficulty, a block every 600 s after
  // it, the last close, fees over the last window with data.
  const Date real_until = RealUntil();
  const bool past = !epochs_.epochs.empty() && UtcTime(date + days(1)) > epochs_.epochs.back().end;
  if (past) {
    const DifficultyEpoch& last = epochs_.epochs.back();
    s.history_ends = real_until;
    s.difficulty = last.difficulty;
    s.epoch_start_height = last.start_height;
    s.height = last.start_height + kBlocksPerEpoch +
               (UtcTime(date + days(1)) - last.end) / std::chrono::duration_cast<seconds>(kTargetBlockInterval);
  } else {
    Result<const DifficultyEpoch*> found = EpochAt(epochs_, date);
    if (!found.ok()) return found.status();
    const DifficultyEpoch& epoch = **found;
    s.difficulty = epoch.difficulty;
    s.epoch_start_height = epoch.start_height;
    // Linear in time within the epoch: elapsed < duration, so this stays below
    // the next epoch's start height.
    const std::int64_t elapsed = (UtcTime(date + days(1)) - epoch.start).count();
    const std::int64_t duration = (epoch.end - epoch.start).count();
    s.height = epoch.start_height + kBlocksPerEpoch * elapsed / duration;
  }
  s.subsidy = BlockSubsidy(s.height);

  const Date price_day = past && !prices_.days.empty() ? std::min(date, prices_.days.back().date) : date;
  const PriceDay* price = FindDay(prices_.days, price_day);
  if (price == nullptr) {
    const std::string where = prices_.days.empty() ? "holds no prices" : Covers(prices_.days);
    return Status::OutOfRange("no BTC close for " + FormatDate(date) + " in " +
                              data_files::kPriceDaily + " (" + where + ")");
  }
  s.price = price->close;

  const NetworkDay* today = FindDay(network_.days, date);
  s.network_hashrate = today != nullptr ? today->hashrate : TerahashPerSecond(0);
  if (fee_window_days == 0) return s;  // the caller brings its own fees

  // Past the fee data, the last window that holds any: the one ending
  // window - 1 days after the last day in both files (the backtest's market
  // holds that same value, data/market.cpp FeesPerBlock).
  Date fee_end = date;
  if (past && !fees_.days.empty() && !network_.days.empty()) {
    const Date last_both = std::min(fees_.days.back().date, network_.days.back().date);
    fee_end = std::min(date, last_both + days(fee_window_days - 1));
  }
  const Date from = fee_end - days(fee_window_days - 1);
  Btc fees{0};
  std::int64_t blocks = 0;
  for (Date d = from; d <= fee_end; d += days(1)) {
    const FeeDay* fee = FindDay(fees_.days, d);
    const NetworkDay* net = FindDay(network_.days, d);
    if (fee == nullptr || net == nullptr) continue;
    fees += fee->fees;
    blocks += net->block_count;
    ++s.fee_days;
  }
  if (s.fee_days == 0 || blocks == 0) {
    return Status::OutOfRange(FeeWindowError(fees_, network_, from, fee_end, fee_window_days));
  }
  s.fees_per_block = fees / static_cast<double>(blocks);
  s.fee_window_days = fee_window_days;
  return s;
}

}  // namespace mullet
