#include "core/time/calendar.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

TEST(CalendarTest, ParsesAndFormatsDates) {
  const Result<Date> d = ParseDate("2024-04-20");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2024-04-20");
  EXPECT_EQ(FormatDate(*d + std::chrono::days(11)), "2024-05-01");
}

TEST(CalendarTest, RejectsMalformedAndImpossibleDates) {
  for (const char* bad : {"2024-4-20", "2024/04/20", "2023-02-29", "2024-13-01", "", "20240420",
                          "2024-04-20x", "abcd-ef-gh"}) {
    EXPECT_FALSE(ParseDate(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
}

TEST(CalendarTest, ParsesUtcTimestamps) {
  const Result<UtcTime> t = ParseUtcTimestamp("2021-02-15T06:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatUtc(*t), "2021-02-15T06:00:00Z");
  EXPECT_FALSE(ParseUtcTimestamp("2021-02-15 06:00:00").ok());
  EXPECT_FALSE(ParseUtcTimestamp("2021-02-15T24:00:00Z").ok());
  EXPECT_FALSE(ParseUtcTimestamp("2021-02-15T06:00:00+01:00").ok());
}

}  // namespace
}  // namespace mullet
