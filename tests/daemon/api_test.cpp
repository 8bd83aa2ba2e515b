// The daemon's API: each rule on the handler (routes, tokens and roles, body
// validation, idempotency, the audit row), then the server over real loopback
// HTTP (limits on bodies, headers and rate; keep-alive; a slow client).

#include "daemon/api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "daemon/openapi.h"
#include "daemon/reports.h"
#include "daemon/steady_fleet.h"
#include "dispatch/reason.h"
#include "dispatch/test_sites.h"
#include "storage/sqlite_store.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mullet_api_" + std::to_string(getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "mullet.db")).value();
    viewer_ = *store_->CreateToken(Role::kViewer, "screen", "test", now_);
    op_ = *store_->CreateToken(Role::kOperator, "ops", "test", now_);
    admin_ = *store_->CreateToken(Role::kAdmin, "root", "test", now_);
    SiteView site;
    site.name = "test site";
    site.interconnect_w = 5e6;
    site.domain_limits_w = {{"hall \"a\"", 3e6}};
    site.groups = {{"s21", 600}, {"s19xp", 400}};
    site.policy.hysteresis = UsdPerMegawattHour(2);
    site.started = now_;
    site_ = site;
    handler_ = std::make_unique<ApiHandler>(*store_, site, [this] { return now_; });
  }
  void TearDown() override { fs::remove_all(dir_); }

  ApiReply Do(std::string method, std::string target, std::string body = "", const std::string& token = "",
              std::string key = "") {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.idempotency_key = std::move(key);
    return handler_->Handle(r);
  }
  std::size_t Events() { return store_->Events(1000)->size(); }
  std::size_t AuditRows() { return store_->AuditLog(1000)->size(); }

  fs::path dir_;
  UtcTime now_ = At("2026-12-02T15:00:00Z");
  std::unique_ptr<Store> store_;
  std::string viewer_, op_, admin_;
  SiteView site_;
  std::unique_ptr<ApiHandler> handler_;
};

TEST_F(ApiTest, AWriteNeedsATokenOfARoleThatMayMakeItAndOtherwiseChangesNothing) {
  const std::string body = R"({"type":"reduce-to","kw":2500})";
  const std::size_t audit = AuditRows();
  ApiReply none = Do("POST", "/api/v1/events", body);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Do("POST", "/api/v1/events", body, "mlt_" + std::string(64, '0')).status, 401);
  ApiReply viewer = Do("POST", "/api/v1/events", body, viewer_);
  EXPECT_EQ(viewer.status, 403);
  EXPECT_EQ(json::parse(viewer.body)["error"], "token 1 has role viewer; this needs operator");
  EXPECT_EQ(Events(), 0u);
  EXPECT_EQ(AuditRows(), audit);
  // Bearer, not Basic or a bare token.
  ApiRequest basic;
  basic.method = "POST";
  basic.target = "/api/v1/events";
  basic.body = body;
  basic.authorization = op_;
  EXPECT_EQ(handler_->Handle(basic).status, 401);

  ApiReply made = Do("POST", "/api/v1/events", body, op_);
  ASSERT_EQ(made.status, 201) << made.body;
  const json e = json::parse(made.body);
  EXPECT_EQ(e["type"], "reduce-to");
  EXPECT_EQ(e["kw"], 2500.0);
  EXPECT_EQ(e["start"], nullptr);
  EXPECT_EQ(e["active"], true);
  EXPECT_EQ(e["created_by"], "token 2 (ops)");
  EXPECT_EQ(Events(), 1u);
  const auto rows = *store_->AuditLog(1);
  EXPECT_EQ(rows[0].action, "event.create");
  EXPECT_EQ(rows[0].who, "token 2 (ops)");

  // Cancelling is a write too.
  const std::string id = std::to_string(e["id"].get<int>());
  EXPECT_EQ(Do("DELETE", "/api/v1/events/" + id).status, 401);
  EXPECT_EQ(Do("DELETE", "/api/v1/events/" + id, "", viewer_).status, 403);
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/events/" + id).body)["active"], true);
  ApiReply cancelled = Do("DELETE", "/api/v1/events/" + id, "", admin_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body)["active"], false);
  EXPECT_EQ(Do("DELETE", "/api/v1/events/" + id, "", admin_).status, 409);
  EXPECT_EQ(Do("DELETE", "/api/v1/events/999", "", admin_).status, 404);
  EXPECT_EQ(Do("DELETE", "/api/v1/events/x1", "", admin_).status, 404);

  // A revoked token is refused.
  ASSERT_TRUE(store_->RevokeToken(2, "test", now_).ok());
  EXPECT_EQ(Do("POST", "/api/v1/events", body, op_).status, 401);
}

