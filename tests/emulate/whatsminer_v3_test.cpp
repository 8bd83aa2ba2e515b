// The Whatsminer API V3 emulator's pure side: one request payload -> one reply,
// frame scanning, token checks and faults (src/emulate/whatsminer_v3.h). The
// token itself is the codec's, tested in tests/drivers/whatsminer/codec_test.cpp.

#include "emulate/whatsminer_v3.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/asic/catalog.h"
#include "drivers/whatsminer/codec.h"
#include "test_miners.h"

namespace mullet {
namespace {

using nlohmann::json;
using testing_miners::At;
using testing_miners::kT0;

std::int64_t Unix(UtcTime t) { return t.time_since_epoch().count(); }

EmulatedMiner MakeMiner(std::uint64_t seed = 5) {
  MinerOptions o;
  o.model = AsicCatalog::BuiltIn().Find("M60S").value();
  o.family = FirmwareFamily::kWhatsminerV3;
  o.id = "127.0.0.9";
  o.seed = seed;
  o.start = kT0;
  o.uptime_at_start = Seconds(3600);
  return std::move(EmulatedMiner::Create(o)).value();
}

class WhatsminerV3Test : public ::testing::Test {
 protected:
  WhatsminerV3Test() : m_(MakeMiner()) { auth_.salt = V3Salt(m_); }

  json Ask(const json& request, UtcTime now = kT0) {
    const std::string body = V3ReplyBody(m_, request.dump(), now, auth_);
    EXPECT_TRUE(json::accept(body)) << body;
    return json::parse(body);
  }
  // A write signed as a client would sign it, at `ts`.
  json Signed(const std::string& cmd, const json& param, std::int64_t ts,
              const std::string& password = "super") {
    return {{"cmd", cmd},
            {"param", param},
            {"ts", ts},
            {"account", "super"},
            {"token", whatsminer::Token(cmd, password, auth_.salt, ts)}};
  }

