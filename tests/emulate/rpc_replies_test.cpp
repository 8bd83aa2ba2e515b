#include "emulate/rpc_replies.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_miners.h"

namespace mullet {
namespace {

using nlohmann::json;

using testing_miners::At;
using testing_miners::kFamilies;
using testing_miners::kT0;

EmulatedMiner Make(FirmwareFamily f, bool atm = false) {
  MinerOptions o;
  o.model =
      AsicModel{"Bitmain", "Antminer S19j Pro", TerahashPerSecond(100), Watts(3050), 0, 0, "t"};
  o.family = f;
  o.id = "127.0.0.9";
  o.seed = 11;
  o.start = kT0;
  o.uptime_at_start = Seconds(3600);
  o.unit_variation = 0;
  o.hashrate_noise = 0;
  o.atm_enabled = atm;
  return std::move(EmulatedMiner::Create(o)).value();
}

std::string Request(const std::string& command, const std::string& parameter = "") {
  json j = {{"command", command}};
  if (!parameter.empty()) j["parameter"] = parameter;
  return j.dump();
}

// Strips the NUL cgminer frames every reply with and parses strictly.
json Parse(const std::string& bytes) {
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.back(), '\0') << "reply must end with NUL";
  const std::string body = bytes.substr(0, bytes.size() - 1);
  EXPECT_EQ(body.find('\0'), std::string::npos);
  EXPECT_TRUE(json::accept(body)) << body;
  return json::parse(body, nullptr, false);
}

json Ask(EmulatedMiner& m, const std::string& command, const std::string& parameter = "",
         UtcTime now = kT0) {
  return Parse(ReplyBytes(m, Request(command, parameter), now));
}

const json& StatusOf(const json& reply) { return reply["STATUS"][0]; }

TEST(RpcRepliesTest, EveryReportCommandParsesWithItsCodeForEveryFamily) {
  struct Expect {
    const char* command;
    int code;
    const char* section;
  };
  const Expect kExpect[] = {{"summary", 11, "SUMMARY"}, {"devs", 9, "DEVS"},
                            {"pools", 7, "POOLS"},      {"stats", 70, "STATS"},
                            {"version", 22, "VERSION"}, {"config", 33, "CONFIG"}};
  for (FirmwareFamily f : kFamilies) {
    EmulatedMiner m = Make(f);
    for (const Expect& e : kExpect) {
      SCOPED_TRACE(std::string(FamilyName(f)) + " " + e.command);
      const std::string bytes = ReplyBytes(m, Request(e.command), kT0);
      EXPECT_NE(bytes.find(",\"id\":1}"), std::string::npos);
      const json r = Parse(bytes);
      EXPECT_EQ(r["id"], 1);
      EXPECT_EQ(StatusOf(r)["When"], kT0.time_since_epoch().count());
      EXPECT_TRUE(StatusOf(r)["Description"].is_string());
      if (f == FirmwareFamily::kBmminer && std::string(e.command) == "config") {
        EXPECT_EQ(StatusOf(r)["STATUS"], "E");  // stock Antminers deny config
        EXPECT_EQ(StatusOf(r)["Code"], 45);
        EXPECT_EQ(StatusOf(r)["Msg"], "Access denied to 'config' command");
        continue;
      }
      EXPECT_EQ(StatusOf(r)["STATUS"], "S");
      EXPECT_EQ(StatusOf(r)["Code"], e.code);
      ASSERT_TRUE(r.contains(e.section));
      EXPECT_GE(r[e.section].size(), 1u);
    }
  }
}

TEST(RpcRepliesTest, DescriptionsAndMessagesNameTheFamily) {
  EmulatedMiner bm = Make(FirmwareFamily::kBmminer);
  EXPECT_EQ(StatusOf(Ask(bm, "summary"))["Description"], "bmminer 1.0.0");
  EXPECT_EQ(StatusOf(Ask(bm, "stats"))["Msg"], "BMMiner stats");
  EmulatedMiner cg = Make(FirmwareFamily::kCgminer);
  EXPECT_EQ(StatusOf(Ask(cg, "summary"))["Description"], "cgminer 4.11.1");
  EXPECT_EQ(StatusOf(Ask(cg, "version"))["Msg"], "CGMiner versions");
  EXPECT_EQ(StatusOf(Ask(cg, "pools"))["Msg"], std::to_string(cg.pools().size()) + " Pool(s)");
  EXPECT_EQ(StatusOf(Ask(cg, "devs"))["Msg"], "3 ASC(s)");
  EmulatedMiner lux = Make(FirmwareFamily::kLuxos);
  EXPECT_EQ(StatusOf(Ask(lux, "version"))["Msg"], "LUXminer versions");
  EXPECT_EQ(std::string(StatusOf(Ask(lux, "summary"))["Description"]).rfind("LUXminer ", 0), 0u);
}

TEST(RpcRepliesTest, CgminerSummaryHasTheDocumentedFields) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const json s = Ask(m, "summary")["SUMMARY"][0];
  for (const char* key : {"Elapsed",
                          "MHS av",
                          "MHS 5s",
                          "MHS 1m",
                          "MHS 5m",
                          "MHS 15m",
                          "Found Blocks",
                          "Getworks",
                          "Accepted",
                          "Rejected",
                          "Hardware Errors",
                          "Utility",
                          "Discarded",
                          "Stale",
                          "Get Failures",
                          "Local Work",
                          "Remote Failures",
                          "Network Blocks",
                          "Total MH",
                          "Work Utility",
                          "Difficulty Accepted",
                          "Difficulty Rejected",
                          "Difficulty Stale",
                          "Best Share",
                          "Device Hardware%",
                          "Device Rejected%",
                          "Pool Rejected%",
                          "Pool Stale%",
                          "Last getwork"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_NEAR(s["MHS 5s"].get<double>(), 100e6, 1);
  EXPECT_NEAR(s["MHS av"].get<double>(), 100e6, 1);
  EXPECT_EQ(s["Elapsed"], 3600);
  EXPECT_GT(s["Accepted"].get<int>(), 0);
}

TEST(RpcRepliesTest, BmminerReportsGigahashWithTheFiveSecondRateAsAString) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  const json s = Ask(m, "summary")["SUMMARY"][0];
  ASSERT_TRUE(s["GHS 5s"].is_string());
  EXPECT_EQ(s["GHS 5s"], "100000.00");
  ASSERT_TRUE(s["GHS av"].is_number());
  EXPECT_NEAR(s["GHS av"].get<double>(), 100000, 0.01);
  EXPECT_FALSE(s.contains("MHS av"));
}

TEST(RpcRepliesTest, BmminerStatsCarryFansTemperaturesAndChainRates) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  const json r = Ask(m, "stats");
  ASSERT_EQ(r["STATS"].size(), 2u);
  EXPECT_EQ(r["STATS"][0]["BMMiner"], "1.0.0");
  EXPECT_EQ(r["STATS"][0]["Type"], "Antminer S19j Pro");
  const json& d = r["STATS"][1];
  for (const char* key : {"Elapsed", "GHS 5s", "GHS av", "fan1", "fan4", "temp1", "temp3",
                          "temp2_1", "chain_acn1", "chain_acs1", "total_rateideal", "rate_unit"})
    EXPECT_TRUE(d.contains(key)) << key;
  double chains = 0;
  for (const char* key : {"chain_rate1", "chain_rate2", "chain_rate3"}) {
    ASSERT_TRUE(d[key].is_string()) << key;
    chains += std::stod(d[key].get<std::string>());
  }
  EXPECT_NEAR(chains, 100000, 0.05);
  EXPECT_EQ(d["rate_unit"], "GH/s");
  EXPECT_EQ(d["chain_acn2"], 110);
  EXPECT_GT(d["fan1"].get<int>(), 1000);
  EXPECT_NEAR(d["temp2_1"].get<int>(), 70, 3);
}

