// An OpenADR 3 VEN (Virtual End Node): mullet as the customer side of a
// utility's or aggregator's VTN (grid-coordination/openadr3-specification,
// 3.0.1/3.1.1, REST and JSON). Each poll:
//   1. an access token from POST {vtn}/auth/token (OAuth2 client
//      credentials, form-encoded), kept until shortly before it expires and
//      fetched again after a 401;
//   2. the program's id from GET /programs (by programName, once);
//   3. GET /events?programID=…&skip=…&limit=50, page after page;
//   4. every interval carrying an IMPORT_CAPACITY_LIMIT becomes a reduce-to
//      event in the store, idempotent on (event id, interval id,
//      modificationDateTime): a modified event replaces its intervals, and an
//      event the VTN no longer lists is cancelled;
//   5. POST /reports once per interval acted on: the site's metered DEMAND
//      (kW) when the interval is first seen in force.
// The parsing is pure (ParseOadrEvents) and fuzzed; the HTTP side runs on
// the control loop's thread with a deadline on every step.

#ifndef MULLET_DAEMON_OPENADR_H_
#define MULLET_DAEMON_OPENADR_H_

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "daemon/live_state.h"
#include "storage/store.h"

namespace mullet {

// One interval of an event that caps the site's import.
struct OadrLimit {
  std::string event_id;
  int interval_id = 0;
  std::string modified;  // the event's modificationDateTime, as sent
  std::optional<UtcTime> start;  // none: "now" (0001-01-01) when first seen
  std::optional<UtcTime> end;    // none: no end (P9999Y)
  double kw = 0;

  // The store's source id: "EVENT/INTERVAL@MODIFIED".
  std::string SourceId() const;
};

// ISO 8601 durations as OpenADR writes them: "PT1H", "PT15M", "P1D",
// "P1W", "PT0.5S"; years of 365 days, months of 30. "P9999Y" (or anything
// from 9999 years) is infinite: none. InvalidArgument for anything else.
Result<std::optional<std::chrono::seconds>> ParseIsoDuration(std::string_view text);

// RFC 3339 times: "2026-12-02T17:00:00Z", "…T17:00:00.000Z",
// "…T11:00:00-06:00"; a year-1 time (OpenADR's "now") is none.
Result<std::optional<UtcTime>> ParseOadrTime(std::string_view text);

// Every import-capacity limit in a GET /events reply (a JSON array of
// events). An interval's period overrides its event's; an interval without
// a start follows the one before. Units from the event's payloadDescriptors
// (KW by default; W and MW taken). Intervals of other payload types are not
// limits and are skipped, as are events of another program. DataError
// naming the event and field for JSON that breaks the schema.
Result<std::vector<OadrLimit>> ParseOadrEvents(std::string_view body, std::string_view program_id, UtcTime now);

struct VenOptions {
  std::string vtn_url;  // "http://127.0.0.1:8081/openadr3/3.0.1" (https for TLS)
  std::string program;  // the programName to follow
  std::string client_id;
  std::string client_secret;
  std::string client_name = "mullet";  // in reports
  Seconds poll{30};
  Seconds max_age{300};  // no good poll for this long: stale
  std::chrono::milliseconds timeout{5000};
};

class OpenAdrVen {
 public:
  // InvalidArgument for a URL that is not http(s)://HOST[:PORT][/PATH].
  static Result<OpenAdrVen> Create(VenOptions options);

  // Polls the VTN when `poll` has passed since the last attempt, and writes
  // what it found to `store`. A failure is kept for Health and returned.
  Status Poll(UtcTime now, Store& store, std::optional<Watts> site_meter);
  SourceHealth Health(UtcTime now) const;

 private:
  explicit OpenAdrVen(VenOptions o) : o_(std::move(o)) {}
  Status PollNow(UtcTime now, Store& store, std::optional<Watts> site_meter);
  Result<std::string> Get(const std::string& path);
  Result<std::string> Send(const std::string& method, const std::string& path, const std::string& body,
                           const std::string& content_type, bool auth);
  Status Authenticate();

  VenOptions o_;
  std::string host_, port_, prefix_;
  bool tls_ = false;
  std::string token_;
  std::chrono::steady_clock::time_point token_until_{};
  std::string program_id_;
  std::optional<UtcTime> tried_at_, good_at_;
  std::string error_;
  std::set<std::string> reported_;  // source ids reported
};

}  // namespace mullet

#endif  // MULLET_DAEMON_OPENADR_H_