  EmulatedMiner m_;
  V3Auth auth_;
};

TEST(WhatsminerV3FrameTest, ScansPrefixAndLength) {
  const std::string f = whatsminer::EncodeFrame(std::string(300, 'x'));
  ASSERT_EQ(f.size(), 304u);
  EXPECT_EQ(static_cast<unsigned char>(f[0]), 0x2c);  // 300 = 0x012c, little-endian
  EXPECT_EQ(static_cast<unsigned char>(f[1]), 0x01);
  EXPECT_EQ(ScanV3Frame(f.substr(0, 3), 1000).state, V3FrameScan::State::kNeedMore);
  EXPECT_EQ(ScanV3Frame(f.substr(0, 303), 1000).state, V3FrameScan::State::kNeedMore);
  const V3FrameScan whole = ScanV3Frame(f, 1000);
  EXPECT_EQ(whole.state, V3FrameScan::State::kComplete);
  EXPECT_EQ(whole.length, 300u);
  EXPECT_EQ(ScanV3Frame(f.substr(0, 4), 299).state, V3FrameScan::State::kTooLarge);
  EXPECT_EQ(ScanV3Frame(std::string("\xff\xff\xff\xff", 4), 1 << 16).state,
            V3FrameScan::State::kTooLarge);
}

TEST_F(WhatsminerV3Test, SaltIsThePerMinerSaltAndNeedsNoToken) {
  const json r = Ask({{"cmd", "get.device.info"}, {"param", "salt"}});
  EXPECT_EQ(r["code"], 0);
  EXPECT_EQ(r["desc"], "get.device.info");
  EXPECT_EQ(r["when"], Unix(kT0));
  EXPECT_EQ(r["msg"]["salt"], auth_.salt);
  EXPECT_EQ(auth_.salt.size(), 8u);
  EXPECT_EQ(V3Salt(MakeMiner(5)), auth_.salt);  // from the seed
  EXPECT_NE(V3Salt(MakeMiner(6)), auth_.salt);
}

TEST_F(WhatsminerV3Test, DeviceInfoWithoutParamHasEverySection) {
  const json msg = Ask({{"cmd", "get.device.info"}})["msg"];
  EXPECT_EQ(msg["network"]["ip"], "127.0.0.9");
  EXPECT_EQ(msg["miner"]["type"], "Whatsminer M60S");
  EXPECT_EQ(msg["miner"]["working"], "true");
  EXPECT_EQ(msg["miner"]["power-limit-set"], "3441");
  EXPECT_EQ(msg["system"]["api"], "3.0.1");
  EXPECT_EQ(msg["salt"], auth_.salt);
  EXPECT_EQ(Ask({{"cmd", "get.device.info"}, {"param", "disk"}})["code"], v3_code::kInvalidJson);
}

TEST_F(WhatsminerV3Test, SummaryReportsTheMinersState) {
  const json r = Ask({{"cmd", "get.miner.status"}, {"param", "summary"}});
  ASSERT_EQ(r["code"], 0) << r;
  const json& s = r["msg"]["summary"];
  EXPECT_NEAR(s["hash-realtime"].get<double>(), m_.hashrate_5s().value(), 0.001);
  EXPECT_NEAR(s["factory-hash"].get<double>(), 186, 0.001);
  EXPECT_EQ(s["power-realtime"], std::lround(m_.power().value()));
  EXPECT_EQ(s["power-limit"], 3441);
  EXPECT_EQ(s["elapsed"], 3600);
  EXPECT_EQ(s["accepted"], m_.accepted_shares());
  EXPECT_EQ(s["rejected"], m_.rejected_shares());
  EXPECT_EQ(s["board-temperature"].size(), 3u);
  EXPECT_EQ(s["fan-speed-in"], m_.fan_rpm(0));
  EXPECT_EQ(s["up-freq-finish"], 1);
  EXPECT_FALSE(r["msg"].contains("pools"));
}

TEST_F(WhatsminerV3Test, SectionsCombineWithPlusAndAnUnknownOneFails) {
  const json msg = Ask({{"cmd", "get.miner.status"}, {"param", "summary+pools+edevs"}})["msg"];
  EXPECT_TRUE(msg.contains("summary"));
  EXPECT_EQ(msg["pools"].size(), m_.pools().size());
  EXPECT_EQ(msg["pools"][0]["stratum-active"], true);
  ASSERT_EQ(msg["edevs"].size(), 3u);
  EXPECT_EQ(msg["edevs"][2]["effective-chips"], m_.board(2).chips);
  const json bad = Ask({{"cmd", "get.miner.status"}, {"param", "summary+fans"}});
  EXPECT_EQ(bad["code"], v3_code::kInvalidJson);
  EXPECT_NE(bad["msg"].get<std::string>().find("fans"), std::string::npos);
  EXPECT_EQ(Ask({{"cmd", "get.miner.status"}})["code"], v3_code::kInvalidJson);
}

TEST_F(WhatsminerV3Test, SignedPowerLimitRetunesTheMiner) {
  const json r = Ask(Signed("set.miner.power_limit", 3000, Unix(kT0)));
  EXPECT_EQ(r, json::parse(R"({"code":0,"when":)" + std::to_string(Unix(kT0)) +
                           R"(,"msg":"ok","desc":"set.miner.power_limit"})"));
  EXPECT_DOUBLE_EQ(m_.target_power().value(), 3000);
  // A numeric string is taken as well.
  EXPECT_EQ(Ask(Signed("set.miner.power_limit", "2900", Unix(kT0)))["code"], 0);
  EXPECT_DOUBLE_EQ(m_.target_power().value(), 2900);
}

TEST_F(WhatsminerV3Test, PowerLimitOutsideTheEnvelopeFailsAndChangesNothing) {
  const json r = Ask(Signed("set.miner.power_limit", 100, Unix(kT0)));
  EXPECT_EQ(r["code"], v3_code::kFail);
  EXPECT_NE(r["msg"].get<std::string>().find("outside"), std::string::npos) << r;
  EXPECT_EQ(Ask(Signed("set.miner.power_limit", "lots", Unix(kT0)))["code"], v3_code::kInvalidJson);
  EXPECT_DOUBLE_EQ(m_.target_power().value(), 3441);
}

TEST_F(WhatsminerV3Test, StopSleepsAndStartWakes) {
  EXPECT_EQ(Ask(Signed("set.miner.service", "stop", Unix(kT0)))["code"], 0);
  EXPECT_EQ(m_.state(), MinerState::kRampingDown);
  const json asleep = Ask({{"cmd", "get.miner.status"}, {"param", "summary"}}, At(60));
  EXPECT_EQ(m_.state(), MinerState::kSleeping);
  EXPECT_LT(asleep["msg"]["summary"]["hash-realtime"].get<double>(), 0.01);
  EXPECT_EQ(Ask(Signed("set.miner.service", "start", Unix(At(60))), At(60))["code"], 0);
  EXPECT_EQ(m_.state(), MinerState::kRampingUp);
  EXPECT_EQ(Ask(Signed("set.miner.service", "pause", Unix(At(60))), At(60))["code"],
            v3_code::kInvalidJson);
}

TEST_F(WhatsminerV3Test, WrongTokenAccountOrPasswordIsRefused) {
  json r = Ask(Signed("set.miner.service", "stop", Unix(kT0), "admin"));
  EXPECT_EQ(r["code"], v3_code::kNoPermission);
  EXPECT_EQ(r["msg"], "invalid token");
  json other = Signed("set.miner.service", "stop", Unix(kT0));
  other["account"] = "user1";
  EXPECT_EQ(Ask(other)["code"], v3_code::kNoPermission);
  // A token for another command does not carry over.
  json swapped = Signed("set.miner.service", "stop", Unix(kT0));
  swapped["token"] = whatsminer::Token("set.miner.power_limit", "super", auth_.salt, Unix(kT0));
  EXPECT_EQ(Ask(swapped)["code"], v3_code::kNoPermission);
  EXPECT_EQ(m_.state(), MinerState::kRunning);
}

TEST_F(WhatsminerV3Test, TsMoreThanAMinuteOffIsRefused) {
  EXPECT_EQ(Ask(Signed("set.miner.service", "stop", Unix(kT0) - 61))["code"],
            v3_code::kNoPermission);
  EXPECT_EQ(Ask(Signed("set.miner.service", "stop", Unix(kT0) + 61))["code"],
            v3_code::kNoPermission);
  EXPECT_EQ(m_.state(), MinerState::kRunning);
  EXPECT_EQ(Ask(Signed("set.miner.service", "stop", Unix(kT0) - 60))["code"], 0);
  json no_ts = Signed("set.miner.service", "stop", Unix(kT0));
  no_ts.erase("ts");
  EXPECT_EQ(Ask(no_ts)["code"], v3_code::kInvalidJson);
}

TEST_F(WhatsminerV3Test, BadJsonAndUnknownCommandsGetTheirCodes) {
  for (std::string_view bytes : {std::string_view("{\"cmd\":"), std::string_view("[1,2]"),
                                 std::string_view(""), std::string_view("{\"cmd\":7}")}) {
    const json r = json::parse(V3ReplyBody(m_, bytes, kT0, auth_));
    EXPECT_EQ(r["code"], v3_code::kInvalidJson) << bytes;
    EXPECT_EQ(r["desc"], "") << bytes;
  }
  const json r = Ask({{"cmd", "set.system.reboot"}});
  EXPECT_EQ(r["code"], v3_code::kInvalidCommand);
  EXPECT_EQ(r["desc"], "set.system.reboot");
}

TEST_F(WhatsminerV3Test, HangAndResetDoNotRunTheCommand) {
  FaultPlan hang;
  hang.hang = 1;
  const std::string write = Signed("set.miner.power_limit", 3000, Unix(kT0)).dump();
  EXPECT_EQ(V3Reply(m_, write, kT0, auth_, hang).delivery, Delivery::kHang);
  FaultPlan reset;
  reset.reset = 1;
  EXPECT_EQ(V3Reply(m_, write, kT0, auth_, reset).delivery, Delivery::kReset);
  EXPECT_DOUBLE_EQ(m_.target_power().value(), 3441);
  FaultPlan slow;
  slow.slow = 1;
  const V3Action late = V3Reply(m_, write, kT0, auth_, slow);
  EXPECT_EQ(late.delivery, Delivery::kSlow);
  EXPECT_EQ(late.delay, slow.slow_delay);
  EXPECT_DOUBLE_EQ(m_.target_power().value(), 3000);
}

TEST_F(WhatsminerV3Test, QuirksBreakTheBodyAndAMissingNulBecomesAShortFrame) {
  const std::string read = json{{"cmd", "get.miner.status"}, {"param", "summary"}}.dump();
  const V3Action clean = V3Reply(m_, read, kT0, auth_, FaultPlan{});
  EXPECT_TRUE(json::accept(clean.bytes.substr(4)));
  EXPECT_EQ(ScanV3Frame(clean.bytes, 1 << 20).state, V3FrameScan::State::kComplete);
  const V3Action comma = V3Reply(m_, read, kT0, auth_, AlwaysQuirk(Quirk::kTrailingComma));
  EXPECT_EQ(ScanV3Frame(comma.bytes, 1 << 20).state, V3FrameScan::State::kComplete);
  EXPECT_FALSE(json::accept(comma.bytes.substr(4)));
  const V3Action shortf = V3Reply(m_, read, kT0, auth_, AlwaysQuirk(Quirk::kMissingNul));
  EXPECT_TRUE(shortf.close_after);
  EXPECT_EQ(ScanV3Frame(shortf.bytes, 1 << 20).length, shortf.bytes.size() - 4 + 16);
}

TEST(WhatsminerV3TooLargeTest, AnswersOutOfMemoryAndCloses) {
  const V3Action a = V3TooLargeReply(65536, kT0);
  EXPECT_TRUE(a.close_after);
  const json r = json::parse(a.bytes.substr(4));
  EXPECT_EQ(r["code"], v3_code::kOutOfMemory);
  EXPECT_NE(r["msg"].get<std::string>().find("65536"), std::string::npos);
}

}  // namespace
}  // namespace mullet