TEST(RpcRepliesTest, PoolsListTheFirstAliveAndActive) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const json pools = Ask(m, "pools")["POOLS"];
  ASSERT_GE(pools.size(), 2u);
  EXPECT_EQ(pools[0]["Status"], "Alive");
  EXPECT_EQ(pools[0]["Stratum Active"], true);
  EXPECT_EQ(pools[1]["Stratum Active"], false);
  EXPECT_EQ(pools[0]["User"], "mullet.127.0.0.9");
  EXPECT_EQ(pools[0]["Accepted"], m.accepted_shares());
}

TEST(RpcRepliesTest, VersionCarriesTheKeysDriversFingerprint) {
  EmulatedMiner bm = Make(FirmwareFamily::kBmminer);
  EXPECT_EQ(Ask(bm, "version")["VERSION"][0]["Type"], "Antminer S19j Pro");
  EmulatedMiner cg = Make(FirmwareFamily::kCgminer);
  const json v = Ask(cg, "version")["VERSION"][0];
  EXPECT_EQ(v["CGMiner"], "4.11.1");
  EXPECT_EQ(v["API"], "3.7");
  EmulatedMiner lux = Make(FirmwareFamily::kLuxos);
  EXPECT_TRUE(Ask(lux, "version")["VERSION"][0].contains("LUXminer"));
  EmulatedMiner bos = Make(FirmwareFamily::kBraiins);
  EXPECT_TRUE(Ask(bos, "version")["VERSION"][0].contains("BOSminer"));  // as bosminer_version.json
  EmulatedMiner bt = Make(FirmwareFamily::kWhatsminerV3);
  EXPECT_EQ(StatusOf(Ask(bt, "version"))["Description"], "btminer");
}

