#include "emulate/faults.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "emulate/rpc_replies.h"
#include "test_miners.h"

namespace mullet {
namespace {

using nlohmann::json;

using testing_miners::At;
using testing_miners::kFamilies;
using testing_miners::kT0;

EmulatedMiner Make(FirmwareFamily f, std::uint64_t seed = 5) {
  MinerOptions o;
  o.model = AsicModel{"Bitmain", "Antminer S19 XP", TerahashPerSecond(140), Watts(3010), 0, 0, "t"};
  o.family = f;
  o.id = "127.0.1.1";
  o.seed = seed;
  o.start = kT0;
  o.uptime_at_start = Seconds(7200);
  o.atm_enabled = false;
  return std::move(EmulatedMiner::Create(o)).value();
}

std::string Request(const std::string& command, const std::string& parameter = "") {
  json j = {{"command", command}};
  if (!parameter.empty()) j["parameter"] = parameter;
  return j.dump();
}

std::string WithoutNul(const std::string& bytes) {
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.back(), '\0');
  return bytes.substr(0, bytes.size() - 1);
}

// pyasic/rpc/base.py _load_api_data's repairs (protocols.md §1.3), with bare
// inf/nan read as 0 as the C++ parser does with its quirk list.
std::string PyasicRepair(std::string s) {
  auto replace_all = [&s](const std::string& from, const std::string& to) {
    for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
      s.replace(i, from.size(), to);
  };
  replace_all(",}", "}");
  replace_all("\n", "");
  replace_all("}{", "},{");
  replace_all("[,{", "[{");
  replace_all("\"\"temp0", "\",\"temp0");
  s = std::regex_replace(s, std::regex(":(nan|inf)([,}])"), ":0$2");
  return s;
}

TEST(FaultsTest, EveryJsonQuirkBreaksAStrictParser) {
  for (FirmwareFamily f : kFamilies) {
    for (const char* command : {"summary", "stats", "pools", "version", "devs", "summary+pools"}) {
      for (Quirk q : kAllQuirks) {
        if (q == Quirk::kMissingNul) continue;
        SCOPED_TRACE(std::string(FamilyName(f)) + " " + command + " " + std::string(QuirkName(q)));
        EmulatedMiner m = Make(f);
        const ReplyAction a = Reply(m, Request(command), kT0, AlwaysQuirk(q));
        EXPECT_EQ(a.delivery, Delivery::kSend);
        const std::string body = WithoutNul(a.bytes);
        EXPECT_FALSE(json::accept(body)) << body;
      }
    }
  }
}

TEST(FaultsTest, PyasicRepairsUndoTheRepairableQuirks) {
  const Quirk kRepairable[] = {Quirk::kTrailingComma,    Quirk::kMissingObjectComma,
                               Quirk::kLeadingListComma, Quirk::kMissingCommaBeforeTemp0,
                               Quirk::kBareInfNan,       Quirk::kRawNewline};
  for (FirmwareFamily f : kFamilies) {
    for (Quirk q : kRepairable) {
      SCOPED_TRACE(std::string(FamilyName(f)) + " " + std::string(QuirkName(q)));
      // pools and devs hold several objects, where "}{" belongs.
      EmulatedMiner m = Make(f);
      const std::string body = WithoutNul(Reply(m, Request("pools"), kT0, AlwaysQuirk(q)).bytes);
      const std::string repaired = PyasicRepair(body);
      ASSERT_TRUE(json::accept(repaired)) << repaired;
      if (q == Quirk::kMissingCommaBeforeTemp0) {
        EXPECT_TRUE(json::parse(repaired)["STATUS"][0].contains("temp0"));
      }
    }
  }
}

TEST(FaultsTest, QuirksLeaveStringsAlone) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const std::string body =
      WithoutNul(Reply(m, Request("pools"), kT0, AlwaysQuirk(Quirk::kBareInfNan)).bytes);
  EXPECT_NE(body.find("stratum+tcp://btc.pool-a.example:3333"), std::string::npos);
  EXPECT_TRUE(body.find(":nan") != std::string::npos || body.find(":inf") != std::string::npos);
  const std::string newline =
      WithoutNul(Reply(m, Request("summary"), kT0, AlwaysQuirk(Quirk::kRawNewline)).bytes);
  EXPECT_NE(newline.find("\"Msg\":\"S\nummary\""), std::string::npos) << newline;
}

TEST(FaultsTest, MissingObjectCommaHitsTheListOfObjects) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  const std::string body =
      WithoutNul(Reply(m, Request("stats"), kT0, AlwaysQuirk(Quirk::kMissingObjectComma)).bytes);
  // The real bmminer shape: STATS[0] and STATS[1] without a comma.
  EXPECT_NE(body.find("\"Type\":\"Antminer S19 XP\"}{\"STATS\":0"), std::string::npos) << body;
}

TEST(FaultsTest, TruncatedIsAProperPrefixOfTheReply) {
  for (int serial = 0; serial < 20; ++serial) {
    EmulatedMiner clean = Make(FirmwareFamily::kCgminer);
    EmulatedMiner cut = Make(FirmwareFamily::kCgminer);
    for (int i = 0; i < serial; ++i) {  // move both to the same reply serial
      ReplyBytes(clean, "version", kT0);
      ReplyBytes(cut, "version", kT0);
    }
    const std::string whole = WithoutNul(ReplyBytes(clean, Request("summary"), kT0));
    const std::string part =
        WithoutNul(Reply(cut, Request("summary"), kT0, AlwaysQuirk(Quirk::kTruncated)).bytes);
    ASSERT_LT(part.size(), whole.size());
    EXPECT_GE(part.size(), whole.size() * 3 / 10);
    EXPECT_EQ(whole.compare(0, part.size(), part), 0);
  }
}

