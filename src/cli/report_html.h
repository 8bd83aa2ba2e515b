// report.html of `mullet backtest`: one self-contained page (inline SVG and
// CSS, no scripts or fonts from anywhere) that tells an operator at a glance
// what each strategy earned and why the policy did what it did.

#ifndef MULLET_CLI_REPORT_HTML_H_
#define MULLET_CLI_REPORT_HTML_H_

#include <ostream>
#include <string>
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
};

void WriteReportHtml(const ReportInfo& info, const std::vector<ScenarioRuns>& scenarios,
                     std::ostream& out);

}  // namespace mullet

#endif  // MULLET_CLI_REPORT_HTML_H_
