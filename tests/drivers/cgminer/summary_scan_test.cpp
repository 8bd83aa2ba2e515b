// The fast `summary` reader against the full path (ParseReply, CheckStatus,
// ReadSummary): wherever the scanner answers, its reading must be the full
// path's, bit for bit; where it is unsure it must decline. Held on the
// emulator's replies of every firmware, on the hand-written samples and quirk
// replies of testdata/cgminer, on hand-made corner cases, and on seeded
// mutations of all of them (a failure prints its seed; MULLET_SEED=<seed>
// reruns from it).

#include "drivers/cgminer/summary_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/cgminer/reply.h"
#include "drivers/cgminer/sweep.h"
#include "emulate/faults.h"
#include "emulate/rpc_replies.h"
#include "../../emulate/test_miners.h"

namespace mullet::cgminer {
namespace {

namespace fs = std::filesystem;
using internal::ScanSummary;
using testing_miners::At;
using testing_miners::kFamilies;

const fs::path kSamples = fs::path(MULLET_TESTDATA) / "cgminer";

std::uint64_t BaseSeed() {
  const char* env = std::getenv("MULLET_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20240611;
}

std::string Bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> Samples() {
  std::vector<fs::path> out;
  for (const fs::path& dir : {kSamples, kSamples / "quirks"}) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The full path, as the sweep takes it: a reading only when no repair beyond
// cgminer's NUL framing was needed and the STATUS and the summary are good.
std::optional<SummaryReading> FullPath(std::string_view bytes) {
  Result<ParsedReply> parsed = ParseReply(bytes);
  if (!parsed.ok()) return std::nullopt;
  for (ReplyQuirk q : parsed->quirks) {
    if (q != ReplyQuirk::kTrailingNul) return std::nullopt;
  }
  if (Status s = CheckStatus(parsed->json); !s.ok()) return std::nullopt;
  Result<SummaryReading> r = ReadSummary(parsed->json);
  if (!r.ok()) return std::nullopt;
  return *r;
}

std::uint64_t Bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// When the scanner answers, the full path reads the same, bit for bit.
::testing::AssertionResult AgreesWithFullPath(std::string_view bytes) {
  const std::optional<SummaryReading> fast = ScanSummary(bytes);
  if (!fast) return ::testing::AssertionSuccess();
  const std::optional<SummaryReading> full = FullPath(bytes);
  if (!full) return ::testing::AssertionFailure() << "the scanner read a reply the full path does not";
  if (Bits(fast->hashrate_5s.value()) != Bits(full->hashrate_5s.value()) ||
      Bits(fast->hashrate_avg.value()) != Bits(full->hashrate_avg.value()) ||
      Bits(fast->elapsed_s) != Bits(full->elapsed_s) || fast->accepted != full->accepted ||
      fast->rejected != full->rejected || fast->hardware_errors != full->hardware_errors) {
    return ::testing::AssertionFailure()
           << "readings differ: 5s " << fast->hashrate_5s.value() << " / " << full->hashrate_5s.value()
           << ", av " << fast->hashrate_avg.value() << " / " << full->hashrate_avg.value() << ", elapsed "
           << fast->elapsed_s << " / " << full->elapsed_s << ", accepted " << fast->accepted << " / "
           << full->accepted << ", rejected " << fast->rejected << " / " << full->rejected << ", hw "
           << fast->hardware_errors << " / " << full->hardware_errors;
  }
  return ::testing::AssertionSuccess();
}

EmulatedMiner Make(FirmwareFamily family, std::uint64_t seed) {
  MinerOptions o;
  o.model = AsicModel{"Bitmain", "Antminer S21", TerahashPerSecond(200), Watts(3500), 0, 0, "t"};
  o.family = family;
  o.id = "127.0.0.9";
  o.seed = seed;
  o.start = testing_miners::kT0;
  o.uptime_at_start = Seconds(3600);
  return std::move(EmulatedMiner::Create(o)).value();
}

const std::string kSummaryRequest = EncodeRequest("summary");

// A summary reply of each family, hashing, asleep, rebooting.
std::vector<std::pair<std::string, std::string>> EmulatedReplies() {
  std::vector<std::pair<std::string, std::string>> out;
  for (FirmwareFamily f : kFamilies) {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      EmulatedMiner m = Make(f, seed);
      const std::string name = std::string(FamilyName(f)) + " seed " + std::to_string(seed);
      out.emplace_back(name + " hashing", ReplyBytes(m, kSummaryRequest, At(60)));
      m.Sleep(At(61));
      out.emplace_back(name + " ramping down", ReplyBytes(m, kSummaryRequest, At(62)));
      out.emplace_back(name + " asleep", ReplyBytes(m, kSummaryRequest, At(3600)));
      m.Wake(At(3601));
      m.Reboot(At(3700));
      out.emplace_back(name + " rebooting", ReplyBytes(m, kSummaryRequest, At(3701)));
    }
  }
  return out;
}

TEST(SummaryScanTest, ReadsEveryEmulatedFirmwareAsTheFullPathDoes) {
  for (const auto& [name, bytes] : EmulatedReplies()) {
    ASSERT_TRUE(ScanSummary(bytes).has_value()) << name << ": " << bytes;
    EXPECT_TRUE(AgreesWithFullPath(bytes)) << name;
  }
}

TEST(SummaryScanTest, AgreesWithTheFullPathOnEverySample) {
  for (const fs::path& f : Samples()) EXPECT_TRUE(AgreesWithFullPath(Bytes(f))) << f;
  // The summaries written from the firmware's own output are read, NUL and all.
  for (const char* name : {"cgminer_summary.json", "bmminer_summary.json"}) {
    const std::string bytes = Bytes(kSamples / name);
    EXPECT_TRUE(ScanSummary(bytes).has_value()) << name;
    EXPECT_TRUE(ScanSummary(bytes + '\0').has_value()) << name;
  }
}

TEST(SummaryScanTest, LeavesEveryRepairToTheFullPath) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos, 3);
  std::string body = ReplyBytes(m, kSummaryRequest, At(60));
  while (!body.empty() && body.back() == '\0') body.pop_back();
  for (Quirk q : kAllQuirks) {
    FaultDraw draw;
    draw.quirk[static_cast<int>(q)] = true;
    const std::string bytes = ApplyQuirks(body, draw, 70);
    if (q == Quirk::kMissingNul) {
      EXPECT_TRUE(ScanSummary(bytes).has_value());
    } else {
      EXPECT_FALSE(ScanSummary(bytes).has_value()) << QuirkName(q) << ": " << bytes;
    }
    EXPECT_TRUE(AgreesWithFullPath(bytes)) << QuirkName(q);
  }
}

// A summary reply with `summary` as SUMMARY[0]'s members and `status` as STATUS[0]'s.
std::string Reply(const std::string& summary, const std::string& status = R"("STATUS":"S","Code":11)") {
  return R"({"STATUS":[{)" + status + R"(}],"SUMMARY":[{)" + summary + R"(}],"id":1})";
}

const std::string kFields = R"("Elapsed":60,"Accepted":5,"Rejected":1,"Hardware Errors":0)";

TEST(SummaryScanTest, ReadsTheFieldsByTheFullPathsRules) {
  const std::string cases[] = {
      Reply(R"("GHS 5s":"7903.729","GHS av":7900.5,)" + kFields),        // bmminer's string rate
      Reply(R"("MHS av":1.5e8,"MHS 5s":120000000,)" + kFields),           // cgminer MH/s
      Reply(R"("MHS av":1,"MHS 20s":3,"KHS 10s":4,"GHS 30m":5,)" + kFields),  // log interval: KHS 10s first
      Reply(R"("THS 5s":0,"GHS 5s":100,"GHS av":" 90 ",)" + kFields),     // GHS before THS
      Reply(R"("GHS 5s":1,"GHS av":1,"Elapsed":-0.0,"Accepted":1e3,"Rejected":"2","Hardware Errors":-0)"),
      Reply(R"("GHS 5s":1,"GHS av":1,)" + kFields, R"("STATUS":"i","Msg":"x\"y\\z\/\n")"),
      Reply(R"("GHS 5s":1,"GHS av":1,"x":[{"a":[true,false,null,{}]},[]],)" + kFields),
  };
  for (const std::string& bytes : cases) {
    EXPECT_TRUE(ScanSummary(bytes).has_value()) << bytes;
    EXPECT_TRUE(AgreesWithFullPath(bytes)) << bytes;
  }
  const std::optional<SummaryReading> r = ScanSummary(cases[2]);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->hashrate_5s.value(), 4e-9);
}

