// The policy's memory as JSON, so that a controller that stops (a crash, an
// upgrade, a planned restart) resumes where it was: timers, strike windows,
// the active demand-response event and its baseline, batch work left. A run
// resumed from a saved memory gives the same allocations as one that never
// stopped (tests/dispatch/memory_json_test.cpp).
//
// Format (version 1), times as "YYYY-MM-DDTHH:MM:SSZ", powers in watts:
//   {"version": 1, "site": "...", "last_tick": t|null, "last_draw_w": x|null,
//    "next_recurring": t|null, "dr_baselines_w": [x|null, ...],
//    "miners": [{"name", "running", "changed", "strike_on", "across_since",
//                "stopped_by_limit"}, ...],
//    "jobs": [{"name", "remaining_gpu_hours", "release", "deadline",
//              "value_usd_per_gpu_hour", "missed"}, ...]}
// Numbers are written with enough digits to read back exactly.

#ifndef MULLET_DISPATCH_MEMORY_JSON_H_
#define MULLET_DISPATCH_MEMORY_JSON_H_

#include <string>
#include <string_view>

#include "core/status/result.h"
#include "dispatch/policy.h"
#include "site/site.h"

namespace mullet {

std::string SaveMemoryJson(const Site& site, const DispatchState& state);

// Reads a memory saved for `site`. Errors (InvalidArgument, DataError) name
// the field: "miners[2].name: saved for group 's19', the site has 's21'".
// The merit order is rebuilt from the site.
Result<DispatchState> LoadMemoryJson(const Site& site, std::string_view json);

}  // namespace mullet

#endif  // MULLET_DISPATCH_MEMORY_JSON_H_
