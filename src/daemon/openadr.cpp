#include "daemon/openadr.h"

#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "daemon/http_url.h"
#include "data/http_call.h"

namespace mullet {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxEvents = 10'000;
constexpr std::size_t kMaxIntervals = 10'000;
constexpr int kPage = 50;  // the specification's maximum `limit`

// Digits at text[at, at + n) as an int; -1 when not all digits.
int Digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::string Str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The watts of one kW-like unit.
std::optional<double> UnitWatts(std::string_view units) {
  if (units.empty() || units == "KW") return 1e3;
  if (units == "W") return 1.0;
  if (units == "MW") return 1e6;
  return std::nullopt;
}

}  // namespace

std::string OadrLimit::SourceId() const { return event_id + "/" + std::to_string(interval_id) + "@" + modified; }

Result<std::optional<std::chrono::seconds>> ParseIsoDuration(std::string_view text) {
  const auto bad = [&] { return Status::InvalidArgument("not an ISO 8601 duration: " + Quoted(text)); };
  if (text.size() < 3 || text.size() > 64 || text[0] != 'P') return bad();
  double total = 0;
  bool in_time = false, any = false;
  std::size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return bad();
      in_time = true;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' || text[j] == ',')) ++j;
    if (j == i || j == text.size()) return bad();
    std::string number(text.substr(i, j - i));
    for (char& c : number) c = c == ',' ? '.' : c;
    double v = 0;
    const auto r = std::from_chars(number.data(), number.data() + number.size(), v);
    if (r.ec != std::errc() || r.ptr != number.data() + number.size()) return bad();
    const char unit = text[j];
    double seconds = 0;
    if (!in_time && unit == 'Y') {
      if (v >= 9999) return std::optional<std::chrono::seconds>();  // "infinity"
      seconds = 365 * 86400.0;
    } else if (!in_time && unit == 'M') {
      seconds = 30 * 86400.0;
    } else if (!in_time && unit == 'W') {
      seconds = 7 * 86400.0;
    } else if (!in_time && unit == 'D') {
      seconds = 86400.0;
    } else if (in_time && unit == 'H') {
      seconds = 3600.0;
    } else if (in_time && unit == 'M') {
      seconds = 60.0;
    } else if (in_time && unit == 'S') {
      seconds = 1.0;
    } else {
      return bad();
    }
    total += v * seconds;
    any = true;
    i = j + 1;
  }
  if (!any || total > 1e11) return bad();
  return std::optional<std::chrono::seconds>(std::chrono::seconds(static_cast<std::int64_t>(std::llround(total))));
}

Result<std::optional<UtcTime>> ParseOadrTime(std::string_view t) {
  const auto bad = [&] { return Status::InvalidArgument("not an RFC 3339 time: " + Quoted(t)); };
  if (t.size() < 10 || t.size() > 40) return bad();
  if (Digits(t, 0, 4) == 1 && t.substr(4, 6) == "-01-01") return std::optional<UtcTime>();  // "now"
  if (t.size() == 10) return bad();
  if (t.size() < 20 || (t[10] != 'T' && t[10] != 't')) return bad();
  std::string base(t.substr(0, 19));
  base[10] = 'T';
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  }
  int offset_s = 0;
  const std::string_view zone = t.substr(i);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const int h = Digits(zone, 1, 2), m = Digits(zone, 4, 2);
    if (h < 0 || m < 0 || h > 23 || m > 59) return bad();
    offset_s = (zone[0] == '+' ? 1 : -1) * (h * 3600 + m * 60);
  } else {
    return bad();
  }
  Result<UtcTime> at = ParseUtcTimestamp(base + "Z");
  if (!at.ok()) return bad();
  return std::optional<UtcTime>(*at - std::chrono::seconds(offset_s));
}

