#include "daemon/api_devices.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"

namespace mullet {
namespace {

using json = nlohmann::ordered_json;

// An offset past any fleet: a typo, not a page.
constexpr std::size_t kMaxOffset = 100'000'000;

Result<std::size_t> Count(std::string_view name, std::string_view text, std::size_t lo,
                          std::size_t hi) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < lo || n > hi) {
    return Status::InvalidArgument(std::string(name) + ": expected a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                                   Quoted(text));
  }
  return n;
}

json NumberOrNull(double x) { return std::isnan(x) ? json(nullptr) : json(x); }

bool InDomain(const DevicesQuery& q, std::size_t group) {
  return q.in_domain.empty() || (group < q.in_domain.size() && q.in_domain[group]);
}

bool Matches(const DeviceRow& row, const DevicesQuery& q) {
  return (!q.group || row.group == *q.group) && (!q.state || row.state == *q.state) && InDomain(q, row.group);
}

}  // namespace

Result<DevicesQuery> ParseDevicesQuery(std::string_view query,
                                       const std::vector<std::pair<std::string, int>>& groups,
                                       const std::vector<std::vector<std::string>>& group_domains,
                                       const std::vector<std::string>& domains) {
  DevicesQuery q;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::optional<std::string> value =
        // "%20" and "+" as a form encodes them (RFC 3986 §2.1; HTML's
        // application/x-www-form-urlencoded).
        PercentDecoded(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!value)
      return Status::InvalidArgument(std::string(key) + ": a '%' not followed by two hex digits");
    if (key == "offset") {
      Result<std::size_t> n = Count(key, *value, 0, kMaxOffset);
      if (!n.ok()) return n.status();
      q.offset = *n;
    } else if (key == "limit") {
      Result<std::size_t> n = Count(key, *value, 1, kDevicesMaxLimit);
      if (!n.ok()) return n.status();
      q.limit = *n;
    } else if (key == "group") {
      std::string names;
      for (std::size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].first == *value) q.group = g;
        names += (g == 0 ? "" : ", ") + groups[g].first;
      }
      if (!q.group) {
        return Status::InvalidArgument("group: expected one of the site's miner groups (" + names +
                                       "), got " + Quoted(*value));
      }
    } else if (key == "domain") {
      std::vector<std::string> names = domains;
      for (const std::vector<std::string>& chain : group_domains) {
        for (const std::string& d : chain) {
          if (std::find(names.begin(), names.end(), d) == names.end()) names.push_back(d);
        }
      }
      if (std::find(names.begin(), names.end(), *value) == names.end()) {
        std::string list;
        for (const std::string& d : names) list += (list.empty() ? "" : ", ") + d;
        return Status::InvalidArgument("domain: expected one of the site's power domains (" +
                                       (list.empty() ? std::string("none") : list) + "), got " + Quoted(*value));
      }
      q.domain = *value;
      q.in_domain.assign(groups.size(), 0);
      for (std::size_t g = 0; g < groups.size() && g < group_domains.size(); ++g) {
        const auto& chain = group_domains[g];
        q.in_domain[g] = std::find(chain.begin(), chain.end(), *value) != chain.end();
      }
    } else if (key == "state") {
      q.state = ParseDeviceState(*value);
      if (!q.state) {
        return Status::InvalidArgument(
            "state: expected hashing, sleeping, ramping, unreachable or faulty, got " +
            Quoted(*value));
      }
    } else {
      return Status::InvalidArgument("unknown parameter " + Quoted(key) +
                                     " (offset, limit, group, state, domain)");
    }
  }
  return q;
}

std::string DevicesJson(const DeviceSnapshot& snap, const DevicesQuery& q,
                        const std::vector<std::pair<std::string, int>>& groups) {
  // The total from the counts: no pass over the fleet to count it.
  std::size_t total = 0;
  json by_group = json::array();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    json counts = json::object();
    std::size_t seen = 0;
    for (std::size_t s = 0; s < kDeviceStates; ++s) {
      const std::size_t n = g < snap.counts.size() ? snap.counts[g][s] : 0;
      counts[std::string(DeviceStateName(static_cast<DeviceState>(s)))] = n;
      seen += n;
      if ((!q.group || *q.group == g) && (!q.state || static_cast<std::size_t>(*q.state) == s) && InDomain(q, g))
        total += n;
    }
    by_group.push_back({{"name", groups[g].first},
                        {"units", groups[g].second},
                        {"seen", seen},
                        {"counts", counts}});
  }
  json page = json::array();
  // Unfiltered, the page starts at its offset; filtered, one pass finds it.
  const bool filtered = q.group || q.state || q.domain;
  std::size_t skipped = filtered ? 0 : q.offset;
  for (std::size_t i = filtered ? 0 : q.offset; i < snap.rows.size() && page.size() < q.limit;
       ++i) {
    const DeviceRow& row = snap.rows[i];
    if (!Matches(row, q) || skipped++ < q.offset) continue;
    page.push_back(
        {{"index", i},
         {"name", i < snap.names->size() ? (*snap.names)[i] : std::to_string(i)},
         {"group", row.group < groups.size() ? json(groups[row.group].first) : json(row.group)},
         {"state", DeviceStateName(row.state)},
         {"power_w", NumberOrNull(row.power_w)},
         {"hashrate_th_s", NumberOrNull(row.hashrate_th_s)},
         {"target",
          row.target == TargetState::kNone ? json(nullptr) : json(TargetStateName(row.target))},
         {"command", row.command == MinerRecord::Command::kSleep  ? json("sleep")
                     : row.command == MinerRecord::Command::kHash ? json("hash")
                                                                  : json(nullptr)},
         {"commanded_at", row.commanded_at ? json(FormatUtc(*row.commanded_at)) : json(nullptr)}});
  }
  const json j{{"as_of", FormatUtc(snap.at)}, {"total", total},
               {"offset", q.offset},          {"limit", q.limit},
               {"groups", by_group},          {"devices", page}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::map<std::string, std::size_t> TargetsSince(const DeviceSnapshot& snap, UtcTime since) {
  std::array<std::size_t, 6> by_state{};  // TargetState's values
  for (const DeviceRow& row : snap.rows) {
    if (row.commanded_at && *row.commanded_at >= since)
      ++by_state[static_cast<std::size_t>(row.target)];
  }
  std::map<std::string, std::size_t> out;
  for (std::size_t s = 0; s < by_state.size(); ++s) {
    const auto state = static_cast<TargetState>(s);
    if (state != TargetState::kNone) out[std::string(TargetStateName(state))] = by_state[s];
  }
  return out;
}

}  // namespace mullet
