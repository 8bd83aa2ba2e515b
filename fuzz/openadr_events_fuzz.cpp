// libFuzzer entry point for the OpenADR 3 VEN's parser (fuzz/README.md): the
// bytes are a VTN's GET /events reply. ParseOadrEvents must refuse with
// DataError or give limits inside its stated bounds (0 to 10 GW, an end
// after its start, ids printable); the duration and time parsers, fed the
// same bytes, must never throw; nothing may crash.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/openadr.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const mullet::UtcTime now = *mullet::ParseUtcTimestamp("2026-12-02T16:00:00Z");
  mullet::Result<std::vector<mullet::OadrLimit>> limits = mullet::ParseOadrEvents(bytes, "program-9", now);
  if (!limits.ok()) {
    if (limits.status().code() != mullet::StatusCode::kDataError) std::abort();
  } else {
    for (const mullet::OadrLimit& l : *limits) {
      if (!std::isfinite(l.kw) || l.kw < 0 || l.kw > 1e7) std::abort();
      if (l.start && l.end && *l.end < *l.start) std::abort();
      if (l.event_id.empty() || l.event_id.size() > 128) std::abort();
    }
  }
  (void)mullet::ParseIsoDuration(bytes.substr(0, 80));
  (void)mullet::ParseOadrTime(bytes.substr(0, 48));
  return 0;
}
