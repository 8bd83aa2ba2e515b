// ApiHandler: routes, tokens and roles, bodies, replies (api.h).

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "daemon/api.h"
#include "daemon/api_reply.h"
#include "daemon/api_devices.h"
#include "daemon/openapi.h"
#include "daemon/policy_params.h"
#include "daemon/web_assets.h"
#include "dispatch/operating_point.h"
#include "dispatch/reason.h"
#include "storage/token.h"

namespace mullet {
namespace api_reply {

std::string Dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n"; }

ApiReply Reply(int status, const json& body) { return {status, "application/json", Dump(body)}; }

ApiReply Error(int status, const std::string& message) { return Reply(status, json{{"error", message}}); }

ApiReply ErrorOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kDataError:
      return Error(400, s.message());
    case StatusCode::kNotFound:
      return Error(404, s.message());
    case StatusCode::kConflict:
      return Error(409, s.message());
    case StatusCode::kOk:
    case StatusCode::kIoError:
      break;
  }
  return Error(500, s.message());
}

json TimeOrNull(const std::optional<UtcTime>& t) { return t ? json(FormatUtc(*t)) : json(nullptr); }

// The source id a POST is stored under: its Idempotency-Key, so that a retry
// is the same row; without one, a fresh id, so each POST is its own.
Result<std::string> SourceIdOf(const ApiRequest& request) {
  if (request.idempotency_key.size() > 200 || Printable(request.idempotency_key) != request.idempotency_key) {
    return Status::InvalidArgument("Idempotency-Key: expected printable text of at most 200 bytes");
  }
  if (!request.idempotency_key.empty()) return request.idempotency_key;
  Result<std::string> fresh = RandomHex(16);
  if (!fresh.ok()) return fresh.status();
  return "api-" + *fresh;
}

// "/api/v1/events?limit=5" -> path "/api/v1/events", query "limit=5".
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

// The value of `key` in a query string; "" when absent.
std::string_view QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// ?limit=N: 1..kMaxListed, 100 when absent.
Result<std::size_t> Limit(std::string_view query) {
  const std::string_view text = QueryValue(query, "limit");
  if (text.empty()) return std::size_t{100};
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kMaxListed) {
    return Status::InvalidArgument("limit: expected 1 to " + std::to_string(kMaxListed) + ", got " + Quoted(text));
  }
  return n;
}

Result<std::int64_t> IdIn(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return Status::NotFound("no event " + Quoted(text));
  }
  return id;
}

// Seconds since a source was last read; none when never.
std::optional<double> AgeS(const SourceHealth& h, UtcTime now) {
  if (!h.read_at) return std::nullopt;
  return static_cast<double>((now - *h.read_at).count());
}

