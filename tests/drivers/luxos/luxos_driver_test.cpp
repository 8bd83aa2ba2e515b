// The pure parts of the LuxOS driver: reading `profiles` and choosing the
// profile for a power target. The session sequences run against the emulator
// in tests/conformance/driver_conformance_test.cpp.

#include "drivers/luxos/luxos_driver.h"

#include <gtest/gtest.h>

namespace mullet::luxos {
namespace {

using nlohmann::json;

// As LuxOS lists them (protocols.md §2.2), out of order on purpose.
const json kProfiles = json::parse(R"({"STATUS":[{"STATUS":"S","Code":323,"Msg":"Profiles"}],
  "PROFILES":[{"Profile Name":"default","Watts":3250,"Hashrate":110.0},
              {"Profile Name":"325MHz","Watts":2600,"Hashrate":95.5},
              {"Profile Name":"445MHz","Watts":3600,"Hashrate":118.0}]})");

TEST(LuxosProfilesTest, ReadsAndSortsByPower) {
  Result<std::vector<Profile>> p = ReadProfiles(kProfiles);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].name, "325MHz");
  EXPECT_EQ((*p)[1].name, "default");
  EXPECT_EQ((*p)[2].name, "445MHz");
  EXPECT_DOUBLE_EQ((*p)[2].power.value(), 3600);
}

TEST(LuxosProfilesTest, AnEntryWithoutWattsIsADataErrorNamingIt) {
  const json bad = json::parse(R"({"PROFILES":[{"Profile Name":"a","Watts":1},{"Profile Name":"b"}]})");
  Result<std::vector<Profile>> p = ReadProfiles(bad);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kDataError);
  EXPECT_NE(p.status().message().find("PROFILES[1]"), std::string::npos) << p.status().message();
  EXPECT_FALSE(ReadProfiles(json::parse(R"({"STATUS":[]})")).ok());
}

TEST(LuxosProfilesTest, PicksTheHighestAtOrUnderTheTargetElseTheLowest) {
  const std::vector<Profile> p = *ReadProfiles(kProfiles);
  EXPECT_EQ(PickProfile(p, Watts(3250)).name, "default");  // exactly a profile's watts
  EXPECT_EQ(PickProfile(p, Watts(3599)).name, "default");
  EXPECT_EQ(PickProfile(p, Watts(9000)).name, "445MHz");
  EXPECT_EQ(PickProfile(p, Watts(2599)).name, "325MHz");   // under every profile: the lowest
}

TEST(LuxosDriverTest, CapabilitiesSayWhatItCanDo) {
  const MinerDriver& d = DriverForFamily("luxminer");
  EXPECT_EQ(d.family(), "luxminer");
  EXPECT_TRUE(d.capabilities().sleep);
  EXPECT_TRUE(d.capabilities().profiles);
  EXPECT_TRUE(d.capabilities().power_target);
  EXPECT_FALSE(DriverForFamily("bmminer").capabilities().sleep);
  EXPECT_TRUE(DriverForFamily("bosminer").capabilities().sleep);
  EXPECT_FALSE(DriverForFamily("bosminer").capabilities().power_target);
  EXPECT_EQ(DriverForFamily("something new").family(), "unknown");
}

}  // namespace
}  // namespace mullet::luxos
