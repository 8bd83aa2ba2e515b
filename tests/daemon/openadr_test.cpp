// The OpenADR 3 VEN: its parsing of durations, times and events (pure), and
// a whole poll against a fake VTN built from the specification (tokens,
// programs, paged events, reports), writing reduce-to events to a real
// SQLite store: idempotent across polls, a modified event replacing its
// intervals, a deleted one cancelled, a revoked token fetched again.

#include "daemon/openadr.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/fake_vtn.h"
#include "storage/sqlite_store.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

TEST(OpenAdrParseTest, DurationsAndTimes) {
  EXPECT_EQ(ParseIsoDuration("PT1H")->value(), std::chrono::seconds(3600));
  EXPECT_EQ(ParseIsoDuration("PT15M")->value(), std::chrono::seconds(900));
  EXPECT_EQ(ParseIsoDuration("P1DT2H")->value(), std::chrono::seconds(93600));
  EXPECT_EQ(ParseIsoDuration("P1W")->value(), std::chrono::seconds(604800));
  EXPECT_EQ(ParseIsoDuration("PT0.5S")->value(), std::chrono::seconds(1)) << "rounded to whole seconds";
  EXPECT_FALSE(ParseIsoDuration("P9999Y")->has_value()) << "infinity";
  for (const char* bad : {"", "P", "PT", "1H", "PTH", "P1H", "PT1D", "PT1H1", "P1Y1X", "PT-1H"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseOadrTime("2026-12-02T17:00:00Z")->value(), At("2026-12-02T17:00:00Z"));
  EXPECT_EQ(ParseOadrTime("2026-12-02T17:00:00.250Z")->value(), At("2026-12-02T17:00:00Z"));
  EXPECT_EQ(ParseOadrTime("2026-12-02T11:00:00-06:00")->value(), At("2026-12-02T17:00:00Z"));
  EXPECT_FALSE(ParseOadrTime("0001-01-01")->has_value()) << "now";
  EXPECT_FALSE(ParseOadrTime("0001-01-01T00:00:00Z")->has_value());
  for (const char* bad : {"", "2026-12-02", "2026-12-02 17:00:00Z", "2026-12-02T17:00:00", "2026-13-02T17:00:00Z",
                          "2026-12-02T17:00:00+25:00"}) {
    EXPECT_FALSE(ParseOadrTime(bad).ok()) << bad;
  }
}

json Event(const std::string& id, const std::string& modified, json intervals, json period = nullptr,
           const std::string& units = "KW") {
  json e{{"id", id},
         {"objectType", "EVENT"},
         {"createdDateTime", "2026-12-02T08:00:00Z"},
         {"modificationDateTime", modified},
         {"programID", "program-9"},
         {"eventName", "ers " + id},
         {"payloadDescriptors",
          json::array({{{"objectType", "EVENT_PAYLOAD_DESCRIPTOR"}, {"payloadType", "IMPORT_CAPACITY_LIMIT"},
                        {"units", units}}})},
         {"intervals", intervals}};
  if (!period.is_null()) e["intervalPeriod"] = period;
  return e;
}

json Limit(int id, double value, json period = nullptr) {
  json i{{"id", id}, {"payloads", json::array({{{"type", "IMPORT_CAPACITY_LIMIT"}, {"values", json::array({value})}}})}};
  if (!period.is_null()) i["intervalPeriod"] = period;
  return i;
}

TEST(OpenAdrParseTest, IntervalsFollowEachOtherAndTakeTheirEventsUnits) {
  const UtcTime now = At("2026-12-02T16:00:00Z");
  json events = json::array({
      Event("e1", "2026-12-02T08:00:00Z",
            json::array({Limit(0, 4000), Limit(1, 3000),
                         {{"id", 2}, {"payloads", json::array({{{"type", "SIMPLE"}, {"values", json::array({2})}}})}}}),
            {{"start", "2026-12-02T17:00:00Z"}, {"duration", "PT1H"}}),
      Event("e2", "2026-12-02T09:00:00Z", json::array({Limit(5, 2.5)}),
            {{"start", "0001-01-01"}, {"duration", "P9999Y"}}, "MW"),
      Event("e3", "x", json::array({Limit(0, 1)}), {{"start", "2026-12-02T17:00:00Z"}}),
  });
  events[2]["programID"] = "program-7";  // another program: not ours
  Result<std::vector<OadrLimit>> limits = ParseOadrEvents(events.dump(), "program-9", now);
  ASSERT_TRUE(limits.ok()) << limits.status().message();
  ASSERT_EQ(limits->size(), 3u);
  EXPECT_EQ((*limits)[0].SourceId(), "e1/0@2026-12-02T08:00:00Z");
  EXPECT_EQ((*limits)[0].kw, 4000);
  EXPECT_EQ((*limits)[0].start, At("2026-12-02T17:00:00Z"));
  EXPECT_EQ((*limits)[0].end, At("2026-12-02T18:00:00Z"));
  EXPECT_EQ((*limits)[1].start, At("2026-12-02T18:00:00Z")) << "the second interval follows the first";
  EXPECT_EQ((*limits)[1].end, At("2026-12-02T19:00:00Z"));
  EXPECT_EQ((*limits)[1].kw, 3000);
  EXPECT_EQ((*limits)[2].kw, 2500) << "2.5 MW";
  EXPECT_FALSE((*limits)[2].start.has_value()) << "now";
  EXPECT_FALSE((*limits)[2].end.has_value()) << "until cancelled";
}

TEST(OpenAdrParseTest, BrokenEventsAreNamed) {
  const UtcTime now = At("2026-12-02T16:00:00Z");
  const auto error = [&](const json& events) {
    Result<std::vector<OadrLimit>> r = ParseOadrEvents(events.dump(), "program-9", now);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(error(json::object()), "events: expected a JSON array");
  EXPECT_NE(error(json::array({Event("e1", "m", json::array({Limit(0, 1)}), {{"start", "soon"}})})).find("events[0].intervalPeriod.start"),
            std::string::npos);
  EXPECT_NE(error(json::array({Event("e1", "m", json::array({Limit(0, -5)}), {{"start", "2026-12-02T17:00:00Z"}})}))
                .find("outside 0 to 10 GW"),
            std::string::npos);
  EXPECT_NE(error(json::array({Event("e1", "m", json::array({Limit(0, 5)}), {{"start", "2026-12-02T17:00:00Z"}}, "KWH")}))
                .find("not KW, W or MW"),
            std::string::npos);
  // No period anywhere: in force from now, until the VTN withdraws it.
  Result<std::vector<OadrLimit>> now_on =
      ParseOadrEvents(json::array({Event("e1", "m", json::array({Limit(0, 5)}))}).dump(), "program-9", now);
  ASSERT_TRUE(now_on.ok());
  EXPECT_FALSE(now_on->at(0).start.has_value());
  EXPECT_FALSE(now_on->at(0).end.has_value());
  EXPECT_NE(error(json::parse("[" + std::string(40, '[') + std::string(40, ']') + "]")).find("deep"), std::string::npos);
}

class OpenAdrVenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_oadr_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "site.db")).value();
  }
  void TearDown() override { fs::remove_all(dir_); }
  OpenAdrVen Ven(const std::string& secret = "s&cret") {
    VenOptions o;
    o.vtn_url = vtn_.url();
    o.program = "ercot-ers";
    o.client_id = "ven-1";
    o.client_secret = secret;
    o.poll = Seconds(10);
    return std::move(OpenAdrVen::Create(o)).value();
  }
  std::vector<EventRow> Open(UtcTime now) { return store_->OpenEvents(now).value(); }

  testing_vtn::FakeVtn vtn_;
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(OpenAdrVenTest, EventsBecomeReduceToEventsOnceAndAreReported) {
  UtcTime now = At("2026-12-02T17:10:00Z");
  vtn_.SetEvents(json::array({Event("e1", "2026-12-02T08:00:00Z", json::array({Limit(0, 4000), Limit(1, 3000)}),
                                    {{"start", "2026-12-02T17:00:00Z"}, {"duration", "PT1H"}})}));
  OpenAdrVen ven = Ven();
  ASSERT_TRUE(ven.Poll(now, *store_, Watts(4.2e6)).ok()) << ven.Health(now).error;
  std::vector<EventRow> open = Open(now);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[1].spec.kw, 4000);
  EXPECT_EQ(open[1].source, "openadr:ercot-ers");
  EXPECT_TRUE(open[1].ActiveAt(now));
  EXPECT_FALSE(open[0].ActiveAt(now)) << "the second interval starts at 18:00";
  // One report, for the interval in force, with the metered demand in kW.
  ASSERT_EQ(vtn_.reports().size(), 1u);
  const json report = vtn_.reports()[0];
  EXPECT_EQ(report["eventID"], "e1");
  EXPECT_EQ(report["programID"], "program-9");
  EXPECT_EQ(report["resources"][0]["intervals"][0]["id"], 0);
  EXPECT_EQ(report["resources"][0]["intervals"][0]["payloads"][0]["type"], "DEMAND");
  EXPECT_EQ(report["resources"][0]["intervals"][0]["payloads"][0]["values"][0], 4200.0);

  // Polled again: nothing doubled, no second report, the token reused.
  now += std::chrono::seconds(5);
  ASSERT_TRUE(ven.Poll(now, *store_, Watts(4.0e6)).ok());
  EXPECT_EQ(vtn_.event_requests(), 1) << "not before its poll interval";
  now += std::chrono::seconds(10);
  ASSERT_TRUE(ven.Poll(now, *store_, Watts(4.0e6)).ok());
  EXPECT_EQ(vtn_.event_requests(), 2);
  EXPECT_EQ(Open(now).size(), 2u);
  EXPECT_EQ(vtn_.reports().size(), 1u);
  EXPECT_EQ(vtn_.tokens_issued(), 1);
  EXPECT_EQ(store_->Events(10)->size(), 2u);
}

