// The daemon's REST API under /api/v1 (JSON), with /metrics (Prometheus text)
// and /healthz, in two layers:
//  - ApiHandler: one request in, one reply out; pure of sockets, so each rule
//    (routes, bearer tokens and roles, body validation, the audit row) is
//    tested without a network and fuzzed;
//  - ApiServer: HTTP/1.1 on Boost.Beast over an io_context: bounded headers,
//    bodies, connections, idle time and request rate per client address.
//
// Reads need no token (the API listens on 127.0.0.1 unless told otherwise);
// every write needs a bearer token of a role that may make it (store.h), and
// is written to the audit log with the token that made it. The document at
// /api/v1/openapi.json describes every route. /api/v1/stream is a read too:
// the site as /api/v1/site shows it, pushed as server-sent events each time
// the loop publishes. Everything outside /api/, /metrics and /healthz is the
// dashboard (web_assets.h).

#ifndef MULLET_DAEMON_API_H_
#define MULLET_DAEMON_API_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "daemon/live_state.h"
#include "site/site.h"
#include "storage/store.h"

namespace mullet {

// What the API says of the site beside the store. The site file's limits
// today; the control loop's measured state as it lands.
struct SiteView {
  std::string name;
  std::string site_file;
  double interconnect_w = 0;
  std::vector<std::pair<std::string, double>> domain_limits_w;  // power domains by name
  std::vector<std::pair<std::string, int>> groups;               // miner groups: name, units
  // Per miner group: its power domain and each one above it, innermost
  // first (a hall, then its substation); empty under the interconnect alone.
  std::vector<std::vector<std::string>> group_domains;
  PolicyParams policy;                                           // as the site file sets them
  bool four_cp_charge = false;  // contract.four_cp: 4CP alerts move the policy
  std::filesystem::path reports_dir;  // --reports: backtest and plan reports (reports.h); empty: none
  UtcTime started;
};

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query: "/api/v1/events?limit=5"
  std::string authorization;    // the Authorization header, "" when absent
  std::string idempotency_key;  // the Idempotency-Key header, "" when absent
  std::string body;
};

struct ApiReply {
  ApiReply() = default;
  ApiReply(int s, std::string type, std::string text)
      : status(s), content_type(std::move(type)), body(std::move(text)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beside Content-Type: caching, the page's policy
  // A stream of server-sent events (GET /api/v1/stream): `body` is its first
  // event, and the server sends ApiHandler::StreamEvent() again each time the
  // loop publishes, until the client goes.
  bool stream = false;
};

// One file of the dashboard, embedded in the binary (web_assets.h).
struct WebAsset {
  std::string_view path;  // "/index.html", "/assets/index-DnH4ums9.js"
  std::string_view body;
};

// The EventSpec a POST /api/v1/events body asks for:
// {"type":"reduce-to"|"reduce-by","kw":N,"start":"…Z","end":"…Z","ramp_s":N}.
// InvalidArgument naming the field for anything else: not a JSON object, an
// unknown field, a kW outside 0..10,000,000 (reduce-by above 0), a time that
// is not UTC ISO 8601, an end not after the start or already past at `now`,
// a ramp outside 0..86,400 s. Pure.
Result<EventSpec> ParseEventBody(std::string_view body, UtcTime now);

// The 4CP alert a POST /api/v1/four-cp-alerts body asks for:
// {"start":"…Z","end":"…Z"}, both optional (from now, until cancelled).
// InvalidArgument naming the field as ParseEventBody. Pure; the row's
// source and id are the caller's.
Result<FourCpAlertRow> ParseFourCpAlertBody(std::string_view body, UtcTime now);

class ApiHandler {
 public:
  using Clock = std::function<UtcTime()>;
  // `live`: what the control loop last did; none when no loop runs.
  // `web`: the dashboard's files, served outside /api/ (none: / says the
  // dashboard was not built).
  ApiHandler(Store& store, SiteView site, Clock clock, const LiveBoard* live = nullptr,
             std::span<const WebAsset> web = {});

  ApiReply Handle(const ApiRequest& request);

  // One event of /api/v1/stream: `event: site` with /api/v1/site's JSON on
  // one data line. Counted in no reply total (a stream is one reply).
  std::string StreamEvent();
  // Changes each time the loop publishes (a tick, a confirm read); 0 when no
  // loop runs. Safe to call from any thread.
  std::uint64_t LiveVersion() const;

  // Counts by status code, for /metrics.
  const std::map<int, std::uint64_t>& replies() const { return replies_; }

 private:
  ApiReply Route(const ApiRequest& request);
  // The token behind `authorization` when it may act as `needed`; else the
  // 401 or 403 reply in `denied`.
  std::optional<TokenInfo> Authorize(const ApiRequest& request, Role needed, ApiReply* denied);
  ApiReply Metrics();
  // /api/v1/events, /api/v1/events/preview, /api/v1/events/{id} (api_events.cpp).
  ApiReply EventsRoute(const ApiRequest& request, std::string_view path, std::string_view query, UtcTime now);
  // /api/v1/overrides and /api/v1/overrides/{group} (api_overrides.cpp).
  ApiReply OverridesRoute(const ApiRequest& request, std::string_view path, UtcTime now);
  // /api/v1/four-cp-alerts and /api/v1/four-cp-alerts/{id} (api_four_cp.cpp).
  ApiReply FourCpRoute(const ApiRequest& request, std::string_view path, std::string_view query, UtcTime now);
  // /api/v1/reports and /reports/... (api_reports.cpp).
  ApiReply ReportsRoute(const ApiRequest& request, std::string_view path);
  // /reports/NAME/report.html, `rest` the part after /reports/.
  ApiReply ReportReply(std::string_view rest);
  // /api/v1/site's body at `now`.
  std::string SiteBody(UtcTime now, bool compact);

  Store& store_;
  SiteView site_;
  Clock clock_;
  const LiveBoard* live_;
  std::span<const WebAsset> web_;
  std::map<int, std::uint64_t> replies_;
};

struct ApiOptions {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::make_address("127.0.0.1"), 8080};
  std::size_t max_body_bytes = 64 << 10;
  std::size_t max_header_bytes = 8 << 10;
  std::size_t max_connections = 256;
  Seconds idle{30.0};           // a connection that sends no whole request in this long is closed
  double requests_per_s = 20;   // per client address, refilled continuously ...
  double burst = 40;            // ... up to this many at once; past it 429
  std::size_t max_streams = 16;  // open /api/v1/stream connections at once (of max_connections); past it 503
  Seconds stream_check{0.25};    // how often a stream looks for a new publish of the loop
  Seconds stream_keepalive{15};  // a comment line after this long without an event, to find a gone client
};

class ApiServer {
 public:
  ApiServer(boost::asio::io_context& io, ApiHandler& handler, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts accepting. IoError naming the address when it cannot.
  Status Start();
  // The bound address (the port when options.listen asked for 0).
  boost::asio::ip::tcp::endpoint endpoint() const;
  // Stops accepting; open connections end after their current request.
  void Stop();

  struct Impl;  // the acceptor and its connections' shared state (api_server.cpp)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_API_H_
