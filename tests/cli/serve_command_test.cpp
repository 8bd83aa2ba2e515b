// `mullet token` and `mullet serve` as an operator runs them: a token made on
// the command line, the daemon started on a free port, an event posted with
// curl-like HTTP, the daemon killed with SIGKILL and started again, the event
// still there; SIGTERM stops it cleanly.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "cli/run_mullet.h"
#include "core/time/calendar.h"
#include "daemon/fake_ercot.h"
#include "daemon/fake_http_server.h"
#include "daemon/fake_vtn.h"
#include "storage/pg_server.h"

extern char** environ;

namespace mullet {
namespace {

using testing_cli::Mullet;
namespace fs = std::filesystem;
namespace asio = boost::asio;

// A running `mullet serve`, its stdout read up to the ready line.
class Daemon {
 public:
  explicit Daemon(const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> all = {testing_cli::MulletBinary(), "serve"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[512];
    if (f != nullptr && fgets(line, sizeof line, f) != nullptr) ready_ = line;
    if (f != nullptr) fclose(f);
    const std::size_t colon = ready_.rfind(':');
    if (ready_.rfind("mullet serve: API on http://127.0.0.1:", 0) == 0) port_ = std::stoi(ready_.substr(colon + 1));
  }
  ~Daemon() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  const std::string& ready() const { return ready_; }
  // Sends `signal` and returns how the process ended.
  int Stop(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string ready_;
};

// One HTTP/1.1 request with Connection: close; the status and the body.
std::pair<int, std::string> Request(int port, const std::string& method, const std::string& target,
                                    const std::string& token = "", const std::string& body = "") {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  if (ec) return {0, ec.message()};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(s, asio::buffer(req));
  std::string reply;
  asio::read(s, asio::dynamic_buffer(reply), ec);
  const std::size_t blank = reply.find("\r\n\r\n");
  if (reply.size() < 12 || blank == std::string::npos) return {0, reply};
  return {std::stoi(reply.substr(9, 3)), reply.substr(blank + 4)};
}

class ServeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_serve_cli_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "site.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string db_;
  const std::string site_ = std::string(MULLET_EXAMPLES) + "/hybrid_west_texas.yaml";
};

TEST_F(ServeCommandTest, TokensAreMadeListedAndRevokedOnTheCommandLine) {
  const auto made = Mullet("token create --role operator --label 'ops laptop' --db " + db_);
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_EQ(made.out.rfind("mlt_", 0), 0u);
  EXPECT_EQ(made.out.size(), 4u + 64u + 1u);
  EXPECT_NE(made.err.find("shown only now"), std::string::npos);
  const auto list = Mullet("token list --json --db " + db_);
  ASSERT_EQ(list.code, 0) << list.err;
  const nlohmann::json j = nlohmann::json::parse(list.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["role"], "operator");
  EXPECT_EQ(j[0]["label"], "ops laptop");
  EXPECT_EQ(list.out.find(made.out.substr(0, 20)), std::string::npos) << "a listing never shows a token";
  EXPECT_EQ(Mullet("token revoke 1 --db " + db_).code, 0);
  EXPECT_EQ(Mullet("token revoke 7 --db " + db_).code, 2);
  EXPECT_EQ(Mullet("token create --role root --db " + db_).code, 2);
  EXPECT_NE(Mullet("token create --db " + db_).code, 0);
}

TEST_F(ServeCommandTest, BadInputIsRefusedBeforeAnythingListens) {
  auto r = Mullet("serve " + site_ + " --db " + db_ + " --listen localhost:8080");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--listen: 'localhost' is not an IP address"), std::string::npos) << r.err;
  r = Mullet("serve " + site_ + " --db " + db_ + " --listen 127.0.0.1:99999");
  EXPECT_EQ(r.code, 2);
  r = Mullet("serve /no/such/site.yaml --db " + db_);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/no/such/site.yaml"), std::string::npos) << r.err;
  r = Mullet("serve " + site_ + " --db " + (dir_ / "no" / "dir" / "x.db").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot open the database"), std::string::npos) << r.err;
  r = Mullet("serve " + site_ + " --db " + db_ + " --price-csv prices.csv --price-url http://127.0.0.1:1/p.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("give one"), std::string::npos) << r.err;
  r = Mullet("serve " + site_ + " --db " + db_ + " --price-url ftp://127.0.0.1/p.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--price-url"), std::string::npos) << r.err;
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  const fs::path alerts = dir_ / "alerts.csv";
  std::ofstream(alerts) << "start_utc,end_utc\n";
  r = Mullet("serve " + demo + " --db " + db_ + " --four-cp-alert-file " + alerts.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("contract.four_cp"), std::string::npos) << r.err;
  std::ofstream(alerts) << "start_utc,end_utc\n2026-07-15T20:00:00Z,later\n";
  r = Mullet("serve " + site_ + " --db " + db_ + " --price-usd-mwh 30 --four-cp-alert-file " + alerts.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("alerts.csv:2: end_utc"), std::string::npos) << r.err;
}

TEST_F(ServeCommandTest, AnEventPostedSurvivesAKillAndTheDaemonStopsCleanlyOnSigterm) {
  const auto made = Mullet("token create --role operator --db " + db_);
  ASSERT_EQ(made.code, 0);
  const std::string token = made.out.substr(0, made.out.size() - 1);
  std::string id;
  {
    Daemon d({site_, "--db", db_, "--listen", "127.0.0.1:0"});
    ASSERT_NE(d.port(), 0) << d.ready();
    EXPECT_EQ(Request(d.port(), "GET", "/healthz").second, "ok\n");
    EXPECT_EQ(Request(d.port(), "POST", "/api/v1/events", "", R"({"type":"reduce-to","kw":2500})").first, 401);
    const auto [status, body] =
        Request(d.port(), "POST", "/api/v1/events", token, R"({"type":"reduce-to","kw":2500,"ramp_s":120})");
    ASSERT_EQ(status, 201) << body;
    id = std::to_string(nlohmann::json::parse(body)["id"].get<int>());
    const int how = d.Stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(how));
  }
  Daemon again({site_, "--db", db_, "--listen", "127.0.0.1:0"});
  ASSERT_NE(again.port(), 0) << again.ready();
  const auto [status, body] = Request(again.port(), "GET", "/api/v1/events/" + id);
  ASSERT_EQ(status, 200) << body;
  const nlohmann::json e = nlohmann::json::parse(body);
  EXPECT_EQ(e["kw"], 2500.0);
  EXPECT_EQ(e["active"], true);
  EXPECT_NE(Request(again.port(), "GET", "/metrics").second.find("mullet_events_active 1\n"), std::string::npos);
  const int how = again.Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(how));
  EXPECT_EQ(WEXITSTATUS(how), 0);
}

// The same with the state on a PostgreSQL server (one the test starts): the
// token, the event and its survival of a SIGKILL.
TEST_F(ServeCommandTest, TheStateCanLiveInPostgreSql) {
  testing_pg::PgServer& pg = testing_pg::PgServer::Get();
  ASSERT_TRUE(pg.error().empty()) << pg.error();
  const std::string url = pg.NewDatabaseUrl();
  const auto made = Mullet("token create --role admin --db '" + url + "'");
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.size() - 1);
  {
    Daemon d({site_, "--db", url, "--listen", "127.0.0.1:0"});
    ASSERT_NE(d.port(), 0) << d.ready();
    const auto [status, body] = Request(d.port(), "POST", "/api/v1/events", token, R"({"type":"reduce-by","kw":700})");
    ASSERT_EQ(status, 201) << body;
    d.Stop(SIGKILL);
  }
  Daemon again({site_, "--db", url, "--listen", "127.0.0.1:0"});
  ASSERT_NE(again.port(), 0) << again.ready();
  const auto [status, body] = Request(again.port(), "GET", "/api/v1/audit", token);
  ASSERT_EQ(status, 200) << body;
  const nlohmann::json audit = nlohmann::json::parse(body)["audit"];
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0]["action"], "event.create");
  EXPECT_EQ(audit[0]["detail"]["kw"], 700.0);
  EXPECT_EQ(audit[1]["action"], "token.create");
  const auto bad = Mullet("token list --db 'postgresql:///nosuchdb?host=/nonexistent&user=x'");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("cannot connect to PostgreSQL"), std::string::npos) << bad.err;
}

