// The inputs of the market models' fits (plan/), made from history as
// data/history.h's loaders read it. One home for each series, so that
// `mullet calibrate` and the models' tests fit the same numbers.
//
// Thread safety: pure functions of their arguments; safe for concurrent use.

#ifndef MULLET_CALIBRATE_MODEL_INPUTS_H_
#define MULLET_CALIBRATE_MODEL_INPUTS_H_

#include <cstdint>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "data/history.h"
#include "plan/fee_model.h"
#include "plan/gpu_rent_model.h"

namespace mullet {

// Hashrate and hashprice day by day over the days the network, price and fee
// files all reach (btc_network_daily.csv's days up to the fee file's last
// day, where a close exists). Hashprice, USD per TH/s per day, is what
// miners earned that day: (subsidy_btc + fees_btc) * close / hashrate.
// A day without fees (the fee file's gap, 2022-04-30 to 2023-04-29) counts
// them as 0: 1-3 % of miners' revenue in those months.
struct HashpriceHistory {
  std::vector<Date> dates;  // consecutive days
  std::vector<TerahashPerSecond> hashrate;
  std::vector<UsdPerTerahashDay> hashprice;

  // The index of the first day >= d (dates.size() if none).
  std::int64_t IndexOf(Date d) const;
};

// DataError naming the files if no day is common to all three, or if the
// common days are not consecutive (a day missing from the network or price
// file: the hashrate fit needs every day).
Result<HashpriceHistory> HashpriceHistoryOf(const NetworkDaily& network, const PriceDaily& prices,
                                            const FeesDaily& fees);

// Daily log returns of the closes (btc_price_model.h's DailyLogReturns).
Result<std::vector<double>> BtcLogReturnsOf(const PriceDaily& prices);

// Each day's fees, days numbered from 1970-01-01, gaps kept as gaps.
std::vector<FeeObservation> FeeObservationsOf(const FeesDaily& fees);

// The rental index's rows as the GPU rent fit takes them.
std::vector<GpuRentQuote> GpuRentQuotesOf(const std::vector<GpuRentalRow>& rows);

}  // namespace mullet

#endif  // MULLET_CALIBRATE_MODEL_INPUTS_H_
