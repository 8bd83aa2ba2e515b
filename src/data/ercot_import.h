// Imports ERCOT's published price reports (day-ahead and real-time) into the documented hourly CSV
// schema (docs/data.md): `timestamp_utc,<point>_usd_per_mwh,...`.
//
// The day-ahead hub and load-zone workbook (NP4-180-ER, DAMLZHBSPP_<year>.xlsx)
// has one sheet a month and a row per delivery date, hour and settlement
// point: "Delivery Date", "Hour Ending" (01:00 .. 24:00, Central Prevailing
// Time), "Repeated Hour Flag" (Y on the second 01:00-02:00 of the day clocks
// fall back), "Settlement Point" (HB_WEST...), "Settlement Point Price".
// Each row becomes the UTC hour it starts: the 23-hour spring day has no hour
// ending 03:00, the 25-hour autumn day two hours ending 02:00.

#ifndef MULLET_DATA_ERCOT_IMPORT_H_
#define MULLET_DATA_ERCOT_IMPORT_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "data/history.h"

namespace mullet {

// The UTC start of the hour ending `hour_ending` (1-24) of Central Prevailing
// Time day `day`; `repeated` marks the second hour ending 02:00 of the day
// clocks fall back (US rules since 2007: second Sunday of March, first Sunday
// of November, at 02:00 local). InvalidArgument for an hour that does not
// exist that day (hour ending 03:00 in spring) or a flag where there is no
// repeated hour.
Result<UtcTime> CentralHourEndingToUtc(Date day, int hour_ending, bool repeated);

// The real-time hub and load-zone workbook (NP6-785-ER, RTMLZHBSPP_<year>.xlsx)
// has a row per delivery date, hour, 15-minute interval (1-4) and point:
// "Delivery Date", "Delivery Hour" (hour ending), "Delivery Interval",
// "Repeated Hour Flag", "Settlement Point Name", "Settlement Point Price";
// its hour is the mean of the four intervals (all four are required), or,
// with `keep_intervals`, each interval is a row of its own (interval k of the
// hour starting h starts at h + 15 min x (k - 1); HourlyPrices::interval is
// then 15 minutes; a day-ahead workbook is then an error).
//
// Every price row of the workbooks (either layout, told by the header), as
// hourly prices by point (points named in lower case: "hb_west"). DataError naming the file, the sheet, the cell
// and the column for anything unreadable; a point missing an hour the others
// have, or an hour given twice for a point, is an error too.
Result<HourlyPrices> ReadErcotWorkbooks(const std::vector<std::filesystem::path>& files,
                                        bool keep_intervals = false);

struct MergeResult {
  int added = 0;          // hours added
  int already = 0;        // hours the file had (their prices kept)
  int differing = 0;      // of those, hours whose imported price differs
  std::vector<std::string> ignored_points;  // imported points the file has no column for
  std::vector<std::string> columns;         // the file's points after the merge
  std::optional<UtcTime> first_added, last_added;
};

// Adds the hours of `imported` that `into` lacks (a new file takes every
// point imported), keeping the file's existing rows and columns. The result
// is checked with LoadHourlyPrices before it replaces `into` (a temporary
// file, then a rename): a failed import leaves the file as it was.
// InvalidArgument when an hour to add lacks a point the file has, or when the
// file's interval (an hour, 15 minutes) is not the imported one.
Result<MergeResult> MergeHourlyPrices(const std::filesystem::path& into, const HourlyPrices& imported);

}  // namespace mullet

#endif  // MULLET_DATA_ERCOT_IMPORT_H_
