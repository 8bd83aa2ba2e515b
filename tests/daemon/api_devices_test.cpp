// GET /api/v1/devices over a loop's real records: 60 S21 and 40 S19j Pro
// under a 300 kW interconnect, PUE 1. The always-on policy runs the 60 S21
// (210 kW) and fits 29 S19j Pro in the 90 kW left (88.45 kW): 11 are put to
// sleep. Paging, filters, counts, errors naming the parameter, the token.

#include "daemon/api_devices.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "daemon/api.h"
#include "daemon/steady_fleet.h"
#include "dispatch/test_sites.h"
#include "storage/sqlite_store.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ApiDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mullet_api_devices_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "mullet.db")).value();
    viewer_ = *store_->CreateToken(Role::kViewer, "screen", "test", now_);
    site_.name = "devices";
    site_.interconnect = Watts(300e3);
    site_.cooling.pue_air = 1.0;
    site_.miners.push_back(testing_sites::Group("s21", "S21", 60));
    site_.miners.push_back(testing_sites::Group("s19 j pro", "S19j Pro", 40));
    view_.name = site_.name;
    view_.groups = {{"s21", 60}, {"s19 j pro", 40}};
    fleet_ = std::make_unique<SteadyFleet>(site_);
    handler_ = std::make_unique<ApiHandler>(
        *store_, view_, [this] { return now_; }, &board_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `ticks` more ticks of the loop, two minutes apart (past the S19j Pro's
  // 60 s ramp down), each published as the loop runner publishes it.
  void Run(int ticks) {
    if (!loop_) {
      LoopOptions o;
      o.policy = PolicyKind::kAlwaysOn;
      loop_ = std::make_unique<ControlLoop>(site_, *store_, *fleet_, fleet_->Groups(), o);
      std::vector<std::string> names;
      for (std::size_t i = 0; i < fleet_->size(); ++i) names.push_back(fleet_->name(i));
      snapshots_ = std::make_unique<DeviceSnapshots>(std::move(names));
    } else {
      now_ += std::chrono::minutes(2);
    }
    for (int t = 0; t < ticks; ++t) {
      if (t > 0) now_ += std::chrono::minutes(2);
      ASSERT_TRUE(
          loop_->Tick(now_, LoopSignals{UsdPerMegawattHour(30), UsdPerTerahashDay(0.05)}).ok());
      LiveState state;
      state.loop = true;
      state.devices = snapshots_->Take(site_, loop_->records(), now_);
      board_.Publish(state);
    }
  }
  ApiReply Get(const std::string& target, const std::string& token) {
    ApiRequest r;
    r.method = "GET";
    r.target = target;
    if (!token.empty()) r.authorization = "Bearer " + token;
    return handler_->Handle(r);
  }
  json Page(const std::string& query) {
    const ApiReply r = Get("/api/v1/devices" + query, viewer_);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body);
  }

  fs::path dir_;
  UtcTime now_ = *ParseUtcTimestamp("2026-12-02T15:00:00Z");
  std::unique_ptr<Store> store_;
  std::string viewer_;
  Site site_;
  SiteView view_;
  std::unique_ptr<SteadyFleet> fleet_;
  std::unique_ptr<ControlLoop> loop_;
  std::unique_ptr<DeviceSnapshots> snapshots_;
  LiveBoard board_;
  std::unique_ptr<ApiHandler> handler_;
};

