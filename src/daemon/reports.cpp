#include "daemon/reports.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
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

// The report.html of folder `name` under `dir` when `name` is one folder
// directly under it (no separator, not . or ..), neither the folder nor the
// file a link, and the file no larger than kMaxReportBytes; else none.
std::optional<fs::path> ReportFile(const fs::path& dir, std::string_view name, std::uintmax_t* bytes) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::error_code ec;
  const fs::path folder = dir / std::string(name);
  if (!fs::is_directory(fs::symlink_status(folder, ec)) || ec) return std::nullopt;
  const fs::path html = folder / "report.html";
  if (!fs::is_regular_file(fs::symlink_status(html, ec)) || ec) return std::nullopt;
  *bytes = fs::file_size(html, ec);
  if (ec || *bytes > kMaxReportBytes) return std::nullopt;
  return html;
}

}  // namespace

Result<std::vector<ReportEntry>> ListReports(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IoError("the reports folder cannot be read: " + ec.message());
  std::vector<ReportEntry> out;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IoError("the reports folder cannot be read: " + ec.message());
    ReportEntry e;
    e.name = it->path().filename().string();
    const std::optional<fs::path> html = ReportFile(dir, e.name, &e.bytes);
    if (!html) continue;
    e.kind = "report";
    e.title = e.name;
    e.modified = ModifiedTime(*html, ec);
    if (ec) continue;
    ReadSummary(dir / e.name / "summary.json", &e);
    out.push_back(std::move(e));
  }
  if (ec) return Status::IoError("the reports folder cannot be read: " + ec.message());
  std::sort(out.begin(), out.end(), [](const ReportEntry& a, const ReportEntry& b) {
    return a.modified != b.modified ? a.modified > b.modified : a.name < b.name;
  });
  return out;
}

Result<std::string> ReadReport(const fs::path& dir, std::string_view name) {
  std::uintmax_t bytes = 0;
  const std::optional<fs::path> html = ReportFile(dir, name, &bytes);
  if (!html) return Status::NotFound("no report " + std::string(name));
  // O_NOFOLLOW: a file swapped for a link after the check is not followed;
  // the read stops at the cap whatever the file has grown to since.
  const int fd = ::open(html->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("no report " + std::string(name));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxReportBytes) {
      ::close(fd);
      return Status::NotFound("no report " + std::string(name) + " (over the size served)");
    }
  }
  ::close(fd);
  return text;
}

}  // namespace mullet
