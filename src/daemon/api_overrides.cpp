// /api/v1/overrides and /api/v1/overrides/{group}: operators' holds on a
// miner group (ApiHandler, api.h).

#include "core/text/untrusted_text.h"
#include "daemon/api.h"
#include "daemon/api_reply.h"

namespace mullet {
namespace {

using namespace api_reply;  // NOLINT: the API's replies

json OverrideJson(const GroupOverride& o, UtcTime now) {
  return json{{"group", o.group},
              {"max_running", o.max_running},
              {"until", TimeOrNull(o.until)},
              {"created", FormatUtc(o.created)},
              {"created_by", o.created_by},
              {"active", o.ActiveAt(now)}};
}

}  // namespace

ApiReply ApiHandler::OverridesRoute(const ApiRequest& request, std::string_view path, UtcTime now) {
  const std::string& m = request.method;
  if (path == "/api/v1/overrides") {
    if (auto no = OnlyMethods(m, {"GET", "HEAD", "POST"}, path)) return *no;
    if (m == "POST") {
      ApiReply denied;
      const std::optional<TokenInfo> token = Authorize(request, Role::kOperator, &denied);
      if (!token) return denied;
      if (Status depth = CheckJsonDepth(request.body, 4); !depth.ok()) return Error(400, "body " + depth.message());
      const json j = json::parse(request.body, nullptr, false);
      if (j.is_discarded() || !j.is_object()) return Error(400, "body: expected a JSON object");
      for (const auto& item : j.items()) {
        if (item.key() != "group" && item.key() != "max_running" && item.key() != "until") {
          return Error(400, "unknown field " + Quoted(item.key()) + " (group, max_running, until)");
        }
      }
      GroupOverride o;
      o.group = j.contains("group") && j["group"].is_string() ? j["group"].get<std::string>() : "";
      int units = -1;
      for (const auto& [name, count] : site_.groups) units = name == o.group ? count : units;
      if (units < 0) {
        std::string names;
        for (const auto& [name, count] : site_.groups) names += (names.empty() ? "" : ", ") + name;
        return Error(400, "group: expected one of the site's miner groups (" + names + ")");
      }
      if (!j.contains("max_running") || !j["max_running"].is_number_integer() || j["max_running"].get<long long>() < 0 ||
          j["max_running"].get<long long>() > units) {
        return Error(400, "max_running: expected a whole number of units from 0 to " + std::to_string(units));
      }
      o.max_running = j["max_running"].get<int>();
      if (j.contains("until") && !j["until"].is_null()) {
        Result<UtcTime> until = j["until"].is_string() ? ParseUtcTimestamp(j["until"].get<std::string>())
                                                       : Result<UtcTime>(Status::InvalidArgument(""));
        if (!until.ok() || *until <= now) return Error(400, "until: expected a UTC time in the future, such as \"2026-12-02T20:00:00Z\"");
        o.until = *until;
      }
      o.created = now;
      o.created_by = Who(*token);
      if (Status s = store_.SetOverride(o, Who(*token), now); !s.ok()) return ErrorOf(s);
      return Reply(201, OverrideJson(o, now));
    }
    Result<std::vector<GroupOverride>> list = store_.Overrides();
    if (!list.ok()) return ErrorOf(list.status());
    json out = json::array();
    for (const GroupOverride& o : *list) out.push_back(OverrideJson(o, now));
    return Reply(200, json{{"overrides", out}});
  }
  if (path.starts_with("/api/v1/overrides/")) {
    if (auto no = OnlyMethods(m, {"DELETE"}, path)) return *no;
    ApiReply denied;
    const std::optional<TokenInfo> token = Authorize(request, Role::kOperator, &denied);
    if (!token) return denied;
    const std::string group(path.substr(std::string_view("/api/v1/overrides/").size()));
    if (Status s = store_.ClearOverride(group, Who(*token), now); !s.ok()) return ErrorOf(s);
    return Reply(200, json{{"group", group}, {"cleared", true}});
  }
  return Error(404, "no route " + Quoted(path));
}

}  // namespace mullet