TEST(RpcRepliesTest, UnknownCommandIsCode14) {
  EmulatedMiner cg = Make(FirmwareFamily::kCgminer);
  const json r = Ask(cg, "frobnicate");
  EXPECT_EQ(StatusOf(r)["STATUS"], "E");
  EXPECT_EQ(StatusOf(r)["Code"], 14);
  EXPECT_EQ(StatusOf(r)["Msg"], "Invalid command");
  EXPECT_FALSE(StatusOf(r).contains("Description"));  // api.c hides it from probes
  EXPECT_EQ(r.size(), 2u);                            // STATUS and id only
  EmulatedMiner lux = Make(FirmwareFamily::kLuxos);
  EXPECT_TRUE(StatusOf(Ask(lux, "frobnicate")).contains("Description"));
  // LuxOS commands do not exist elsewhere.
  EXPECT_EQ(StatusOf(Ask(cg, "logon"))["Code"], 14);
  EXPECT_EQ(StatusOf(Ask(cg, "pause"))["Code"], 14);
}

TEST(RpcRepliesTest, BmminerRejectsMultiCommand) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  const json r = Ask(m, "summary+devs+pools");
  EXPECT_EQ(StatusOf(r)["STATUS"], "E");
  EXPECT_EQ(StatusOf(r)["Code"], 14);
  EXPECT_FALSE(r.contains("summary"));
}

TEST(RpcRepliesTest, CgminerAnswersMultiCommandInTheDocumentedShape) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const std::string bytes = ReplyBytes(m, Request("summary+devs+pools"), kT0);
  const json r = Parse(bytes);
  EXPECT_EQ(bytes.rfind("{\"summary\":[{\"STATUS\":[{", 0), 0u);
  EXPECT_FALSE(r.contains("STATUS"));
  EXPECT_EQ(r["id"], 1);
  const std::pair<const char*, const char*> kParts[] = {
      {"summary", "SUMMARY"}, {"devs", "DEVS"}, {"pools", "POOLS"}};
  for (const auto& [command, section] : kParts) {
    ASSERT_TRUE(r.contains(command)) << command;
    ASSERT_EQ(r[command].size(), 1u);  // pyasic reads data[cmd][0]
    EXPECT_EQ(r[command][0]["STATUS"][0]["STATUS"], "S");
    EXPECT_TRUE(r[command][0].contains(section));
    EXPECT_EQ(r[command][0]["id"], 1);
  }
}