// What the loop last did, as /api/v1/site shows it.
json LiveJson(const LiveState& s, UtcTime now, double interconnect_w) {
  json sources = json::object();
  for (const auto& [name, h] : s.sources) {
    const std::optional<double> age = AgeS(h, now);
    sources[name] = {{"source", h.source},
                     {"read_at", TimeOrNull(h.read_at)},
                     {"age_s", age ? json(*age) : json(nullptr)},
                     {"stale", h.stale},
                     {"error", h.error.empty() ? json(nullptr) : json(h.error)}};
  }
  json targets = json::object();
  for (const auto& [state, n] : s.targets) targets[state] = n;
  // Each miner group's breakeven at the hashprice in force, as the
  // strike-price baseline reckons it (BreakevenIndexPrice).
  json groups = json::array();
  for (std::size_t g = 0; s.site && g < s.site->miners.size(); ++g) {
    const MinerGroup& m = s.site->miners[g];
    groups.push_back(
        {{"name", m.name},
         {"j_per_th", m.model.power.value() / m.model.hashrate.value()},
         {"breakeven_usd_per_mwh",
          BreakevenIndexPrice(*s.site, m, UsdPerTerahashDay(s.hashprice_usd_per_th_day)).value()}});
  }
  json j{{"loop", s.loop},
         {"miners", s.miners},
         {"ticks", s.ticks},
         {"tick_errors", s.tick_errors},
         {"last_tick_s", s.last_tick_s},
         {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
         {"price_usd_per_mwh", s.price_usd_per_mwh},
         {"hashprice_usd_per_th_day", s.hashprice_usd_per_th_day},
         {"safe_action", s.safe_action.empty() ? json(nullptr) : json(s.safe_action)},
         {"sources", sources},
         {"targets", targets},
         {"groups", groups}};
  if (s.last) {
    const TickReport& r = *s.last;
    const std::optional<Watts> drawing = r.site_meter ? r.site_meter : std::optional<Watts>(r.expected_facility);
    // The tick as the store keeps it (control_loop.h), with the headroom.
    json tick = s.site ? json::parse(TickJson(*s.site, r), nullptr, false) : json::object();
    if (tick.is_discarded()) tick = json::object();
    tick["headroom_w"] = r.site_cap.value() - drawing->value();
    tick["interconnect_w"] = interconnect_w;
    j["tick"] = tick;
  }
  return j;
}

// A Prometheus label value: backslash, double quote and newline escaped.
std::string LabelValue(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '"' || c == '\\') ? std::string("\\") + c : c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

std::string Who(const TokenInfo& t) { return "token " + std::to_string(t.id) + " (" + t.label + ")"; }

std::optional<ApiReply> OnlyMethods(std::string_view method, std::initializer_list<const char*> methods,
                                    std::string_view path) {
  for (const char* allowed : methods) {
    if (method == allowed) return std::nullopt;
  }
  return Error(405, "method " + Quoted(method) + " not allowed on " + std::string(path));
}

}  // namespace api_reply

using namespace api_reply;  // NOLINT: this file is their home

ApiHandler::ApiHandler(Store& store, SiteView site, Clock clock, const LiveBoard* live,
                       std::span<const WebAsset> web)
    : store_(store), site_(std::move(site)), clock_(std::move(clock)), live_(live), web_(web) {}

std::string ApiHandler::SiteBody(UtcTime now, bool compact) {
  const std::optional<LiveState> live = live_ ? std::optional<LiveState>(live_->Read()) : std::nullopt;
  const std::vector<Watts>* draws = live && live->last ? &live->last->domains : nullptr;
  json domains = json::array();
  for (std::size_t d = 0; d < site_.domain_limits_w.size(); ++d) {
    const auto& [name, limit] = site_.domain_limits_w[d];
    const bool drawn = draws && d < draws->size();
    domains.push_back({{"name", name},
                       {"limit_w", limit},
                       {"draw_w", drawn ? json((*draws)[d].value()) : json(nullptr)},
                       {"headroom_w", drawn ? json(limit - (*draws)[d].value()) : json(nullptr)}});
  }
  const json j{{"name", site_.name},
               {"site_file", site_.site_file},
               {"interconnect_w", site_.interconnect_w},
               {"domains", domains},
               {"started", FormatUtc(site_.started)},
               {"now", FormatUtc(now)},
               {"live", live ? LiveJson(*live, now, site_.interconnect_w) : json(nullptr)}};
  return compact ? j.dump(-1, ' ', false, json::error_handler_t::replace) : Dump(j);
}

std::string ApiHandler::StreamEvent() {
  // One line of JSON: a data line may hold no newline (HTML, "Server-sent events").
  return "event: site\ndata: " + SiteBody(clock_(), true) + "\n\n";
}

std::uint64_t ApiHandler::LiveVersion() const { return live_ ? live_->Version() : 0; }

