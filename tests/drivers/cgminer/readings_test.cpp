// `devs` and `config` readings from the reply samples of tests/testdata/cgminer.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "drivers/cgminer/reply.h"

namespace mullet::cgminer {
namespace {

using nlohmann::json;

json Sample(const std::string& name) {
  std::ifstream in(std::string(MULLET_TESTDATA) + "/cgminer/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<ParsedReply> r = ParseReply(ss.str());
  EXPECT_TRUE(r.ok()) << name;
  return r.ok() ? r->json : json();
}

TEST(DevsReadingTest, ReadsEveryBoardOfTheCgminerSample) {
  Result<std::vector<DevReading>> d = ReadDevs(Sample("cgminer_devs.json"));
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->size(), 3u);
  EXPECT_EQ((*d)[0].id, 0);
  EXPECT_EQ((*d)[0].status, "Alive");
  EXPECT_NEAR((*d)[0].hashrate_5s.value(), 40.01, 1e-9);  // "MHS 5s":40010000.00
  ASSERT_TRUE((*d)[0].temp_c.has_value());
  EXPECT_DOUBLE_EQ(*(*d)[0].temp_c, 71.0);
  EXPECT_FALSE((*d)[0].chip_temp_c.has_value());
}

TEST(DevsReadingTest, ABoardWithoutAHashrateIsADataErrorNamingIt) {
  const json bad = json::parse(R"({"STATUS":[{"STATUS":"S"}],"DEVS":[{"ASC":0,"MHS 5s":1},{"ASC":1}]})");
  Result<std::vector<DevReading>> d = ReadDevs(bad);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("DEVS[1]"), std::string::npos) << d.status().message();
}

TEST(ConfigReadingTest, ReadsTheCgminerSampleAndLuxosExtras) {
  Result<ConfigReading> c = ReadConfig(Sample("cgminer_config.json"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_GT(c->asc_count, 0);
  EXPECT_GT(c->pool_count, 0);
  EXPECT_FALSE(c->strategy.empty());
  const json lux = json::parse(R"({"CONFIG":[{"ASC Count":3,"Profile":"eco","MACAddr":"02:aa:bb:cc:dd:ee"}]})");
  Result<ConfigReading> l = ReadConfig(lux);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->profile, "eco");
  EXPECT_EQ(l->mac, "02:aa:bb:cc:dd:ee");
  // A stock Antminer denies `config`: its E status reaches CheckStatus, not ReadConfig.
  EXPECT_FALSE(CheckStatus(Sample("access_denied.json")).ok());
}

}  // namespace

// Finding 9 of the hostile-peer probe: values a peer reports were trusted. A
// hashrate no miner can have is refused, named, rather than summed.
TEST(PlausibilityTest, AHashrateNoMinerCanHaveIsRefused) {
  for (const char* rate : {"-5", "1e300", "2e10"}) {
    const nlohmann::json reply = nlohmann::json::parse(std::string(R"({"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":)") +
                                                       rate + R"(,"GHS av":100,"Elapsed":5,"Accepted":1,"Rejected":0,"Hardware Errors":0}]})");
    Result<SummaryReading> r = ReadSummary(reply);
    ASSERT_FALSE(r.ok()) << rate;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError);
    EXPECT_NE(r.status().message().find("not a miner's hashrate"), std::string::npos) << r.status().message();
  }
  const nlohmann::json ok = nlohmann::json::parse(R"({"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":473000,"GHS av":0,"Elapsed":5,"Accepted":1,"Rejected":0,"Hardware Errors":0}]})");
  Result<SummaryReading> r = ReadSummary(ok);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->hashrate_5s.value(), 473);
}

}  // namespace mullet::cgminer
