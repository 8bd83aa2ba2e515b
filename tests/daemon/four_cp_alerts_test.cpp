// An operator's 4CP alert file: intervals in force from start to before
// end; a header alone is no alerts; a broken file is named by line and
// field and keeps the last good intervals, stale, until it reads again; the
// file is read at most once per poll. Then the loop on its thread: an alert
// raised in the file puts the miners to sleep and says so in the tick.

#include "daemon/four_cp_alerts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mullet {
namespace {

namespace fs = std::filesystem;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

class FourCpAlertFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = fs::temp_directory_path() / ("mullet_4cp_alerts_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".csv");
  }
  void TearDown() override { fs::remove(file_); }
  void Write(const std::string& text) { std::ofstream(file_) << text; }
  fs::path file_;
};

TEST_F(FourCpAlertFileTest, AnAlertIsInForceFromItsStartToBeforeItsEnd) {
  Write("start_utc,end_utc\n");
  FourCpAlertFile alerts(file_, Seconds(10));
  UtcTime now = At("2026-07-15T19:00:00Z");
  alerts.Poll(now);
  EXPECT_FALSE(alerts.InForce(now)) << "a header alone: no alerts";
  EXPECT_FALSE(alerts.Health().stale);
  EXPECT_EQ(alerts.Health().read_at, now);
  Write("start_utc,end_utc\n2026-07-15T20:00:00Z,2026-07-15T21:15:00Z\n2026-07-16T20:00:00Z,2026-07-16T21:00:00Z\n");
  now += std::chrono::seconds(5);
  alerts.Poll(now);  // within the poll: not read
  EXPECT_FALSE(alerts.InForce(At("2026-07-15T20:00:00Z")));
  now += std::chrono::seconds(5);
  alerts.Poll(now);
  EXPECT_FALSE(alerts.InForce(At("2026-07-15T19:59:59Z")));
  EXPECT_TRUE(alerts.InForce(At("2026-07-15T20:00:00Z")));
  EXPECT_TRUE(alerts.InForce(At("2026-07-15T21:14:59Z")));
  EXPECT_FALSE(alerts.InForce(At("2026-07-15T21:15:00Z")));
  EXPECT_TRUE(alerts.InForce(At("2026-07-16T20:30:00Z")));
}

TEST_F(FourCpAlertFileTest, ABrokenFileIsNamedAndKeepsTheLastGoodAlerts) {
  Write("start_utc,end_utc\n2026-07-15T20:00:00Z,2026-07-15T21:00:00Z\n");
  FourCpAlertFile alerts(file_, Seconds(10));
  UtcTime now = At("2026-07-15T20:00:00Z");
  alerts.Poll(now);
  ASSERT_TRUE(alerts.InForce(now));
  const auto broken = [&](const std::string& text, const std::string& named) {
    Write(text);
    now += std::chrono::seconds(10);
    alerts.Poll(now);
    const SourceHealth h = alerts.Health();
    EXPECT_TRUE(h.stale) << named;
    EXPECT_NE(h.error.find(named), std::string::npos) << h.error;
    EXPECT_NE(h.error.find(file_.string()), std::string::npos) << h.error;
    EXPECT_EQ(h.read_at, At("2026-07-15T20:00:00Z"));
    EXPECT_TRUE(alerts.InForce(now)) << "the last good alerts are kept: " << named;
  };
  broken("start,end\n2026-07-15T20:00:00Z,2026-07-15T21:00:00Z\n", "start_utc");
  broken("start_utc,end_utc\n2026-07-15T20:00:00Z,soon\n", ":2: end_utc");
  broken("start_utc,end_utc\n2026-07-15T20:00:00Z,2026-07-15T20:00:00Z\n", "expected a time after start_utc");
  fs::remove(file_);
  now += std::chrono::seconds(10);
  alerts.Poll(now);
  EXPECT_TRUE(alerts.Health().stale);
  Write("start_utc,end_utc\n");
  now += std::chrono::seconds(10);
  alerts.Poll(now);
  EXPECT_FALSE(alerts.Health().stale);
  EXPECT_TRUE(alerts.Health().error.empty());
  EXPECT_FALSE(alerts.InForce(now)) << "the alert was withdrawn";
}

}  // namespace
}  // namespace mullet