ApiReply ApiHandler::Handle(const ApiRequest& request) {
  ApiReply reply;
  try {
    reply = Route(request);
  } catch (const std::exception& e) {
    // The edge of the request: nothing thrown reaches the server's loop.
    reply = Error(500, std::string("internal error: ") + e.what());
  }
  ++replies_[reply.status];
  // A write that took: the loop acts on it at once, not at its next tick.
  const bool write = request.method == "POST" || request.method == "PUT" || request.method == "DELETE";
  if (live_ && write && reply.status / 100 == 2 && request.target.find("/preview") == std::string::npos) {
    live_->Nudge();
  }
  return reply;
}

std::optional<TokenInfo> ApiHandler::Authorize(const ApiRequest& request, Role needed, ApiReply* denied) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view auth = request.authorization;
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) {
    *denied = Error(401, "this needs a bearer token (Authorization: Bearer mlt_...; `mullet token create`)");
    return std::nullopt;
  }
  Result<std::optional<TokenInfo>> token = store_.FindToken(auth.substr(kBearer.size()));
  if (!token.ok()) {
    *denied = ErrorOf(token.status());
    return std::nullopt;
  }
  if (!*token) {
    *denied = Error(401, "unknown or revoked token");
    return std::nullopt;
  }
  if (!RoleAllows((*token)->role, needed)) {
    *denied = Error(403, "token " + std::to_string((*token)->id) + " has role " +
                             std::string(RoleName((*token)->role)) + "; this needs " + std::string(RoleName(needed)));
    return std::nullopt;
  }
  return *token;
}