TEST_F(ApiTest, MalformedBodiesGet400NamingTheFieldAndChangeNothing) {
  const struct {
    const char* body;
    const char* error;
  } cases[] = {
      {"", "body: expected a JSON object"},
      {"[1,2]", "body: expected a JSON object"},
      {R"({"type":"reduce-to","kw":2500)", "body: expected a JSON object"},
      {R"({"type":"shed","kw":1})", "type: expected \"reduce-to\" or \"reduce-by\""},
      {R"({"kw":1})", "type: expected"},
      {R"({"type":"reduce-to"})", "kw: expected a number of kW from 0 to 10000000"},
      {R"({"type":"reduce-to","kw":"2500"})", "kw: expected a number"},
      {R"({"type":"reduce-to","kw":-1})", "kw: expected"},
      {R"({"type":"reduce-to","kw":1e300})", "kw: expected"},
      {R"({"type":"reduce-by","kw":0})", "kw: a reduce-by event reduces by more than 0 kW"},
      {R"({"type":"reduce-to","kw":1,"watts":5})", "unknown field 'watts' (type, kw, start, end, ramp_s)"},
      {R"({"type":"reduce-to","kw":1,"\u001b[2J":5})", "unknown field '\\x1b[2J'"},
      {R"({"type":"reduce-to","kw":1,"start":"tomorrow"})", "start: expected a UTC time such as \"2026-12-02T17:00:00Z\", got 'tomorrow'"},
      {R"({"type":"reduce-to","kw":1,"end":5})", "end: expected a UTC time"},
      {R"({"type":"reduce-to","kw":1,"start":"2026-12-02T18:00:00Z","end":"2026-12-02T17:00:00Z"})", "end: must be after start"},
      {R"({"type":"reduce-to","kw":1,"end":"2026-12-02T14:00:00Z"})", "end: 2026-12-02T14:00:00Z is already past"},
      {R"({"type":"reduce-to","kw":1,"ramp_s":-5})", "ramp_s: expected seconds from 0 to 86400"},
      {R"({"type":"reduce-to","kw":1,"ramp_s":100000})", "ramp_s: expected seconds"},
      {R"({"type":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}},"kw":1})", "body nests deeper than 8"},
  };
  for (const auto& c : cases) {
    ApiReply r = Do("POST", "/api/v1/events", c.body, op_);
    EXPECT_EQ(r.status, 400) << c.body;
    const json j = json::parse(r.body);
    EXPECT_NE(j["error"].get<std::string>().find(c.error), std::string::npos) << c.body << " -> " << j["error"];
  }
  EXPECT_EQ(Events(), 0u);
  EXPECT_EQ(AuditRows(), 3u);  // the three tokens, nothing since
  // What is accepted: both kinds, a window, a ramp.
  EXPECT_EQ(Do("POST", "/api/v1/events", R"({"type":"reduce-by","kw":800,"start":"2026-12-02T16:00:00Z","end":"2026-12-02T17:00:00Z","ramp_s":300})", op_).status, 201);
  EXPECT_EQ(Do("POST", "/api/v1/events", R"({"type":"reduce-to","kw":0})", op_).status, 201);
}

TEST_F(ApiTest, ARetryWithTheSameIdempotencyKeyIsTheSameEvent) {
  const std::string body = R"({"type":"reduce-to","kw":2500})";
  ApiReply first = Do("POST", "/api/v1/events", body, op_, "dr-2026-12-02-a");
  ApiReply retry = Do("POST", "/api/v1/events", R"({"type":"reduce-to","kw":9})", op_, "dr-2026-12-02-a");
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(retry.status, 200);
  EXPECT_EQ(json::parse(first.body)["id"], json::parse(retry.body)["id"]);
  EXPECT_EQ(json::parse(retry.body)["kw"], 2500.0);
  // Without a key each POST is its own event.
  EXPECT_EQ(Do("POST", "/api/v1/events", body, op_).status, 201);
  EXPECT_EQ(Do("POST", "/api/v1/events", body, op_).status, 201);
  EXPECT_EQ(Events(), 3u);
  EXPECT_EQ(Do("POST", "/api/v1/events", body, op_, std::string(300, 'k')).status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/events", body, op_, "a\nb").status, 400);
}

TEST_F(ApiTest, ReadsListsAuditMetricsAndTheDocument) {
  ASSERT_EQ(Do("POST", "/api/v1/events", R"({"type":"reduce-to","kw":1000,"end":"2026-12-02T16:00:00Z"})", op_).status, 201);
  ASSERT_EQ(Do("POST", "/api/v1/events", R"({"type":"reduce-by","kw":200,"start":"2026-12-02T18:00:00Z"})", op_).status, 201);
  const json list = json::parse(Do("GET", "/api/v1/events?limit=5").body);
  ASSERT_EQ(list["events"].size(), 2u);
  EXPECT_EQ(list["events"][0]["type"], "reduce-by");  // newest first
  EXPECT_EQ(list["events"][0]["active"], false);      // not begun
  EXPECT_EQ(list["events"][1]["active"], true);
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/events?limit=1").body)["events"].size(), 1u);
  EXPECT_EQ(Do("GET", "/api/v1/events?limit=0").status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/events?limit=abc").status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/events/1").status, 200);
  EXPECT_EQ(Do("GET", "/api/v1/events/3").status, 404);

  EXPECT_EQ(Do("GET", "/api/v1/audit").status, 401);
  EXPECT_EQ(Do("GET", "/api/v1/audit", "", op_).status, 403);
  const json audit = json::parse(Do("GET", "/api/v1/audit?limit=2", "", admin_).body);
  ASSERT_EQ(audit["audit"].size(), 2u);
  EXPECT_EQ(audit["audit"][0]["action"], "event.create");
  EXPECT_EQ(audit["audit"][0]["detail"]["kw"], 200.0);

  const json site = json::parse(Do("GET", "/api/v1/site").body);
  EXPECT_EQ(site["interconnect_w"], 5e6);
  EXPECT_EQ(site["domains"][0]["name"], "hall \"a\"");

  now_ = At("2026-12-02T15:10:00Z");
  const std::string metrics = Do("GET", "/metrics").body;
  EXPECT_NE(metrics.find("mullet_site_limit_watts{domain=\"interconnect\"} 5000000\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mullet_site_limit_watts{domain=\"hall \\\"a\\\"\"} 3000000\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mullet_events_active 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("mullet_uptime_seconds 600\n"), std::string::npos);
  EXPECT_NE(metrics.find("mullet_api_replies_total{code=\"201\"} 2\n"), std::string::npos) << metrics;
  // Every line is a comment or `name{labels} value`.
  const std::regex line(R"((# (HELP|TYPE) .*)|([a-z_]+(\{[^}]*\})? -?[0-9.e+]+))");
  std::istringstream in(metrics);
  for (std::string l; std::getline(in, l);) EXPECT_TRUE(std::regex_match(l, line)) << l;

  EXPECT_EQ(Do("GET", "/healthz").body, "ok\n");
  EXPECT_EQ(Do("GET", "/nowhere").status, 404);
  EXPECT_EQ(Do("PUT", "/api/v1/events").status, 405);
  EXPECT_EQ(Do("POST", "/healthz").status, 405);
}

// The document lists exactly the routes the handler serves, with the methods
// it allows.
TEST_F(ApiTest, TheOpenApiDocumentDescribesEveryRoute) {
  const json doc = json::parse(OpenApiDocument());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::set<std::string> paths;
  for (const auto& [path, ops] : doc["paths"].items()) {
    paths.insert(path);
    for (const auto& [method, op] : ops.items()) {
      if (method == "parameters") continue;
      std::string target = std::regex_replace(path, std::regex(R"(\{[a-z]+\})"), "1");
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      const ApiReply r = Do(upper, target, R"({"type":"reduce-to","kw":1})", admin_);
      EXPECT_NE(r.status, 405) << upper << " " << path;
      EXPECT_NE(r.status, 404 * (path.find('{') != std::string::npos ? 0 : 1)) << upper << " " << path;
    }
  }
  EXPECT_EQ(paths, (std::set<std::string>{"/healthz", "/metrics", "/api/v1/openapi.json", "/api/v1/site",
                                          "/api/v1/events", "/api/v1/events/{id}", "/api/v1/audit",
                                          "/api/v1/ticks", "/api/v1/targets", "/api/v1/events/preview",
                                          "/api/v1/overrides", "/api/v1/overrides/{group}", "/api/v1/policy",
                                          "/api/v1/stream", "/api/v1/reasons", "/api/v1/whoami",
                                          "/api/v1/four-cp-alerts", "/api/v1/four-cp-alerts/{id}",
                                          "/api/v1/reports", "/reports/{name}/report.html",
                                          "/api/v1/devices"}));
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/openapi.json").body), doc);
}

TEST_F(ApiTest, WhoAmINamesTheTokensRoleAndNeedsAKnownToken) {
  EXPECT_EQ(Do("GET", "/api/v1/whoami").status, 401);
  EXPECT_EQ(Do("GET", "/api/v1/whoami", "", "", "mlt_nope").status, 401);
  EXPECT_EQ(Do("GET", "/api/v1/whoami", "", "mlt_nope").status, 401);
  const json viewer = json::parse(Do("GET", "/api/v1/whoami", "", viewer_).body);
  EXPECT_EQ(viewer["role"], "viewer");
  EXPECT_EQ(viewer["label"], "screen");
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/whoami", "", op_).body)["role"], "operator");
  EXPECT_EQ(Do("POST", "/api/v1/whoami", "", admin_).status, 405);
}

TEST_F(ApiTest, ReasonCodesAreServedInWords) {
  const json reasons = json::parse(Do("GET", "/api/v1/reasons").body)["reasons"];
  EXPECT_EQ(reasons["dr-event"], "cut by a demand-response target");
  EXPECT_EQ(reasons.size(), static_cast<std::size_t>(Reason::kCount));
}

TEST_F(ApiTest, TheDashboardIsServedOutsideTheApiAndTheApiStaysJson) {
  static constexpr WebAsset kTable[] = {{"/index.html", "<!doctype html>"}, {"/assets/a-1.js", "1"}};
  ApiHandler web(*store_, site_, [this] { return now_; }, nullptr, kTable);
  ApiRequest r{"GET", "/?x=1", "", "", ""};
  EXPECT_EQ(web.Handle(r).body, "<!doctype html>");
  r.target = "/assets/a-1.js";
  EXPECT_EQ(web.Handle(r).content_type, "text/javascript; charset=utf-8");
  r.target = "/assets/../index.html";
  EXPECT_EQ(web.Handle(r).status, 404);
  r.target = "/api/v1/nothing";
  EXPECT_EQ(web.Handle(r).content_type, "application/json") << "an unknown API route is the API's 404";
  r.method = "POST";
  r.target = "/";
  EXPECT_EQ(web.Handle(r).status, 405);
  // Without the files, / says the dashboard was not built.
  EXPECT_NE(Do("GET", "/").body.find("dashboard was not built"), std::string::npos);
}

TEST_F(ApiTest, TheStreamsFirstEventIsTheSiteOnOneLine) {
  const ApiReply r = Do("GET", "/api/v1/stream");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.stream);
  EXPECT_EQ(r.content_type, "text/event-stream");
  ASSERT_EQ(r.body.rfind("event: site\ndata: {", 0), 0u) << r.body;
  ASSERT_TRUE(r.body.ends_with("}\n\n")) << r.body;
  const std::string data = r.body.substr(std::string("event: site\ndata: ").size());
  EXPECT_EQ(data.find('\n'), data.size() - 2) << "one data line";
  EXPECT_EQ(json::parse(data), json::parse(Do("GET", "/api/v1/site").body));
  EXPECT_EQ(Do("POST", "/api/v1/stream").status, 405);
}

TEST_F(ApiTest, OverridesNeedAnOperatorNameARealGroupAndAreAudited) {
  const std::string body = R"({"group":"s21","max_running":100,"until":"2026-12-02T18:00:00Z"})";
  EXPECT_EQ(Do("POST", "/api/v1/overrides", body).status, 401);
  EXPECT_EQ(Do("POST", "/api/v1/overrides", body, viewer_).status, 403);
  const std::size_t audit = AuditRows();
  ApiReply bad = Do("POST", "/api/v1/overrides", R"({"group":"s9","max_running":1})", op_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("s21, s19xp"), std::string::npos) << bad.body;
  EXPECT_EQ(Do("POST", "/api/v1/overrides", R"({"group":"s21","max_running":601})", op_).status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/overrides", R"({"group":"s21","max_running":1.5})", op_).status, 400);
  EXPECT_EQ(Do("POST", "/api/v1/overrides", R"({"group":"s21","max_running":1,"until":"2026-12-02T14:00:00Z"})", op_).status,
            400)
      << "until in the past";
  EXPECT_EQ(Do("POST", "/api/v1/overrides", R"({"group":"s21","max_running":1,"why":"x"})", op_).status, 400);
  EXPECT_EQ(AuditRows(), audit) << "refused writes change nothing";
  ApiReply made = Do("POST", "/api/v1/overrides", body, op_);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json::parse(made.body)["active"], true);
  const json list = json::parse(Do("GET", "/api/v1/overrides").body)["overrides"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["max_running"], 100);
  EXPECT_EQ(list[0]["until"], "2026-12-02T18:00:00Z");
  EXPECT_EQ(Do("DELETE", "/api/v1/overrides/s21", "", viewer_).status, 403);
  EXPECT_EQ(Do("DELETE", "/api/v1/overrides/s21", "", op_).status, 200);
  EXPECT_EQ(Do("DELETE", "/api/v1/overrides/s21", "", op_).status, 404);
  const json log = json::parse(Do("GET", "/api/v1/audit", "", admin_).body)["audit"];
  EXPECT_EQ(log[0]["action"], "override.clear");
  EXPECT_EQ(log[1]["action"], "override.set");
  EXPECT_EQ(log[1]["detail"]["max_running"], 100);
  EXPECT_NE(log[1]["who"].get<std::string>().find("ops"), std::string::npos);
}

TEST_F(ApiTest, FourCpAlertsAreRaisedByAnOperatorOnASiteWithTheChargeOnceAndAudited) {
  const std::string body = R"({"start":"2026-12-02T20:00:00Z","end":"2026-12-02T22:00:00Z"})";
  // This site has no 4CP charge: an alert would move nothing, and says so.
  ApiReply none = Do("POST", "/api/v1/four-cp-alerts", body, op_);
  EXPECT_EQ(none.status, 409);
  EXPECT_NE(none.body.find("contract.four_cp"), std::string::npos) << none.body;
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/four-cp-alerts").body)["four_cp_charge"], false);

  SiteView charged = site_;
  charged.four_cp_charge = true;
  handler_ = std::make_unique<ApiHandler>(*store_, charged, [this] { return now_; });
  const std::size_t audit = AuditRows();
  EXPECT_EQ(Do("POST", "/api/v1/four-cp-alerts", body).status, 401);
  EXPECT_EQ(Do("POST", "/api/v1/four-cp-alerts", body, viewer_).status, 403);
  for (const char* bad : {R"({"start":"tomorrow"})", R"({"end":"2026-12-02T14:00:00Z"})",
                          R"({"start":"2026-12-02T20:00:00Z","end":"2026-12-02T19:00:00Z"})", R"({"kw":1})", "[]",
                          "{", R"({"end":17})"}) {
    ApiReply r = Do("POST", "/api/v1/four-cp-alerts", bad, op_);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("error"), std::string::npos);
  }
  EXPECT_NE(Do("POST", "/api/v1/four-cp-alerts", R"({"end":"2026-12-02T14:00:00Z"})", op_).body.find("end:"),
            std::string::npos)
      << "the error names the field";
  EXPECT_EQ(AuditRows(), audit) << "refused writes change nothing";
  EXPECT_TRUE(store_->FourCpAlerts(10)->empty());

  ApiReply made = Do("POST", "/api/v1/four-cp-alerts", body, op_, "ercot-notice-17");
  ASSERT_EQ(made.status, 201) << made.body;
  const json alert = json::parse(made.body);
  EXPECT_EQ(alert["start"], "2026-12-02T20:00:00Z");
  EXPECT_EQ(alert["end"], "2026-12-02T22:00:00Z");
  EXPECT_EQ(alert["active"], false) << "not begun at 15:00";
  ApiReply retry = Do("POST", "/api/v1/four-cp-alerts", R"({})", op_, "ercot-notice-17");
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(json::parse(retry.body)["id"], alert["id"]);
  ApiReply now = Do("POST", "/api/v1/four-cp-alerts", "{}", op_);
  ASSERT_EQ(now.status, 201);
  EXPECT_EQ(json::parse(now.body)["active"], true) << "no start: from now, until cancelled";
  const json list = json::parse(Do("GET", "/api/v1/four-cp-alerts").body);
  EXPECT_EQ(list["four_cp_charge"], true);
  ASSERT_EQ(list["alerts"].size(), 2u);
  const std::string one = "/api/v1/four-cp-alerts/" + std::to_string(alert["id"].get<int>());
  EXPECT_EQ(json::parse(Do("GET", one).body)["source_id"], "ercot-notice-17");
  EXPECT_EQ(Do("GET", "/api/v1/four-cp-alerts/999").status, 404);
  EXPECT_EQ(Do("DELETE", one, "", viewer_).status, 403);
  ApiReply cancelled = Do("DELETE", one, "", op_);
  EXPECT_EQ(cancelled.status, 200);
  EXPECT_FALSE(json::parse(cancelled.body)["cancelled"].is_null());
  EXPECT_EQ(Do("DELETE", one, "", op_).status, 409);
  const json log = json::parse(Do("GET", "/api/v1/audit", "", admin_).body)["audit"];
  EXPECT_EQ(log[0]["action"], "four_cp_alert.cancel");
  EXPECT_EQ(log[1]["action"], "four_cp_alert.create");
  EXPECT_EQ(log[2]["action"], "four_cp_alert.create");
  EXPECT_EQ(log[2]["detail"]["source_id"], "ercot-notice-17");
  EXPECT_NE(log[2]["who"].get<std::string>().find("ops"), std::string::npos);
}

// Reports are the folders of --reports holding a report.html, found again
// on each request, and served only by a name the listing found.
TEST_F(ApiTest, ReportsAreListedAndServedFromTheirFolderAndNothingOutsideIt) {
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/reports").body)["reports"].size(), 0u) << "no --reports: none";
  EXPECT_EQ(Do("GET", "/reports/x/report.html").status, 404);
  const fs::path reports = dir_ / "reports";
  fs::create_directories(reports / "hybrid-2024");
  fs::create_directories(reports / "pivot");
  fs::create_directories(reports / "empty");
  std::ofstream(reports / "hybrid-2024" / "report.html") << "<html><body>backtest</body></html>";
  std::ofstream(reports / "hybrid-2024" / "summary.json") << R"({"site":"West Texas hybrid","runs":[]})";
  std::ofstream(reports / "pivot" / "report.html") << "<html><body>plan</body></html>";
  std::ofstream(reports / "pivot" / "summary.json") << R"({"plan":{"name":"The pivot"},"decisions":[]})";
  std::ofstream(dir_ / "secret.html") << "not a report";
  fs::create_directories(reports / "sneaky");
  fs::create_symlink(dir_ / "secret.html", reports / "sneaky" / "report.html");
  fs::create_directory_symlink(reports / "pivot", reports / "linked");
  SiteView with = site_;
  with.reports_dir = reports;
  handler_ = std::make_unique<ApiHandler>(*store_, with, [this] { return now_; });
  const json list = json::parse(Do("GET", "/api/v1/reports").body);
  ASSERT_EQ(list["reports"].size(), 2u) << list.dump();
  std::map<std::string, json> by_name;
  for (const json& r : list["reports"]) by_name[r["name"]] = r;
  EXPECT_EQ(by_name["hybrid-2024"]["kind"], "backtest");
  EXPECT_EQ(by_name["hybrid-2024"]["title"], "West Texas hybrid");
  EXPECT_EQ(by_name["pivot"]["kind"], "plan");
  EXPECT_EQ(by_name["pivot"]["title"], "The pivot");
  EXPECT_EQ(by_name["pivot"]["href"], "/reports/pivot/report.html");
  EXPECT_EQ(list["configured"], true);
  EXPECT_EQ(list.dump().find(reports.string()), std::string::npos) << "the server's paths are its own";
  const ApiReply page = Do("GET", "/reports/hybrid-2024/report.html");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, "<html><body>backtest</body></html>");
  bool strict = false;
  for (const auto& [k, v] : page.headers) strict |= k == "Content-Security-Policy" && v.starts_with("default-src 'none'");
  EXPECT_TRUE(strict);
  for (const char* outside : {"/reports/../secret.html", "/reports/sneaky/report.html", "/reports/linked/report.html",
                              "/reports/%2e%2e/report.html", "/reports/./report.html", "/reports/a%2fb/report.html",
                              "/reports/empty/report.html", "/reports/hybrid-2024/summary.json",
                              "/reports/hybrid-2024/../pivot/report.html", "/reports/%2e%2e/secret.html",
                              "/reports/hybrid-2024", "/reports/"}) {
    const ApiReply r = Do("GET", outside);
    EXPECT_EQ(r.status, 404) << outside;
    EXPECT_EQ(r.body.find("not a report"), std::string::npos) << outside;
  }
  // A report written while the daemon runs is there at once; a name with a
  // space is linked encoded and served by it.
  fs::create_directories(reports / "West Texas 2024");
  std::ofstream(reports / "West Texas 2024" / "report.html") << "<html>spaced</html>";
  const json again = json::parse(Do("GET", "/api/v1/reports").body);
  EXPECT_EQ(again["reports"].size(), 3u);
  std::string spaced;
  for (const json& r : again["reports"]) spaced = r["name"] == "West Texas 2024" ? r["href"].get<std::string>() : spaced;
  EXPECT_EQ(spaced, "/reports/West%20Texas%202024/report.html");
  EXPECT_EQ(Do("GET", spaced).body, "<html>spaced</html>");
  // Over the size served: not listed, not served.
  fs::create_directories(reports / "huge");
  {
    std::ofstream big(reports / "huge" / "report.html", std::ios::binary);
    big.seekp(static_cast<std::streamoff>(kMaxReportBytes));
    big.put('x');
  }
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/reports").body)["reports"].size(), 3u);
  EXPECT_EQ(Do("GET", "/reports/huge/report.html").status, 404);
  EXPECT_EQ(Do("POST", "/reports/pivot/report.html", "", admin_).status, 405);
}

