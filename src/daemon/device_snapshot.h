// The fleet, miner by miner, as the API pages it (GET /api/v1/devices): the
// loop's thread builds a snapshot after each tick and each confirm read and
// publishes it in the LiveState; once published it never changes, so the
// API's thread pages over it with no lock at all, and the loop never waits
// on a reader (LiveBoard's mutex guards only the swap of a pointer).
//
// A row is 48 bytes: 100,000 miners cost about 5 MB and a
// millisecond or two of the loop's thread per publish. Names, which do not
// change, are built once and shared by every snapshot.

#ifndef MULLET_DAEMON_DEVICE_SNAPSHOT_H_
#define MULLET_DAEMON_DEVICE_SNAPSHOT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time/calendar.h"
#include "daemon/fleet_view.h"
#include "site/site.h"

namespace mullet {

struct DeviceRow {
  std::uint32_t group = 0;  // index into site.miners
  DeviceState state = DeviceState::kUnreachable;
  TargetState target = TargetState::kNone;
  MinerRecord::Command command = MinerRecord::Command::kNone;
  // The last sweep's report; NaN where it reported none (or did not answer).
  double power_w = 0, hashrate_th_s = 0;
  std::optional<UtcTime> commanded_at;
};

struct DeviceSnapshot {
  UtcTime at;
  std::vector<DeviceRow> rows;                            // fleet index order
  std::shared_ptr<const std::vector<std::string>> names;  // fleet index order: each miner's address
  std::vector<std::array<std::size_t, kDeviceStates>>
      counts;  // per group (site.miners order), per DeviceState
};

// Builds the snapshots of one fleet. Not for sharing between threads: the
// loop's thread alone calls Take; what it returns may be read from any.
class DeviceSnapshots {
 public:
  // REQUIRES: names.size() is the fleet's size.
  explicit DeviceSnapshots(std::vector<std::string> names)
      : names_(std::make_shared<const std::vector<std::string>>(std::move(names))) {}

  // The fleet as `records` say at `now`.
  // REQUIRES: records.size() == names.size(); each record's group < site.miners.size().
  std::shared_ptr<const DeviceSnapshot> Take(const Site& site,
                                             const std::vector<MinerRecord>& records,
                                             UtcTime now) const;

 private:
  std::shared_ptr<const std::vector<std::string>> names_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_DEVICE_SNAPSHOT_H_