ApiReply ApiHandler::Route(const ApiRequest& request) {
  const auto [path, query] = SplitTarget(request.target);
  const std::string& m = request.method;
  const UtcTime now = clock_();
  const auto only = [&](std::initializer_list<const char*> methods) -> std::optional<ApiReply> {
    for (const char* allowed : methods) {
      if (m == allowed) return std::nullopt;
    }
    return Error(405, "method " + Quoted(m) + " not allowed on " + std::string(path));
  };

  if (path == "/healthz") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    return {200, "text/plain", "ok\n"};
  }
  if (path == "/metrics") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    return Metrics();
  }
  if (path == "/api/v1/openapi.json") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    return {200, "application/json", std::string(OpenApiDocument())};
  }
  if (path == "/api/v1/site") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    return {200, "application/json", SiteBody(now, false)};
  }
  if (path == "/api/v1/stream") {
    if (auto no = only({"GET"})) return *no;
    ApiReply r{200, "text/event-stream", StreamEvent()};
    r.headers = {{"Cache-Control", "no-store"}};
    r.stream = true;
    return r;
  }
  if (path == "/api/v1/reasons") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    json reasons = json::object();
    for (int r = 0; r < static_cast<int>(Reason::kCount); ++r) {
      reasons[std::string(ReasonName(static_cast<Reason>(r)))] = std::string(ReasonMeaning(static_cast<Reason>(r)));
    }
    return Reply(200, json{{"reasons", reasons}});
  }
  if (path == "/api/v1/whoami") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    ApiReply denied;
    const std::optional<TokenInfo> token = Authorize(request, Role::kViewer, &denied);
    if (!token) return denied;
    return Reply(200, json{{"id", token->id}, {"role", RoleName(token->role)}, {"label", token->label}});
  }
  if (path == "/api/v1/devices") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    // Each miner's address is a map of the site's network: a viewer's token.
    ApiReply denied;
    if (!Authorize(request, Role::kViewer, &denied)) return denied;
    std::vector<std::string> domains;
    for (const auto& [name, limit] : site_.domain_limits_w) domains.push_back(name);
    Result<DevicesQuery> q = ParseDevicesQuery(query, site_.groups, site_.group_domains, domains);
    if (!q.ok()) return ErrorOf(q.status());
    const std::shared_ptr<const DeviceSnapshot> devices = live_ ? live_->Read().devices : nullptr;
    if (!devices) return Error(503, "no control loop has swept the fleet yet: no devices to list");
    return {200, "application/json", DevicesJson(*devices, *q, site_.groups)};
  }
  if (path == "/api/v1/ticks") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    Result<std::size_t> limit = Limit(query);
    if (!limit.ok()) return ErrorOf(limit.status());
    Result<std::vector<TickRow>> ticks = store_.Ticks(*limit);
    if (!ticks.ok()) return ErrorOf(ticks.status());
    json list = json::array();
    for (const TickRow& t : *ticks) {
      json one = json::parse(t.json, nullptr, false);
      list.push_back(one.is_discarded() ? json{{"time", FormatUtc(t.at)}} : one);
    }
    return Reply(200, json{{"ticks", list}});
  }
  if (path == "/api/v1/targets") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    Result<std::vector<TargetRow>> targets = store_.Targets();
    if (!targets.ok()) return ErrorOf(targets.status());
    const std::string_view want = QueryValue(query, "state");
    std::map<std::string, std::size_t> counts;
    json list = json::array();
    Result<std::size_t> limit = Limit(query);
    if (!limit.ok()) return ErrorOf(limit.status());
    for (const TargetRow& t : *targets) {
      ++counts[t.state];
      if ((!want.empty() && t.state != want) || list.size() >= *limit) continue;
      list.push_back({{"miner", t.miner},
                      {"name", t.name},
                      {"desired", t.desired},
                      {"state", t.state},
                      {"commanded_at", TimeOrNull(t.commanded_at)}});
    }
    json by_state = json::object();
    for (const auto& [state, n] : counts) by_state[state] = n;
    return Reply(200, json{{"by_state", by_state}, {"targets", list}});
  }
  if (path == "/api/v1/events" || path.starts_with("/api/v1/events/")) {
    return EventsRoute(request, path, query, now);
  }
  if (path == "/api/v1/four-cp-alerts" || path.starts_with("/api/v1/four-cp-alerts/")) {
    return FourCpRoute(request, path, query, now);
  }
  if (path == "/api/v1/overrides" || path.starts_with("/api/v1/overrides/")) return OverridesRoute(request, path, now);
  if (path == "/api/v1/policy") {
    if (auto no = only({"GET", "HEAD", "PUT"})) return *no;
    Result<std::optional<std::string>> saved = store_.LoadPolicyParams();
    if (!saved.ok()) return ErrorOf(saved.status());
    PolicyParams in_force = site_.policy;
    if (*saved) {
      Result<PolicyParams> p = ParsePolicyParams(**saved, site_.policy);
      if (p.ok()) in_force = *p;
    }
    if (m == "PUT") {
      ApiReply denied;
      const std::optional<TokenInfo> token = Authorize(request, Role::kAdmin, &denied);
      if (!token) return denied;
      Result<PolicyParams> p = ParsePolicyParams(request.body, in_force);
      if (!p.ok()) return ErrorOf(p.status());
      if (Status s = store_.SavePolicyParams(PolicyParamsJson(*p), Who(*token), now); !s.ok()) return ErrorOf(s);
      in_force = *p;
      saved = std::optional<std::string>(PolicyParamsJson(*p));
    }
    return Reply(200, json{{"site_file", json::parse(PolicyParamsJson(site_.policy))},
                           {"in_force", json::parse(PolicyParamsJson(in_force))},
                           {"set_by_operator", saved->has_value()}});
  }
  if (path == "/api/v1/audit") {
    if (auto no = only({"GET", "HEAD"})) return *no;
    ApiReply denied;
    if (!Authorize(request, Role::kAdmin, &denied)) return denied;
    Result<std::size_t> limit = Limit(query);
    if (!limit.ok()) return ErrorOf(limit.status());
    Result<std::vector<AuditRow>> rows = store_.AuditLog(*limit);
    if (!rows.ok()) return ErrorOf(rows.status());
    json list = json::array();
    for (const AuditRow& a : *rows) {
      json detail = json::parse(a.detail, nullptr, false);
      list.push_back({{"id", a.id},
                      {"at", FormatUtc(a.at)},
                      {"who", a.who},
                      {"action", a.action},
                      {"detail", detail.is_discarded() ? json(a.detail) : detail}});
    }
    return Reply(200, json{{"audit", list}});
  }
  if (path == "/api/v1/reports" || path.starts_with("/reports/")) return ReportsRoute(request, path);
  if (!path.starts_with("/api/")) {
    if (auto no = only({"GET", "HEAD"})) return *no;
    return WebAssetReply(path, web_);
  }
  return Error(404, "no route " + Quoted(path) + " (see /api/v1/openapi.json)");
}