TEST_F(ApiTest, PolicyParametersAreChangedByAnAdminOnlyWithinTheirBounds) {
  const json before = json::parse(Do("GET", "/api/v1/policy").body);
  EXPECT_EQ(before["in_force"]["hysteresis_usd_per_mwh"], 2.0);
  EXPECT_EQ(before["set_by_operator"], false);
  EXPECT_EQ(Do("PUT", "/api/v1/policy", R"({"reserve_fraction":0.1})", op_).status, 403);
  EXPECT_EQ(Do("PUT", "/api/v1/policy", R"({"reserve_fraction":0.9})", admin_).status, 400);
  ApiReply unknown = Do("PUT", "/api/v1/policy", R"({"reserve":0.1})", admin_);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("unknown field 'reserve'"), std::string::npos) << unknown.body;
  ApiReply set = Do("PUT", "/api/v1/policy", R"({"reserve_fraction":0.1})", admin_);
  ASSERT_EQ(set.status, 200) << set.body;
  const json after = json::parse(Do("GET", "/api/v1/policy").body);
  EXPECT_EQ(after["in_force"]["reserve_fraction"], 0.1);
  EXPECT_EQ(after["in_force"]["hysteresis_usd_per_mwh"], 2.0) << "fields left out keep their values";
  EXPECT_EQ(after["site_file"]["reserve_fraction"], 0.0);
  EXPECT_EQ(after["set_by_operator"], true);
  EXPECT_EQ(json::parse(Do("GET", "/api/v1/audit", "", admin_).body)["audit"][0]["action"], "policy.set");
}

