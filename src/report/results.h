// What a report is made of: the runs of each scenario and how they were made.
// Shared by every writer in report/ (report.html, summary.json,
// timeseries.csv) and by the faces that fill them (`backtest` today, `plan`
// and `serve` next).

#ifndef MULLET_REPORT_RESULTS_H_
#define MULLET_REPORT_RESULTS_H_

#include <string>
#include <utility>
#include <vector>

#include "sim/backtest.h"

namespace mullet {

// One scenario of the site file, run under several policies. runs[0] is the
// policy the user asked for (--policy, default mullet); the others are the
// baselines it is compared with (strike-price, always-on), when run.
struct ScenarioRuns {
  std::string scenario;
  std::vector<BacktestResult> runs;
};

struct ReportInfo {
  std::string site_name;
  std::string site_file;
  std::string power_source;      // "ercot_dam_spp_hourly_2021_2024.csv:hb_west"
  std::string hashprice_source;  // "history (difficulty epochs, BTC close, 7-day fees)"
  std::string from, to;          // UTC, as given or as the data allowed
  std::string step;              // "1h"
  std::string command_line;      // how the report was made
  // The assumptions that move results, each shown beside them (report header,
  // summary.json "assumptions"): {"4CP response of the baselines", "avoid"}, ...
  std::vector<std::pair<std::string, std::string>> assumptions;
};

}  // namespace mullet

#endif  // MULLET_REPORT_RESULTS_H_
