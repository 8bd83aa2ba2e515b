// UTC dates and instants, and their text forms at the edges of the program.
// Pure: nothing here reads a clock.

#ifndef MULLET_CORE_TIME_CALENDAR_H_
#define MULLET_CORE_TIME_CALENDAR_H_

#include <chrono>
#include <string>
#include <string_view>

#include "core/status/result.h"

namespace mullet {

using UtcTime = std::chrono::sys_seconds;  // an instant, whole seconds, UTC
using Date = std::chrono::sys_days;        // a UTC calendar day

// "2024-04-20" -> the day; rejects anything else, including impossible dates
// such as 2023-02-29.
Result<Date> ParseDate(std::string_view text);

// "2024-04-20T00:09:27Z" -> the instant. Only this exact ISO 8601 form.
Result<UtcTime> ParseUtcTimestamp(std::string_view text);

std::string FormatDate(Date d);    // "2024-04-20"
std::string FormatUtc(UtcTime t);  // "2024-04-20T00:09:27Z"

// `t` plus a span of any unit (hours as a double included), in whole seconds.
template <typename Rep, typename Period>
UtcTime After(UtcTime t, std::chrono::duration<Rep, Period> span) {
  return t + std::chrono::duration_cast<std::chrono::seconds>(span);
}

int YearOf(UtcTime t);         // the UTC calendar year
double HoursInYear(int year);  // 8760 or 8784

}  // namespace mullet

#endif  // MULLET_CORE_TIME_CALENDAR_H_