TEST(SummaryScanTest, DeclinesWhatItLeavesToTheFullPath) {
  const std::string rates = R"("GHS 5s":100,"GHS av":100,)";
  const std::string deep = std::string(kMaxReplyDepth, '[') + std::string(kMaxReplyDepth, ']');
  const std::string cases[] = {
      Reply(rates + kFields, R"("STATUS":"W","Code":12)"),          // a warning: the full path words it
      Reply(rates + kFields, R"("STATUS":"E","Code":14)"),          // an error status
      Reply(rates + kFields, R"("Code":11)"),                       // no STATUS letter
      R"({"STATUS":"S","SUMMARY":[{)" + rates + kFields + "}]}",   // STATUS a plain string
      R"({"SUMMARY":[{)" + rates + kFields + "}]}",                 // no STATUS at all
      Reply(rates + kFields + R"(,"GHS 5s":1)"),                    // a key twice
      Reply(R"("MHS 10s":1,"MHS 10s":2,"GHS av":1,)" + kFields),    // the interval key twice
      Reply(rates + kFields) + R"(,"SUMMARY":[])",                  // after the end
      Reply(R"("GHS\u0020 5s":100,"GHS av":100,)" + kFields),       // \u escape
      Reply(R"("GHS\/5s":100,"GHS av":100,)" + kFields),            // an escaped key
      Reply(rates + kFields, R"("STATUS":"S","Msg":"caf\u00e9")"),  // \u in a string
      Reply(rates + kFields, "\"STATUS\":\"S\",\"Msg\":\"caf\xc3\xa9\""),  // UTF-8
      Reply(rates + kFields, "\"STATUS\":\"S\",\"Msg\":\"a\nb\""),  // a raw newline (a repair)
      Reply(rates + R"("Elapsed":60,"Accepted":-5,"Rejected":1,"Hardware Errors":0)"),
      Reply(rates + R"("Elapsed":-1,"Accepted":5,"Rejected":1,"Hardware Errors":0)"),
      Reply(R"("GHS 5s":2e7,"GHS av":100,)" + kFields),             // no miner hashes 20 EH/s
      Reply(R"("GHS 5s":1e400,"GHS av":100,)" + kFields),
      Reply(rates + kFields + R"(,"Difficulty Rejected":1.1e900)"),  // out of range, unread: nlohmann refuses it
      Reply(rates + kFields + ",\"x\":1" + std::string(400, '0')),
      Reply(R"("GHS 5s":true,"GHS av":100,)" + kFields),
      Reply(R"("GHS 5s":"\u0031","GHS av":100,)" + kFields),
      Reply(R"("GHS av":100,)" + kFields),                          // no 5 s rate
      Reply(rates + R"("Elapsed":60,"Accepted":1234567890123456789,"Rejected":1,"Hardware Errors":0)"),
      Reply(rates + R"("Elapsed":60,"Accepted":1.5,"Rejected":1,"Hardware Errors":0)"),
      Reply(rates + kFields + ",\"x\":" + deep),                    // deeper than the limit
      Reply(rates + kFields + ",}"),                                // a trailing comma (a repair)
      Reply(rates + kFields + ",\"x\":01"),
      Reply(rates + kFields + ",\"x\":1.}"),
      Reply(rates + kFields + ",\"x\":nul"),
      "\xef\xbb\xbf" + Reply(rates + kFields),                      // a byte-order mark
      std::string(R"({"STATUS":[],"SUMMARY":[{)") + rates + kFields + "}]}",
      std::string(R"({"STATUS":[{"STATUS":"S"}],"SUMMARY":{)") + rates + kFields + "}}",
      Reply(rates + kFields).substr(0, 60),                         // cut short
      "RESTART",
      "",
  };
  for (const std::string& bytes : cases) {
    EXPECT_FALSE(ScanSummary(bytes).has_value()) << bytes;
    EXPECT_TRUE(AgreesWithFullPath(bytes)) << bytes;
  }
}