Result<std::vector<OadrLimit>> ParseOadrEvents(std::string_view body, std::string_view program_id, UtcTime now) {
  if (Status depth = CheckJsonDepth(body, 16); !depth.ok()) return Status::DataError("events " + depth.message());
  const json events = json::parse(body.begin(), body.end(), nullptr, false);
  if (events.is_discarded() || !events.is_array()) return Status::DataError("events: expected a JSON array");
  if (events.size() > kMaxEvents) return Status::DataError("events: more than 10000 in one reply");
  std::vector<OadrLimit> out;
  for (std::size_t e = 0; e < events.size(); ++e) {
    const json& ev = events[e];
    const std::string where = "events[" + std::to_string(e) + "]";
    if (!ev.is_object()) return Status::DataError(where + ": expected an object");
    const std::string id = Str(ev, "id");
    if (id.empty() || id.size() > 128 || Printable(id) != id) return Status::DataError(where + ".id: expected an id");
    if (Str(ev, "programID") != program_id) continue;
    const std::string modified = Str(ev, "modificationDateTime");
    if (modified.size() > 64 || Printable(modified) != modified) {
      return Status::DataError(where + ".modificationDateTime: expected a time");
    }
    // The unit of IMPORT_CAPACITY_LIMIT.
    double watts_per_unit = 1e3;
    if (const auto pd = ev.find("payloadDescriptors"); pd != ev.end() && pd->is_array()) {
      for (const json& d : *pd) {
        if (!d.is_object() || Str(d, "payloadType") != "IMPORT_CAPACITY_LIMIT") continue;
        const std::optional<double> w = UnitWatts(Str(d, "units"));
        if (!w) return Status::DataError(where + ": IMPORT_CAPACITY_LIMIT in " + Quoted(Str(d, "units")) + ", not KW, W or MW");
        watts_per_unit = *w;
      }
    }
    // The event's default period.
    std::optional<UtcTime> cursor;
    bool now_start = true;
    std::optional<std::chrono::seconds> duration;  // none: infinite
    bool has_duration = false;
    const auto period = [&](const json& p, std::optional<UtcTime>* start, bool* start_now, bool* got_start,
                            std::optional<std::chrono::seconds>* dur, bool* got_dur) -> Status {
      if (!p.is_object()) return Status::DataError(where + ".intervalPeriod: expected an object");
      if (const auto s = p.find("start"); s != p.end()) {
        if (!s->is_string()) return Status::DataError(where + ".intervalPeriod.start: expected a time");
        Result<std::optional<UtcTime>> t = ParseOadrTime(s->get<std::string>());
        if (!t.ok()) return Status::DataError(where + ".intervalPeriod.start: " + t.status().message());
        *start = *t;
        *start_now = !t->has_value();
        *got_start = true;
      }
      if (const auto d = p.find("duration"); d != p.end()) {
        if (!d->is_string()) return Status::DataError(where + ".intervalPeriod.duration: expected a duration");
        Result<std::optional<std::chrono::seconds>> v = ParseIsoDuration(d->get<std::string>());
        if (!v.ok()) return Status::DataError(where + ".intervalPeriod.duration: " + v.status().message());
        *dur = *v;
        *got_dur = true;
      }
      return Status::Ok();
    };
    if (const auto p = ev.find("intervalPeriod"); p != ev.end() && !p->is_null()) {
      bool got_start = false;
      if (Status s = period(*p, &cursor, &now_start, &got_start, &duration, &has_duration); !s.ok()) return s;
    }
    const auto intervals = ev.find("intervals");
    if (intervals == ev.end() || !intervals->is_array()) return Status::DataError(where + ".intervals: expected an array");
    if (intervals->size() > kMaxIntervals) return Status::DataError(where + ".intervals: more than 10000");
    // "now" is resolved once per event, so its intervals follow each other.
    std::optional<UtcTime> next = now_start ? std::optional<UtcTime>(now) : cursor;
    bool first = true;
    for (std::size_t k = 0; k < intervals->size(); ++k) {
      const json& iv = (*intervals)[k];
      const std::string iwhere = where + ".intervals[" + std::to_string(k) + "]";
      if (!iv.is_object() || !iv.contains("id") || !iv["id"].is_number_integer()) {
        return Status::DataError(iwhere + ".id: expected an integer");
      }
      std::optional<UtcTime> start = next;
      bool start_now = first && now_start;
      std::optional<std::chrono::seconds> dur = duration;
      bool got_start = false, got_dur = has_duration;
      if (const auto p = iv.find("intervalPeriod"); p != iv.end() && !p->is_null()) {
        if (Status s = period(*p, &start, &start_now, &got_start, &dur, &got_dur); !s.ok()) return s;
        if (got_start && start_now) start = now;
      }
      if (!start && !start_now) return Status::DataError(iwhere + ": no start (neither the interval nor the event gives one)");
      const std::optional<UtcTime> end =
          got_dur && dur && start ? std::optional<UtcTime>(*start + *dur) : std::optional<UtcTime>();
      next = end;
      first = false;
      const auto payloads = iv.find("payloads");
      if (payloads == iv.end() || !payloads->is_array()) return Status::DataError(iwhere + ".payloads: expected an array");
      for (const json& pl : *payloads) {
        if (!pl.is_object() || Str(pl, "type") != "IMPORT_CAPACITY_LIMIT") continue;
        const auto values = pl.find("values");
        if (values == pl.end() || !values->is_array() || values->empty() || !(*values)[0].is_number()) {
          return Status::DataError(iwhere + ": IMPORT_CAPACITY_LIMIT values: expected a number");
        }
        const double v = (*values)[0].get<double>() * watts_per_unit / 1e3;
        if (!std::isfinite(v) || v < 0 || v > 1e7) {
          return Status::DataError(iwhere + ": IMPORT_CAPACITY_LIMIT outside 0 to 10 GW");
        }
        OadrLimit limit;
        limit.event_id = id;
        limit.interval_id = iv["id"].get<int>();
        limit.modified = modified;
        limit.start = start_now ? std::optional<UtcTime>() : start;
        limit.end = end;
        limit.kw = v;
        out.push_back(std::move(limit));
      }
    }
  }
  return out;
}

