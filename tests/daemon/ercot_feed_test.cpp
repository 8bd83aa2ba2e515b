// The ERCOT price feed: its page parser (Central hour-ending rows to UTC
// interval starts, the repeated autumn hour, other points skipped, broken
// rows named), and whole polls against a fake of the Public Data API:
// token reuse, paging, a 429 backing off, a missing subscription key named.

#include "daemon/ercot_feed.h"

#include <gtest/gtest.h>

#include "daemon/fake_ercot.h"

namespace mullet {
namespace {

using nlohmann::json;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

json Page(const json& rows) {
  json fields = json::array();
  for (const char* name : {"deliveryDate", "deliveryHour", "deliveryInterval", "settlementPoint", "settlementPointType",
                           "settlementPointPrice", "DSTFlag"}) {
    fields.push_back({{"name", name}});
  }
  return {{"_meta", {{"totalPages", 1}}}, {"fields", fields}, {"data", rows}};
}

TEST(ErcotPageTest, CentralHourEndingRowsBecomeUtcIntervalStarts) {
  const json rows = json::array({
      {"2026-12-02", 1, 1, "HB_WEST", "HU", 21.5, false},   // CST: 00:00-00:15 local = 06:00Z
      {"2026-12-02", 1, 3, "HB_WEST", "HU", 23.0, false},   // 06:30Z
      {"2026-12-02", 1, 3, "HB_NORTH", "HU", 99.0, false},  // another point
      {"2026-07-01", 24, 4, "HB_WEST", "HU", -4.75, false}, // CDT: 23:45 local = 04:45Z next day
      {"2026-11-01", 2, 1, "HB_WEST", "HU", 30, false},     // fall back: the first 01:00-02:00 CDT = 06:00Z
      {"2026-11-01", 2, 1, "HB_WEST", "HU", 31, true},      // the repeated one, CST = 07:00Z
  });
  Result<ErcotPage> page = ParseErcotSppPage(Page(rows).dump(), "HB_WEST");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->prices.size(), 5u);
  EXPECT_EQ(page->prices[0].first, At("2026-12-02T06:00:00Z"));
  EXPECT_EQ(page->prices[0].second, 21.5);
  EXPECT_EQ(page->prices[1].first, At("2026-12-02T06:30:00Z"));
  EXPECT_EQ(page->prices[2].first, At("2026-07-02T04:45:00Z"));
  EXPECT_EQ(page->prices[2].second, -4.75);
  EXPECT_EQ(page->prices[3].first, At("2026-11-01T06:00:00Z"));
  EXPECT_EQ(page->prices[4].first, At("2026-11-01T07:00:00Z"));
}

TEST(ErcotPageTest, BrokenRepliesAreNamed) {
  const auto error = [](const json& j) {
    Result<ErcotPage> p = ParseErcotSppPage(j.dump(), "HB_WEST");
    return p.ok() ? std::string("ok") : p.status().message();
  };
  EXPECT_EQ(error(json::array()), "ERCOT reply: expected a JSON object");
  json no_price = Page(json::array());
  no_price["fields"].erase(5);
  EXPECT_EQ(error(no_price), "ERCOT reply: fields: no settlementPointPrice");
  EXPECT_NE(error(Page(json::array({{"2026-12-02", 25, 1, "HB_WEST", "HU", 1.0, false}}))).find("data[0]"),
            std::string::npos);
  EXPECT_NE(error(Page(json::array({{"2026-12-02", 1, 1, "HB_WEST", "HU", "cheap", false}}))).find("settlementPointPrice"),
            std::string::npos);
  EXPECT_NE(error(Page(json::array({{"2026-12-02", 1, 1, "HB_WEST"}}))).find("expected 7 values"), std::string::npos);
  EXPECT_NE(error(Page(json::array({{"2026-03-08", 3, 1, "HB_WEST", "HU", 1.0, false}}))).find("data[0]"),
            std::string::npos)
      << "hour ending 03:00 does not exist the day clocks spring forward";
}

class ErcotFeedTest : public ::testing::Test {
 protected:
  std::unique_ptr<ErcotFeed> Feed(const std::string& key = "key-1") {
    ErcotFeedOptions o;
    o.api_url = ercot_.base();
    o.token_url = ercot_.token_url();
    o.username = "u@site.com";
    o.password = "pw";
    o.subscription_key = key;
    o.poll = Seconds(300);
    o.max_age = Seconds(1800);
    return std::move(ErcotFeed::Create(o)).value();
  }
  testing_ercot::FakeErcot ercot_;
};

TEST_F(ErcotFeedTest, PricesArePagedTheTokenKeptAndThePriceInForceIsTheLatest) {
  json rows = json::array();
  for (int h = 1; h <= 24; ++h) {
    for (int i = 1; i <= 4; ++i) rows.push_back({"2026-12-02", h, i, "HB_WEST", "HU", h * 10.0 + i, false});
  }
  rows.push_back({"2026-12-02", 1, 1, "LZ_WEST", "LZ", 1.0, false});
  ercot_.SetRows(rows);
  ercot_.SetMaxPageSize(40);  // 97 rows: three pages
  auto feed = Feed();
  UtcTime now = At("2026-12-02T16:07:00Z");  // 10:07 CST: hour ending 11, interval 1
  feed->Poll(now);
  ASSERT_TRUE(feed->Health(now).error.empty()) << feed->Health(now).error;
  ASSERT_TRUE(feed->At(now).has_value());
  EXPECT_EQ(feed->At(now)->price.value(), 111.0);
  EXPECT_EQ(feed->At(now)->start, At("2026-12-02T16:00:00Z"));
  EXPECT_FALSE(feed->Stale(now));
  EXPECT_EQ(ercot_.data_requests(), 3) << "three pages";
  feed->Poll(now + std::chrono::seconds(60));
  EXPECT_EQ(ercot_.data_requests(), 3) << "not before its five minutes";
  now += std::chrono::minutes(5);
  feed->Poll(now);
  EXPECT_EQ(ercot_.data_requests(), 6);
  EXPECT_EQ(ercot_.tokens_issued(), 1) << "the token is kept";
  // Past the last interval (hour ending 24 ends 06:00Z next day) plus 30 minutes: stale.
  EXPECT_FALSE(feed->Stale(At("2026-12-03T06:30:00Z")));
  EXPECT_TRUE(feed->Stale(At("2026-12-03T06:30:01Z")));
}

TEST_F(ErcotFeedTest, AThrottledPollBacksOffAndAMissingKeyIsNamed) {
  ercot_.SetRows(json::array({{"2026-12-02", 11, 1, "HB_WEST", "HU", 42.0, false}}));
  auto feed = Feed();
  UtcTime now = At("2026-12-02T16:07:00Z");
  ercot_.ThrottleNext(2);
  feed->Poll(now);
  EXPECT_NE(feed->Health(now).error.find("throttled (429)"), std::string::npos) << feed->Health(now).error;
  EXPECT_TRUE(feed->Stale(now));
  // Not again before the back-off (30 s and up to a quarter more), even
  // when the poll interval would allow.
  feed->Poll(now + std::chrono::seconds(29));
  EXPECT_EQ(ercot_.data_requests(), 1);
  now += std::chrono::seconds(300);
  feed->Poll(now);  // throttled again: 60 s or more now
  EXPECT_EQ(ercot_.data_requests(), 2);
  feed->Poll(now + std::chrono::seconds(59));
  EXPECT_EQ(ercot_.data_requests(), 2);
  now += std::chrono::seconds(600);
  feed->Poll(now);
  EXPECT_EQ(ercot_.data_requests(), 3);
  EXPECT_TRUE(feed->Health(now).error.empty()) << feed->Health(now).error;
  EXPECT_EQ(feed->At(At("2026-12-02T16:07:00Z"))->price.value(), 42.0);

  testing_ercot::FakeErcot other;
  ErcotFeedOptions o;
  o.api_url = other.base();
  o.token_url = other.token_url();
  o.username = "u@site.com";
  o.password = "pw";
  o.subscription_key = "wrong";
  auto keyless = std::move(ErcotFeed::Create(o)).value();
  keyless->Poll(now);
  EXPECT_NE(keyless->Health(now).error.find("missing subscription key"), std::string::npos) << keyless->Health(now).error;
  o.password = "nope";
  auto denied = std::move(ErcotFeed::Create(o)).value();
  denied->Poll(now);
  EXPECT_NE(denied->Health(now).error.find("ERCOT token: HTTP 400"), std::string::npos) << denied->Health(now).error;
  o.subscription_key = "";
  EXPECT_FALSE(ErcotFeed::Create(o).ok());
}

}  // namespace
}  // namespace mullet
