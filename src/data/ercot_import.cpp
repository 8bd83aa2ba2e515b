#include "data/ercot_import.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>

#include "data/csv_reader.h"
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

constexpr const char* kColumns[] = {"delivery date", "hour ending", "repeated hour flag", "settlement point",
                                    "settlement point price"};

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

Result<HourlyPrices> ReadErcotDamWorkbooks(const std::vector<fs::path>& files) {
  std::vector<std::string> points;
  std::map<UtcTime, std::map<std::string, double>> by_hour;
  for (const fs::path& path : files) {
    Result<std::vector<XlsxSheet>> sheets = ReadXlsx(path);
    if (!sheets.ok()) return sheets.status();
    const std::string file = path.filename().string();
    int rows_read = 0;
    for (const XlsxSheet& sheet : *sheets) {
      // Cells by row; the header is the first row naming every column.
      std::map<int, std::map<int, std::string>> grid;
      for (const XlsxCell& c : sheet.cells) grid[c.row][c.column] = c.text;
      std::optional<int> header_row;
      int col[5] = {0, 0, 0, 0, 0};
      for (const auto& [r, cells] : grid) {
        int found = 0;
        for (int k = 0; k < 5; ++k) {
          for (const auto& [c, text] : cells) {
            if (Lower(Trim(text)) == kColumns[k]) {
              col[k] = c;
              ++found;
              break;
            }
          }
        }
        if (found == 5) {
          header_row = r;
          break;
        }
      }
      if (!header_row) continue;  // a sheet of notes, not prices
      const std::string where = file + ": sheet '" + sheet.name + "': ";
      for (const auto& [r, cells] : grid) {
        if (r <= *header_row) continue;
        auto at = [&](int k) -> std::string {
          const auto it = cells.find(col[k]);
          return it == cells.end() ? std::string() : Trim(it->second);
        };
        if (at(0).empty() && at(3).empty()) continue;  // a blank row
        auto fail = [&](int k, const std::string& what) {
          return Status::DataError(where + CellName(r, col[k]) + ": " + kColumns[k] + ": " + what);
        };
        Result<Date> day = ParseDeliveryDate(at(0));
        if (!day.ok()) return fail(0, day.status().message());
        Result<int> he = ParseHourEnding(at(1));
        if (!he.ok()) return fail(1, he.status().message());
        const std::string flag = at(2);
        if (flag != "N" && flag != "Y") return fail(2, "expected N or Y, got '" + flag + "'");
        Result<UtcTime> hour = CentralHourEndingToUtc(*day, *he, flag == "Y");
        if (!hour.ok()) return fail(1, hour.status().message());
        const std::string point = Lower(at(3));
        if (point.empty() || point.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
          return fail(3, "expected a settlement point name, got '" + at(3) + "'");
        }
        Result<double> price = ParseNumber(at(4));
        if (!price.ok()) return fail(4, price.status().message());
        if (std::find(points.begin(), points.end(), point) == points.end()) points.push_back(point);
        if (!by_hour[*hour].emplace(point, *price).second) {
          return fail(3, at(3) + " is given twice for the hour starting " + FormatUtc(*hour));
        }
        ++rows_read;
      }
    }
    if (rows_read == 0) {
      return Status::DataError(file + ": no sheet has the columns Delivery Date, Hour Ending, Repeated Hour Flag, "
                                      "Settlement Point, Settlement Point Price");
    }
  }
  HourlyPrices out;
  out.points = points;
  out.prices.resize(points.size());
  for (const auto& [hour, prices] : by_hour) {
    for (std::size_t p = 0; p < points.size(); ++p) {
      const auto it = prices.find(points[p]);
      if (it == prices.end()) {
        return Status::DataError("the workbooks give no " + points[p] + " price for the hour starting " +
                                 FormatUtc(hour) + " (other points have one)");
      }
      out.prices[p].push_back(UsdPerMegawattHour(it->second));
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

  const fs::path tmp = into.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + tmp.string());
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
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp.string() + " (disk full?)");
  }
  // The merged file must load as any other before it replaces anything.
  if (Result<HourlyPrices> check = LoadHourlyPrices(tmp); !check.ok()) {
    fs::remove(tmp, ec);
    return Status::DataError("the merged file does not load, nothing replaced: " + check.status().message());
  }
  fs::rename(tmp, into, ec);
  if (ec) return Status::IoError("cannot rename " + tmp.string() + " to " + into.string() + ": " + ec.message());
  return r;
}

}  // namespace mullet
