// Number flags taken as text and checked here, so that every bad value gets
// one line naming the flag ("--price-usd: must be > 0, got -5").

#ifndef MULLET_CLI_FLAGS_H_
#define MULLET_CLI_FLAGS_H_

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

// An allowed interval; `*_open` excludes the bound.
struct Range {
  double lo;
  bool lo_open;
  double hi = std::numeric_limits<double>::infinity();
  bool hi_open = true;

  std::string Describe() const;  // "> 0", "in [0, 1)"
  bool Contains(double v) const;
};
inline constexpr Range kPositive{0, true};
inline constexpr Range kNonNegative{0, false};

// "88.1e12" -> 88.1e12; anything not wholly a finite number fails, naming `flag`.
Result<double> ParseNumberFlag(const std::string& flag, const std::string& text);

// Parses an optional flag into `*out` with a range check. Ok when absent or good.
Status TakeNumber(const std::string& flag, const std::optional<std::string>& text, Range r,
                  std::optional<double>* out);

// The values of a flag that may sweep: one number ("60000"), a list
// ("60000,80000,100000") or a range lo:hi:step ("0.03:0.07:0.01", both ends
// included, to a millionth of a step). Each value comes back as text for the
// flag's own parser. InvalidArgument naming `flag` for a malformed range, a
// step that is not > 0, or more than `max_values` values.
Result<std::vector<std::string>> ExpandSweep(const std::string& flag, const std::string& text,
                                             std::size_t max_values = 1000);

// A day or an instant: "2024-02-15" (its midnight, UTC) or "2024-02-15T06:00:00Z".
Result<UtcTime> ParseTimeFlag(const std::string& flag, const std::string& text);

// A span: "1h", "15m", "5min", "24h", "1d", "3600s".
Result<Hours> ParseStepFlag(const std::string& flag, const std::string& text);

// "%g" of a number, for messages.
std::string ShortNumber(double v);

}  // namespace mullet

#endif  // MULLET_CLI_FLAGS_H_
