#include "daemon/four_cp_alerts.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "data/csv_reader.h"

namespace mullet {

Result<std::vector<AlertInterval>> LoadAlertIntervals(const std::filesystem::path& file) {
  Result<CsvReader> opened = CsvReader::Open(file);
  if (!opened.ok()) return opened.status();
  CsvReader& reader = opened.value();
  static constexpr std::array<std::string_view, 2> kColumns = {"start_utc", "end_utc"};
  if (Status s = reader.ExpectHeader(kColumns); !s.ok()) return s;
  std::vector<AlertInterval> out;
  if (!reader.HasRows()) return out;  // a header alone: no alerts
  Status s = reader.ForEachRow([&](const CsvReader& row) -> Status {
    Result<UtcTime> start = row.Timestamp(0);
    if (!start.ok()) return start.status();
    Result<UtcTime> end = row.Timestamp(1);
    if (!end.ok()) return end.status();
    if (*end <= *start) return row.FieldError(1, "expected a time after start_utc");
    out.push_back({*start, *end});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

void FourCpAlertFile::Poll(UtcTime now) {
  if (read_at_ && Seconds(static_cast<double>((now - *read_at_).count())) < poll_) return;
  read_at_ = now;
  Result<std::vector<AlertInterval>> read = LoadAlertIntervals(file_);
  if (!read.ok()) {
    error_ = read.status().message();
    if (error_.find(file_.string()) == std::string::npos) error_ = file_.string() + ": " + error_;
    return;
  }
  alerts_ = std::move(read).value();
  good_at_ = now;
  error_.clear();
}

bool FourCpAlertFile::InForce(UtcTime now) const {
  return std::any_of(alerts_.begin(), alerts_.end(),
                     [&](const AlertInterval& a) { return a.start <= now && now < a.end; });
}

SourceHealth FourCpAlertFile::Health() const {
  SourceHealth h;
  h.source = file_.string();
  h.read_at = good_at_;
  h.stale = !error_.empty();
  h.error = error_;
  return h;
}

}  // namespace mullet