TEST(RpcRepliesTest, MultiCommandCollapsesDuplicatesSkipsBlanksAndFlagsBadParts) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const json r = Ask(m, "summary+summary++bogus+curtail+profiles");
  EXPECT_EQ(r.size(), 5u);  // summary, bogus, curtail, profiles, id
  EXPECT_EQ(r["bogus"][0]["STATUS"][0]["Code"], 14);
  EXPECT_EQ(r["curtail"][0]["STATUS"][0]["Code"], 45);  // not joinable: a write command
  EXPECT_EQ(r["profiles"][0]["STATUS"][0]["Code"], 323);
  EXPECT_EQ(m.state(), MinerState::kRunning);
}

TEST(RpcRepliesTest, PlainRequestGetsTheTextForm) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  const std::string bytes = ReplyBytes(m, "summary", kT0);
  EXPECT_EQ(bytes.rfind("STATUS=S,When=1700000000,Code=11,Msg=Summary,Description=cgminer 4.11.1|"
                        "SUMMARY,Elapsed=3600,MHS av=",
                        0),
            0u)
      << bytes;
  EXPECT_EQ(bytes.substr(bytes.size() - 2), std::string("|\0", 2));
  const std::string multi = ReplyBytes(m, "version+config", kT0);
  EXPECT_EQ(multi.rfind("CMD=version|STATUS=S,", 0), 0u) << multi;
  EXPECT_NE(multi.find("|CMD=config|STATUS=S,"), std::string::npos);
  // Plain "cmd|param" splits at the bar.
  EXPECT_EQ(ReplyBytes(m, "pools|0", kT0).rfind("STATUS=S,When=1700000000,Code=7,", 0), 0u);
}

TEST(RpcRepliesTest, BadJsonRequestsGetTheirCodes) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  EXPECT_EQ(StatusOf(Parse(ReplyBytes(m, "{\"command\":", kT0)))["Code"], 23);
  EXPECT_EQ(StatusOf(Parse(ReplyBytes(m, "{\"parameter\":\"0\"}", kT0)))["Code"], 24);
  EXPECT_EQ(StatusOf(Parse(ReplyBytes(m, "{\"command\":5}", kT0)))["Code"], 14);
  // A request ends at its first NUL, as the C string api.c reads.
  const std::string with_tail = Request("pools") + std::string(1, '\0') + "xx";
  EXPECT_EQ(StatusOf(Parse(ReplyBytes(m, with_tail, kT0)))["Code"], 7);
}

TEST(RpcRepliesTest, RepliesAdvanceTheMinerToNow) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  EXPECT_EQ(Ask(m, "summary", "", At(600))["SUMMARY"][0]["Elapsed"], 4200);
  EXPECT_EQ(m.now(), At(600));
}

TEST(RpcRepliesTest, AClockGoingBackGetsTheMinersTime) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  Ask(m, "summary", "", At(600));
  const json r = Ask(m, "summary", "", At(300));
  EXPECT_EQ(StatusOf(r)["When"], At(600).time_since_epoch().count());
  EXPECT_EQ(r["SUMMARY"][0]["Elapsed"], 4200);
}

TEST(RpcRepliesTest, WhatsminerSummaryCarriesPower) {
  EmulatedMiner m = Make(FirmwareFamily::kWhatsminerV3);
  const json s = Ask(m, "summary")["SUMMARY"][0];
  EXPECT_EQ(s["Power"], 3050);
  EXPECT_EQ(s["Power Limit"], 3050);
  EXPECT_TRUE(s.contains("MHS 5s"));
  EXPECT_GT(s["Fan Speed In"].get<int>(), 0);
  const json board = Ask(m, "devs")["DEVS"][2];
  EXPECT_EQ(board["Slot"], 2);
  EXPECT_EQ(board["Effective Chips"], 110);
}