TEST(FaultsTest, MissingNulLeavesAValidBody) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const std::string bytes =
      Reply(m, Request("summary"), kT0, AlwaysQuirk(Quirk::kMissingNul)).bytes;
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.back(), '\0');
  EXPECT_EQ(bytes.find('\0'), std::string::npos);
  EXPECT_TRUE(json::accept(bytes));
}

TEST(FaultsTest, HangAndResetSendNothingAndDoNotRunTheCommand) {
  FaultPlan hang;
  hang.hang = 1;
  EmulatedMiner m = Make(FirmwareFamily::kBraiins);
  ReplyAction a = Reply(m, Request("pause"), kT0, hang);
  EXPECT_EQ(a.delivery, Delivery::kHang);
  EXPECT_TRUE(a.bytes.empty());
  EXPECT_EQ(m.state(), MinerState::kRunning);

  FaultPlan reset;
  reset.reset = 1;
  a = Reply(m, Request("pause"), At(1), reset);
  EXPECT_EQ(a.delivery, Delivery::kReset);
  EXPECT_TRUE(a.bytes.empty());
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_EQ(m.now(), At(1));  // time still moves
}

TEST(FaultsTest, LostReplyRunsTheCommandThenResets) {
  FaultPlan lost;
  lost.lost_reply = 1;
  EmulatedMiner m = Make(FirmwareFamily::kBraiins);
  const ReplyAction a = Reply(m, Request("pause"), kT0, lost);
  EXPECT_EQ(a.delivery, Delivery::kReset);
  EXPECT_TRUE(a.bytes.empty());
  EXPECT_EQ(m.state(), MinerState::kRampingDown);  // it did pause
}

TEST(FaultsTest, SlowAnswersCarryTheDelay) {
  FaultPlan slow;
  slow.slow = 1;
  slow.slow_delay = Seconds(12);
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const ReplyAction a = Reply(m, Request("summary"), kT0, slow);
  EXPECT_EQ(a.delivery, Delivery::kSlow);
  EXPECT_EQ(a.delay, Seconds(12));
  EXPECT_TRUE(json::accept(WithoutNul(a.bytes)));
}

TEST(FaultsTest, RebootFaultShowsZeroHashrateAndShortUptime) {
  FaultPlan plan;
  plan.reboot = 1;
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const json s = json::parse(WithoutNul(Reply(m, Request("summary"), At(100), plan).bytes));
  EXPECT_EQ(s["SUMMARY"][0]["Elapsed"], 0);
  EXPECT_EQ(s["SUMMARY"][0]["MHS 5s"], 0.0);
  EXPECT_EQ(s["SUMMARY"][0]["Accepted"], 0);
  EXPECT_EQ(m.state(), MinerState::kRebooting);
  // Still rebooting 30 s later: no new reboot, uptime keeps counting.
  const json later = json::parse(WithoutNul(Reply(m, Request("summary"), At(130), plan).bytes));
  EXPECT_EQ(later["SUMMARY"][0]["Elapsed"], 30);
}

TEST(FaultsTest, MisreportedWattageScalesWhatTheMinerSays) {
  FaultPlan plan;
  plan.power_misreport_fraction = 0.1;
  EmulatedMiner lux = Make(FirmwareFamily::kLuxos);
  const json p = json::parse(WithoutNul(Reply(lux, Request("power"), kT0, plan).bytes));
  EXPECT_EQ(p["POWER"][0]["Watts"], 3311);  // 3010 × 1.1
  EXPECT_DOUBLE_EQ(lux.power().value(), 3010);
  EmulatedMiner bt = Make(FirmwareFamily::kWhatsminerV3);
  bt.set_power_misreport(-0.05);
  const json s = json::parse(WithoutNul(Reply(bt, Request("summary"), kT0, plan).bytes));
  EXPECT_EQ(s["SUMMARY"][0]["Power"], 3161);  // 3010 × (1 - 0.05 + 0.1) = 3160.5
}

TEST(FaultsTest, FaultsAreDeterministicPerSeed) {
  FaultPlan plan;
  plan.hang = 0.2;
  plan.reset = 0.1;
  plan.slow = 0.2;
  for (Quirk q : kAllQuirks) plan.quirk_probability(q) = 0.05;
  auto run = [&plan](std::uint64_t seed) {
    EmulatedMiner m = Make(FirmwareFamily::kLuxos, seed);
    std::vector<std::string> out;
    for (int i = 0; i < 200; ++i) {
      const ReplyAction a = Reply(m, Request("summary"), At(i * 10), plan);
      out.push_back(std::string(DeliveryName(a.delivery)) + ":" + a.bytes);
    }
    return out;
  };
  const std::vector<std::string> a = run(1), b = run(1), c = run(2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  const auto hangs = std::count_if(a.begin(), a.end(),
                                   [](const std::string& s) { return s.rfind("hang:", 0) == 0; });
  EXPECT_GT(hangs, 20);  // about 40 of 200
  EXPECT_LT(hangs, 65);
}

TEST(FaultsTest, DrawsOfOneFaultDoNotShiftWithAnother) {
  FaultPlan a, b;
  a.hang = 0.5;
  b.hang = 0.5;
  b.slow = 0.9;
  for (std::uint64_t serial = 0; serial < 100; ++serial)
    EXPECT_EQ(DrawFaults(a, 9, serial).hang, DrawFaults(b, 9, serial).hang);
}

}  // namespace
}  // namespace mullet
