#include "core/time/calendar.h"

#include <cstdio>

namespace mullet {
namespace {

// Reads exactly `width` decimal digits at `pos`; false otherwise.
bool ReadDigits(std::string_view s, size_t pos, size_t width, int* out) {
  if (pos + width > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ParseDatePart(std::string_view s, std::chrono::year_month_day* ymd) {
  int y, m, d;
  if (!ReadDigits(s, 0, 4, &y) || s[4] != '-' || !ReadDigits(s, 5, 2, &m) || s[7] != '-' ||
      !ReadDigits(s, 8, 2, &d)) {
    return false;
  }
  *ymd = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} /
         std::chrono::day{static_cast<unsigned>(d)};
  return ymd->ok();
}

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  std::chrono::year_month_day ymd;
  if (text.size() != 10 || !ParseDatePart(text, &ymd)) {
    return Status::InvalidArgument("expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
  }
  return Date(ymd);
}

Result<UtcTime> ParseUtcTimestamp(std::string_view text) {
  std::chrono::year_month_day ymd;
  int hh, mm, ss;
  if (text.size() != 20 || !ParseDatePart(text, &ymd) || text[10] != 'T' ||
      !ReadDigits(text, 11, 2, &hh) || text[13] != ':' || !ReadDigits(text, 14, 2, &mm) ||
      text[16] != ':' || !ReadDigits(text, 17, 2, &ss) || text[19] != 'Z' || hh > 23 || mm > 59 ||
      ss > 59) {
    return Status::InvalidArgument("expected a UTC time YYYY-MM-DDTHH:MM:SSZ, got '" +
                                   std::string(text) + "'");
  }
  return UtcTime(Date(ymd)) + std::chrono::hours(hh) + std::chrono::minutes(mm) +
         std::chrono::seconds(ss);
}

std::string FormatDate(Date d) {
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string FormatUtc(UtcTime t) {
  const Date day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::hh_mm_ss hms(t - day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return FormatDate(day) + buf;
}

int YearOf(UtcTime t) {
  return static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t)).year());
}

double HoursInYear(int year) {
  using std::chrono::January;
  const auto start = std::chrono::sys_days(std::chrono::year(year) / January / 1);
  const auto end = std::chrono::sys_days(std::chrono::year(year + 1) / January / 1);
  return std::chrono::duration<double, std::ratio<3600>>(end - start).count();
}

}  // namespace mullet
