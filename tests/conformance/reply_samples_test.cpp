// The emulator's replies against reply samples written from the protocol
// documents and captured firmware output (tests/testdata/cgminer; sources in
// its README). The driver is tested against the emulator elsewhere; this test
// keeps the emulator honest on its own, so that the two cannot merely agree
// with each other: every section, every key and the JSON type of every value
// in a sample's first entry must appear in the emulator's reply to the same
// command from a miner of the same firmware.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "drivers/cgminer/reply.h"
#include "emulate/rpc_replies.h"
#include "../emulate/test_miners.h"

namespace mullet {
namespace {

using nlohmann::json;
using testing_miners::kT0;

struct Case {
  FirmwareFamily family;
  const char* command;
  const char* sample;  // file in tests/testdata/cgminer
};

// Keys the emulator leaves out on purpose; each says why. Anything else missing fails.
bool Excused(const std::string& sample, const std::string& key) {
  // bmminer's STATS[1] holds per-board keys for every chain slot the S9 sample had
  // (chain_acn1..16, temp2_1..16, ...); the emulator prints its own 3 boards.
  if (sample == "bmminer_stats.json") {
    for (const char* prefix : {"chain_", "temp", "fan", "freq_avg", "chain_hw", "chain_rate"}) {
      if (key.rfind(prefix, 0) == 0) return true;
    }
  }
  return false;
}

std::string TypeOf(const json& v) {
  if (v.is_number()) return "number";
  return v.type_name();
}

json Parse(const std::string& bytes, const std::string& what) {
  Result<cgminer::ParsedReply> r = cgminer::ParseReply(bytes);
  EXPECT_TRUE(r.ok()) << what << ": " << (r.ok() ? "" : r.status().message());
  return r.ok() ? r->json : json();
}

std::string ReadSample(const std::string& name) {
  std::ifstream in(std::string(MULLET_TESTDATA) + "/cgminer/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

EmulatedMiner Make(FirmwareFamily f) {
  MinerOptions o;
  o.model = AsicModel{"Bitmain", "Antminer S19j Pro", TerahashPerSecond(100), Watts(3050), 0, 0, "t"};
  o.family = f;
  o.id = "127.0.0.9";
  o.seed = 5;
  o.start = kT0;
  o.uptime_at_start = Seconds(3600);
  return std::move(EmulatedMiner::Create(o)).value();
}

// Every key of `sample` in `emulated`, with the same JSON type (numbers of any
// kind alike; a numeric string in the sample accepts a number and vice versa,
// since firmware prints both: "GHS 5s":"13998.08").
void ExpectEntryCovers(const json& sample, const json& emulated, const std::string& where,
                       const std::string& file) {
  ASSERT_TRUE(emulated.is_object()) << where;
  for (const auto& [key, value] : sample.items()) {
    if (Excused(file, key)) continue;
    auto it = emulated.find(key);
    if (it == emulated.end()) {
      ADD_FAILURE() << where << ": the emulator has no '" << key << "' (sample " << file << ")";
      continue;
    }
    const bool loose = (value.is_string() && it->is_number()) || (value.is_number() && it->is_string());
    if (!loose) {
      EXPECT_EQ(TypeOf(*it), TypeOf(value)) << where << "." << key;
    }
  }
}

// Sections of `sample` (the uppercase lists and, for a multi-command, the
// per-command keys) must be in `emulated` with a first entry that covers the sample's.
void ExpectCovers(const json& sample, const json& emulated, const std::string& file, const std::string& where) {
  for (const auto& [section, value] : sample.items()) {
    if (!value.is_array() && !value.is_object()) continue;  // "id", "STATUS" as a string
    ASSERT_TRUE(emulated.contains(section)) << where << ": no section " << section << " (sample " << file << ")";
    const json& e = emulated[section];
    if (value.is_array() && !value.empty() && value[0].is_object()) {
      ASSERT_TRUE(e.is_array() && !e.empty()) << where << "." << section;
      // A multi-command section holds a whole reply: recurse.
      if (value[0].contains("STATUS") && section != "STATUS") {
        ExpectCovers(value[0], e[0], file, where + "." + section);
      } else if (section == "STATUS") {
        // Code and Msg are per command; the shape is what must match.
        for (const char* key : {"STATUS", "When", "Code", "Msg"}) {
          if (value[0].contains(key)) {
            EXPECT_TRUE(e[0].contains(key)) << where << ".STATUS." << key;
          }
        }
      } else {
        ExpectEntryCovers(value[0], e[0], where + "." + section + "[0]", file);
      }
    }
  }
}

class ReplySamplesTest : public ::testing::TestWithParam<Case> {};

TEST_P(ReplySamplesTest, EmulatorReplyHasTheSamplesShape) {
  const Case c = GetParam();
  EmulatedMiner m = Make(c.family);
  const json request = {{"command", c.command}};
  const std::string where = std::string(FamilyName(c.family)) + " " + c.command;
  const json emulated = Parse(ReplyBytes(m, request.dump(), kT0), "emulator " + where);
  const json sample = Parse(ReadSample(c.sample), c.sample);
  ExpectCovers(sample, emulated, c.sample, where);
  // STATUS letter and code agree where the sample has a single STATUS.
  Result<cgminer::StatusReading> se = cgminer::ReadStatus(emulated);
  Result<cgminer::StatusReading> ss = cgminer::ReadStatus(sample);
  if (ss.ok()) {
    ASSERT_TRUE(se.ok()) << where;
    EXPECT_EQ(se->status, ss->status) << where;
    if (ss->code != 0) {  // some samples carry no Code
      EXPECT_EQ(se->code, ss->code) << where;
    }
  }
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Firmware, ReplySamplesTest, ::testing::Values(
    Case{FirmwareFamily::kBmminer, "summary", "bmminer_summary.json"},
    Case{FirmwareFamily::kBmminer, "stats", "bmminer_stats.json"},
    Case{FirmwareFamily::kBmminer, "version", "bmminer_version.json"},
    Case{FirmwareFamily::kBmminer, "config", "access_denied.json"},
    Case{FirmwareFamily::kCgminer, "summary", "cgminer_summary.json"},
    Case{FirmwareFamily::kCgminer, "devs", "cgminer_devs.json"},
    Case{FirmwareFamily::kCgminer, "pools", "cgminer_pools.json"},
    Case{FirmwareFamily::kCgminer, "config", "cgminer_config.json"},
    Case{FirmwareFamily::kCgminer, "version", "cgminer_version.json"},
    Case{FirmwareFamily::kCgminer, "summary+devs", "multi_summary_devs.json"},
    Case{FirmwareFamily::kLuxos, "version", "luxminer_version.json"},
    Case{FirmwareFamily::kBraiins, "version", "bosminer_version.json"},
    Case{FirmwareFamily::kWhatsminerV3, "version", "btminer_version.json"},
    Case{FirmwareFamily::kWhatsminerV3, "summary", "whatsminer_summary.json"}),
    [](const ::testing::TestParamInfo<Case>& i) {
      std::string name = std::string(FamilyName(i.param.family)) + "_" + i.param.command;
      for (char& ch : name) if (ch == '+') ch = '_';
      return name;
    });
// clang-format on

TEST(ReplySamplesTest, StockAntminerRefusesAJoinedCommandAsTheSampleDoes) {
  // multi_bad_command.json: a joined command with an unknown part answers that
  // part with Code 14; stock bmminer refuses the whole join the same way.
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  const json reply = Parse(ReplyBytes(m, json{{"command", "summary+devs"}}.dump(), kT0), "bmminer summary+devs");
  Result<cgminer::StatusReading> s = cgminer::ReadStatus(reply);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->status, "E");
  EXPECT_EQ(s->code, 14);
  const json sample = Parse(ReadSample("multi_bad_command.json"), "multi_bad_command.json");
  Result<cgminer::StatusReading> bogus = cgminer::ReadStatus(sample["bogus"][0]);
  ASSERT_TRUE(bogus.ok());
  EXPECT_EQ(bogus->code, s->code);
  EXPECT_EQ(bogus->status, s->status);
}

}  // namespace
}  // namespace mullet