// The sweep's verdict on one reply is the same whichever reader took it.
TEST(ClassifySummaryTest, FastReadingAndRepairsAndErrorsAsBefore) {
  const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.9"), 4028);
  const auto classify = [&](std::string bytes) {
    RpcReply r;
    r.outcome = RpcOutcome::kReply;
    r.bytes = std::move(bytes);
    r.elapsed = Seconds(0.25);
    return ClassifySummary(at, r);
  };
  EmulatedMiner m = Make(FirmwareFamily::kLuxos, 2);
  const std::string good = ReplyBytes(m, kSummaryRequest, At(60));
  const MinerSummary ok = classify(good);
  EXPECT_EQ(ok.state, "ok");
  EXPECT_TRUE(ok.error.empty());
  EXPECT_TRUE(ok.quirks.empty());
  EXPECT_EQ(ok.elapsed.count(), 0.25);
  ASSERT_TRUE(ok.summary.has_value());
  EXPECT_EQ(ok.summary->hashrate_5s.value(), FullPath(good)->hashrate_5s.value());

  const std::string rates = R"("GHS 5s":100,"GHS av":100,)";
  const MinerSummary repaired = classify(Reply(rates + kFields + ",") + '\0');
  EXPECT_EQ(repaired.state, "ok");
  EXPECT_EQ(repaired.quirks, std::vector<ReplyQuirk>{ReplyQuirk::kTrailingCommaBeforeBrace});

  const MinerSummary refused = classify(Reply(rates + kFields, R"("STATUS":"E","Code":45,"Msg":"denied")"));
  EXPECT_EQ(refused.state, "error-status");
  EXPECT_NE(refused.error.find("Code 45"), std::string::npos) << refused.error;

  const MinerSummary lying = classify(Reply(R"("GHS 5s":2e7,"GHS av":100,)" + kFields));
  EXPECT_EQ(lying.state, "bad-reply");
  EXPECT_NE(lying.error.find("GHS 5s"), std::string::npos) << lying.error;

  RpcReply silent;
  silent.outcome = RpcOutcome::kReply;
  EXPECT_EQ(ClassifySummary(at, silent).state, "closed");
}