// ---- The control loop against an emulated plant (--emulate), end to end:
// the daemon's own drivers sweep and command LuxOS miners over loopback and
// read the site's Modbus meter.

// The live state /api/v1/site serves; null until the first tick.
nlohmann::json Live(int port) {
  const auto [status, body] = Request(port, "GET", "/api/v1/site");
  if (status != 200) return nullptr;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("live") || !j["live"].is_object()) return nullptr;
  return j["live"];
}

// Polls until `done(tick)` holds for a tick newer than `after` (the live
// tick's time); the tick, or null after `seconds`.
template <typename F>
nlohmann::json WaitForTick(int port, double seconds, F done, const std::string& after = "") {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    const nlohmann::json live = Live(port);
    if (live.is_object() && live.contains("tick") && live["tick"]["time"].get<std::string>() > after &&
        done(live["tick"])) {
      return live["tick"];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return nullptr;
}

// 200 emulated miners of examples/demo_site.yaml: 120 S21 (3,500 W) and 80
// S19 XP (3,010 W) with air cooling (x 1.08), and the AI tenant's 1.5 MW x
// 0.85 with liquid cooling (x 1.25): 713,664 W of mining and 1,593,750 W of
// firm load, 2,307,414 W in all.
constexpr double kFirmW = 1'593'750;
constexpr double kAllOnW = 2'307'414;

TEST_F(ServeCommandTest, TheLoopBringsTheMeteredSiteToAnEventSurvivesAKillAndRestoresOnCancel) {
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  const std::vector<std::string> args = {demo, "--emulate", "200", "--emulate-from", "127.3.64.1", "--tick-s", "0.5",
                                         "--db", db_, "--listen", "127.0.0.1:0"};
  const auto made = Mullet("token create --role operator --db " + db_);
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.size() - 1);
  const auto viewer = Mullet("token create --role viewer --db " + db_);
  const std::string viewer_token = viewer.out.substr(0, viewer.out.size() - 1);
  std::string id;
  {
    Daemon d(args);
    ASSERT_NE(d.port(), 0) << d.ready();
    const nlohmann::json all_on = WaitForTick(d.port(), 10, [](const nlohmann::json& t) {
      return t["site_meter_w"].is_number() && t["answered"] == 200;
    });
    ASSERT_TRUE(all_on.is_object()) << Live(d.port()).dump();
    EXPECT_NEAR(all_on["site_meter_w"].get<double>(), kAllOnW, 1.0) << "every miner hashing, metered";
    EXPECT_EQ(all_on["tier_w"]["firm"], kFirmW);

    // Neither no token nor a viewer's may post; nothing changes.
    const std::string body = R"({"type":"reduce-to","kw":1900})";
    EXPECT_EQ(Request(d.port(), "POST", "/api/v1/events", "", body).first, 401);
    EXPECT_EQ(Request(d.port(), "POST", "/api/v1/events", viewer_token, body).first, 403);
    EXPECT_EQ(nlohmann::json::parse(Request(d.port(), "GET", "/api/v1/events").second)["events"].size(), 0u);

    // A dry run first: the least efficient group (S19 XP) goes first, the AI
    // tenant is listed as not curtailed, and nothing changes.
    const auto [pstatus, pbody] = Request(d.port(), "POST", "/api/v1/events/preview", "", body);
    ASSERT_EQ(pstatus, 200) << pbody;
    const nlohmann::json preview = nlohmann::json::parse(pbody);
    EXPECT_EQ(preview["cap_w"], 1.9e6);
    EXPECT_LE(preview["expected_after_w"].get<double>(), 1.9e6);
    EXPECT_EQ(preview["shortfall_w"], 0.0);
    EXPECT_EQ(preview["groups"][1]["name"], "s19xp");
    EXPECT_EQ(preview["groups"][1]["running_after"], 0) << preview.dump();
    EXPECT_GT(preview["groups"][0]["running_after"].get<int>(), 0) << "the S21s, more efficient, keep some";
    EXPECT_EQ(preview["skipped"][0]["what"], "AI lease tenant-a");
    EXPECT_TRUE(preview["sla_events"].empty());
    // Below the firm load: the tenant would be cut, and the preview says so.
    const nlohmann::json deep = nlohmann::json::parse(
        Request(d.port(), "POST", "/api/v1/events/preview", "", R"({"type":"reduce-to","kw":1000})").second);
    ASSERT_EQ(deep["sla_events"].size(), 1u) << deep.dump();
    EXPECT_NEAR(deep["sla_events"][0]["cut_w"].get<double>(), kFirmW - 1e6, 1);
    EXPECT_EQ(Request(d.port(), "POST", "/api/v1/events/preview", "", R"({"type":"reduce-to"})").first, 400);
    EXPECT_EQ(nlohmann::json::parse(Request(d.port(), "GET", "/api/v1/events").second)["events"].size(), 0u);

    const auto posted = std::chrono::steady_clock::now();
    const auto [status, reply] = Request(d.port(), "POST", "/api/v1/events", token, body);
    ASSERT_EQ(status, 201) << reply;
    id = std::to_string(nlohmann::json::parse(reply)["id"].get<int>());
    // LuxOS sleeps in ~4 s; the loop ticks every 0.5 s.
    const nlohmann::json met = WaitForTick(d.port(), 15, [](const nlohmann::json& t) {
      return t["dr_limit_w"].is_number() && t["site_meter_w"].is_number() && t["site_meter_w"].get<double>() <= 1.9e6;
    });
    ASSERT_TRUE(met.is_object()) << Live(d.port()).dump();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - posted).count();
    EXPECT_LT(took, 12.0);
    EXPECT_EQ(met["tier_w"]["firm"], kFirmW) << "the AI tenant is never touched";
    EXPECT_GT(met["site_meter_w"].get<double>(), kFirmW) << "mining curtailed, not stopped wholesale";
    // Every tick planned within its cap.
    const nlohmann::json ticks = nlohmann::json::parse(Request(d.port(), "GET", "/api/v1/ticks?limit=1000").second);
    ASSERT_GT(ticks["ticks"].size(), 2u);
    for (const nlohmann::json& t : ticks["ticks"]) {
      EXPECT_LE(t["expected_w"].get<double>(), t["site_cap_w"].get<double>() + 1e-6) << t.dump();
    }
    const nlohmann::json targets = nlohmann::json::parse(Request(d.port(), "GET", "/api/v1/targets").second);
    EXPECT_GT(targets["by_state"].value("confirmed", 0), 0) << targets.dump();
    const std::string metrics = Request(d.port(), "GET", "/metrics").second;
    EXPECT_NE(metrics.find("mullet_site_power_watts "), std::string::npos);
    EXPECT_NE(metrics.find("mullet_tier_power_watts{tier=\"firm\"} 1593750\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("mullet_targets{state=\"confirmed\"}"), std::string::npos);
    EXPECT_TRUE(WIFSIGNALED(d.Stop(SIGKILL)));
  }
  // A restart: the event is still in force, the targets are read back, and
  // the plant (restarted with the daemon, every miner hashing again) is
  // brought back under the cap: each target found undone is sent again.
  Daemon again(args);
  ASSERT_NE(again.port(), 0) << again.ready();
  const nlohmann::json resumed = WaitForTick(again.port(), 15, [](const nlohmann::json& t) {
    return t["dr_limit_w"].is_number() && t["site_meter_w"].is_number() && t["site_meter_w"].get<double>() <= 1.9e6;
  });
  ASSERT_TRUE(resumed.is_object()) << Live(again.port()).dump();
  // Cancelled: every miner the loop put to sleep is woken.
  const auto [status, reply] = Request(again.port(), "DELETE", "/api/v1/events/" + id, token);
  ASSERT_EQ(status, 200) << reply;
  const nlohmann::json restored = WaitForTick(again.port(), 20, [](const nlohmann::json& t) {
    return t["dr_limit_w"].is_null() && t["site_meter_w"].is_number() && t["site_meter_w"].get<double>() >= kAllOnW - 1;
  });
  ASSERT_TRUE(restored.is_object()) << Live(again.port()).dump();
  const int how = again.Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(how));
  EXPECT_EQ(WEXITSTATUS(how), 0);
}

