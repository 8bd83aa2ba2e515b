#include "cli/data_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "cli/flags.h"
#include "data/ercot_import.h"

namespace mullet {

CLI::App* AddDataCommand(CLI::App& app, DataFlags& f) {
  CLI::App* data = app.add_subcommand("data", "Bring the history up to date from published sources");
  data->require_subcommand(1);
  data->footer(R"(Examples:
  mullet data import-ercot DAMLZHBSPP_2025.xlsx --into ../shared/data/ercot_dam_spp_hourly_2021_2024.csv
  mullet data import-ercot DAMLZHBSPP_2025.xlsx --into prices_2025.csv --json

Sources and formats: docs/data.md.)");
  CLI::App* ercot = data->add_subcommand(
      "import-ercot",
      "Add ERCOT hub and load-zone prices (day-ahead NP4-180-ER or real-time NP6-785-ER workbooks) to an hourly CSV");
  ercot->footer(R"(Reads DAMLZHBSPP_<year>.xlsx (day-ahead) or RTMLZHBSPP_<year>.xlsx (real-time:
the four 15-minute prices of an hour averaged) as ERCOT publishes them (one sheet
a month; hour ending in Central Prevailing Time, the 23- and 25-hour days) into
the UTC hourly schema of docs/data.md, one column per settlement point
(hb_west_usd_per_mwh...).
Into an existing file it adds the hours the file lacks, for the columns it has,
and keeps the rows it had; a new file takes every point. The result is loaded
and checked before it replaces the file.)");
  ercot->add_option("workbooks", f.workbooks, "One or more ERCOT workbooks (.xlsx)")->required();
  ercot->add_option("--into", f.into, "The hourly price CSV to add to (created if absent)")->required();
  ercot->add_flag("--json", f.json, "Print what was done as JSON");
  return data;
}

int RunData(const DataFlags& f, std::ostream& out, std::ostream& err) {
  std::vector<std::filesystem::path> files(f.workbooks.begin(), f.workbooks.end());
  Result<HourlyPrices> imported = ReadErcotWorkbooks(files);
  if (!imported.ok()) {
    err << "mullet data: error: " << imported.status().message() << "\n";
    return 2;
  }
  Result<MergeResult> merged = MergeHourlyPrices(f.into, *imported);
  if (!merged.ok()) {
    err << "mullet data: error: --into: " << merged.status().message() << "\n";
    return merged.status().code() == StatusCode::kIoError ? 1 : 2;
  }
  const MergeResult& m = *merged;
  if (f.json) {
    nlohmann::ordered_json j;
    j["into"] = f.into;
    j["read_hours"] = imported->hours.size();
    j["added_hours"] = m.added;
    j["already_present_hours"] = m.already;
    j["differing_hours"] = m.differing;
    j["first_added"] = m.first_added ? nlohmann::ordered_json(FormatUtc(*m.first_added)) : nlohmann::ordered_json();
    j["last_added"] = m.last_added ? nlohmann::ordered_json(FormatUtc(*m.last_added)) : nlohmann::ordered_json();
    j["columns"] = m.columns;
    j["ignored_points"] = m.ignored_points;
    out << j.dump(2) << "\n";
    return 0;
  }
  fmt::print(out, "mullet data: read {} hours of {} points from {} workbook(s)\n", imported->hours.size(),
             imported->points.size(), files.size());
  if (m.added > 0) {
    fmt::print(out, "  added {} hours to {} ({} to {})\n", m.added, f.into, FormatUtc(*m.first_added),
               FormatUtc(*m.last_added));
  } else {
    fmt::print(out, "  nothing to add: {} has every hour read\n", f.into);
  }
  if (m.already > 0) {
    fmt::print(out, "  {} hours were there already (kept{})\n", m.already,
               m.differing > 0 ? fmt::format("; {} differ from the workbook", m.differing) : std::string());
  }
  if (!m.ignored_points.empty()) {
    std::string list;
    for (const std::string& p : m.ignored_points) list += (list.empty() ? "" : ", ") + p;
    fmt::print(out, "  points the file has no column for, not added: {}\n", list);
  }
  return 0;
}

}  // namespace mullet
