// An operator's 4CP alerts (`mullet serve --four-cp-alert-file FILE`): a CSV
// of `start_utc,end_utc` intervals, read again every `poll`, so whoever
// hears of a likely coincident peak (ERCOT's notices, a forecaster) raises
// an alert by appending a row. While one is in force the loop weighs the
// site's 4CP charge exactly as in an alert hour of the site file's
// (dispatch/contract.h). A header alone means no alerts; a file that cannot
// be read or does not parse keeps the last good intervals and shows in
// Health, stale.
//
// Thread safety: one thread (the loop's).

#ifndef MULLET_DAEMON_FOUR_CP_ALERTS_H_
#define MULLET_DAEMON_FOUR_CP_ALERTS_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "daemon/live_state.h"

namespace mullet {

// [start, end): an alert in force from `start` until before `end`.
struct AlertInterval {
  UtcTime start;
  UtcTime end;
};

// The file's intervals. DataError naming the file, the line and the field
// for a header other than `start_utc,end_utc`, a time that is not
// YYYY-MM-DDTHH:MM:SSZ, or an end not after its start.
Result<std::vector<AlertInterval>> LoadAlertIntervals(const std::filesystem::path& file);

class FourCpAlertFile {
 public:
  FourCpAlertFile(std::filesystem::path file, Seconds poll) : file_(std::move(file)), poll_(poll) {}

  // Reads the file when `poll` has passed since the last read (at once the
  // first time).
  void Poll(UtcTime now);
  // Whether an interval read last is in force at `now`.
  bool InForce(UtcTime now) const;
  SourceHealth Health() const;

 private:
  std::filesystem::path file_;
  Seconds poll_;
  std::optional<UtcTime> read_at_, good_at_;
  std::string error_;
  std::vector<AlertInterval> alerts_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_FOUR_CP_ALERTS_H_