void ExpectSortedKeys(const nlohmann::ordered_json& j) {
  if (j.is_object()) {
    std::string last;
    for (const auto& [key, value] : j.items()) {
      EXPECT_LE(last, key);
      last = key;
      ExpectSortedKeys(value);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) ExpectSortedKeys(v);
  }
}

TEST(RpcRepliesTest, LuxosSortsKeysAsItsSerializerDoes) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  for (const char* c : {"summary", "stats", "pools", "atm", "summary+devs"}) {
    const std::string bytes = ReplyBytes(m, Request(c), kT0);
    ExpectSortedKeys(nlohmann::ordered_json::parse(bytes.substr(0, bytes.size() - 1)));
  }
}

// ---- LuxOS sessions and control.

std::string Logon(EmulatedMiner& m, UtcTime now) {
  const json r = Ask(m, "logon", "", now);
  EXPECT_EQ(StatusOf(r)["Code"], 316);
  return r["SESSION"][0]["SessionID"];
}

TEST(RpcRepliesTest, LuxosAllowsOneSessionAtATime) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const std::string id = Logon(m, kT0);
  EXPECT_EQ(id.size(), 8u);
  const json second = Ask(m, "logon", "", At(30));
  EXPECT_EQ(StatusOf(second)["STATUS"], "E");
  EXPECT_EQ(StatusOf(second)["Code"], 402);
  EXPECT_EQ(StatusOf(second)["Msg"], "Another session is active");
  EXPECT_FALSE(second.contains("SESSION"));
  EXPECT_EQ(Ask(m, "session", "", At(30))["SESSION"][0]["SessionID"], id);
  EXPECT_EQ(StatusOf(Ask(m, "logoff", id, At(31)))["STATUS"], "S");
  EXPECT_EQ(Ask(m, "session", "", At(31))["SESSION"][0]["SessionID"], "");
  EXPECT_EQ(StatusOf(Ask(m, "session", "", At(31)))["Code"], 319);
  Logon(m, At(32));
}

TEST(RpcRepliesTest, LuxosSessionExpiresAfterAMinuteIdle) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const std::string id = Logon(m, kT0);
  EXPECT_EQ(StatusOf(Ask(m, "logon", "", At(59)))["Code"], 402);
  const std::string next = Logon(m, At(60));
  EXPECT_NE(next, id);
  EXPECT_EQ(StatusOf(Ask(m, "curtail", id + ",sleep", At(61)))["Code"], 401);  // the old one
}

TEST(RpcRepliesTest, LuxosUseRefreshesTheSession) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const std::string id = Logon(m, kT0);
  EXPECT_EQ(StatusOf(Ask(m, "curtail", id + ",wakeup", At(50)))["STATUS"], "S");
  EXPECT_EQ(StatusOf(Ask(m, "logon", "", At(100)))["Code"], 402);  // still live at 100
  EXPECT_EQ(StatusOf(Ask(m, "logon", "", At(110)))["Code"], 316);
}

TEST(RpcRepliesTest, LuxosCurtailNeedsTheSessionId) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  EXPECT_EQ(StatusOf(Ask(m, "curtail", "sleep"))["Code"], 401);  // "sleep" is not the session
  EXPECT_EQ(StatusOf(Ask(m, "curtail", ""))["Code"], 400);
  const std::string id = Logon(m, kT0);
  EXPECT_EQ(StatusOf(Ask(m, "curtail", "XXXXXXXX,sleep"))["Code"], 401);
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_EQ(StatusOf(Ask(m, "curtail", id + ",nap"))["Code"], 400);

  const json sleep = Ask(m, "curtail", id + ",sleep", At(10));
  EXPECT_EQ(StatusOf(sleep)["Code"], 335);
  EXPECT_EQ(sleep["CURTAIL"][0]["Action"], "sleep mode");
  EXPECT_EQ(Ask(m, "power", "", At(15))["POWER"][0]["Watts"], 25);  // < 5 s to ~25 W
  EXPECT_EQ(Ask(m, "summary", "", At(15))["SUMMARY"][0]["GHS 5s"], 0.0);

  const json wake = Ask(m, "curtail", id + ",wakeup", At(20));
  EXPECT_EQ(wake["CURTAIL"][0]["Action"], "wake up");
  EXPECT_EQ(Ask(m, "power", "", At(30))["POWER"][0]["Watts"], 3050);  // < 10 s to full
}