TEST_F(OpenAdrVenTest, AModifiedEventReplacesItsIntervalsAndADeletedOneIsCancelled) {
  UtcTime now = At("2026-12-02T17:10:00Z");
  vtn_.SetEvents(json::array({Event("e1", "2026-12-02T08:00:00Z", json::array({Limit(0, 4000)}),
                                    {{"start", "2026-12-02T17:00:00Z"}, {"duration", "PT2H"}})}));
  OpenAdrVen ven = Ven();
  ASSERT_TRUE(ven.Poll(now, *store_, std::nullopt).ok());
  ASSERT_EQ(Open(now).size(), 1u);
  vtn_.SetEvents(json::array({Event("e1", "2026-12-02T17:05:00Z", json::array({Limit(0, 3500)}),
                                    {{"start", "2026-12-02T17:00:00Z"}, {"duration", "PT2H"}})}));
  now += std::chrono::seconds(30);
  ASSERT_TRUE(ven.Poll(now, *store_, std::nullopt).ok());
  std::vector<EventRow> open = Open(now);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].spec.kw, 3500);
  vtn_.SetEvents(json::array());
  now += std::chrono::seconds(30);
  ASSERT_TRUE(ven.Poll(now, *store_, std::nullopt).ok());
  EXPECT_TRUE(Open(now).empty());
  // Both cancellations are in the audit log, by the VTN.
  int cancels = 0;
  const std::vector<AuditRow> audit = store_->AuditLog(20).value();
  for (const AuditRow& a : audit) {
    if (a.action == "event.cancel") {
      ++cancels;
      EXPECT_NE(a.who.find("OpenADR VTN"), std::string::npos) << a.who;
    }
  }
  EXPECT_EQ(cancels, 2);
}

