// The result files of a run: summary.json and timeseries.csv (and the JSON
// summary `mullet backtest --json` prints), written atomically.
// report.html is report/html.h; the formats are docs/backtest.md's.

#ifndef MULLET_REPORT_RESULT_FILES_H_
#define MULLET_REPORT_RESULT_FILES_H_

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "core/status/result.h"
#include "data/staged_file.h"  // WriteFileAtomically
#include "report/results.h"

namespace mullet {

// The summary of every scenario x policy, with its months, as one object:
// {"site": ..., "market": {...}, "runs": [{"scenario", "policy", "energy_mwh", ...}]}.
nlohmann::ordered_json SummaryJson(const ReportInfo& info,
                                   const std::vector<ScenarioRuns>& scenarios);

// One row per step and scenario (runs[0] of each): time, price, hashprice,
// ambient, site cap, facility power by tier, profit, then every load's IT MW
// and reason code. Loads absent from a scenario read 0 and "absent".
// Formats into one buffer and writes it to `out` in blocks of about 256 KiB.
void WriteTimeseriesCsv(const std::vector<ScenarioRuns>& scenarios, std::ostream& out);

// One row per scenario, policy and calendar month: the monthly books of
// summary.json as a table (docs/backtest.md, "monthly.csv"), with the month's
// mean hashprice and the site's realised $/MWh (power cost / energy).
void WriteMonthlyCsv(const std::vector<ScenarioRuns>& scenarios, std::ostream& out);

// timeseries.csv straight to `file`, atomically: the blocks go to the file as
// they fill, with no copy of the whole text in memory (26 MB for the 4-year
// example: building it in a string stream and copying it out cost more than
// formatting it).
Status WriteTimeseriesCsvFile(const std::filesystem::path& file,
                              const std::vector<ScenarioRuns>& scenarios);

}  // namespace mullet

#endif  // MULLET_REPORT_RESULT_FILES_H_