// Two halls, PUE 1.25, one tick of the always-on policy: hall-a carries 40
// S21 at 3,500 W, 175,000 W; hall-b's 100 kW fits floor(100,000 / (3,050 x
// 1.25)) = 26 of its 40 S19j Pro, 99,125 W. The site serves each hall's draw
// and headroom, and /metrics each draw; and each group's breakeven price.
TEST_F(ApiTest, EachPowerDomainsDrawAndHeadroomAreServedFromTheLastTick) {
  Site site;
  site.name = "two halls";
  site.interconnect = Megawatts(1);
  site.cooling.pue_air = 1.25;
  for (auto [name, limit] : {std::pair{"hall-a", 200e3}, std::pair{"hall-b", 100e3}}) {
    PowerDomain d;
    d.name = name;
    d.limit = Watts(limit);
    site.domains.push_back(d);
  }
  site.miners.push_back(testing_sites::Group("s21", "S21", 40, 0));
  site.miners.push_back(testing_sites::Group("s19jpro", "S19j Pro", 40, 1));
  SteadyFleet fleet(site);
  LoopOptions o;
  o.policy = PolicyKind::kAlwaysOn;
  ControlLoop loop(site, *store_, fleet, fleet.Groups(), o);
  const Result<TickReport> tick = loop.Tick(now_, LoopSignals{UsdPerMegawattHour(30), UsdPerTerahashDay(0.05)});
  ASSERT_TRUE(tick.ok()) << tick.status().message();
  LiveBoard board;
  LiveState state;
  state.loop = true;
  state.last = *tick;
  state.site = &site;
  state.hashprice_usd_per_th_day = 0.05;
  SiteView view = site_;
  view.domain_limits_w = {{"hall-a", 200e3}, {"hall-b", 100e3}};
  ApiHandler handler(*store_, view, [this] { return now_; }, &board);
  const auto get = [&](const char* target) { return handler.Handle(ApiRequest{"GET", target, "", "", ""}).body; };
  // Before the first tick, a domain has its limit alone.
  EXPECT_EQ(json::parse(get("/api/v1/site"))["domains"][0]["draw_w"], nullptr);
  board.Publish(state);
  const json domains = json::parse(get("/api/v1/site"))["domains"];
  ASSERT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains[0]["name"], "hall-a");
  EXPECT_DOUBLE_EQ(domains[0]["draw_w"].get<double>(), 175'000);
  EXPECT_DOUBLE_EQ(domains[0]["headroom_w"].get<double>(), 25'000);
  EXPECT_DOUBLE_EQ(domains[1]["limit_w"].get<double>(), 100'000);
  EXPECT_DOUBLE_EQ(domains[1]["draw_w"].get<double>(), 99'125);
  EXPECT_DOUBLE_EQ(domains[1]["headroom_w"].get<double>(), 875);
  // Each group's breakeven: hashprice x 1e6 / (24 x J/TH x PUE) USD/MWh,
  // no pool fee, always up, no adder (economics.md §1.5).
  const json groups = json::parse(get("/api/v1/site"))["live"]["groups"];
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]["name"], "s21");
  EXPECT_DOUBLE_EQ(groups[0]["j_per_th"].get<double>(), 17.5);
  EXPECT_NEAR(groups[0]["breakeven_usd_per_mwh"].get<double>(), 0.05 * 1e6 / (24 * 17.5 * 1.25), 1e-9);
  EXPECT_NEAR(groups[1]["breakeven_usd_per_mwh"].get<double>(), 0.05 * 1e6 / (24 * 30.5 * 1.25), 1e-9);
  const std::string metrics = get("/metrics");
  EXPECT_NE(metrics.find("mullet_domain_power_watts{domain=\"hall-a\"} 175000\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mullet_domain_power_watts{domain=\"hall-b\"} 99125\n"), std::string::npos) << metrics;
  // Cooling as a tier of its own: 40 S21 (140 kW IT) and 26 S19j Pro
  // (79.3 kW IT) at PUE 1.25: 219.3 kW of IT, a quarter of it more to cool.
  const json tier = json::parse(get("/api/v1/site"))["live"]["tick"];
  EXPECT_DOUBLE_EQ(tier["tier_it_w"]["mining"].get<double>(), 219'300);
  EXPECT_DOUBLE_EQ(tier["tier_it_w"]["firm"].get<double>(), 0);
  EXPECT_NEAR(tier["cooling_w"].get<double>(), 54'825, 1e-6);
  EXPECT_NEAR(tier["tier_w"]["mining"].get<double>(), tier["tier_it_w"]["mining"].get<double>() + tier["cooling_w"].get<double>(), 1e-6);
  EXPECT_NE(metrics.find("mullet_cooling_power_watts 54825\n"), std::string::npos) << metrics;
}

// ---- Over real HTTP.

struct HttpResult {
  int status = 0;
  std::string body;
  std::string retry_after;
};

HttpResult Http(const tcp::endpoint& at, http::verb verb, const std::string& target, const std::string& body = "",
                const std::string& token = "") {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(at);
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "localhost");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> res;
  res.body_limit(1 << 20);
  beast::error_code ec;
  http::read(stream, buf, res, ec);
  HttpResult out;
  if (ec) return out;
  out.status = res.get().result_int();
  out.body = res.get().body();
  out.retry_after = std::string(res.get()[http::field::retry_after]);
  return out;
}

class ApiServerTest : public ApiTest {
 protected:
  void Start(ApiOptions o) {
    o.listen = tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0);
    server_ = std::make_unique<ApiServer>(io_, *handler_, o);
    ASSERT_TRUE(server_->Start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) asio::post(io_, [this] { server_->Stop(); });
    io_.stop();
    if (thread_.joinable()) thread_.join();
    ApiTest::TearDown();
  }
  asio::io_context io_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
};

TEST_F(ApiServerTest, ServesOverHttpAndBoundsBodiesHeadersAndRate) {
  ApiOptions o;
  o.requests_per_s = 1;
  o.burst = 30;
  o.max_body_bytes = 1024;
  Start(o);
  const tcp::endpoint at = server_->endpoint();
  ASSERT_NE(at.port(), 0);
  EXPECT_EQ(Http(at, http::verb::get, "/healthz").body, "ok\n");
  HttpResult made = Http(at, http::verb::post, "/api/v1/events", R"({"type":"reduce-to","kw":2500})", op_);
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(Http(at, http::verb::post, "/api/v1/events", R"({"type":"reduce-to","kw":2500})").status, 401);
  // A body over the limit: 413 before the handler sees it; nothing stored.
  HttpResult big = Http(at, http::verb::post, "/api/v1/events", std::string(4096, ' '), op_);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Events(), 1u);
  // Headers over 8 KiB: 431.
  {
    asio::io_context io;
    beast::tcp_stream s(io);
    s.connect(at);
    http::request<http::string_body> req{http::verb::get, "/healthz", 11};
    req.set("X-Junk", std::string(20000, 'j'));
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(s, buf, res, ec);
    EXPECT_EQ(res.result_int(), 431) << ec.message();
  }
  // Garbage: 400.
  {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(at);
    asio::write(s, asio::buffer(std::string("\x16\x03\x01 not http at all\r\n\r\n")));
    std::string reply;
    beast::error_code ec;
    asio::read(s, asio::dynamic_buffer(reply), ec);
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  }
  // Past the burst: 429 with Retry-After; the store is untouched by those.
  int limited = 0;
  HttpResult last;
  for (int i = 0; i < 40; ++i) {
    last = Http(at, http::verb::get, "/healthz");
    if (last.status == 429) {
      ++limited;
      EXPECT_EQ(last.retry_after, "1");
    }
  }
  EXPECT_GT(limited, 0);
}

