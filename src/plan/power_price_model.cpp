#include "plan/power_price_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <set>
#include <string>
#include <utility>

namespace mullet {
namespace {

using std::chrono::days;
using std::chrono::hours;

constexpr int kLeapYearDays = 366;

// floor(n * u) for u in (0, 1), guarded against rounding up to n.
std::size_t IndexOf(double u, std::size_t n) {
  const auto i = static_cast<std::size_t>(static_cast<double>(n) * u);
  return i < n ? i : n - 1;
}

// Distance between two days of the leap year on the circle of 366.
int CircularDistance(int a, int b) {
  const int d = a > b ? a - b : b - a;
  return std::min(d, kLeapYearDays - d);
}

unsigned MonthOf(Date date) {
  return static_cast<unsigned>(std::chrono::year_month_day(date).month());
}

}  // namespace

int LeapDayOfYear(Date date) {
  const std::chrono::year_month_day ymd(date);
  // 2000 was a leap year: its calendar numbers every month-day of any year.
  const Date in_leap_year = std::chrono::year{2000} / ymd.month() / ymd.day();
  return static_cast<int>((in_leap_year - Date(std::chrono::year{2000} / 1 / 1)).count());
}

Result<std::vector<PowerDay>> PowerDaysFromHours(std::span<const UtcTime> times,
                                                 std::span<const UsdPerMegawattHour> prices,
                                                 hours day_start) {
  assert(day_start > hours(-24) && day_start < hours(24));
  if (times.size() != prices.size()) {
    return Status::InvalidArgument("prices: " + std::to_string(prices.size()) + " prices for " +
                                   std::to_string(times.size()) + " hours");
  }
  std::vector<PowerDay> result;
  PowerDay day;
  int filled = 0;  // hours of `day` seen so far, in order from 0
  for (std::size_t i = 0; i < times.size(); ++i) {
    const std::string where = "hours[" + std::to_string(i) + "]";
    if (i > 0 && times[i] <= times[i - 1]) {
      return Status::InvalidArgument(where + ": not after the hour before it");
    }
    if (!std::isfinite(prices[i].value())) {
      return Status::InvalidArgument("prices[" + std::to_string(i) + "]: not finite");
    }
    const UtcTime local = times[i] - day_start;
    const Date date = std::chrono::floor<days>(local);
    const auto since_midnight = local - date;
    if (since_midnight % hours(1) != std::chrono::seconds(0)) {
      return Status::InvalidArgument(where + ": not on a whole hour");
    }
    const auto hour = static_cast<int>(since_midnight / hours(1));
    if (date != day.date || hour != filled) {
      // A new day, or a gap inside this one: start again at this hour.
      day.date = date;
      filled = 0;
      if (hour != 0) continue;
    }
    day.prices[static_cast<std::size_t>(hour)] = prices[i];
    if (++filled == kHoursPerDay) {
      result.push_back(day);
      filled = 0;
      day.date = Date{};
    }
  }
  return result;
}

Result<PowerPriceModel> PowerPriceModel::Create(std::vector<PowerDay> history,
                                                PowerPriceOptions options) {
  if (history.empty()) return Status::InvalidArgument("history: no days");
  if (options.window_days < 0 || options.window_days > kLeapYearDays / 2) {
    return Status::InvalidArgument("window_days: must be 0 to 183 days");
  }
  if (!(options.level > 0) || !std::isfinite(options.level)) {
    return Status::InvalidArgument("level: must be positive and finite");
  }
  if (!std::isfinite(options.cap.value())) {
    return Status::InvalidArgument("cap: must be finite");
  }
  std::set<Date> dates;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const std::string where = "history[" + std::to_string(i) + "]";
    if (!dates.insert(history[i].date).second) {
      return Status::InvalidArgument(where + ": " + FormatDate(history[i].date) + " appears twice");
    }
    for (const UsdPerMegawattHour p : history[i].prices) {
      if (!std::isfinite(p.value())) return Status::InvalidArgument(where + ": a price not finite");
    }
  }
  const Date leap_year = std::chrono::year{2000} / 1 / 1;
  std::array<unsigned, kLeapYearDays> target_month{};
  for (int target = 0; target < kLeapYearDays; ++target) {
    target_month[static_cast<std::size_t>(target)] = MonthOf(leap_year + days(target));
  }
  std::array<std::vector<std::uint32_t>, kLeapYearDays> pools;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const int k = LeapDayOfYear(history[i].date);
    const unsigned month = MonthOf(history[i].date);
    for (int target = 0; target < kLeapYearDays; ++target) {
      const bool in_pool = options.pool == DayPool::kSameMonth
                               ? target_month[static_cast<std::size_t>(target)] == month
                               : CircularDistance(k, target) <= options.window_days;
      if (in_pool) pools[static_cast<std::size_t>(target)].push_back(static_cast<std::uint32_t>(i));
    }
  }
  for (int target = 0; target < kLeapYearDays; ++target) {
    if (pools[static_cast<std::size_t>(target)].empty()) {
      const Date d = leap_year + days(target);
      return Status::InvalidArgument("history: no day to draw for " + FormatDate(d).substr(5) +
                                     " (month-day) with this pool and window_days");
    }
  }
  return PowerPriceModel(std::move(history), options, std::move(pools));
}

const std::vector<std::uint32_t>& PowerPriceModel::PoolFor(Date date) const {
  return pools_[static_cast<std::size_t>(LeapDayOfYear(date))];
}

std::uint32_t PowerPriceModel::DrawDay(Date date, std::int64_t d, const RandomStream& stream) const {
  const std::vector<std::uint32_t>& pool = PoolFor(date);
  return pool[IndexOf(stream.UniformAt(static_cast<std::uint64_t>(d)), pool.size())];
}

void PowerPriceModel::Prices(const PowerDay& drawn, UsdPerMegawattHour* out) const {
  for (int h = 0; h < kHoursPerDay; ++h) {
    const auto hi = static_cast<std::size_t>(h);
    out[hi] = std::min(drawn.prices[hi] * options_.level, options_.cap);
  }
}

PowerPath PowerPriceModel::Simulate(Date start, std::int64_t n_days,
                                    const RandomStream& stream) const {
  assert(n_days >= 0 && n_days < (std::int64_t{1} << 32));
  PowerPath path;
  path.days.resize(static_cast<std::size_t>(n_days));
  path.source.resize(static_cast<std::size_t>(n_days));
  for (std::int64_t d = 0; d < n_days; ++d) {
    const Date date = start + days(d);
    const PowerDay& drawn = history_[DrawDay(date, d, stream)];
    PowerDay& out = path.days[static_cast<std::size_t>(d)];
    out.date = date;
    Prices(drawn, out.prices.data());
    path.source[static_cast<std::size_t>(d)] = drawn.date;
  }
  return path;
}

}  // namespace mullet
