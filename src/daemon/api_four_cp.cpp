// /api/v1/four-cp-alerts: operators' 4CP alerts (ApiHandler, api.h).

#include "daemon/api.h"
#include "daemon/api_reply.h"

namespace mullet {
namespace {

using namespace api_reply;  // NOLINT: the API's replies

json FourCpAlertJson(const FourCpAlertRow& a, UtcTime now) {
  return json{{"id", a.id},
              {"start", TimeOrNull(a.start)},
              {"end", TimeOrNull(a.end)},
              {"source", a.source},
              {"source_id", a.source_id},
              {"created", FormatUtc(a.created)},
              {"created_by", a.created_by},
              {"cancelled", TimeOrNull(a.cancelled)},
              {"active", a.ActiveAt(now)}};
}

}  // namespace

ApiReply ApiHandler::FourCpRoute(const ApiRequest& request, std::string_view path, std::string_view query,
                                 UtcTime now) {
  const std::string& m = request.method;
  if (path == "/api/v1/four-cp-alerts") {
    if (auto no = OnlyMethods(m, {"GET", "HEAD", "POST"}, path)) return *no;
    if (m == "POST") {
      ApiReply denied;
      const std::optional<TokenInfo> token = Authorize(request, Role::kOperator, &denied);
      if (!token) return denied;
      if (!site_.four_cp_charge) {
        return Error(409, "the site file has no contract.four_cp charge: a 4CP alert would change nothing");
      }
      Result<FourCpAlertRow> parsed = ParseFourCpAlertBody(request.body, now);
      if (!parsed.ok()) return ErrorOf(parsed.status());
      Result<std::string> key = SourceIdOf(request);
      if (!key.ok()) return ErrorOf(key.status());
      FourCpAlertRow alert = *parsed;
      alert.source = "api";
      alert.source_id = *key;
      bool created = false;
      Result<FourCpAlertRow> row = store_.AddFourCpAlert(alert, Who(*token), now, &created);
      if (!row.ok()) return ErrorOf(row.status());
      return Reply(created ? 201 : 200, FourCpAlertJson(*row, now));
    }
    Result<std::size_t> limit = Limit(query);
    if (!limit.ok()) return ErrorOf(limit.status());
    Result<std::vector<FourCpAlertRow>> alerts = store_.FourCpAlerts(*limit);
    if (!alerts.ok()) return ErrorOf(alerts.status());
    json list = json::array();
    for (const FourCpAlertRow& a : *alerts) list.push_back(FourCpAlertJson(a, now));
    return Reply(200, json{{"four_cp_charge", site_.four_cp_charge}, {"alerts", list}});
  }
  if (path.starts_with("/api/v1/four-cp-alerts/")) {
    if (auto no = OnlyMethods(m, {"GET", "HEAD", "DELETE"}, path)) return *no;
    Result<std::int64_t> id = IdIn(path.substr(std::string_view("/api/v1/four-cp-alerts/").size()));
    if (!id.ok()) return ErrorOf(id.status());
    if (m == "DELETE") {
      ApiReply denied;
      const std::optional<TokenInfo> token = Authorize(request, Role::kOperator, &denied);
      if (!token) return denied;
      Result<FourCpAlertRow> row = store_.CancelFourCpAlert(*id, Who(*token), now);
      if (!row.ok()) return ErrorOf(row.status());
      return Reply(200, FourCpAlertJson(*row, now));
    }
    Result<std::optional<FourCpAlertRow>> row = store_.FourCpAlert(*id);
    if (!row.ok()) return ErrorOf(row.status());
    if (!*row) return Error(404, "no 4CP alert " + std::to_string(*id));
    return Reply(200, FourCpAlertJson(**row, now));
  }
  return Error(404, "no route " + std::string(path));
}

}  // namespace mullet