TEST_F(ApiServerTest, ASlowClientIsClosedAndKeepsNobodyOut) {
  ApiOptions o;
  o.idle = Seconds(0.3);
  o.max_connections = 4;
  Start(o);
  const tcp::endpoint at = server_->endpoint();
  asio::io_context io;
  std::vector<tcp::socket> slow;
  for (int i = 0; i < 4; ++i) {
    slow.emplace_back(io);
    slow.back().connect(at);
    asio::write(slow.back(), asio::buffer(std::string("GET /heal")));  // never finished
  }
  // While they hold every slot a new client may be turned away; once the
  // idle limit closes them, it is served.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Http(at, http::verb::get, "/healthz").status, 200);
  for (tcp::socket& s : slow) {
    char c;
    beast::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }
}

// Reads a stream's bytes until `events` events (blank-line ends) have come,
// or `deadline` passes; what came.
std::string ReadEvents(tcp::socket& s, int events, std::chrono::milliseconds deadline) {
  std::string got;
  const auto until = std::chrono::steady_clock::now() + deadline;
  s.non_blocking(true);
  while (std::chrono::steady_clock::now() < until) {
    char buf[4096];
    beast::error_code ec;
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (ec) break;
    got.append(buf, n);
    int seen = 0;
    for (std::size_t at = got.find("\n\n"); at != std::string::npos; at = got.find("\n\n", at + 2)) ++seen;
    if (seen >= events) break;
  }
  return got;
}