TEST(RpcRepliesTest, LuxosProfileChangeFailsWhileAtmIsOn) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos, /*atm=*/true);
  const std::string id = Logon(m, kT0);
  EXPECT_EQ(Ask(m, "atm")["ATM"][0]["Enabled"], true);
  const json refused = Ask(m, "profileset", id + ",eco", At(1));
  EXPECT_EQ(StatusOf(refused)["STATUS"], "E");
  EXPECT_NE(std::string(StatusOf(refused)["Msg"]).find("ATM"), std::string::npos);
  EXPECT_EQ(Ask(m, "config", "", At(1))["CONFIG"][0]["Profile"], "default");

  const json off = Ask(m, "atmset", id + ",enabled=false", At(2));
  EXPECT_EQ(StatusOf(off)["Code"], 340);
  EXPECT_EQ(off["ATM"][0]["Enabled"], false);
  const json set = Ask(m, "profileset", id + ",eco", At(3));
  EXPECT_EQ(StatusOf(set)["Code"], 321);
  EXPECT_EQ(set["PROFILE"][0]["Profile"], "eco");
  EXPECT_EQ(Ask(m, "config", "", At(3))["CONFIG"][0]["Profile"], "eco");
  EXPECT_EQ(Ask(m, "power", "", At(20))["POWER"][0]["Watts"], 2440);
  EXPECT_EQ(StatusOf(Ask(m, "profileset", id + ",warp", At(21)))["Code"], 400);
  EXPECT_EQ(StatusOf(Ask(m, "atmset", id + ",colour=red", At(22)))["Code"], 400);
  EXPECT_EQ(StatusOf(Ask(m, "profileset", "eco", At(23)))["Code"], 401);
}

TEST(RpcRepliesTest, LuxosListsProfilesAndReportsWatts) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const json p = Ask(m, "profiles")["PROFILES"];
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0]["Profile Name"], "eco");
  EXPECT_EQ(p[0]["Watts"], 2440);
  EXPECT_NEAR(p[2]["Hashrate"].get<double>(), 100 * std::pow(1.1, 0.65), 0.01);
  EXPECT_TRUE(p[1].contains("Frequency"));
  EXPECT_EQ(Ask(m, "power")["POWER"][0]["Watts"], 3050);
  EXPECT_EQ(StatusOf(Ask(m, "kill"))["STATUS"], "S");
}

TEST(RpcRepliesTest, BraiinsPausesAndResumes) {
  EmulatedMiner m = Make(FirmwareFamily::kBraiins);
  const json pause = Ask(m, "pause");
  ASSERT_TRUE(pause.contains("PAUSE"));
  EXPECT_FALSE(pause["PAUSE"][0].empty());  // pyasic checks data["PAUSE"][0]
  EXPECT_EQ(m.state(), MinerState::kRampingDown);
  m.AdvanceTo(At(15));
  EXPECT_EQ(m.state(), MinerState::kSleeping);
  EXPECT_EQ(Ask(m, "tunerstatus", "", At(15))["TUNERSTATUS"][0]["ApproximateMinerPowerConsumption"],
            25);
  const json resume = Ask(m, "resume", "", At(20));
  ASSERT_TRUE(resume.contains("RESUME"));
  m.AdvanceTo(At(80));
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_NEAR(Ask(m, "summary", "", At(80))["SUMMARY"][0]["MHS 5s"].get<double>(), 100e6, 1);
}

}  // namespace
}  // namespace mullet