TEST_F(ApiDevicesTest, CountsEachGroupsMinersByStateAsTheLoopLastSawThem) {
  Run(1);
  // Just told to sleep, not yet measured asleep: ramping.
  json page = Page("?limit=1");
  EXPECT_EQ(page["total"], 100);
  EXPECT_EQ(page["groups"][0]["name"], "s21");
  EXPECT_EQ(page["groups"][0]["units"], 60);
  EXPECT_EQ(page["groups"][0]["counts"],
            json::parse(R"({"hashing":60,"sleeping":0,"ramping":0,"unreachable":0,"faulty":0})"));
  EXPECT_EQ(page["groups"][1]["counts"],
            json::parse(R"({"hashing":29,"sleeping":0,"ramping":11,"unreachable":0,"faulty":0})"));
  Run(1);
  page = Page("?limit=1");
  EXPECT_EQ(page["groups"][1]["counts"],
            json::parse(R"({"hashing":29,"sleeping":11,"ramping":0,"unreachable":0,"faulty":0})"));
  EXPECT_EQ(page["groups"][1]["seen"], 40);
  EXPECT_EQ(page["as_of"], FormatUtc(now_));
  // Three S21 fall silent: unreachable, with nothing reported, and still
  // counted in their group.
  for (std::size_t i : {0, 1, 2}) fleet_->SetSilent(i);
  Run(1);
  page = Page("?limit=1");
  EXPECT_EQ(page["groups"][0]["counts"]["unreachable"], 3);
  EXPECT_EQ(page["groups"][0]["seen"], 60);
  const json first = page["devices"][0];
  EXPECT_EQ(first["index"], 0);
  EXPECT_EQ(first["name"], "10.0.0.0");
  EXPECT_EQ(first["state"], "unreachable");
  EXPECT_EQ(first["power_w"], nullptr);
  EXPECT_EQ(first["hashrate_th_s"], nullptr);
  EXPECT_EQ(Page("?state=unreachable")["devices"].size(), 3u);
}

TEST_F(ApiDevicesTest, PagesCoverTheFleetOnceInOrderAndFiltersNarrowThem) {
  Run(2);
  std::vector<int> seen;
  for (std::size_t offset = 0; offset < 100; offset += 7) {
    const json page = Page("?offset=" + std::to_string(offset) + "&limit=7");
    EXPECT_EQ(page["total"], 100);
    EXPECT_EQ(page["devices"].size(), std::min<std::size_t>(7, 100 - offset));
    for (const json& d : page["devices"]) seen.push_back(d["index"].get<int>());
  }
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(Page("?offset=100")["devices"].size(), 0u);
  EXPECT_EQ(Page("")["devices"].size(), 100u) << "100 by default";

  // The sleeping S19j Pro: 11, each as told and confirmed, over two pages.
  std::set<int> asleep;
  for (const char* offset : {"0", "6"}) {
    const json page =
        Page(std::string("?group=s19+j%20pro&state=sleeping&limit=6&offset=") + offset);
    EXPECT_EQ(page["total"], 11);
    for (const json& d : page["devices"]) {
      asleep.insert(d["index"].get<int>());
      EXPECT_EQ(d["group"], "s19 j pro");
      EXPECT_EQ(d["state"], "sleeping");
      EXPECT_EQ(d["command"], "sleep");
      EXPECT_EQ(d["target"], "confirmed");
      EXPECT_EQ(d["power_w"], 20.0);
      EXPECT_EQ(d["hashrate_th_s"], 0.0);
      EXPECT_EQ(d["commanded_at"], "2026-12-02T15:00:00Z");
    }
  }
  EXPECT_EQ(asleep.size(), 11u);
  for (int i : asleep) EXPECT_GE(i, 60) << "an S19j Pro";
  const json hashing = Page("?state=hashing&limit=1000");
  EXPECT_EQ(hashing["total"], 60 + 29);
  EXPECT_EQ(hashing["devices"].size(), 89u);
  for (const json& d : hashing["devices"]) EXPECT_EQ(asleep.count(d["index"].get<int>()), 0u);
  EXPECT_EQ(Page("?group=s21")["total"], 60);
  EXPECT_EQ(Page("?group=s21&state=sleeping")["devices"].size(), 0u);
}

// An event in force counts the commands given since it began: the 11 S19j
// Pro told to sleep at 15:00 belong to one that began at 14:59, not to one
// that began at 15:01.
// A hall drills down to the miners of the groups under it, however deep:
// here the S21 in hall-a, the S19j Pro in hall-b, both under sub-1.
TEST_F(ApiDevicesTest, ADomainNarrowsThePageToTheGroupsUnderIt) {
  view_.group_domains = {{"hall-a", "sub-1"}, {"hall-b", "sub-1"}};
  view_.domain_limits_w = {{"sub-1", 300e3}, {"hall-a", 250e3}, {"hall-b", 100e3}, {"hall-ai", 50e3}};
  handler_ = std::make_unique<ApiHandler>(*store_, view_, [this] { return now_; }, &board_);
  Run(2);
  json page = Page("?domain=hall-b&limit=1000");
  EXPECT_EQ(page["total"], 40);
  ASSERT_EQ(page["devices"].size(), 40u);
  for (const json& d : page["devices"]) EXPECT_EQ(d["group"], "s19 j pro");
  EXPECT_EQ(page["groups"].size(), 2u) << "every group's counts, as before";
  page = Page("?domain=hall-b&state=sleeping");
  EXPECT_EQ(page["total"], 11);
  EXPECT_EQ(Page("?domain=sub-1&limit=1")["total"], 100);
  EXPECT_EQ(Page("?domain=hall-a&state=sleeping")["total"], 0);
  EXPECT_EQ(Page("?domain=hall-a&offset=59")["devices"][0]["index"], 59);
  EXPECT_EQ(Page("?domain=hall-ai")["total"], 0) << "a hall without miners: none, not an error";
  const ApiReply bad = Get("/api/v1/devices?domain=hall-z", viewer_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("domain: expected one of the site's power domains (sub-1, hall-a, hall-b, hall-ai)"), std::string::npos)
      << bad.body;
}