tcp::socket OpenStream(asio::io_context& io, const tcp::endpoint& at) {
  tcp::socket s(io);
  s.connect(at);
  asio::write(s, asio::buffer(std::string("GET /api/v1/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")));
  return s;
}

TEST_F(ApiServerTest, TheStreamPushesTheSiteEachTimeTheLoopPublishes) {
  LiveBoard board;
  handler_ = std::make_unique<ApiHandler>(*store_, site_, [this] { return now_; }, &board);
  ApiOptions o;
  o.stream_check = Seconds(0.02);
  o.stream_keepalive = Seconds(0.2);
  Start(o);
  asio::io_context io;
  tcp::socket s = OpenStream(io, server_->endpoint());
  std::string got = ReadEvents(s, 1, std::chrono::milliseconds(5000));
  ASSERT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("Cache-Control: no-store\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("\"live\":{\"loop\":false"), std::string::npos) << got;
  // Each publish is one event; quiet is a comment line, never a repeat.
  for (int i = 1; i <= 3; ++i) {
    LiveState state;
    state.loop = true;
    state.ticks = static_cast<std::uint64_t>(i);
    board.Publish(state);
    const std::string next = ReadEvents(s, 1, std::chrono::milliseconds(5000));
    EXPECT_EQ(next.rfind("event: site\ndata: {", 0), 0u) << next;
    EXPECT_NE(next.find("\"ticks\":" + std::to_string(i) + ","), std::string::npos) << next;
  }
  EXPECT_EQ(ReadEvents(s, 1, std::chrono::milliseconds(5000)), ":\n\n");
}

