// libFuzzer entry point for the price feed's parser (fuzz/README.md): the
// bytes are the body of an HTTP reply to `mullet serve --price-url`, read as
// the data loaders read a price CSV (ParseHourlyPrices, one point). It must
// refuse with DataError (or InvalidArgument: no such column) or give one
// column of finite prices, one per row, at strictly increasing instants on
// the file's grid (an interval of whole minutes that divides the hour).

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "data/history.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  mullet::Result<mullet::HourlyPrices> got = mullet::ParseHourlyPrices("fuzz.csv", std::move(text), "hb_west");
  if (!got.ok()) {
    const mullet::StatusCode code = got.status().code();
    if (code != mullet::StatusCode::kDataError && code != mullet::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  const mullet::HourlyPrices& p = *got;
  using std::chrono::seconds;
  if (p.points.size() != 1 || p.prices.size() != 1 || p.prices[0].size() != p.hours.size()) std::abort();
  if (p.interval <= seconds(0) || std::chrono::hours(1) % p.interval != seconds(0)) std::abort();
  for (std::size_t i = 0; i < p.hours.size(); ++i) {
    if (!std::isfinite(p.prices[0][i].value())) std::abort();
    if (p.hours[i].time_since_epoch() % p.interval != seconds(0)) std::abort();
    if (i > 0 && p.hours[i] <= p.hours[i - 1]) std::abort();
  }
  return 0;
}
