// The files `mullet backtest` writes: summary.json and timeseries.csv (and
// the JSON summary on stdout with --json). report.html is report_html.h.

#ifndef MULLET_CLI_BACKTEST_OUTPUT_H_
#define MULLET_CLI_BACKTEST_OUTPUT_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "cli/report_html.h"
#include "core/status/result.h"

namespace mullet {

// The summary of every scenario x policy, with its months, as one object:
// {"site": ..., "market": {...}, "runs": [{"scenario", "policy", "energy_mwh", ...}]}.
nlohmann::ordered_json SummaryJson(const ReportInfo& info, const std::vector<ScenarioRuns>& scenarios);

// One row per step and scenario (runs[0] of each): time, price, hashprice,
// ambient, site cap, facility power by tier, profit, then every load's IT MW
// and reason code. Loads absent from a scenario read 0 and "absent".
void WriteTimeseriesCsv(const std::vector<ScenarioRuns>& scenarios, std::ostream& out);

// Writes `contents` to `file` through a temporary file and a rename, so that a
// crash never leaves a half-written file under the final name.
Status WriteFileAtomically(const std::filesystem::path& file, const std::string& contents);

}  // namespace mullet

#endif  // MULLET_CLI_BACKTEST_OUTPUT_H_
