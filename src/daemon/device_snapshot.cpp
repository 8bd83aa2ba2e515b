#include "daemon/device_snapshot.h"

#include <cassert>
#include <cmath>

namespace mullet {

std::shared_ptr<const DeviceSnapshot> DeviceSnapshots::Take(const Site& site,
                                                            const std::vector<MinerRecord>& records,
                                                            UtcTime now) const {
  assert(records.size() == names_->size());
  auto snap = std::make_shared<DeviceSnapshot>();
  snap->at = now;
  snap->names = names_;
  snap->counts.assign(site.miners.size(), {});
  snap->rows.resize(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const MinerRecord& r = records[i];
    assert(r.group < site.miners.size());
    DeviceRow& row = snap->rows[i];
    row.group = static_cast<std::uint32_t>(r.group);
    row.state = DeviceStateOf(site, r, now);
    row.target = r.target;
    row.command = r.command;
    row.power_w = r.answered && r.power ? r.power->value() : NAN;
    row.hashrate_th_s = r.answered && r.hashrate ? r.hashrate->value() : NAN;
    row.commanded_at = r.commanded_at;
    ++snap->counts[r.group][static_cast<std::size_t>(row.state)];
  }
  return snap;
}

}  // namespace mullet