// Cuts, flipped and inserted bytes, JSON tokens: the scanner may decline any
// of them, and must agree with the full path on each it reads.
TEST(SummaryScanPropertyTest, MutatedRepliesNeverDisagree) {
  std::printf("SummaryScanPropertyTest seeds from %llu (MULLET_SEED)\n",
              static_cast<unsigned long long>(BaseSeed()));
  std::vector<std::string> seeds;
  for (const auto& [name, bytes] : EmulatedReplies()) seeds.push_back(bytes);
  for (const fs::path& f : Samples()) seeds.push_back(Bytes(f));
  const std::string kTokens[] = {"{", "}", "[", "]", "\"", ",", ":", "-", "0", "1e9", "\\",
                                 "\"GHS 5s\":", "\"MHS 10s\":", "\"Accepted\":", "\"STATUS\":",
                                 "\"S\"", "\"W\"", "null", " ", std::string(1, '\0'), "\xff", ".5", "e-3"};
  std::uint64_t n = 0;
  int read = 0;
  for (const std::string& original : seeds) {
    for (int i = 0; i < 60; ++i, ++n) {
      const std::uint64_t seed = BaseSeed() + n;
      std::mt19937_64 rng(seed);
      std::string bytes = original;
      const int ops = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < ops && !bytes.empty(); ++k) {
        const std::size_t at = rng() % bytes.size();
        switch (rng() % 4) {
          case 0:
            bytes.resize(at);
            break;
          case 1:
            bytes[at] = static_cast<char>(rng());
            break;
          case 2:
            bytes.insert(at, kTokens[rng() % std::size(kTokens)]);
            break;
          default:
            bytes.erase(at, 1 + rng() % 8);
            break;
        }
      }
      read += ScanSummary(bytes).has_value() ? 1 : 0;
      ASSERT_TRUE(AgreesWithFullPath(bytes)) << "seed " << seed << ": " << bytes;
    }
  }
  EXPECT_GT(read, 0);  // some mutations (a digit changed) stay readable
}

}  // namespace
}  // namespace mullet::cgminer
