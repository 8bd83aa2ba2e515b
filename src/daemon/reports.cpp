#include "daemon/reports.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxSummaryBytes = 16u << 20;

UtcTime ModifiedTime(const fs::path& p, std::error_code& ec) {
  const fs::file_time_type t = fs::last_write_time(p, ec);
  if (ec) return UtcTime{};
  return std::chrono::floor<std::chrono::seconds>(std::chrono::file_clock::to_sys(t));
}

// What kind of report summary.json beside it says, and its name: a backtest
// has "runs" and its "site"; a plan has "decisions" and its "plan"'s name.
void ReadSummary(const fs::path& summary, ReportEntry* e) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(summary, ec)) || fs::file_size(summary, ec) > kMaxSummaryBytes) return;
  std::ifstream in(summary, std::ios::binary);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  if (j.contains("runs")) {
    e->kind = "backtest";
    if (j.contains("site") && j["site"].is_string()) e->title = j["site"].get<std::string>();
  } else if (j.contains("decisions")) {
    e->kind = "plan";
    if (j.contains("plan") && j["plan"].is_object() && j["plan"].contains("name") && j["plan"]["name"].is_string()) {
      e->title = j["plan"]["name"].get<std::string>();
    }
  }
}

}  // namespace

Result<std::vector<ReportEntry>> ListReports(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IoError(dir.string() + ": " + ec.message());
  std::vector<ReportEntry> out;
  for (const fs::directory_entry& folder : it) {
    if (!folder.is_directory(ec) || folder.is_symlink(ec)) continue;
    const fs::path html = folder.path() / "report.html";
    const fs::file_status st = fs::symlink_status(html, ec);
    if (ec || !fs::is_regular_file(st)) continue;
    ReportEntry e;
    e.name = folder.path().filename().string();
    e.kind = "report";
    e.title = e.name;
    e.bytes = fs::file_size(html, ec);
    if (ec || e.bytes > kMaxReportBytes) continue;
    e.modified = ModifiedTime(html, ec);
    if (ec) continue;
    ReadSummary(folder.path() / "summary.json", &e);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const ReportEntry& a, const ReportEntry& b) {
    return a.modified != b.modified ? a.modified > b.modified : a.name < b.name;
  });
  return out;
}

Result<std::string> ReadReport(const fs::path& dir, std::string_view name) {
  Result<std::vector<ReportEntry>> list = ListReports(dir);
  if (!list.ok()) return list.status();
  const auto found = std::find_if(list->begin(), list->end(), [&](const ReportEntry& e) { return e.name == name; });
  if (found == list->end()) return Status::NotFound("no report " + std::string(name));
  const fs::path html = dir / found->name / "report.html";
  std::ifstream in(html, std::ios::binary);
  if (!in.is_open()) return Status::IoError(html.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace mullet
