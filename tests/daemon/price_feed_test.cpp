// The price feed and its watchdog: the price in force is the latest interval
// begun; the feed goes stale past max_age after its last interval, or when
// the file cannot be read (keeping the last good prices), and is fresh again
// once a newer row arrives; the file is read at most once per poll.

#include "daemon/price_feed.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mullet {
namespace {

namespace fs = std::filesystem;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

class PriceFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = fs::temp_directory_path() / ("mullet_price_feed_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".csv");
    Write("timestamp_utc,hb_west_usd_per_mwh,lz_west_usd_per_mwh\n"
          "2026-12-02T10:00:00Z,31.5,30\n"
          "2026-12-02T11:00:00Z,-4.25,-5\n");
  }
  void TearDown() override { fs::remove(file_); }
  void Write(const std::string& text) { std::ofstream(file_) << text; }
  PriceFeedOptions Options() {
    PriceFeedOptions o;
    o.csv = file_;
    o.point = "hb_west";
    o.poll = Seconds(60);
    o.max_age = Seconds(900);
    return o;
  }
  fs::path file_;
};

TEST_F(PriceFeedTest, ThePriceInForceIsTheLatestIntervalBegun) {
  PriceFeed feed(Options());
  feed.Poll(At("2026-12-02T11:30:00Z"));
  ASSERT_TRUE(feed.At(At("2026-12-02T10:59:59Z")).has_value());
  EXPECT_EQ(feed.At(At("2026-12-02T10:59:59Z"))->price.value(), 31.5);
  EXPECT_EQ(feed.At(At("2026-12-02T11:30:00Z"))->price.value(), -4.25) << "negative prices are prices";
  EXPECT_FALSE(feed.At(At("2026-12-02T09:59:59Z")).has_value());
  EXPECT_FALSE(feed.Stale(At("2026-12-02T11:30:00Z")));
  // The 11:00 interval ends at 12:00; stale 15 minutes after.
  EXPECT_FALSE(feed.Stale(At("2026-12-02T12:15:00Z")));
  EXPECT_TRUE(feed.Stale(At("2026-12-02T12:15:01Z")));
  const SourceHealth h = feed.Health(At("2026-12-02T12:20:00Z"));
  EXPECT_TRUE(h.stale);
  EXPECT_NE(h.error.find("2026-12-02T11:00:00Z"), std::string::npos) << h.error;
}

TEST_F(PriceFeedTest, AnUnreadableFileIsStaleAndANewerRowMakesItFreshAgain) {
  PriceFeed feed(Options());
  UtcTime now = At("2026-12-02T11:10:00Z");
  feed.Poll(now);
  EXPECT_FALSE(feed.Stale(now));
  Write("timestamp_utc,hb_west_usd_per_mwh\n2026-12-02T1");  // cut mid-row
  now += std::chrono::seconds(30);
  feed.Poll(now);  // within the poll: not read
  EXPECT_FALSE(feed.Stale(now));
  now += std::chrono::seconds(30);
  feed.Poll(now);
  EXPECT_TRUE(feed.Stale(now));
  EXPECT_NE(feed.Health(now).error.find(file_.string()), std::string::npos) << feed.Health(now).error;
  EXPECT_EQ(feed.At(now)->price.value(), -4.25) << "the last good prices are kept";
  Write("timestamp_utc,hb_west_usd_per_mwh\n2026-12-02T11:00:00Z,-4.25\n2026-12-02T12:00:00Z,88\n");
  now = At("2026-12-02T12:05:00Z");
  feed.Poll(now);
  EXPECT_FALSE(feed.Stale(now));
  EXPECT_EQ(feed.At(now)->price.value(), 88);
  EXPECT_TRUE(feed.Health(now).error.empty());
}

TEST_F(PriceFeedTest, AMissingColumnOrFileIsNamed) {
  PriceFeedOptions o = Options();
  o.point = "hb_nowhere";
  PriceFeed feed(o);
  feed.Poll(At("2026-12-02T11:10:00Z"));
  EXPECT_TRUE(feed.Stale(At("2026-12-02T11:10:00Z")));
  EXPECT_NE(feed.Health(At("2026-12-02T11:10:00Z")).error.find("hb_west"), std::string::npos)
      << "the message lists the points there are: " << feed.Health(At("2026-12-02T11:10:00Z")).error;
  o = Options();
  o.csv = file_.string() + ".missing";
  PriceFeed none(o);
  none.Poll(At("2026-12-02T11:10:00Z"));
  EXPECT_TRUE(none.Stale(At("2026-12-02T11:10:00Z")));
  EXPECT_FALSE(none.Health(At("2026-12-02T11:10:00Z")).read_at.has_value());
}

}  // namespace
}  // namespace mullet
