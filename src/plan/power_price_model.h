// The planner's power price: a day-block bootstrap of hourly history.
//
// Why: ERCOT's prices have a daily shape (evening peak), seasons (summer
// afternoons, winter storms), mean reversion within days and rare spikes to
// thousands of USD/MWh, and no published ERCOT parameters of the candidate
// regime models were found (serve-and-plan-notes.md §4 (iii)). Drawing whole
// historical days keeps the shape of each day, its spikes and their season
// without a parameter for any of them.
//
// Algorithm: every simulated day d (date D_d = start + d) draws one whole
// historical day, uniformly from its pool:
//   kSameMonth (default): the historical days of D_d's calendar month;
//   kDayOfYearWindow:     the historical days whose day of the year lies
//                         within window_days of D_d's, on a circle of 366
//                         days (day of the year counted as in a leap year,
//                         so 1 March is the same day every year and 29
//                         February sits between its neighbours).
// The pick is pool[floor(|pool| * u_d)], u_d the stream's UniformAt(d). Its
// 24 hourly prices become the simulated day's, each p -> min(level * p, cap):
// scaled by a level factor (a future's price level against history's), then
// capped at the market's offer cap (ERCOT's high system-wide offer cap has
// been 5,000 USD/MWh since 2022; it was 9,000 in 2021, so Winter Storm Uri's
// hours are capped). Negative prices are kept (ERCOT has them).
//
// What it does not do: new days that history did not have (the largest
// simulated price is the largest historical one, scaled and capped), trends
// inside a path, weekday/weekend matching, persistence across days (each day
// is drawn afresh: a heat wave's run of hot days is not kept), 4CP.
//
// Thread safety: a model is an immutable value; its const members are safe
// for concurrent use by multiple threads.

#ifndef MULLET_PLAN_POWER_PRICE_MODEL_H_
#define MULLET_PLAN_POWER_PRICE_MODEL_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "plan/random.h"

namespace mullet {

inline constexpr int kHoursPerDay = 24;

// One day of hourly prices: prices[h] is the hour starting h hours after the
// day's start (midnight of the local standard time it was cut in).
struct PowerDay {
  Date date;
  std::array<UsdPerMegawattHour, kHoursPerDay> prices{};
};

// Cuts hourly prices into days that start `day_start` after UTC midnight
// (ERCOT: 6 h, midnight Central Standard Time, its market's local standard
// time; a fixed offset keeps every day 24 hours long across daylight saving,
// so in summer hour h is h + 1 on the wall clock). A day's date is the local
// date. Days missing any hour (a gap, a partial first or last day) are left
// out. InvalidArgument naming the field: hours and prices of different
// sizes; a time not on a whole hour (after the offset), or not strictly
// after the one before; a price not finite. REQUIRES: -24 h < day_start < 24 h.
Result<std::vector<PowerDay>> PowerDaysFromHours(std::span<const UtcTime> hours,
                                                 std::span<const UsdPerMegawattHour> prices,
                                                 std::chrono::hours day_start);

enum class DayPool {
  // Days of the same calendar month. Keeps each month's mean (Uri stays in
  // February), at the price of a jump in the pool at each month's end.
  kSameMonth,
  // Days within window_days of the day of the year: no jump at month ends,
  // but a spike spreads to the days around it (with 15 days, Uri's 15-19
  // February days are drawn into early March: March's mean rises from 25 to
  // 43 USD/MWh on 2021-2024 HB_WEST; README.md).
  kDayOfYearWindow,
};

struct PowerPriceOptions {
  DayPool pool = DayPool::kSameMonth;
  // Half-width of the window, days, for kDayOfYearWindow: 15 gives a
  // month-wide pool centred on each day. REQUIRES: 0 <= window_days <= 183,
  // whatever the pool. Default 15.
  int window_days = 15;
  // Multiplies every historical price. REQUIRES: > 0, finite. Default 1.
  double level = 1;
  // The offer cap: no simulated price exceeds it. REQUIRES: finite.
  // Default: ERCOT's high system-wide offer cap, 5,000 USD/MWh.
  UsdPerMegawattHour cap{5000};
};

// A simulated path: days[d] is start + d with its 24 prices; source[d] is
// the date of the historical day it drew.
struct PowerPath {
  std::vector<PowerDay> days;
  std::vector<Date> source;
};

class PowerPriceModel {
 public:
  // The model of `history` (whole days, any order, dates unique). InvalidArgument
  // naming the field: history empty, a price not finite, a date repeated;
  // window_days, level or cap out of range; a day of the year whose pool is
  // empty (history too short for the window: it names the day).
  static Result<PowerPriceModel> Create(std::vector<PowerDay> history,
                                        PowerPriceOptions options = {});

  // `days` days from `start`. REQUIRES: 0 <= days < 2^32.
  PowerPath Simulate(Date start, std::int64_t days, const RandomStream& stream) const;

  // Simulated day `d`, on `date`: the index into history() it draws (what
  // Simulate does for each day, without the copy).
  std::uint32_t DrawDay(Date date, std::int64_t d, const RandomStream& stream) const;
  // A drawn day's 24 prices as the model sees them: level applied, capped.
  void Prices(const PowerDay& drawn, UsdPerMegawattHour* out) const;

  // The historical days a simulated day on `date` may draw (indices into history()).
  const std::vector<std::uint32_t>& PoolFor(Date date) const;

  const std::vector<PowerDay>& history() const { return history_; }
  const PowerPriceOptions& options() const { return options_; }

 private:
  PowerPriceModel(std::vector<PowerDay> history, PowerPriceOptions options,
                  std::array<std::vector<std::uint32_t>, 366> pools)
      : history_(std::move(history)), options_(options), pools_(std::move(pools)) {}

  std::vector<PowerDay> history_;
  PowerPriceOptions options_;
  // pools_[k]: the pool of day of the (leap) year k, 0 = 1 January, 59 = 29 February.
  std::array<std::vector<std::uint32_t>, 366> pools_;
};

// Day of the year as in a leap year: 0 = 1 January, 59 = 29 February, 60 =
// 1 March in every year, 365 = 31 December.
int LeapDayOfYear(Date date);

}  // namespace mullet

#endif  // MULLET_PLAN_POWER_PRICE_MODEL_H_
