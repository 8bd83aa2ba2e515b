// The fast reader of a `summary` reply: its few fields read straight from the
// bytes, without building the JSON document that ParseReply and ReadSummary
// build (most of a 10,000-miner sweep's own CPU went there: README,
// Performance).
//
// It reads only the shape healthy firmware prints (cgminer api.c, LuxOS,
// bmminer, BOSminer): one strict JSON object, ASCII strings, a STATUS list
// whose first entry says S or I, and a SUMMARY list whose first entry holds
// each field once. Anything else, a reply that needs a repair, an error
// status or a value out of bounds included, it declines (nullopt), and the
// caller takes the full path (ParseReply, CheckStatus, ReadSummary), which
// repairs, reports and words the error. When it does answer, the answer is
// the full path's, field for field (tests/drivers/cgminer/summary_scan_test.cpp,
// fuzz/summary_scan_fuzz.cpp).
//
// Internal to src/drivers/cgminer. Pure, never throws, never reads past
// `bytes`. Thread safety: a free function on values.

#ifndef MULLET_DRIVERS_CGMINER_SUMMARY_SCAN_H_
#define MULLET_DRIVERS_CGMINER_SUMMARY_SCAN_H_

#include <optional>
#include <string_view>

#include "drivers/cgminer/reply.h"

namespace mullet::cgminer::internal {

// ReadSummary's reading of `bytes` (one whole reply, the trailing NULs of
// cgminer's framing allowed), when ParseReply needs no repair to read them,
// CheckStatus finds S or I, and ReadSummary succeeds; nullopt when unsure.
std::optional<SummaryReading> ScanSummary(std::string_view bytes);

}  // namespace mullet::cgminer::internal

#endif  // MULLET_DRIVERS_CGMINER_SUMMARY_SCAN_H_
