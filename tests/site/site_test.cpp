#include "site/site.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

TEST(CoolingTest, PueByClass) {
  Cooling c;
  c.pue_air = 1.1;
  c.pue_immersion = 1.03;
  c.pue_liquid = 1.25;
  EXPECT_EQ(c.Pue(CoolingClass::kAir), 1.1);
  EXPECT_EQ(c.Pue(CoolingClass::kImmersion), 1.03);
  EXPECT_EQ(c.Pue(CoolingClass::kLiquid), 1.25);
}

TEST(CoolingTest, CapacityDeratesAboveDesignAmbientAndNeverGoesNegative) {
  Cooling c;
  c.capacity = Megawatts(100);
  c.design_ambient_c = 35;
  c.derate_per_c = 0.02;
  EXPECT_EQ(c.CapacityAt(20), Megawatts(100));
  EXPECT_EQ(c.CapacityAt(35), Megawatts(100));
  EXPECT_NEAR(c.CapacityAt(40).megawatts(), 90.0, 1e-9);
  EXPECT_EQ(c.CapacityAt(200), Watts(0));
}

TEST(AmbientTest, PeaksInSummerAfternoonsAndDipsInWinterNights) {
  Ambient a;  // mean 20, seasonal 10, daily 6, hottest day 200, UTC-6
  const double summer_afternoon = a.At(*ParseUtcTimestamp("2024-07-18T21:00:00Z"));  // 15:00 local
  const double winter_night = a.At(*ParseUtcTimestamp("2024-01-15T09:00:00Z"));      // 03:00 local
  EXPECT_NEAR(summer_afternoon, 36.0, 0.1);
  EXPECT_LT(winter_night, 6.0);
  EXPECT_GT(winter_night, 4.0);
}

// The run's clock gives exactly Ambient::At: on whole minutes (cached), on
// odd seconds, across days and years, with a fractional UTC offset, and when
// times go back (a day seen before).
TEST(AmbientTest, ClockMatchesAtExactly) {
  Ambient a;
  a.utc_offset_hours = -5.5;
  a.hottest_day_of_year = 190;
  AmbientClock clock(a);
  UtcTime t = *ParseUtcTimestamp("2023-12-30T17:00:00Z");
  const std::int64_t steps[] = {300, 900, 3600, 37, 86400, 3600 * 7 + 13};
  for (int i = 0; i < 4000; ++i) {
    t += std::chrono::seconds(steps[i % 6]);
    ASSERT_EQ(clock.At(t), a.At(t)) << FormatUtc(t);
  }
  const UtcTime earlier = *ParseUtcTimestamp("2024-02-29T23:59:00Z");
  EXPECT_EQ(clock.At(earlier), a.At(earlier));
  EXPECT_NE(clock.At(earlier), clock.At(earlier + std::chrono::hours(12)));
}

}  // namespace
}  // namespace mullet
