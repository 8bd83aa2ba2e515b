// The backtest and plan reports an operator keeps beside the daemon
// (`mullet serve --reports DIR`), browsable from the dashboard: each folder
// of DIR that holds a `report.html` (what `mullet backtest --out` and
// `mullet plan --out` write) is one report, listed at /api/v1/reports and
// served whole at /reports/NAME/report.html, as the standalone file looks.
//
// The folder is read again on each request, so a report written after the
// daemon started (a refreshed backtest) is there at once. A request names a
// report only by a folder the listing found: no path from a request is ever
// joined to DIR, so `..`, absolute paths and links out of DIR name nothing.
//
// Thread safety: stateless; safe from any thread.

#ifndef MULLET_DAEMON_REPORTS_H_
#define MULLET_DAEMON_REPORTS_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"

namespace mullet {

struct ReportEntry {
  std::string name;   // the folder's name
  std::string kind;   // "backtest", "plan", or "report" when summary.json does not say
  std::string title;  // the site's or the plan's name; the folder's when unknown
  UtcTime modified;   // report.html's
  std::uintmax_t bytes = 0;
};

// The reports under `dir`, newest first. IoError when it cannot be read (the
// message does not name the folder: it is served to anyone). A folder that
// is a link, or whose report.html is not a regular file (a link included) or
// is over kMaxReportBytes, is left out.
Result<std::vector<ReportEntry>> ListReports(const std::filesystem::path& dir);

// The HTML of report `name` under `dir`: NotFound unless `name` is one
// folder directly under `dir` that ListReports would list. Opened without
// following a link and read no further than kMaxReportBytes.
Result<std::string> ReadReport(const std::filesystem::path& dir, std::string_view name);

inline constexpr std::uintmax_t kMaxReportBytes = 64u << 20;

}  // namespace mullet

#endif  // MULLET_DAEMON_REPORTS_H_