TEST_F(ApiServerTest, StreamsAreBoundedAndAGoneClientFreesItsSlot) {
  ApiOptions o;
  o.max_streams = 2;
  o.stream_check = Seconds(0.02);
  Start(o);
  const tcp::endpoint at = server_->endpoint();
  asio::io_context io;
  std::optional<tcp::socket> first(OpenStream(io, at));
  tcp::socket second = OpenStream(io, at);
  EXPECT_NE(ReadEvents(*first, 1, std::chrono::milliseconds(5000)).find("event: site"), std::string::npos);
  EXPECT_NE(ReadEvents(second, 1, std::chrono::milliseconds(5000)).find("event: site"), std::string::npos);
  HttpResult third = Http(at, http::verb::get, "/api/v1/stream");
  EXPECT_EQ(third.status, 503) << third.body;
  EXPECT_EQ(Http(at, http::verb::get, "/healthz").status, 200) << "the API is still served";
  first->close();
  first.reset();
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    tcp::socket again = OpenStream(io, at);
    const std::string got = ReadEvents(again, 1, std::chrono::milliseconds(2000));
    status = got.rfind("HTTP/1.1 200", 0) == 0 ? 200 : 503;
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ApiServerTest, ABusyAddressIsNamed) {
  Start(ApiOptions{});
  ApiOptions o;
  o.listen = server_->endpoint();
  ApiServer second(io_, *handler_, o);
  const Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.1:" + std::to_string(o.listen.port())), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace mullet