Result<OpenAdrVen> OpenAdrVen::Create(VenOptions options) {
  OpenAdrVen ven(std::move(options));
  Result<HttpUrl> url = ParseHttpUrl(ven.o_.vtn_url, "--openadr-vtn");
  if (!url.ok()) return url.status();
  ven.tls_ = url->tls;
  ven.host_ = url->host;
  ven.port_ = url->port;
  ven.prefix_ = url->path;
  if (ven.o_.program.empty()) return Status::InvalidArgument("--openadr-program: the program's name is required");
  return ven;
}

Result<std::string> OpenAdrVen::Send(const std::string& method, const std::string& path, const std::string& body,
                                     const std::string& content_type, bool auth) {
  HttpPeer peer;
  peer.host = host_;
  peer.port = port_;
  peer.tls = tls_;
  peer.timeout = o_.timeout;
  HttpCall call;
  call.method = method;
  call.target = prefix_ + path;
  call.body = body;
  call.content_type = content_type;
  if (auth) call.authorization = "Bearer " + token_;
  Result<HttpReply> reply = CallHttp(peer, call);
  if (!reply.ok()) return reply.status();
  if (reply->status == 401 && auth) {
    token_.clear();  // fetched again on the next poll
    return Status::IoError("the VTN refused the token (401) on " + call.target);
  }
  if (reply->status < 200 || reply->status > 299) {
    return Status::IoError("the VTN answered " + std::to_string(reply->status) + " to " + method + " " + call.target +
                           ": " + PeerText(reply->body));
  }
  return reply->body;
}

Result<std::string> OpenAdrVen::Get(const std::string& path) { return Send("GET", path, "", "", true); }

Status OpenAdrVen::Authenticate() {
  if (!token_.empty() && std::chrono::steady_clock::now() < token_until_) return Status::Ok();
  Result<std::string> body =
      Send("POST", "/auth/token",
           "grant_type=client_credentials&client_id=" + FormEncode(o_.client_id) +
               "&client_secret=" + FormEncode(o_.client_secret),
           "application/x-www-form-urlencoded", false);
  if (!body.ok()) return Status::IoError("getting a token: " + body.status().message());
  const json j = json::parse(*body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || Str(j, "access_token").empty()) {
    return Status::DataError("getting a token: no access_token in the VTN's reply");
  }
  token_ = Str(j, "access_token");
  double expires = 3600;
  if (const auto e = j.find("expires_in"); e != j.end() && e->is_number()) expires = e->get<double>();
  // Renewed a minute early (or at half its life when it is short).
  const double keep = expires > 120 ? expires - 60 : expires / 2;
  token_until_ = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(keep));
  return Status::Ok();
}

Status OpenAdrVen::Poll(UtcTime now, Store& store, std::optional<Watts> site_meter) {
  if (tried_at_ && Seconds(static_cast<double>((now - *tried_at_).count())) < o_.poll) return Status::Ok();
  tried_at_ = now;
  Status s = PollNow(now, store, site_meter);
  if (s.ok()) {
    good_at_ = now;
    error_.clear();
  } else {
    error_ = s.message();
  }
  return s;
}

