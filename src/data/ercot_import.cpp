#include "data/ercot_import.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>

#include "data/csv_reader.h"
#include "data/staged_file.h"
#include "data/xlsx.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;

// The n-th (1-based) Sunday of a month.
Date NthSunday(int year, unsigned month, int n) {
  const std::chrono::sys_days first = std::chrono::year{year} / std::chrono::month{month} / 1;
  const std::chrono::weekday wd{first};
  const int to_sunday = (7 - static_cast<int>(wd.c_encoding())) % 7;
  return Date(first + days(to_sunday + 7 * (n - 1)));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// "01/31/2024" or an Excel date serial.
Result<Date> ParseDeliveryDate(const std::string& text) {
  int m = 0, d = 0, y = 0;
  if (text.size() == 10 && text[2] == '/' && text[5] == '/' &&
      std::from_chars(text.data(), text.data() + 2, m).ec == std::errc() &&
      std::from_chars(text.data() + 3, text.data() + 5, d).ec == std::errc() &&
      std::from_chars(text.data() + 6, text.data() + 10, y).ec == std::errc()) {
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (ymd.ok()) return Date(ymd);
  }
  Result<Date> serial = ExcelSerialDate(text);
  if (serial.ok()) return serial;
  return Status::InvalidArgument("expected a date MM/DD/YYYY, got '" + text + "'");
}

// "01:00" .. "24:00", or a bare 1 .. 24.
Result<int> ParseHourEnding(const std::string& text) {
  std::string_view t = text;
  if (t.size() == 5 && t.substr(2) == ":00") t = t.substr(0, 2);
  int h = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), h);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || h < 1 || h > 24) {
    return Status::InvalidArgument("expected an hour ending 01:00 to 24:00, got '" + text + "'");
  }
  return h;
}

// The two layouts ERCOT publishes. Column k of a layout, by its header text
// in lower case; kNone where a layout has no such column.
constexpr int kNone = -1;
struct Layout {
  const char* name;
  const char* columns[6];  // date, hour ending, interval, repeated flag, point, price
};
constexpr Layout kLayouts[] = {
    {"day-ahead (NP4-180-ER)",
     {"delivery date", "hour ending", nullptr, "repeated hour flag", "settlement point", "settlement point price"}},
    {"real-time (NP6-785-ER)",
     {"delivery date", "delivery hour", "delivery interval", "repeated hour flag", "settlement point name",
      "settlement point price"}},
};
enum Column { kDate, kHour, kInterval, kFlag, kPoint, kPrice };

}  // namespace

Result<UtcTime> CentralHourEndingToUtc(Date day, int hour_ending, bool repeated) {
  if (hour_ending < 1 || hour_ending > 24) {
    return Status::InvalidArgument("hour ending " + std::to_string(hour_ending) + " is not 1 to 24");
  }
  const int year = static_cast<int>(std::chrono::year_month_day(day).year());
  const Date spring = NthSunday(year, 3, 2), autumn = NthSunday(year, 11, 1);
  const int start = hour_ending - 1;  // the local hour the interval starts
  if (day == spring && start == 2) {
    return Status::InvalidArgument(FormatDate(day) + " has no hour ending 03:00 (clocks go forward)");
  }
  if (repeated && !(day == autumn && start == 1)) {
    return Status::InvalidArgument(FormatDate(day) + " hour ending " + std::to_string(hour_ending) +
                                   " is marked repeated, but only hour ending 02:00 of " + FormatDate(autumn) +
                                   " repeats");
  }
  bool daylight = day > spring && day < autumn;
  if (day == spring) daylight = start >= 3;
  if (day == autumn) daylight = start == 0 || (start == 1 && !repeated);
  return UtcTime(day) + hours(start + (daylight ? 5 : 6));
}