// A price feed gone stale makes the loop take its safe action (here:
// curtail mining, keep AI), loudly in the API and the metrics; a fresh price
// ends it and the miners come back.
// A site's own miners (`addresses:`, `driver:`) and its own interconnect
// meter (--meter): here a `mullet emulate` process serves both, as a real
// site's miners and meter would answer, and the loop reads the meter every
// tick. A meter flag that makes no sense is refused before anything listens.
// The dashboard and the stream from a running daemon: / is the page (embedded
// when npm was found at build time, else a page that says so), and
// /api/v1/stream pushes the site as server-sent events, a newer tick in each.
TEST_F(ServeCommandTest, TheStreamPushesEachTickAndTheDashboardIsServedBesideTheApi) {
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  Daemon d({demo, "--emulate", "20", "--emulate-from", "127.3.144.1", "--tick-s", "0.3", "--confirm-s", "0", "--db",
            db_, "--listen", "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(d.port())});
  asio::write(s, asio::buffer(std::string("GET /api/v1/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")));
  std::string got;
  std::vector<nlohmann::json> events;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  s.non_blocking(true);
  while (events.size() < 4 && std::chrono::steady_clock::now() < until) {
    char buf[8192];
    boost::system::error_code ec;
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    ASSERT_FALSE(ec) << ec.message();
    got.append(buf, n);
    for (std::size_t end = got.find("\n\n"); end != std::string::npos; end = got.find("\n\n")) {
      const std::string event = got.substr(0, end);
      got.erase(0, end + 2);
      const std::size_t data = event.find("data: ");
      if (data != std::string::npos) events.push_back(nlohmann::json::parse(event.substr(data + 6)));
    }
  }
  ASSERT_EQ(events.size(), 4u) << got;
  EXPECT_EQ(events[0]["name"], "Demo 6 MW hybrid");
  std::string last;
  for (std::size_t i = 1; i < events.size(); ++i) {
    ASSERT_TRUE(events[i]["live"]["tick"].is_object()) << events[i].dump();
    const std::string time = events[i]["live"]["tick"]["time"];
    EXPECT_GE(time, last);
    last = time;
    EXPECT_EQ(events[i]["live"]["tick"]["tier_w"]["firm"], kFirmW);
  }
  EXPECT_GT(events.back()["live"]["ticks"].get<int>(), events[1]["live"]["ticks"].get<int>()) << "a new tick in each";

  const auto [page_status, page] = Request(d.port(), "GET", "/");
#ifdef MULLET_WEB_EMBEDDED
  ASSERT_EQ(page_status, 200) << page;
  const std::size_t script = page.find("/assets/index-");
  ASSERT_NE(script, std::string::npos) << page;
  const std::string asset = page.substr(script, page.find('"', script) - script);
  EXPECT_EQ(Request(d.port(), "GET", asset).first, 200) << asset;
#else
  EXPECT_EQ(page_status, 404);
  EXPECT_NE(page.find("dashboard was not built"), std::string::npos) << page;
#endif
  EXPECT_EQ(Request(d.port(), "GET", "/../../../etc/passwd").first, 404);
  EXPECT_EQ(Request(d.port(), "GET", "/assets/../../CMakeLists.txt").first, 404);
}

TEST_F(ServeCommandTest, TheSitesOwnMeterIsReadEveryTick) {
  int meter_port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    meter_port = a.local_endpoint().port();
  }
  testing_cli::Emulator emu({"--miners", "10", "--firmware", "luxos", "--models", "Antminer S21", "--first-address",
                             "127.3.136.1", "--meter-port", std::to_string(meter_port), "--duration-s", "60", "--json"});
  ASSERT_TRUE(emu.listing().is_object()) << "the emulator did not start";
  const fs::path site = dir_ / "own.yaml";
  std::ofstream(site) << "name: Own meter\ninterconnect_mw: 1\ncontract:\n  index:\n    fixed_usd_per_mwh: 45\n"
                         "miner_groups:\n  - name: s21\n    model: Antminer S21\n    count: 10\n"
                         "    addresses: 127.3.136.1-127.3.136.10\n    driver: luxminer\n";
  const std::string meter = "127.0.0.1:" + std::to_string(meter_port);
  {
    Daemon d({site.string(), "--db", db_, "--listen", "127.0.0.1:0", "--tick-s", "0.5", "--meter", meter});
    ASSERT_NE(d.port(), 0) << d.ready();
    const nlohmann::json tick = WaitForTick(d.port(), 15, [](const nlohmann::json& t) {
      return t["site_meter_w"].is_number() && t["answered"] == 10;
    });
    ASSERT_TRUE(tick.is_object()) << Live(d.port()).dump();
    // Ten S21 at about their 3,500 W nameplate (the emulator varies each unit).
    EXPECT_NEAR(tick["site_meter_w"].get<double>(), 35'000, 35'000 * 0.15) << tick.dump();
    const nlohmann::json live = Live(d.port());
    EXPECT_EQ(live["sources"]["meter"]["source"], "modbus " + meter + " unit 1 register 0") << live.dump();
    EXPECT_FALSE(live["sources"]["meter"]["stale"].get<bool>());
  }
  auto r = Mullet("serve " + site.string() + " --db " + db_ + " --meter " + meter + " --meter-type float64");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--meter-type"), std::string::npos) << r.err;
  r = Mullet("serve " + site.string() + " --db " + db_ + " --meter 127.0.0.1:99999");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--meter: "), std::string::npos) << r.err;
  r = Mullet("serve " + site.string() + " --db " + db_ + " --meter " + meter + " --emulate 10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--meter and --emulate"), std::string::npos) << r.err;
  // A source named for the safe action must exist.
  r = Mullet("serve " + site.string() + " --db " + db_ + " --safe-action-on price,meter");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--safe-action-on meter: there is no meter"), std::string::npos) << r.err;
  r = Mullet("serve " + site.string() + " --db " + db_ + " --meter " + meter + " --safe-action-on openadr");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--safe-action-on openadr: there is no VTN"), std::string::npos) << r.err;
}

