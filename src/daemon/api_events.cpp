// /api/v1/events, /api/v1/events/preview and /api/v1/events/{id}: grid
// events as operators and signals post them (ApiHandler, api.h).

#include "core/text/untrusted_text.h"
#include "daemon/api.h"
#include "daemon/api_devices.h"
#include "daemon/api_reply.h"

namespace mullet {
namespace {

using namespace api_reply;  // NOLINT: the API's replies

json EventJson(const EventRow& e, UtcTime now) {
  return json{{"id", e.id},
              {"type", e.spec.type},
              {"kw", e.spec.kw},
              {"start", TimeOrNull(e.spec.start)},
              {"end", TimeOrNull(e.spec.end)},
              {"ramp_s", e.spec.ramp_s},
              {"source", e.source},
              {"source_id", e.source_id},
              {"created", FormatUtc(e.created)},
              {"created_by", e.created_by},
              {"cancelled", TimeOrNull(e.cancelled)},
              {"active", e.ActiveAt(now)}};
}

json OptW(const std::optional<Watts>& w) { return w ? json(w->value()) : json(nullptr); }

}  // namespace

ApiReply ApiHandler::EventsRoute(const ApiRequest& request, std::string_view path, std::string_view query,
                                 UtcTime now) {
  const std::string& m = request.method;
  if (path == "/api/v1/events") {
    if (auto no = OnlyMethods(m, {"GET", "HEAD", "POST"}, path)) return *no;
    if (m == "POST") {
      ApiReply denied;
      const std::optional<TokenInfo> token = Authorize(request, Role::kOperator, &denied);
      if (!token) return denied;
      Result<EventSpec> spec = ParseEventBody(request.body, now);
      if (!spec.ok()) return ErrorOf(spec.status());
      Result<std::string> key = SourceIdOf(request);
      if (!key.ok()) return ErrorOf(key.status());
      bool created = false;
      Result<EventRow> row = store_.AddEvent(*spec, "api", *key, Who(*token), now, &created);
      if (!row.ok()) return ErrorOf(row.status());
      return Reply(created ? 201 : 200, EventJson(*row, now));
    }
    Result<std::size_t> limit = Limit(query);
    if (!limit.ok()) return ErrorOf(limit.status());
    Result<std::vector<EventRow>> events = store_.Events(*limit);
    if (!events.ok()) return ErrorOf(events.status());
    const std::shared_ptr<const DeviceSnapshot> devices = live_ ? live_->Read().devices : nullptr;
    json list = json::array();
    for (const EventRow& e : *events) {
      list.push_back(EventJson(e, now));
      // An event in force: how far its commands have got.
      if (devices && e.ActiveAt(now)) {
        list.back()["targets"] = TargetsSince(*devices, e.spec.start.value_or(e.created));
      }
    }
    return Reply(200, json{{"events", list}});
  }
  if (path == "/api/v1/events/preview") {
    if (auto no = OnlyMethods(m, {"POST"}, path)) return *no;
    Result<EventSpec> spec = ParseEventBody(request.body, now);
    if (!spec.ok()) return ErrorOf(spec.status());
    const LiveState live = live_ ? live_->Read() : LiveState{};
    if (!live.basis || live.site == nullptr) {
      return Error(503, "no control loop has ticked yet: nothing to preview against");
    }
    const PreviewBasis& b = *live.basis;
    Watts cap{spec->kw * 1000};
    if (spec->type == "reduce-by") {
      const Watts draw = b.site_meter.value_or(b.now.facility());
      cap = std::max(Watts(0), draw - cap);
    }
    const EventPreview p = Preview(*live.site, b, cap, live.policy);
    json groups = json::array();
    for (const PreviewGroup& g : p.groups) {
      groups.push_back({{"name", g.name},
                        {"running_now", g.running_now},
                        {"running_after", g.running_after},
                        {"curtailed_w", g.curtailed.value()},
                        {"reason", g.reason}});
    }
    json skipped = json::array();
    for (const PreviewSkip& k : p.skipped) skipped.push_back({{"what", k.what}, {"w", k.draw.value()}, {"why", k.why}});
    json sla = json::array();
    for (const PreviewSkip& k : p.sla) sla.push_back({{"what", k.what}, {"cut_w", k.draw.value()}, {"why", k.why}});
    return Reply(200, json{{"cap_w", p.cap.value()},
                           {"site_meter_w", OptW(b.site_meter)},
                           {"expected_now_w", p.expected_now.value()},
                           {"expected_after_w", p.expected_after.value()},
                           {"shortfall_w", p.shortfall.value()},
                           {"groups", groups},
                           {"skipped", skipped},
                           {"sla_events", sla},
                           {"batch_gpus_now", p.batch_gpus_now},
                           {"batch_gpus_after", p.batch_gpus_after},
                           {"as_of", FormatUtc(b.signals.time)}});
  }
  if (path.starts_with("/api/v1/events/")) {
    if (auto no = OnlyMethods(m, {"GET", "HEAD", "DELETE"}, path)) return *no;
    Result<std::int64_t> id = IdIn(path.substr(std::string_view("/api/v1/events/").size()));
    if (!id.ok()) return ErrorOf(id.status());
    if (m == "DELETE") {
      ApiReply denied;
      const std::optional<TokenInfo> token = Authorize(request, Role::kOperator, &denied);
      if (!token) return denied;
      Result<EventRow> row = store_.CancelEvent(*id, Who(*token), now);
      if (!row.ok()) return ErrorOf(row.status());
      return Reply(200, EventJson(*row, now));
    }
    Result<std::optional<EventRow>> row = store_.Event(*id);
    if (!row.ok()) return ErrorOf(row.status());
    if (!*row) return Error(404, "no event " + std::to_string(*id));
    return Reply(200, EventJson(**row, now));
  }
  return Error(404, "no route " + Quoted(path));
}

}  // namespace mullet