Result<HourlyPrices> ReadErcotWorkbooks(const std::vector<fs::path>& files, bool keep_intervals) {
  std::vector<std::string> points;
  // Per hour and point: the sum of its prices and how many (an hour of the
  // day-ahead market has one; of the real-time market, four 15-minute ones).
  struct Sum {
    double total = 0;
    int count = 0;
    int intervals = 1;  // how many it must have
  };
  std::map<UtcTime, std::map<std::string, Sum>> by_hour;
  for (const fs::path& path : files) {
    Result<std::vector<XlsxSheet>> sheets = ReadXlsx(path);
    if (!sheets.ok()) return sheets.status();
    const std::string file = path.filename().string();
    int rows_read = 0;
    for (const XlsxSheet& sheet : *sheets) {
      // Cells by row; the header is the first row naming every column of a layout.
      std::map<int, std::map<int, std::string>> grid;
      for (const XlsxCell& c : sheet.cells) grid[c.row][c.column] = c.text;
      std::optional<int> header_row;
      const Layout* layout = nullptr;
      int col[6] = {kNone, kNone, kNone, kNone, kNone, kNone};
      for (const auto& [r, cells] : grid) {
        for (const Layout& l : kLayouts) {
          int need = 0, found = 0;
          int at[6] = {kNone, kNone, kNone, kNone, kNone, kNone};
          for (int k = 0; k < 6; ++k) {
            if (l.columns[k] == nullptr) continue;
            ++need;
            for (const auto& [c, text] : cells) {
              if (Lower(Trim(text)) == l.columns[k]) {
                at[k] = c;
                ++found;
                break;
              }
            }
          }
          if (found == need) {
            layout = &l;
            std::copy(at, at + 6, col);
            break;
          }
        }
        if (layout != nullptr) {
          header_row = r;
          break;
        }
      }
      if (!header_row) continue;  // a sheet of notes, not prices
      const bool real_time = col[kInterval] != kNone;
      const std::string where = file + ": sheet '" + sheet.name + "': ";
      for (const auto& [r, cells] : grid) {
        if (r <= *header_row) continue;
        auto at = [&](int k) -> std::string {
          const auto it = cells.find(col[k]);
          return it == cells.end() ? std::string() : Trim(it->second);
        };
        if (at(kDate).empty() && at(kPoint).empty()) continue;  // a blank row
        auto fail = [&](int k, const std::string& what) {
          return Status::DataError(where + CellName(r, col[k]) + ": " + layout->columns[k] + ": " + what);
        };
        Result<Date> day = ParseDeliveryDate(at(kDate));
        if (!day.ok()) return fail(kDate, day.status().message());
        Result<int> he = ParseHourEnding(at(kHour));
        if (!he.ok()) return fail(kHour, he.status().message());
        const std::string flag = at(kFlag);
        if (flag != "N" && flag != "Y") return fail(kFlag, "expected N or Y, got '" + flag + "'");
        Result<UtcTime> hour = CentralHourEndingToUtc(*day, *he, flag == "Y");
        if (!hour.ok()) return fail(kHour, hour.status().message());
        UtcTime start = *hour;  // the row's interval: its hour, or a quarter of it kept apart
        if (real_time) {
          const std::string interval = at(kInterval);
          if (interval != "1" && interval != "2" && interval != "3" && interval != "4") {
            return fail(kInterval, "expected an interval 1 to 4, got '" + interval + "'");
          }
          if (keep_intervals) start += std::chrono::minutes(15) * (interval[0] - '1');
        } else if (keep_intervals) {
          return Status::InvalidArgument(file + ": sheet '" + sheet.name +
                                         "': a day-ahead workbook has hourly prices only; keeping 15-minute "
                                         "intervals is for real-time workbooks (NP6-785-ER)");
        }
        const std::string point = Lower(at(kPoint));
        if (point.empty() || point.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
          return fail(kPoint, "expected a settlement point name, got '" + at(kPoint) + "'");
        }
        Result<double> price = ParseNumber(at(kPrice));
        if (!price.ok()) return fail(kPrice, price.status().message());
        if (std::find(points.begin(), points.end(), point) == points.end()) points.push_back(point);
        Sum& sum = by_hour[start][point];
        sum.intervals = real_time && !keep_intervals ? 4 : 1;
        if (sum.count == sum.intervals) {
          return fail(kPoint, at(kPoint) + " is given " + (sum.intervals == 4 ? "more than four times" : "twice") +
                                  " for the " + (keep_intervals ? "interval" : "hour") + " starting " +
                                  FormatUtc(start));
        }
        sum.total += *price;
        ++sum.count;
        ++rows_read;
      }
    }
    if (rows_read == 0) {
      return Status::DataError(file +
                               ": no sheet has the columns of ERCOT's day-ahead report (Delivery Date, Hour Ending, "
                               "Repeated Hour Flag, Settlement Point, Settlement Point Price) or real-time report "
                               "(Delivery Date, Delivery Hour, Delivery Interval, Repeated Hour Flag, Settlement "
                               "Point Name, Settlement Point Price)");
    }
  }
  HourlyPrices out;
  out.points = points;
  if (keep_intervals) out.interval = std::chrono::minutes(15);
  out.prices.resize(points.size());
  for (const auto& [hour, prices] : by_hour) {
    for (std::size_t p = 0; p < points.size(); ++p) {
      const auto it = prices.find(points[p]);
      if (it == prices.end()) {
        return Status::DataError("the workbooks give no " + points[p] + " price for the " +
                                 (keep_intervals ? "interval" : "hour") + " starting " + FormatUtc(hour) +
                                 " (other points have one)");
      }
      if (it->second.count != it->second.intervals) {
        return Status::DataError("the workbooks give " + points[p] + " " + std::to_string(it->second.count) +
                                 " of the 4 real-time intervals of the hour starting " + FormatUtc(hour));
      }
      // Real time: the hour's price is the mean of its four 15-minute prices.
      out.prices[p].push_back(UsdPerMegawattHour(it->second.total / it->second.count));
    }
    out.hours.push_back(hour);
  }
  return out;
}