ApiReply ApiHandler::Metrics() {
  const UtcTime now = clock_();
  std::string out;
  const auto gauge = [&out](const char* name, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  };
  gauge("mullet_up", "1 while the daemon serves.");
  out += "mullet_up 1\n";
  gauge("mullet_site_limit_watts", "The site's power limits from its file: the interconnect and each domain.");
  out += "mullet_site_limit_watts{domain=\"interconnect\"} " + fmt::format("{}", site_.interconnect_w) + "\n";
  for (const auto& [name, w] : site_.domain_limits_w) {
    out += "mullet_site_limit_watts{domain=\"" + LabelValue(name) + "\"} " + fmt::format("{}", w) + "\n";
  }
  std::size_t active = 0;
  if (Result<std::vector<EventRow>> events = store_.Events(kMaxListed); events.ok()) {
    for (const EventRow& e : *events) active += e.ActiveAt(now) ? 1 : 0;
  }
  gauge("mullet_events_active", "Demand-response events in force now.");
  out += "mullet_events_active " + std::to_string(active) + "\n";
  if (live_) {
    const LiveState s = live_->Read();
    const auto number = [](double x) { return fmt::format("{}", x); };
    gauge("mullet_loop_running", "1 while the control loop runs.");
    out += std::string("mullet_loop_running ") + (s.loop ? "1" : "0") + "\n";
    out += "# HELP mullet_ticks_total Ticks of the control loop, and those that failed.\n# TYPE mullet_ticks_total counter\n";
    out += "mullet_ticks_total " + std::to_string(s.ticks) + "\n";
    out += "mullet_ticks_total{result=\"error\"} " + std::to_string(s.tick_errors) + "\n";
    gauge("mullet_tick_duration_seconds", "How long the last tick took.");
    out += "mullet_tick_duration_seconds " + number(s.last_tick_s) + "\n";
    gauge("mullet_power_price_usd_per_mwh", "The power price the loop acts on.");
    out += "mullet_power_price_usd_per_mwh " + number(s.price_usd_per_mwh) + "\n";
    gauge("mullet_hashprice_usd_per_th_day", "The hashprice the loop acts on (before pool fees).");
    out += "mullet_hashprice_usd_per_th_day " + number(s.hashprice_usd_per_th_day) + "\n";
    if (s.last) {
      const TickReport& r = *s.last;
      if (r.site_meter) {
        gauge("mullet_site_power_watts", "Facility power at the interconnect, as last metered (each tick, and each confirm read between ticks).");
        out += "mullet_site_power_watts " + number(r.site_meter->value()) + "\n";
      }
      gauge("mullet_four_cp_alert", "1 while the last tick weighed a 4CP alert (the site file's, or an operator's).");
      out += std::string("mullet_four_cp_alert ") + (r.four_cp_alert.empty() ? "0" : "1") + "\n";
      gauge("mullet_site_expected_watts", "Facility power the policy expects after the last tick's commands.");
      out += "mullet_site_expected_watts " + number(r.expected_facility.value()) + "\n";
      gauge("mullet_site_cap_watts", "The site's cap this tick: the interconnect, or a demand-response event's.");
      out += "mullet_site_cap_watts " + number(r.site_cap.value()) + "\n";
      gauge("mullet_tier_power_watts", "Expected facility power by tier (cooling included).");
      out += "mullet_tier_power_watts{tier=\"firm\"} " + number(r.firm.value()) + "\n";
      out += "mullet_tier_power_watts{tier=\"batch\"} " + number(r.batch.value()) + "\n";
      out += "mullet_tier_power_watts{tier=\"mining\"} " + number(r.mining.value()) + "\n";
      out += "mullet_tier_power_watts{tier=\"unexplained\"} " + number(r.unexplained.value()) + "\n";
      gauge("mullet_cooling_power_watts", "Expected cooling power: the tiers' facility power less their IT.");
      out += "mullet_cooling_power_watts " + number(r.cooling().value()) + "\n";
      gauge("mullet_domain_power_watts", "Expected facility power under each power domain after the last tick's commands (its children's included).");
      for (std::size_t d = 0; d < site_.domain_limits_w.size() && d < r.domains.size(); ++d) {
        out += "mullet_domain_power_watts{domain=\"" + LabelValue(site_.domain_limits_w[d].first) + "\"} " +
               number(r.domains[d].value()) + "\n";
      }
      gauge("mullet_batch_gpus", "GPUs of the batch queue the policy lets run this tick.");
      out += "mullet_batch_gpus " + std::to_string(r.batch_gpus) + "\n";
      double sla_usd = 0;
      for (const SlaEvent& e : r.sla_events) sla_usd += e.cost_usd;
      gauge("mullet_firm_sla_events", "Firm tenants the policy could not serve in full this tick (firm-sla-breach).");
      out += "mullet_firm_sla_events " + std::to_string(r.sla_events.size()) + "\n";
      gauge("mullet_firm_sla_cost_usd", "What the last tick's SLA events cost over its step, as the backtest costs one.");
      out += "mullet_firm_sla_cost_usd " + number(sla_usd) + "\n";
      gauge("mullet_firm_capped_gpus", "Firm tenants' GPUs the loop holds capped for an SLA cut.");
      out += "mullet_firm_capped_gpus " + std::to_string(r.gpus_capped) + "\n";
      gauge("mullet_miners", "Miners by what the last sweep found.");
      out += "mullet_miners{state=\"answered\"} " + std::to_string(r.answered) + "\n";
      out += "mullet_miners{state=\"silent\"} " + std::to_string(r.silent) + "\n";
    }
    gauge("mullet_targets", "Miners by the state of their target; pending: units waiting for pacing.");
    for (const char* state : {"dispatching", "dispatched", "confirmed", "drifted", "unavailable"}) {
      const auto it = s.targets.find(state);
      out += std::string("mullet_targets{state=\"") + state + "\"} " +
             std::to_string(it == s.targets.end() ? 0 : it->second) + "\n";
    }
    out += "mullet_targets{state=\"pending\"} " + std::to_string(s.last ? s.last->pending : 0) + "\n";
    gauge("mullet_source_age_seconds", "Seconds since each input of the loop was last read.");
    for (const auto& [name, h] : s.sources) {
      if (const std::optional<double> age = AgeS(h, now)) {
        out += "mullet_source_age_seconds{source=\"" + name + "\"} " + number(*age) + "\n";
      }
    }
    gauge("mullet_source_stale", "1 when an input is stale and the loop took its safe action.");
    for (const auto& [name, h] : s.sources) {
      out += "mullet_source_stale{source=\"" + name + "\"} " + (h.stale ? "1" : "0") + "\n";
    }
  }
  gauge("mullet_uptime_seconds", "Seconds since the daemon started.");
  out += "mullet_uptime_seconds " + std::to_string((now - site_.started).count()) + "\n";
  out += "# HELP mullet_api_replies_total API replies by HTTP status.\n# TYPE mullet_api_replies_total counter\n";
  for (const auto& [code, n] : replies_) {
    out += "mullet_api_replies_total{code=\"" + std::to_string(code) + "\"} " + std::to_string(n) + "\n";
  }
  return {200, "text/plain; version=0.0.4", out};
}

}  // namespace mullet