TEST_F(ServeCommandTest, AStalePriceFeedTriggersTheSafeActionAndAFreshOneEndsIt) {
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  const fs::path prices = dir_ / "prices.csv";
  std::ofstream(prices) << "timestamp_utc,hb_west_usd_per_mwh\n2026-01-01T00:00:00Z,20\n";
  Daemon d({demo, "--emulate", "40", "--emulate-from", "127.3.72.1", "--tick-s", "0.5", "--price-csv", prices.string(),
            "--price-poll-s", "0.2", "--safe-action", "curtail", "--db", db_, "--listen", "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  // 40 miners asleep draw 25 W each with cooling: the site is the AI load.
  const nlohmann::json curtailed = WaitForTick(d.port(), 15, [](const nlohmann::json& t) {
    return t["site_meter_w"].is_number() && t["site_meter_w"].get<double>() < kFirmW + 40 * 25 * 1.08 + 1;
  });
  ASSERT_TRUE(curtailed.is_object()) << Live(d.port()).dump();
  nlohmann::json live = Live(d.port());
  EXPECT_TRUE(live["safe_action"].is_string()) << live.dump();
  EXPECT_NE(live["safe_action"].get<std::string>().find("curtail"), std::string::npos);
  EXPECT_EQ(live["sources"]["price"]["stale"], true);
  EXPECT_EQ(curtailed["tier_w"]["firm"], kFirmW) << "AI is kept";
  EXPECT_NE(Request(d.port(), "GET", "/metrics").second.find("mullet_source_stale{source=\"price\"} 1\n"),
            std::string::npos);

  // A price for this hour: fresh, cheap, mining pays.
  const UtcTime hour = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now());
  std::ofstream(prices, std::ios::app) << FormatUtc(hour) << ",20\n";
  const double all_on = kFirmW + (24 * 3500 + 16 * 3010) * 1.08;
  const nlohmann::json restored = WaitForTick(d.port(), 20, [&](const nlohmann::json& t) {
    return t["site_meter_w"].is_number() && t["site_meter_w"].get<double>() >= all_on - 1;
  });
  ASSERT_TRUE(restored.is_object()) << Live(d.port()).dump();
  live = Live(d.port());
  EXPECT_TRUE(live["safe_action"].is_null()) << live.dump();
  EXPECT_EQ(live["price_usd_per_mwh"], 20.0);
}

// An OpenADR 3 event from a VTN (a fake one in this process) is acted on:
// the loop brings the metered site under its IMPORT_CAPACITY_LIMIT and the
// VEN reports the site's demand to the VTN.
TEST_F(ServeCommandTest, AnOpenAdrEventIsActedOnAndReported) {
  testing_vtn::FakeVtn vtn;
  vtn.SetEvents(nlohmann::json::array({{
      {"id", "ers-1"},
      {"objectType", "EVENT"},
      {"programID", "program-9"},
      {"modificationDateTime", "2026-12-02T08:00:00Z"},
      {"intervalPeriod", {{"start", "0001-01-01"}, {"duration", "PT1H"}}},
      {"payloadDescriptors", nlohmann::json::array({{{"objectType", "EVENT_PAYLOAD_DESCRIPTOR"},
                                                     {"payloadType", "IMPORT_CAPACITY_LIMIT"},
                                                     {"units", "KW"}}})},
      {"intervals", nlohmann::json::array({{{"id", 0},
                                            {"payloads", nlohmann::json::array({{{"type", "IMPORT_CAPACITY_LIMIT"},
                                                                                {"values", {1900}}}})}}})},
  }}));
  const fs::path secret = dir_ / "vtn.secret";
  std::ofstream(secret) << "s&cret\n";
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  Daemon d({demo, "--emulate", "200", "--emulate-from", "127.3.112.1", "--tick-s", "0.5", "--openadr-vtn", vtn.url(),
            "--openadr-program", "ercot-ers", "--openadr-client-id", "ven-1", "--openadr-secret-file", secret.string(),
            "--openadr-poll-s", "0.5", "--db", db_, "--listen", "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  const nlohmann::json met = WaitForTick(d.port(), 20, [](const nlohmann::json& t) {
    return t["dr_limit_w"] == 1.9e6 && t["site_meter_w"].is_number() && t["site_meter_w"].get<double>() <= 1.9e6;
  });
  ASSERT_TRUE(met.is_object()) << Live(d.port()).dump();
  const nlohmann::json events = nlohmann::json::parse(Request(d.port(), "GET", "/api/v1/events").second)["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["source"], "openadr:ercot-ers");
  EXPECT_EQ(events[0]["source_id"], "ers-1/0@2026-12-02T08:00:00Z");
  const std::vector<nlohmann::json> reports = vtn.reports();
  ASSERT_GE(reports.size(), 1u);
  EXPECT_EQ(reports[0]["eventID"], "ers-1");
  EXPECT_GT(reports[0]["resources"][0]["intervals"][0]["payloads"][0]["values"][0].get<double>(), kFirmW / 1e3);
  const nlohmann::json live = Live(d.port());
  EXPECT_EQ(live["sources"]["openadr"]["stale"], false) << live.dump();
}

// Firm AI capped through nvidia-smi (tests/testdata/gpu/fake-nvidia-smi, an
// 8-GPU H100 node whose state is a file): the demo site with its lease
// shrunk to 4 kW of IT, so that an event below it is an SLA breach the
// node's GPUs can be capped for (-pl), then restored when it is cancelled.
TEST_F(ServeCommandTest, AFirmSlaBreachCapsTheTenantsGpusThroughNvidiaSmiAndCancellingRestoresThem) {
  std::ifstream in(std::string(MULLET_EXAMPLES) + "/demo_site.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"contracted_it_mw: 1.5", "contracted_it_mw: 0.004"},
                                 {"load_factor: 0.85", "load_factor: 1.0"},
                                 {"      cooling: liquid\n", "      cooling: liquid\n      sla_credits:\n"
                                                              "        - {below: 0.9999, credit: 0.1}\n"}}) {
    ASSERT_NE(yaml.find(from), std::string::npos) << from;
    yaml.replace(yaml.find(from), from.size(), to);
  }
  const fs::path site = dir_ / "small_ai.yaml";
  std::ofstream(site) << yaml;
  const fs::path state = dir_ / "smi.state", log = dir_ / "smi.log";
  setenv("FAKE_NVIDIA_SMI_STATE", state.c_str(), 1);
  setenv("FAKE_NVIDIA_SMI_LOG", log.c_str(), 1);
  setenv("FAKE_NVIDIA_SMI_GPUS", "8", 1);
  unsetenv("FAKE_NVIDIA_SMI_MODE");
  const std::string tool = std::string(MULLET_TESTDATA) + "/gpu/fake-nvidia-smi";
  const auto limits = [&] {
    std::ifstream f(state);
    std::vector<std::string> out;
    for (std::string index, bus, uuid, limit, demand; f >> index >> bus >> uuid >> limit >> demand;) out.push_back(limit);
    return out;
  };
  const auto made = Mullet("token create --role operator --db " + db_);
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.size() - 1);
  Daemon d({site.string(), "--emulate", "20", "--emulate-from", "127.3.136.1", "--tick-s", "0.5", "--gpu-node",
            "tenant-a=" + tool, "--db", db_, "--listen", "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  ASSERT_TRUE(WaitForTick(d.port(), 10, [](const nlohmann::json& t) { return t["answered"] == 20; }).is_object());
  EXPECT_FALSE(fs::exists(log)) << "no breach: nvidia-smi is not run at all";

  const auto [status, reply] = Request(d.port(), "POST", "/api/v1/events", token, R"({"type":"reduce-to","kw":1})");
  ASSERT_EQ(status, 201) << reply;
  const std::string id = std::to_string(nlohmann::json::parse(reply)["id"].get<int>());
  const nlohmann::json capped = WaitForTick(d.port(), 15, [](const nlohmann::json& t) {
    return t["sla_events"].size() == 1 && t["sla_events"][0]["gpus_capped"] == 8;
  });
  ASSERT_TRUE(capped.is_object()) << Live(d.port()).dump();
  const nlohmann::json& e = capped["sla_events"][0];
  EXPECT_EQ(e["tenant"], "tenant-a");
  EXPECT_EQ(e["reason"], "firm-sla-breach");
  EXPECT_EQ(e["demand_kw"], 4.0);
  EXPECT_LT(e["served_kw"].get<double>(), 1.0);
  EXPECT_EQ(e["cap_w"], 200.0) << "the H100's floor: what is left is said";
  EXPECT_GT(e["floor_short_kw"].get<double>(), 0.6);
  EXPECT_GT(e["cost_usd"].get<double>(), 0.0) << "a tenth of the tick's rent credited";
  EXPECT_EQ(limits(), std::vector<std::string>(8, "200.00"));
  std::ifstream calls(log);
  const std::string called((std::istreambuf_iterator<char>(calls)), std::istreambuf_iterator<char>());
  EXPECT_NE(called.find("-i 0 -pl 200\n"), std::string::npos) << called;
  EXPECT_NE(called.find("-i 7 -pl 200\n"), std::string::npos) << called;
  EXPECT_NE(Request(d.port(), "GET", "/metrics").second.find("mullet_firm_capped_gpus 8\n"), std::string::npos);

  ASSERT_EQ(Request(d.port(), "DELETE", "/api/v1/events/" + id, token).first, 200);
  const nlohmann::json restored = WaitForTick(d.port(), 15, [](const nlohmann::json& t) {
    return t["sla_events"].empty() && t["gpus"]["capped"] == 0;
  });
  ASSERT_TRUE(restored.is_object()) << Live(d.port()).dump();
  EXPECT_EQ(limits(), std::vector<std::string>(8, "700.00"));
  std::ifstream again(log);
  const std::string all((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("-i 3 -pl 700\n"), std::string::npos) << all;
  unsetenv("FAKE_NVIDIA_SMI_LOG");
}

// --emulate fakes the AI tenant's GPUs too (1,275 kW of IT as 2,125 H100s
// of 600 W, 8 to a node) and its meter reads what they draw: an event below
// the firm load caps them through the same interface as nvidia-smi, the
// meter follows, and cancelling restores them.
TEST_F(ServeCommandTest, UnderEmulateTheTenantsGpusAreEmulatedAndTheMeterFollowsTheirCaps) {
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  const auto made = Mullet("token create --role operator --db " + db_);
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.size() - 1);
  Daemon d({demo, "--emulate", "40", "--emulate-from", "127.3.144.1", "--tick-s", "0.5", "--db", db_, "--listen",
            "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  const nlohmann::json at_rest = WaitForTick(d.port(), 10, [](const nlohmann::json& t) {
    return t["answered"] == 40 && t["site_meter_w"].is_number();
  });
  ASSERT_TRUE(at_rest.is_object()) << Live(d.port()).dump();
  // 24 S21 and 16 S19 XP with air cooling, and the tenant's GPUs with liquid cooling.
  const double mining_w = (24 * 3500.0 + 16 * 3010.0) * 1.08;
  EXPECT_NEAR(at_rest["site_meter_w"].get<double>(), mining_w + kFirmW, 1.0);
  EXPECT_EQ(at_rest["gpus"]["capped"], 0);

  const auto [status, reply] = Request(d.port(), "POST", "/api/v1/events", token, R"({"type":"reduce-to","kw":1000})");
  ASSERT_EQ(status, 201) << reply;
  const std::string id = std::to_string(nlohmann::json::parse(reply)["id"].get<int>());
  // Mining asleep and the GPUs capped to what is left of 1,000 kW: the
  // sleeping miners' standby, which the policy does not model, is seen at
  // the meter once the tenant is modelled at what its capped GPUs draw
  // (not at its demand), and is left room for: the meter ends under the cap.
  const nlohmann::json capped = WaitForTick(d.port(), 40, [](const nlohmann::json& t) {
    return t["sla_events"].size() == 1 && t["sla_events"][0]["gpus_capped"] == 2125 &&
           t["site_meter_w"].get<double>() <= 1.0e6 && t["tier_w"]["unexplained"].get<double>() > 0;
  });
  ASSERT_TRUE(capped.is_object()) << Live(d.port()).dump();
  EXPECT_EQ(capped["sla_events"][0]["tenant"], "tenant-a");
  EXPECT_NEAR(capped["sla_events"][0]["served_kw"].get<double>(), 800.0 - capped["tier_w"]["unexplained"].get<double>() / 1250,
              1.0);
  EXPECT_GT(capped["site_meter_w"].get<double>(), 0.99e6) << "the GPUs draw their caps, not nothing";
  EXPECT_NE(Request(d.port(), "GET", "/metrics").second.find("mullet_firm_capped_gpus 2125\n"), std::string::npos);

  ASSERT_EQ(Request(d.port(), "DELETE", "/api/v1/events/" + id, token).first, 200);
  // The GPUs back at their workload's draw (the miners still waking).
  const nlohmann::json restored = WaitForTick(d.port(), 40, [&](const nlohmann::json& t) {
    return t["sla_events"].empty() && t["gpus"]["capped"] == 0 && t["site_meter_w"].get<double>() > kFirmW;
  });
  ASSERT_TRUE(restored.is_object()) << Live(d.port()).dump();
}

TEST_F(ServeCommandTest, BadGpuNodesAreRefusedNamingTheFlagAndTheTenants) {
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  auto r = Mullet("serve " + demo + " --db " + db_ + " --gpu-node tenant-b=/usr/bin/nvidia-smi");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--gpu-node: " + demo + " has no lease or cloud named 'tenant-b' (its tenants: tenant-a)"),
            std::string::npos)
      << r.err;
  r = Mullet("serve " + demo + " --db " + db_ + " --gpu-node /usr/bin/nvidia-smi");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--gpu-node: expected TENANT=PATH"), std::string::npos) << r.err;
  r = Mullet("serve " + demo + " --db " + db_ + " --gpu-node tenant-a=");
  EXPECT_EQ(r.code, 2);
  r = Mullet("serve " + demo + " --db " + db_ + " --gpu-node tenant-a=/x --gpu-node tenant-a=/x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("given twice"), std::string::npos) << r.err;
  r = Mullet("serve " + site_ + " --db " + db_ + " --price-usd-mwh 30 --gpu-node lease-a=/x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--gpu-node"), std::string::npos) << r.err;
}

// The price from ERCOT's public API (a fake of it in this process): the
// loop acts on the settlement point's price and says where it came from.
TEST_F(ServeCommandTest, ThePriceComesFromTheErcotApi) {
  testing_ercot::FakeErcot ercot;
  nlohmann::json rows = nlohmann::json::array();
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  for (int d = -1; d <= 1; ++d) {
    const std::chrono::year_month_day ymd(today + std::chrono::days(d));
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    for (int h = 1; h <= 24; ++h) {
      for (int i = 1; i <= 4; ++i) rows.push_back({date, h, i, "HB_WEST", "HU", 33.25, false});
    }
  }
  ercot.SetRows(rows);
  const fs::path credentials = dir_ / "ercot.txt";
  std::ofstream(credentials) << "# developer.ercot.com\nusername=u@site.com\npassword=pw\nsubscription_key=key-1\n";
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  Daemon d({demo, "--emulate", "20", "--emulate-from", "127.3.120.1", "--tick-s", "0.5", "--ercot-credentials",
            credentials.string(), "--ercot-api", ercot.base(), "--ercot-token-url", ercot.token_url(), "--db", db_,
            "--listen", "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  ASSERT_TRUE(WaitForTick(d.port(), 10, [](const nlohmann::json& t) { return t["answered"] == 20; }).is_object());
  const nlohmann::json live = Live(d.port());
  EXPECT_EQ(live["price_usd_per_mwh"], 33.25) << live.dump();
  EXPECT_EQ(live["sources"]["price"]["stale"], false);
  EXPECT_NE(live["sources"]["price"]["source"].get<std::string>().find("ERCOT"), std::string::npos);
  EXPECT_EQ(ercot.tokens_issued(), 1);
}

// A CSV of prices served over HTTP (a server in this process): the loop
// acts on the price and names the URL, without its query, as the source.
class CsvServer : public testing_http::FakeHttpServer {
 public:
  explicit CsvServer(std::string csv) : csv_(std::move(csv)) { Start(); }
  ~CsvServer() override { Stop(); }

 private:
  Response Handle(const Request& req) override {
    const bool ours = req.target() == "/hb_west.csv?key=k1";
    Response r{ours ? boost::beast::http::status::ok : boost::beast::http::status::not_found, 11};
    r.body() = ours ? csv_ : "no such feed";
    return r;
  }
  const std::string csv_;
};

TEST_F(ServeCommandTest, ThePriceComesFromAUrl) {
  const UtcTime hour = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now());
  CsvServer server("timestamp_utc,hb_west_usd_per_mwh\n" + FormatUtc(hour - std::chrono::hours(1)) + ",90\n" +
                   FormatUtc(hour) + ",27.5\n" + FormatUtc(hour + std::chrono::hours(1)) + ",28\n");
  const std::string demo = std::string(MULLET_EXAMPLES) + "/demo_site.yaml";
  Daemon d({demo, "--emulate", "20", "--emulate-from", "127.3.128.1", "--tick-s", "0.5", "--price-url",
            server.base() + "/hb_west.csv?key=k1", "--db", db_, "--listen", "127.0.0.1:0"});
  ASSERT_NE(d.port(), 0) << d.ready();
  ASSERT_TRUE(WaitForTick(d.port(), 10, [](const nlohmann::json& t) { return t["answered"] == 20; }).is_object());
  const nlohmann::json live = Live(d.port());
  EXPECT_EQ(live["price_usd_per_mwh"], 27.5) << live.dump();
  EXPECT_EQ(live["sources"]["price"]["stale"], false);
  EXPECT_EQ(live["sources"]["price"]["source"], server.base() + "/hb_west.csv (hb_west)");
}

}  // namespace
}  // namespace mullet