TEST_F(OpenAdrVenTest, EventsArePagedAndARevokedTokenIsFetchedAgain) {
  UtcTime now = At("2026-12-02T17:10:00Z");
  json events = json::array();
  for (int i = 0; i < 120; ++i) {
    events.push_back(Event("e" + std::to_string(i), "m", json::array({Limit(0, 1000 + i)}),
                           {{"start", "2026-12-02T17:00:00Z"}, {"duration", "PT1H"}}));
  }
  vtn_.SetEvents(events);
  OpenAdrVen ven = Ven();
  ASSERT_TRUE(ven.Poll(now, *store_, std::nullopt).ok()) << ven.Health(now).error;
  EXPECT_EQ(vtn_.event_requests(), 3) << "50 + 50 + 20";
  EXPECT_EQ(Open(now).size(), 120u);
  vtn_.RevokeTokens();
  now += std::chrono::seconds(10);
  EXPECT_FALSE(ven.Poll(now, *store_, std::nullopt).ok());
  EXPECT_NE(ven.Health(now).error.find("401"), std::string::npos) << ven.Health(now).error;
  EXPECT_EQ(Open(now).size(), 120u) << "a failed poll changes nothing";
  now += std::chrono::seconds(10);
  ASSERT_TRUE(ven.Poll(now, *store_, std::nullopt).ok()) << ven.Health(now).error;
  EXPECT_EQ(vtn_.tokens_issued(), 2);
  EXPECT_TRUE(ven.Health(now).error.empty());
}

TEST_F(OpenAdrVenTest, BadCredentialsAndAnUnknownProgramAreNamedAndStale) {
  UtcTime now = At("2026-12-02T17:10:00Z");
  OpenAdrVen wrong = Ven("nope");
  EXPECT_FALSE(wrong.Poll(now, *store_, std::nullopt).ok());
  EXPECT_NE(wrong.Health(now).error.find("getting a token"), std::string::npos) << wrong.Health(now).error;
  EXPECT_TRUE(wrong.Health(now).stale);
  VenOptions o;
  o.vtn_url = vtn_.url();
  o.program = "no-such";
  o.client_id = "ven-1";
  o.client_secret = "s&cret";
  OpenAdrVen lost = std::move(OpenAdrVen::Create(o)).value();
  EXPECT_FALSE(lost.Poll(now, *store_, std::nullopt).ok());
  EXPECT_NE(lost.Health(now).error.find("no program 'no-such'"), std::string::npos) << lost.Health(now).error;
  o.vtn_url = "ftp://x";
  EXPECT_FALSE(OpenAdrVen::Create(o).ok());
}

}  // namespace
}  // namespace mullet