TEST_F(ApiDevicesTest, AnEventInForceShowsTheTargetsOfTheCommandsSinceItBegan) {
  Run(2);
  for (const char* start : {"2026-12-02T14:59:00Z", "2026-12-02T15:01:00Z"}) {
    EventSpec spec;
    spec.type = "reduce-to";
    spec.kw = 1000;
    spec.start = *ParseUtcTimestamp(start);
    bool created = false;
    ASSERT_TRUE(store_->AddEvent(spec, "api", start, "test", now_, &created).ok());
  }
  const json events = json::parse(Get("/api/v1/events", "").body)["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["start"], "2026-12-02T14:59:00Z");  // newest first
  EXPECT_EQ(events[1]["targets"]["confirmed"], 11);
  EXPECT_EQ(events[1]["targets"]["dispatched"], 0);
  EXPECT_EQ(events[0]["targets"]["confirmed"], 0);
}

TEST_F(ApiDevicesTest, BadQueryValuesGet400NamingTheParameter) {
  Run(1);
  const struct {
    const char* query;
    const char* error;
  } cases[] = {
      {"?limit=0", "limit: expected a whole number from 1 to 1000, got '0'"},
      {"?limit=1001", "limit: expected a whole number from 1 to 1000"},
      {"?limit=", "limit: expected a whole number"},
      {"?offset=-1", "offset: expected a whole number from 0 to 100000000, got '-1'"},
      {"?offset=1e3", "offset: expected a whole number"},
      {"?group=s19", "group: expected one of the site's miner groups (s21, s19 j pro), got 's19'"},
      {"?state=asleep",
       "state: expected hashing, sleeping, ramping, unreachable or faulty, got 'asleep'"},
      {"?group=%zz", "group: a '%' not followed by two hex digits"},
      {"?page=2", "unknown parameter 'page' (offset, limit, group, state, domain)"},
  };
  for (const auto& c : cases) {
    const ApiReply r = Get(std::string("/api/v1/devices") + c.query, viewer_);
    EXPECT_EQ(r.status, 400) << c.query;
    EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find(c.error), std::string::npos)
        << c.query << ": " << r.body;
  }
}

TEST_F(ApiDevicesTest, NeedsAViewersTokenAndALoopThatHasSwept) {
  EXPECT_EQ(Get("/api/v1/devices", viewer_).status, 503) << "before the first tick";
  Run(1);
  EXPECT_EQ(Get("/api/v1/devices", "").status, 401);
  EXPECT_EQ(Get("/api/v1/devices", "mlt_" + std::string(64, '0')).status, 401);
  EXPECT_EQ(Get("/api/v1/devices", viewer_).status, 200);
  ASSERT_TRUE(store_->RevokeToken(1, "test", now_).ok());
  EXPECT_EQ(Get("/api/v1/devices", viewer_).status, 401);
  ApiRequest post{"POST", "/api/v1/devices", "", "", ""};
  EXPECT_EQ(handler_->Handle(post).status, 405);
  // Without a loop at all.
  ApiHandler alone(*store_, view_, [this] { return now_; });
  const std::string admin = *store_->CreateToken(Role::kAdmin, "root", "test", now_);
  EXPECT_EQ(alone.Handle(ApiRequest{"GET", "/api/v1/devices", "Bearer " + admin, "", ""}).status,
            503);
}

}  // namespace
}  // namespace mullet
