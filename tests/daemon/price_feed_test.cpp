// The price feed and its watchdog: the price in force is the latest interval
// begun; the feed goes stale past max_age after its last interval, or when
// the file cannot be read (keeping the last good prices), and is fresh again
// once a newer row arrives; the file is read at most once per poll. Over
// HTTP (a fake server): a 500, garbage and a body over the bound keep the
// last good prices and are named with the URL, never its query.

#include "daemon/price_feed.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "daemon/fake_http_server.h"

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
  std::unique_ptr<PriceFeed> made = std::move(PriceFeed::Create(Options())).value();
  PriceFeed& feed = *made;
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
  std::unique_ptr<PriceFeed> made = std::move(PriceFeed::Create(Options())).value();
  PriceFeed& feed = *made;
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
  std::unique_ptr<PriceFeed> made = std::move(PriceFeed::Create(o)).value();
  PriceFeed& feed = *made;
  feed.Poll(At("2026-12-02T11:10:00Z"));
  EXPECT_TRUE(feed.Stale(At("2026-12-02T11:10:00Z")));
  EXPECT_NE(feed.Health(At("2026-12-02T11:10:00Z")).error.find("hb_west"), std::string::npos)
      << "the message lists the points there are: " << feed.Health(At("2026-12-02T11:10:00Z")).error;
  o = Options();
  o.csv = file_.string() + ".missing";
  std::unique_ptr<PriceFeed> missing = std::move(PriceFeed::Create(o)).value();
  PriceFeed& none = *missing;
  none.Poll(At("2026-12-02T11:10:00Z"));
  EXPECT_TRUE(none.Stale(At("2026-12-02T11:10:00Z")));
  EXPECT_FALSE(none.Health(At("2026-12-02T11:10:00Z")).read_at.has_value());
}