Status OpenAdrVen::PollNow(UtcTime now, Store& store, std::optional<Watts> site_meter) {
  if (Status s = Authenticate(); !s.ok()) return s;
  if (program_id_.empty()) {
    Result<std::string> body = Get("/programs");
    if (!body.ok()) return body.status();
    const json programs = json::parse(*body, nullptr, false);
    if (programs.is_discarded() || !programs.is_array()) return Status::DataError("programs: expected a JSON array");
    for (const json& p : programs) {
      if (p.is_object() && Str(p, "programName") == o_.program) program_id_ = Str(p, "id");
    }
    if (program_id_.empty()) return Status::NotFound("the VTN has no program " + Quoted(o_.program));
  }
  std::vector<OadrLimit> limits;
  for (int skip = 0;; skip += kPage) {
    Result<std::string> body = Get("/events?programID=" + FormEncode(program_id_) + "&skip=" + std::to_string(skip) +
                                   "&limit=" + std::to_string(kPage));
    if (!body.ok()) return body.status();
    const json page = json::parse(*body, nullptr, false);
    Result<std::vector<OadrLimit>> parsed = ParseOadrEvents(*body, program_id_, now);
    if (!parsed.ok()) return parsed.status();
    limits.insert(limits.end(), parsed->begin(), parsed->end());
    if (!page.is_array() || page.size() < static_cast<std::size_t>(kPage) || skip > 100'000) break;
  }
  // The store follows the VTN: new intervals added, those it no longer
  // lists (deleted, or replaced by a modification) cancelled.
  const std::string source = "openadr:" + o_.program;
  const std::string who = "OpenADR VTN " + host_ + ":" + port_;
  std::set<std::string> listed;
  for (const OadrLimit& l : limits) {
    EventSpec spec;
    spec.type = "reduce-to";
    spec.kw = l.kw;
    spec.start = l.start;
    spec.end = l.end;
    listed.insert(l.SourceId());
    if (l.end && *l.end <= now) continue;  // over already: nothing to act on
    bool created = false;
    Result<EventRow> row = store.AddEvent(spec, source, l.SourceId(), who, now, &created);
    if (!row.ok()) return row.status();
  }
  Result<std::vector<EventRow>> open = store.OpenEvents(now);
  if (!open.ok()) return open.status();
  for (const EventRow& e : *open) {
    if (e.source != source || listed.contains(e.source_id)) continue;
    Result<EventRow> cancelled = store.CancelEvent(e.id, who, now);
    if (!cancelled.ok() && cancelled.status().code() != StatusCode::kConflict) return cancelled.status();
  }
  // A report for each interval in force not reported yet: what the site
  // draws as it acts on it.
  if (site_meter) {
    for (const OadrLimit& l : limits) {
      const bool begun = !l.start || *l.start <= now;
      const bool ended = l.end && *l.end <= now;
      if (!begun || ended || reported_.contains(l.SourceId())) continue;
      const json report{
          {"programID", program_id_},
          {"eventID", l.event_id},
          {"clientName", o_.client_name},
          {"reportName", "mullet " + l.SourceId()},
          {"payloadDescriptors",
           json::array({{{"objectType", "REPORT_PAYLOAD_DESCRIPTOR"}, {"payloadType", "DEMAND"}, {"units", "KW"},
                         {"readingType", "DIRECT_READ"}}})},
          {"resources",
           json::array({{{"resourceName", "site"},
                         {"intervals", json::array({{{"id", l.interval_id},
                                                     {"payloads", json::array({{{"type", "DEMAND"},
                                                                                {"values", json::array({site_meter->value() / 1e3})}}})}}})}}})}};
      Result<std::string> sent = Send("POST", "/reports", report.dump(), "application/json", true);
      if (!sent.ok()) return sent.status();
      reported_.insert(l.SourceId());
    }
  }
  return Status::Ok();
}

SourceHealth OpenAdrVen::Health(UtcTime now) const {
  SourceHealth h;
  h.source = "OpenADR 3 VTN " + o_.vtn_url + " (program " + o_.program + ")";
  h.read_at = good_at_;
  h.error = error_;
  h.stale = !good_at_ || Seconds(static_cast<double>((now - *good_at_).count())) > o_.max_age;
  return h;
}

}  // namespace mullet
