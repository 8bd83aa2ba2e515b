// libFuzzer entry point for the ERCOT price feed's parser (fuzz/README.md):
// the bytes are one page of the Public Data API's NP6-905-CD reply.
// ParseErcotSppPage must refuse with DataError or give prices inside its
// bounds (finite, |price| at most 100,000 USD/MWh) at instants on the
// 15-minute grid, and a page count that is not negative.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/ercot_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mullet::Result<mullet::ErcotPage> page = mullet::ParseErcotSppPage(bytes, "HB_WEST");
  if (!page.ok()) {
    if (page.status().code() != mullet::StatusCode::kDataError) std::abort();
    return 0;
  }
  if (page->total_pages < 0) std::abort();
  for (const auto& [t, price] : page->prices) {
    if (!std::isfinite(price) || std::abs(price) > 100'000) std::abort();
    if (t.time_since_epoch().count() % 900 != 0) std::abort();
  }
  return 0;
}