// A price server: answers each GET with what it was last told.
class FakePrices : public testing_http::FakeHttpServer {
 public:
  FakePrices() { Start(); }
  ~FakePrices() override { Stop(); }
  void Answer(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  std::string last_target() {
    std::lock_guard<std::mutex> lock(mu_);
    return target_;
  }

 private:
  Response Handle(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    target_ = std::string(req.target());
    Response r{static_cast<boost::beast::http::status>(status_), 11};
    r.set(boost::beast::http::field::content_type, "text/csv");
    r.body() = body_;
    return r;
  }
  std::mutex mu_;
  int status_ = 200;
  std::string body_;
  std::string target_;
};

TEST(HttpPriceFeedTest, AFailedReadKeepsTheLastGoodPricesAndIsNamedWithoutTheQuery) {
  FakePrices server;
  server.Answer(200, "timestamp_utc,hb_west_usd_per_mwh\n2026-12-02T10:00:00Z,31.5\n2026-12-02T11:00:00Z,40\n");
  PriceFeedOptions o;
  o.url = server.base() + "/feeds/prices.csv?key=s3cret";
  o.point = "hb_west";
  o.poll = Seconds(60);
  o.max_age = Seconds(900);
  o.max_bytes = 4096;
  std::unique_ptr<PriceFeed> feed = std::move(PriceFeed::Create(o)).value();
  const std::string shown = server.base() + "/feeds/prices.csv";
  UtcTime now = At("2026-12-02T11:10:00Z");
  feed->Poll(now);
  EXPECT_EQ(server.last_target(), "/feeds/prices.csv?key=s3cret") << "the query goes to the server";
  ASSERT_TRUE(feed->At(now).has_value());
  EXPECT_EQ(feed->At(now)->price.value(), 40);
  EXPECT_FALSE(feed->Stale(now));
  SourceHealth h = feed->Health(now);
  EXPECT_EQ(h.source, shown + " (hb_west)");
  EXPECT_EQ(h.read_at, now);
  EXPECT_TRUE(h.error.empty()) << h.error;

  const auto fails = [&](int status, std::string body, const std::string& cause) {
    server.Answer(status, std::move(body));
    now += std::chrono::seconds(60);
    feed->Poll(now);
    const SourceHealth f = feed->Health(now);
    EXPECT_TRUE(f.stale) << cause;
    EXPECT_TRUE(feed->Stale(now)) << cause;
    EXPECT_NE(f.error.find(shown), std::string::npos) << f.error;
    EXPECT_NE(f.error.find(cause), std::string::npos) << f.error;
    EXPECT_EQ(f.error.find("s3cret"), std::string::npos) << f.error;
    EXPECT_EQ(f.source.find("s3cret"), std::string::npos) << f.source;
    EXPECT_EQ(f.read_at, At("2026-12-02T11:10:00Z")) << "the last good read";
    ASSERT_TRUE(feed->At(now).has_value()) << cause;
    EXPECT_EQ(feed->At(now)->price.value(), 40) << "the last good prices are kept: " << cause;
  };
  fails(500, "upstream down", "HTTP 500: upstream down");
  fails(200, "<html>not a price</html>", "timestamp_utc");
  fails(200, "timestamp_utc,hb_west_usd_per_mwh\n2026-12-02T12:00:00Z,cheap\n", shown + ":2: hb_west_usd_per_mwh");
  fails(200, "timestamp_utc,lz_west_usd_per_mwh\n2026-12-02T12:00:00Z,1\n", "lz_west");
  fails(200, "timestamp_utc,hb_west_usd_per_mwh\n" + std::string(5000, '#'), "over 4096 bytes");
  fails(200, "timestamp_utc,hb_west_usd_per_mwh\n2026-12-02T12:00:00Z,1e9\n", "2026-12-02T12:00:00Z: a price beyond");

  // A newer CSV: fresh again, its price in force.
  server.Answer(200, "timestamp_utc,hb_west_usd_per_mwh\n2026-12-02T11:00:00Z,40\n2026-12-02T12:00:00Z,-3.5\n");
  now = At("2026-12-02T12:05:00Z");
  feed->Poll(now);
  EXPECT_FALSE(feed->Stale(now));
  EXPECT_EQ(feed->At(now)->price.value(), -3.5);
  h = feed->Health(now);
  EXPECT_TRUE(h.error.empty()) << h.error;
  EXPECT_EQ(h.read_at, now);
  // Its last interval ends at 13:00: stale 15 minutes after, by the same
  // rule as a file.
  EXPECT_FALSE(feed->Stale(At("2026-12-02T13:15:00Z")));
  EXPECT_TRUE(feed->Stale(At("2026-12-02T13:15:01Z")));
  EXPECT_NE(feed->Health(At("2026-12-02T13:20:00Z")).error.find("2026-12-02T12:00:00Z"), std::string::npos);
}

TEST(HttpPriceFeedTest, AnUnreachableServerIsStaleAndABadUrlIsRefused) {
  PriceFeedOptions o;
  o.point = "hb_west";
  o.url = "http://127.0.0.1:1/prices.csv";
  o.timeout = std::chrono::milliseconds(500);
  std::unique_ptr<PriceFeed> feed = std::move(PriceFeed::Create(o)).value();
  const UtcTime now = At("2026-12-02T11:10:00Z");
  feed->Poll(now);
  EXPECT_TRUE(feed->Stale(now));
  EXPECT_FALSE(feed->At(now).has_value());
  EXPECT_NE(feed->Health(now).error.find("GET http://127.0.0.1:1/prices.csv: "), std::string::npos)
      << feed->Health(now).error;

  o.url = "ftp://prices.example.com/p.csv";
  EXPECT_FALSE(PriceFeed::Create(o).ok());
  o.url = "https://user:pw@prices.example.com/p.csv";
  Result<std::unique_ptr<PriceFeed>> with_user = PriceFeed::Create(o);
  ASSERT_FALSE(with_user.ok());
  EXPECT_EQ(with_user.status().message().find("pw@"), std::string::npos) << with_user.status().message();
  o.csv = "prices.csv";
  o.url = "http://127.0.0.1:1/prices.csv";
  EXPECT_FALSE(PriceFeed::Create(o).ok()) << "a file or a URL, not both";
}

}  // namespace
}  // namespace mullet
