#include "calibrate/model_inputs.h"

#include <algorithm>
#include <map>
#include <string>

#include "plan/btc_price_model.h"

namespace mullet {

std::int64_t HashpriceHistory::IndexOf(Date d) const {
  return std::lower_bound(dates.begin(), dates.end(), d) - dates.begin();
}

Result<HashpriceHistory> HashpriceHistoryOf(const NetworkDaily& network, const PriceDaily& prices,
                                            const FeesDaily& fees) {
  const std::string files = std::string(data_files::kNetworkDaily) + ", " +
                            data_files::kPriceDaily + ", " + data_files::kFeesDaily;
  if (fees.days.empty())
    return Status::DataError(std::string(data_files::kFeesDaily) + ": no days");
  std::map<Date, double> close, fee;
  for (const PriceDay& d : prices.days) close[d.date] = d.close.value();
  for (const FeeDay& d : fees.days) fee[d.date] = d.fees.value();
  const Date last_fee = fees.days.back().date;
  HashpriceHistory out;
  for (const NetworkDay& d : network.days) {
    if (d.date > last_fee || !close.contains(d.date)) continue;
    if (!out.dates.empty() && (d.date - out.dates.back()).count() != 1) {
      return Status::DataError(
          files + ": " + FormatDate(out.dates.back() + std::chrono::days(1)) +
          " is missing from the days common to all three (the hashrate fit needs every day)");
    }
    const auto f = fee.find(d.date);
    const double btc = d.subsidy.value() + (f != fee.end() ? f->second : 0.0);
    out.dates.push_back(d.date);
    out.hashrate.push_back(d.hashrate);
    out.hashprice.push_back(UsdPerTerahashDay(btc * close[d.date] / d.hashrate.value()));
  }
  if (out.dates.empty()) return Status::DataError(files + ": no day common to all three");
  return out;
}

Result<std::vector<double>> BtcLogReturnsOf(const PriceDaily& prices) {
  std::vector<UsdPerBtc> closes;
  closes.reserve(prices.days.size());
  for (const PriceDay& d : prices.days) closes.push_back(d.close);
  Result<std::vector<double>> r = DailyLogReturns(closes);
  if (!r.ok())
    return Status::DataError(std::string(data_files::kPriceDaily) + ": " + r.status().message());
  return r;
}

std::vector<FeeObservation> FeeObservationsOf(const FeesDaily& fees) {
  std::vector<FeeObservation> out;
  out.reserve(fees.days.size());
  for (const FeeDay& d : fees.days) out.push_back({d.date.time_since_epoch().count(), d.fees});
  return out;
}

std::vector<GpuRentQuote> GpuRentQuotesOf(const std::vector<GpuRentalRow>& rows) {
  std::vector<GpuRentQuote> q;
  q.reserve(rows.size());
  for (const GpuRentalRow& r : rows) {
    q.push_back({r.date, r.gpu_model, r.price_type, r.index_usd_per_gpu_hour,
                 r.p25_usd_per_gpu_hour, r.p75_usd_per_gpu_hour});
  }
  return q;
}

}  // namespace mullet
