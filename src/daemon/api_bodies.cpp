// The bodies of the API's writes, parsed and bounded (api.h). Pure: no
// store, no clock, so each rule is tested alone and fuzzed.

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "daemon/api.h"

namespace mullet {
namespace {

using json = nlohmann::json;

constexpr double kMaxEventKw = 10'000'000;  // 10 GW: above any site
constexpr double kMaxRampS = 86'400;

// Reads "start" and "end" of `j` when present and not null: UTC times, the
// end after the start and not past at `now`.
Status ReadInterval(const json& j, UtcTime now, std::optional<UtcTime>* start, std::optional<UtcTime>* end) {
  for (const char* key : {"start", "end"}) {
    const auto t = j.find(key);
    if (t == j.end() || t->is_null()) continue;
    if (!t->is_string()) return Status::InvalidArgument(std::string(key) + ": expected a UTC time such as \"2026-12-02T17:00:00Z\"");
    Result<UtcTime> parsed = ParseUtcTimestamp(t->get_ref<const std::string&>());
    if (!parsed.ok()) {
      return Status::InvalidArgument(std::string(key) + ": expected a UTC time such as \"2026-12-02T17:00:00Z\", got " +
                                     Quoted(t->get_ref<const std::string&>()));
    }
    *(std::string_view(key) == "start" ? start : end) = *parsed;
  }
  if (*end && *start && **end <= **start) return Status::InvalidArgument("end: must be after start");
  if (*end && **end <= now) return Status::InvalidArgument("end: " + FormatUtc(**end) + " is already past");
  return Status::Ok();
}

// The body as a JSON object of only `fields` (named in the error).
Result<json> ObjectOf(std::string_view body, std::initializer_list<std::string_view> fields) {
  if (Status depth = CheckJsonDepth(body, 8); !depth.ok()) return Status::InvalidArgument("body " + depth.message());
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  for (const auto& item : j.items()) {
    if (std::find(fields.begin(), fields.end(), item.key()) != fields.end()) continue;
    std::string names;
    for (std::string_view f : fields) names += (names.empty() ? "" : ", ") + std::string(f);
    return Status::InvalidArgument("unknown field " + Quoted(item.key()) + " (" + names + ")");
  }
  return j;
}

}  // namespace

Result<EventSpec> ParseEventBody(std::string_view body, UtcTime now) {
  Result<json> parsed = ObjectOf(body, {"type", "kw", "start", "end", "ramp_s"});
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
  EventSpec spec;
  const auto type = j.find("type");
  if (type == j.end() || !type->is_string() ||
      (type->get_ref<const std::string&>() != "reduce-to" && type->get_ref<const std::string&>() != "reduce-by")) {
    return Status::InvalidArgument("type: expected \"reduce-to\" or \"reduce-by\"");
  }
  spec.type = type->get<std::string>();
  const auto kw = j.find("kw");
  if (kw == j.end() || !kw->is_number() || !std::isfinite(kw->get<double>()) || kw->get<double>() < 0 ||
      kw->get<double>() > kMaxEventKw) {
    return Status::InvalidArgument("kw: expected a number of kW from 0 to 10000000");
  }
  spec.kw = kw->get<double>();
  if (spec.type == "reduce-by" && spec.kw <= 0) return Status::InvalidArgument("kw: a reduce-by event reduces by more than 0 kW");
  if (Status s = ReadInterval(j, now, &spec.start, &spec.end); !s.ok()) return s;
  if (const auto ramp = j.find("ramp_s"); ramp != j.end()) {
    if (!ramp->is_number() || !std::isfinite(ramp->get<double>()) || ramp->get<double>() < 0 ||
        ramp->get<double>() > kMaxRampS) {
      return Status::InvalidArgument("ramp_s: expected seconds from 0 to 86400");
    }
    spec.ramp_s = ramp->get<double>();
  }
  return spec;
}

Result<FourCpAlertRow> ParseFourCpAlertBody(std::string_view body, UtcTime now) {
  Result<json> parsed = ObjectOf(body, {"start", "end"});
  if (!parsed.ok()) return parsed.status();
  FourCpAlertRow alert;
  if (Status s = ReadInterval(*parsed, now, &alert.start, &alert.end); !s.ok()) return s;
  return alert;
}

}  // namespace mullet
