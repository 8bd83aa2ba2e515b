// GET /api/v1/devices: the fleet miner by miner, a page at a time, over the
// loop's last DeviceSnapshot (device_snapshot.h). A request costs its page,
// not the fleet: counts come precomputed with the snapshot, and a filtered
// page is found by one pass over rows of a few dozen bytes, with no JSON
// built for rows outside the page.

#ifndef MULLET_DAEMON_API_DEVICES_H_
#define MULLET_DAEMON_API_DEVICES_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status/result.h"
#include "daemon/device_snapshot.h"

namespace mullet {

inline constexpr std::size_t kDevicesDefaultLimit = 100;
inline constexpr std::size_t kDevicesMaxLimit = 1000;

struct DevicesQuery {
  std::size_t offset = 0;                    // rows of the filtered fleet to skip
  std::size_t limit = kDevicesDefaultLimit;  // 1..kDevicesMaxLimit
  std::optional<std::size_t> group;          // index into the site's groups; none: all
  std::optional<DeviceState> state;          // none: all
  std::optional<std::string> domain;         // a power domain (a hall): the groups under it
  std::vector<char> in_domain;               // per group, with `domain`: whether it lies under it
};

// `query` is the part of the target after '?': offset, limit, group (a miner
// group's name), state (hashing, sleeping, ramping, unreachable, faulty),
// domain (a power domain: the miners of the groups under it, however deep),
// values percent-encoded. InvalidArgument naming the parameter for anything
// else, an unknown parameter included. `groups`: the site's, in its order;
// `group_domains`: each group's domains, innermost first (SiteView);
// `domains`: every power domain of the site (one may hold no miners).
Result<DevicesQuery> ParseDevicesQuery(std::string_view query,
                                       const std::vector<std::pair<std::string, int>>& groups,
                                       const std::vector<std::vector<std::string>>& group_domains = {},
                                       const std::vector<std::string>& domains = {});

// The reply's body: the snapshot's time, the miners that match (`total`),
// every group's units and counts by state, and the page.
std::string DevicesJson(const DeviceSnapshot& snapshot, const DevicesQuery& query,
                        const std::vector<std::pair<std::string, int>>& groups);

// Miners whose last command was given at or after `since`, by target state
// ("dispatched", "confirmed", ...): an event's progress, its commands being
// those given while it is in force. One pass over the snapshot's rows.
std::map<std::string, std::size_t> TargetsSince(const DeviceSnapshot& snapshot, UtcTime since);

}  // namespace mullet

#endif  // MULLET_DAEMON_API_DEVICES_H_