Result<MergeResult> MergeHourlyPrices(const fs::path& into, const HourlyPrices& imported) {
  MergeResult r;
  std::map<UtcTime, std::vector<double>> rows;  // the file's columns, in order
  std::error_code ec;
  if (fs::exists(into, ec)) {
    Result<HourlyPrices> existing = LoadHourlyPrices(into);
    if (!existing.ok()) return existing.status();
    if (existing->hours.size() >= 2 && existing->interval != imported.interval) {
      const auto every = [](std::chrono::seconds s) {
        return s == std::chrono::hours(1) ? std::string("hour") : std::to_string(s.count() / 60) + " minutes";
      };
      return Status::InvalidArgument(into.filename().string() + " holds a price every " + every(existing->interval) +
                                     ", the workbooks every " + every(imported.interval) +
                                     ": import into a file of their own");
    }
    r.columns = existing->points;
    for (std::size_t i = 0; i < existing->hours.size(); ++i) {
      std::vector<double>& row = rows[existing->hours[i]];
      for (const auto& column : existing->prices) row.push_back(column[i].value());
    }
  } else {
    r.columns = imported.points;
  }
  // Where each of the file's columns is in the import.
  std::vector<std::optional<std::size_t>> source;
  for (const std::string& c : r.columns) {
    const auto it = std::find(imported.points.begin(), imported.points.end(), c);
    source.push_back(it == imported.points.end() ? std::nullopt
                                                 : std::optional<std::size_t>(it - imported.points.begin()));
  }
  for (const std::string& p : imported.points) {
    if (std::find(r.columns.begin(), r.columns.end(), p) == r.columns.end()) r.ignored_points.push_back(p);
  }
  for (std::size_t i = 0; i < imported.hours.size(); ++i) {
    const UtcTime hour = imported.hours[i];
    const auto have = rows.find(hour);
    if (have != rows.end()) {
      ++r.already;
      bool differs = false;
      for (std::size_t c = 0; c < r.columns.size(); ++c) {
        if (source[c] && imported.prices[*source[c]][i].value() != have->second[c]) differs = true;
      }
      r.differing += differs ? 1 : 0;
      continue;
    }
    std::vector<double> row;
    for (std::size_t c = 0; c < r.columns.size(); ++c) {
      if (!source[c]) {
        return Status::InvalidArgument("the import has no " + r.columns[c] + " prices, which " +
                                       into.filename().string() + " has a column for (hour " + FormatUtc(hour) + ")");
      }
      row.push_back(imported.prices[*source[c]][i].value());
    }
    rows.emplace(hour, std::move(row));
    ++r.added;
    if (!r.first_added || hour < *r.first_added) r.first_added = hour;
    if (!r.last_added || hour > *r.last_added) r.last_added = hour;
  }
  if (r.added == 0) return r;  // nothing to write

  Result<StagedFile> staged = StagedFile::Write(into, [&](std::ostream& out) {
    out << "timestamp_utc";
    for (const std::string& c : r.columns) out << ',' << c << "_usd_per_mwh";
    out << "\n";
    char buf[64];
    for (const auto& [hour, values] : rows) {
      out << FormatUtc(hour);
      for (double v : values) {
        const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back the same
        out << ',' << std::string_view(buf, static_cast<std::size_t>(res.ptr - buf));
      }
      out << "\n";
    }
  });
  if (!staged.ok()) return staged.status();
  // The merged file must load as any other before it replaces anything.
  if (Result<HourlyPrices> check = LoadHourlyPrices(staged->path()); !check.ok()) {
    return Status::DataError("the merged file does not load, nothing replaced: " + check.status().message());
  }
  if (Status s = staged.value().Commit(); !s.ok()) return s;
  return r;
}

}  // namespace mullet
