// Tests of the cgminer / bmminer reply parser.
//
// The samples in testdata/cgminer/ were written by hand from protocols.md §1.3
// and §2.1 (cgminer api.c field names and number formats, bmminer's string
// "GHS 5s", whatsminer's plain-string STATUS); testdata/cgminer/quirks/ holds
// one reply per repair of ReplyQuirk. The property tests at the end cut and
// corrupt every sample at random; each failure prints its seed, and
// MULLET_SEED=<seed> reruns from it.

#include "drivers/cgminer/reply.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace mullet::cgminer {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSamples = fs::path(MULLET_TESTDATA) / "cgminer";

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

std::string Bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Sample(const std::string& name) { return Bytes(kSamples / name); }

ParsedReply Parse(const std::string& bytes) {
  Result<ParsedReply> r = ParseReply(bytes);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ParsedReply{};
}

json Reply(const std::string& name) { return Parse(Sample(name)).json; }

std::vector<fs::path> Files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- ParseReply ----

TEST(ParseReplyTest, StrictSamplesParseWithoutQuirks) {
  const std::vector<fs::path> files = Files(kSamples);
  ASSERT_GE(files.size(), 20u);
  for (const fs::path& f : files) {
    const ParsedReply p = Parse(Bytes(f));
    EXPECT_TRUE(p.quirks.empty()) << f;
    EXPECT_TRUE(p.json.is_object()) << f;
  }
}

TEST(ParseReplyTest, CgminerNulFramingIsStrippedAndReported) {
  for (const fs::path& f : Files(kSamples)) {
    const std::string bytes = Bytes(f);
    const ParsedReply framed = Parse(bytes + std::string(1, '\0'));
    EXPECT_EQ(framed.quirks, std::vector<ReplyQuirk>{ReplyQuirk::kTrailingNul}) << f;
    EXPECT_EQ(framed.json, Parse(bytes).json) << f;
  }
}

struct QuirkCase {
  const char* file;
  std::vector<ReplyQuirk> quirks;
};

TEST(ParseReplyTest, EachQuirkFileIsRepairedAndReportsItsQuirk) {
  using Q = ReplyQuirk;
  const QuirkCase cases[] = {
      {"trailing_nul.reply", {Q::kTrailingNul}},
      {"trailing_comma.reply", {Q::kTrailingCommaBeforeBrace}},
      {"embedded_newline.reply", {Q::kEmbeddedNewline}},
      {"missing_comma_between_objects.reply", {Q::kMissingCommaBetweenObjects}},
      {"leading_comma_in_array.reply", {Q::kLeadingCommaInArray}},
      {"missing_comma_before_key.reply", {Q::kMissingCommaBeforeKey}},
      {"bare_inf_nan.reply", {Q::kBareInfNan}},
      {"leading_id_fragment.reply", {Q::kLeadingIdFragment}},
      {"leading_id_fragment_alone.reply", {Q::kLeadingIdFragment}},
      {"error_code_list.reply", {Q::kErrorCodeList}},
      {"bare_status_word.reply", {Q::kBareStatusWord}},
      {"restart_plain.reply", {Q::kBareStatusWord}},
  };
  for (const QuirkCase& c : cases) {
    const ParsedReply p = Parse(Sample(std::string("quirks/") + c.file));
    EXPECT_EQ(p.quirks, c.quirks) << c.file;
  }
}

TEST(ParseReplyTest, RepairsKeepTheData) {
  EXPECT_EQ(Reply("quirks/trailing_comma.reply")["SUMMARY"][0]["Power Mode"], "Normal");
  EXPECT_EQ(Reply("quirks/embedded_newline.reply")["SUMMARY"][0]["Debug"],
            "fan 2 slow\nPSU fan ok\n");
  EXPECT_EQ(Reply("quirks/missing_comma_between_objects.reply")["POOLS"].size(), 2u);
  EXPECT_EQ(Reply("quirks/leading_comma_in_array.reply")["STATS"].size(), 2u);
  const json devs = Reply("quirks/missing_comma_before_key.reply")["DEVS"][0];
  EXPECT_EQ(devs["PCB SN"], "HEZ2EXAMPLE0001");
  EXPECT_EQ(devs["temp0"], 74.5);
  EXPECT_EQ(devs["Effective Chips"], 156);
  const json avalon = Reply("quirks/bare_inf_nan.reply")["SUMMARY"][0];
  EXPECT_TRUE(avalon["Utility"].is_null());
  EXPECT_TRUE(avalon["Work Utility"].is_null());
  EXPECT_TRUE(avalon["Device Hardware%"].is_null());
  EXPECT_EQ(avalon["Device Rejected%"], "nan");  // quoted: valid JSON, left as it is
  EXPECT_EQ(Reply("quirks/leading_id_fragment.reply")["VERSION"][0]["PROD"], "AvalonMiner 1246");
  EXPECT_EQ(Reply("quirks/leading_id_fragment_alone.reply"), json({{"id", 1}}));
  const json codes = Reply("quirks/error_code_list.reply")["Msg"]["error_code"];
  EXPECT_EQ(codes, json({{"329", "2022-06-05 15:22:56"}, {"2010", "2022-06-05 15:23:01"}}));
  EXPECT_EQ(Reply("quirks/bare_status_word.reply"), json({{"STATUS", "BYE"}, {"id", 1}}));
  EXPECT_EQ(Reply("quirks/restart_plain.reply"), json("RESTART"));
}

TEST(ParseReplyTest, RepairsNeverTouchStrings) {
  // The trailing ",}" forces the repair pass; the patterns inside Msg stay.
  const std::string msg = R"(a,}b}{c[,{d\"\"temp0 inf nan ,\"id\":1})";
  const ParsedReply p = Parse(R"({"STATUS":"S","Msg":")" + msg + R"(",})");
  EXPECT_EQ(p.quirks, std::vector<ReplyQuirk>{ReplyQuirk::kTrailingCommaBeforeBrace});
  EXPECT_EQ(p.json["Msg"], R"(a,}b}{c[,{d""temp0 inf nan ,"id":1})");
}

TEST(ParseReplyTest, ReportsEachQuirkOnceInOrderOfUse) {
  const std::string bytes = std::string(R"({"A":[,{"x":inf,}{"y":nan,}],"B":"1""C":2})") + '\0';
  const ParsedReply p = Parse(bytes);
  using Q = ReplyQuirk;
  EXPECT_EQ(p.quirks, (std::vector<Q>{Q::kTrailingNul, Q::kLeadingCommaInArray, Q::kBareInfNan,
                                      Q::kTrailingCommaBeforeBrace, Q::kMissingCommaBetweenObjects,
                                      Q::kMissingCommaBeforeKey}));
  EXPECT_EQ(p.json, json::parse(R"({"A":[{"x":null},{"y":null}],"B":"1","C":2})"));
}

TEST(ParseReplyTest, TruncatedReplySaysTruncated) {
  for (const std::string& bytes :
       {Sample("quirks/truncated.reply"), std::string(), std::string(1, '\0'),
        std::string(R"({"STATUS":[{"STATUS":"S")"), std::string(R"({"a":"ab\)"),
        std::string(R"({"a":[,1,)"), std::string("{\"a\":\"\xc3")}) {
    const Result<ParsedReply> r = ParseReply(bytes);
    ASSERT_FALSE(r.ok()) << bytes;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError);
    EXPECT_TRUE(Contains(r.status().message(), "truncated"));
  }
}

TEST(ParseReplyTest, GarbageIsDataErrorNamingTheByte) {
  const Result<ParsedReply> r = ParseReply(R"({"STATUS":[{"STATUS":"S"}] xyz})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataError);
  EXPECT_TRUE(Contains(r.status().message(), "invalid JSON at byte 27 near '"));
  EXPECT_TRUE(Contains(r.status().message(), "xyz"));
  EXPECT_FALSE(Contains(r.status().message(), "truncated"));
}

TEST(ParseReplyTest, ErrorOffsetCountsTheBytesReceivedNotTheRepairedText) {
  // Two commas are dropped before the error; the offset is still that of '@'.
  const std::string bytes = R"({"a":[,1,],"b":@})";
  const Result<ParsedReply> r = ParseReply(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "at byte " + std::to_string(bytes.find('@'))));
}

TEST(ParseReplyTest, NulInsideTheReplyIsAnError) {
  const Result<ParsedReply> r = ParseReply(std::string("{\"a\":1}\0{\"b\":2}", 15));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "at byte 7"));
  EXPECT_TRUE(Contains(r.status().message(), "NUL"));
}

TEST(ParseReplyTest, RefusesDeepNestingAndHugeReplies) {
  const Result<ParsedReply> deep = ParseReply(std::string(100, '[') + std::string(100, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(Contains(deep.status().message(), "deeper than 64"));
  EXPECT_TRUE(ParseReply(std::string(64, '[') + std::string(64, ']')).ok());
  const Result<ParsedReply> huge = ParseReply(std::string(kMaxReplyBytes + 1, ' '));
  ASSERT_FALSE(huge.ok());
  EXPECT_TRUE(Contains(huge.status().message(), "over the limit"));
}

TEST(ParseReplyTest, ReadsOnlyTheViewItIsGiven) {
  const std::string buffer = R"({"id":1}{"id":2})";
  const Result<ParsedReply> r = ParseReply(std::string_view(buffer).substr(0, 8));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->json, json({{"id", 1}}));
  const Result<ParsedReply> cut = ParseReply(std::string_view(buffer).substr(0, 7));
  ASSERT_FALSE(cut.ok());
  EXPECT_TRUE(Contains(cut.status().message(), "truncated"));
}

TEST(ParseReplyTest, QuirkNamesAreStable) {
  EXPECT_EQ(QuirkName(ReplyQuirk::kTrailingNul), "trailing_nul");
  EXPECT_EQ(QuirkName(ReplyQuirk::kMissingCommaBeforeKey), "missing_comma_before_key");
  EXPECT_EQ(QuirkName(ReplyQuirk::kErrorCodeList), "error_code_list");
  EXPECT_EQ(QuirkName(ReplyQuirk::kBareStatusWord), "bare_status_word");
}

// ---- STATUS ----

TEST(CheckStatusTest, SuccessAndInfoAreOk) {
  EXPECT_TRUE(CheckStatus(Reply("cgminer_summary.json")).ok());
  EXPECT_TRUE(CheckStatus(json::parse(R"({"STATUS":[{"STATUS":"I","Code":6,"Msg":"x"}]})")).ok());
}

TEST(CheckStatusTest, WarningIsOkWithANote) {
  const Status s = CheckStatus(json::parse(
      R"({"STATUS":[{"STATUS":"W","When":1,"Code":12,"Msg":"No pools","Description":"c"}]})"));
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "warning, Code 12: No pools");
}

TEST(CheckStatusTest, ErrorAndFatalCarryCodeAndMsg) {
  const Status denied = CheckStatus(Reply("access_denied.json"));
  EXPECT_EQ(denied.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(denied.message(), "miner replied E, Code 45: Access denied to 'config' command");
  const Status fatal =
      CheckStatus(json::parse(R"({"STATUS":[{"STATUS":"F","Code":-1,"Msg":"99"}]})"));
  EXPECT_EQ(fatal.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fatal.message(), "miner replied F, Code -1: 99");
}

TEST(CheckStatusTest, AcceptsStatusAsPlainStringObjectOrList) {
  EXPECT_TRUE(CheckStatus(Reply("whatsminer_get_version.json")).ok());
  const Status token = CheckStatus(Reply("whatsminer_token_error.json"));
  EXPECT_FALSE(token.ok());
  EXPECT_TRUE(Contains(token.message(), "Code 135: check token err"));
  EXPECT_TRUE(CheckStatus(json::parse(R"({"STATUS":{"STATUS":"S","Code":11}})")).ok());
  EXPECT_FALSE(CheckStatus(json::parse(R"({"STATUS":{"STATUS":"E","Code":14}})")).ok());
}

TEST(CheckStatusTest, RestartAndByeAreOk) {
  for (const json& reply : {Reply("restart.json"), json("RESTART"), json("BYE"),
                            Reply("quirks/bare_status_word.reply")}) {
    const Status s = CheckStatus(reply);
    EXPECT_TRUE(s.ok()) << reply;
    EXPECT_TRUE(Contains(s.message(), "miner said"));
  }
}

TEST(CheckStatusTest, NoStatusOrAnUnknownOneIsDataError) {
  for (const char* text : {R"({"id":1})", R"({"STATUS":[]})", R"({"STATUS":[{"Code":1}]})",
                           R"({"STATUS":7})", R"(7)", R"("HELLO")", R"({"STATUS":"X"})"}) {
    EXPECT_EQ(CheckStatus(json::parse(text)).code(), StatusCode::kDataError) << text;
  }
}

TEST(CheckStatusTest, MultiCommandReplyHasNoStatusOfItsOwn) {
  EXPECT_TRUE(CheckStatus(Reply("multi_bad_command.json")).ok());
}

TEST(ReadStatusTest, ReadsEveryField) {
  const Result<StatusReading> s = ReadStatus(Reply("access_denied.json"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->status, "E");
  EXPECT_EQ(s->code, 45);
  EXPECT_EQ(s->when, 1687300219);
  EXPECT_EQ(s->description, "bmminer 1.0.0");
  const Result<StatusReading> w = ReadStatus(Reply("whatsminer_get_version.json"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->code, 131);
  EXPECT_TRUE(Contains(w->msg, R"("fw_ver":"20230105.22.REL")"));
}

// ---- Multi-command replies ----

TEST(CommandReplyTest, PicksEachSectionOfAMultiCommandReply) {
  const json multi = Reply("multi_summary_devs.json");
  const Result<json> summary = CommandReply(multi, "summary");
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(CheckStatus(*summary).ok());
  EXPECT_EQ(ReadSummary(*summary)->hashrate_5s, TerahashPerSecond(120));
  const Result<json> devs = CommandReply(multi, "devs");
  ASSERT_TRUE(devs.ok());
  EXPECT_EQ((*devs)["DEVS"][0]["Temperature"], 71.0);
}

TEST(CommandReplyTest, BadSubCommandCarriesItsOwnErrorAndOthersStillRead) {
  const json multi = Reply("multi_bad_command.json");
  const Result<json> bogus = CommandReply(multi, "bogus");
  ASSERT_TRUE(bogus.ok());
  const Status s = CheckStatus(*bogus);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "Code 14: Invalid command"));
  const Result<json> summary = CommandReply(multi, "summary");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(ReadSummary(*summary)->accepted, 2210);
}

TEST(CommandReplyTest, MissingSectionIsNotFound) {
  const Result<json> pools = CommandReply(Reply("multi_summary_devs.json"), "pools");
  ASSERT_FALSE(pools.ok());
  EXPECT_EQ(pools.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(pools.status().message(), "'pools'"));
}

TEST(CommandReplyTest, SingleCommandReplyIsItsOwnSection) {
  const json single = Reply("cgminer_summary.json");
  EXPECT_EQ(*CommandReply(single, "summary"), single);
  // Stock S19 firmware refuses "summary+devs" with one E status: it reaches CheckStatus.
  const json refused =
      json::parse(R"({"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1})");
  EXPECT_FALSE(CheckStatus(*CommandReply(refused, "summary")).ok());
  EXPECT_FALSE(CommandReply(json::array(), "summary").ok());
}

// ---- Readings ----

TEST(ReadSummaryTest, BmminerGhsAsString) {
  const Result<SummaryReading> s = ReadSummary(Reply("bmminer_summary.json"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_DOUBLE_EQ(s->hashrate_5s.value(), 7.903729);
  EXPECT_DOUBLE_EQ(s->hashrate_avg.value(), 7.89512);
  EXPECT_EQ(s->elapsed_s, 86411);
  EXPECT_EQ(s->accepted, 10322);
  EXPECT_EQ(s->rejected, 14);
  EXPECT_EQ(s->hardware_errors, 318);
}

TEST(ReadSummaryTest, CgminerAndWhatsminerMhs) {
  const Result<SummaryReading> c = ReadSummary(Reply("cgminer_summary.json"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_DOUBLE_EQ(c->hashrate_5s.value(), 120);
  EXPECT_DOUBLE_EQ(c->hashrate_avg.value(), 119.5);
  EXPECT_EQ(c->elapsed_s, 3600);
  const Result<SummaryReading> w = ReadSummary(Reply("whatsminer_summary.json"));
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_DOUBLE_EQ(w->hashrate_5s.value(), 100.98765432);
  EXPECT_EQ(w->hardware_errors, 0);
  const Result<SummaryReading> a = ReadSummary(Reply("quirks/bare_inf_nan.reply"));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_DOUBLE_EQ(a->hashrate_5s.value(), 81.05);
}

json Summary(const char* fields) {
  return json::parse(std::string(R"({"STATUS":[{"STATUS":"S"}],"SUMMARY":[{)") + fields + "}]}");
}

TEST(ReadSummaryTest, ShortWindowFollowsTheLogInterval) {
  const Result<SummaryReading> s = ReadSummary(Summary(
      R"("Elapsed":1,"MHS av":2e6,"MHS 20s":"3e6","Accepted":1,"Rejected":0,"Hardware Errors":0)"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_DOUBLE_EQ(s->hashrate_5s.value(), 3);
  EXPECT_DOUBLE_EQ(s->hashrate_avg.value(), 2);
}

TEST(ReadSummaryTest, MissingOrBadKeyIsDataErrorNamingIt) {
  const struct {
    const char* fields;
    const char* message;
  } cases[] = {
      {R"("Elapsed":1,"GHS 5s":"1","GHS av":1,"Rejected":0,"Hardware Errors":0)",
       "summary: missing 'Accepted'"},
      {R"("Elapsed":1,"GHS av":1,"Accepted":1,"Rejected":0,"Hardware Errors":0)",
       "summary: missing 'MHS 5s' or 'GHS 5s'"},
      {R"("Elapsed":1,"GHS 5s":"abc","GHS av":1,"Accepted":1,"Rejected":0,"Hardware Errors":0)",
       "summary: 'GHS 5s' is not a finite number: 'abc'"},
      {R"("Elapsed":1,"GHS 5s":"","GHS av":1,"Accepted":1,"Rejected":0,"Hardware Errors":0)",
       "summary: 'GHS 5s' is not a finite number"},
      {R"("Elapsed":null,"GHS 5s":1,"GHS av":1,"Accepted":1,"Rejected":0,"Hardware Errors":0)",
       "summary: 'Elapsed' is not a finite number"},
      {R"("Elapsed":1,"GHS 5s":1,"GHS av":1,"Accepted":1.5,"Rejected":0,"Hardware Errors":0)",
       "summary: 'Accepted' is not an integer: '1.5'"},
      {R"("Elapsed":1,"GHS 5s":1,"GHS av":1,"Accepted":1,"Rejected":-3,"Hardware Errors":0)",
       "summary: 'Rejected' is -3, a count below zero"},
      {R"("Elapsed":1,"GHS 5s":1,"GHS av":1,"Accepted":1,"Rejected":0,"Hardware Errors":-1)",
       "summary: 'Hardware Errors' is -1, a count below zero"},
      {R"("Elapsed":-5,"GHS 5s":1,"GHS av":1,"Accepted":1,"Rejected":0,"Hardware Errors":0)",
       "summary: 'Elapsed' is -5"},
      {R"("Elapsed":1,"GHS 5s":1,"GHS av":1,"Accepted":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40],"Rejected":0,"Hardware Errors":0)",
       "summary: 'Accepted' is not an integer: '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,3... (32 more bytes)'"},
  };
  for (const auto& c : cases) {
    const Result<SummaryReading> s = ReadSummary(Summary(c.fields));
    ASSERT_FALSE(s.ok()) << c.fields;
    EXPECT_EQ(s.status().code(), StatusCode::kDataError);
    EXPECT_TRUE(Contains(s.status().message(), c.message)) << s.status().message();
  }
}

TEST(ReadSummaryTest, AnErrorReplyGivesItsOwnError) {
  const Result<SummaryReading> s = ReadSummary(Reply("access_denied.json"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.status().message(), "Code 45"));
  const Result<SummaryReading> none = ReadSummary(Reply("cgminer_config.json"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "reply has no SUMMARY section");
}

TEST(ReadPoolsTest, ReadsEveryPoolAndTheActiveOne) {
  const Result<std::vector<PoolReading>> pools = ReadPools(Reply("cgminer_pools.json"));
  ASSERT_TRUE(pools.ok()) << pools.status().message();
  ASSERT_EQ(pools->size(), 3u);
  const PoolReading& p = (*pools)[0];
  EXPECT_EQ(p.url, "stratum+tcp://btc.pool-a.example:3333");
  EXPECT_EQ(p.user, "mullet.site1");
  EXPECT_EQ(p.status, "Alive");
  EXPECT_EQ(p.accepted, 2210);
  EXPECT_EQ(p.rejected, 3);
  EXPECT_TRUE(p.active);
  EXPECT_FALSE((*pools)[1].active);
  EXPECT_EQ((*pools)[2].status, "Dead");
  const Result<std::vector<PoolReading>> repaired =
      ReadPools(Reply("quirks/missing_comma_between_objects.reply"));
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->size(), 2u);
}

TEST(ReadPoolsTest, WithoutStratumActiveTheAliveHighestPriorityPoolIsActive) {
  const Result<std::vector<PoolReading>> pools = ReadPools(json::parse(R"({"POOLS":[
      {"URL":"a","Status":"Dead","Priority":0},{"URL":"b","Status":"Alive","Priority":2},
      {"URL":"c","Status":"Alive","Priority":1}]})"));
  ASSERT_TRUE(pools.ok());
  EXPECT_FALSE((*pools)[0].active);
  EXPECT_FALSE((*pools)[1].active);
  EXPECT_TRUE((*pools)[2].active);
}

TEST(ReadPoolsTest, ANegativeShareCountIsRefused) {
  const Result<std::vector<PoolReading>> pools =
      ReadPools(json::parse(R"({"POOLS":[{"URL":"a","Accepted":5,"Rejected":-2}]})"));
  ASSERT_FALSE(pools.ok());
  EXPECT_EQ(pools.status().message(), "pools[0]: 'Rejected' is -2, a count below zero");
}

TEST(ReadPoolsTest, EmptyListIsFineAndAPoolWithoutUrlIsNot) {
  EXPECT_TRUE(ReadPools(json::parse(R"({"STATUS":"S","POOLS":[]})"))->empty());
  const Result<std::vector<PoolReading>> bad =
      ReadPools(json::parse(R"({"POOLS":[{"URL":"a"},{"User":"u"}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "pools[1]: missing 'URL'");
}

// EXPECT_TRUE(SameRates(...)) prints both lists on failure.
::testing::AssertionResult SameRates(const std::vector<TerahashPerSecond>& got,
                                     const std::vector<double>& want_th_s) {
  bool same = got.size() == want_th_s.size();
  for (std::size_t i = 0; same && i < got.size(); ++i) {
    same = std::abs(got[i].value() - want_th_s[i]) < 1e-9;
  }
  if (same) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure() << "got";
  for (TerahashPerSecond r : got) failure << " " << r;
  return failure << ", want " << ::testing::PrintToString(want_th_s) << " TH/s";
}

// What no sensor can read is refused, naming it; what real firmware sends
// for an empty slot (0, -1, an absent board's "") still reads.
TEST(ReadStatsTest, ImplausibleSensorsAreRefused) {
  const struct {
    const char* entry;
    const char* message;  // "" = reads
  } cases[] = {
      {R"({"temp1":65,"temp2":0,"temp3":-1,"fan1":5400,"fan2":0,"chain_rate1":"","Power":3250})", ""},
      {R"({"temp1":1e300})", "stats: a temperature of 1e+300 °C is not a sensor's reading (-60 to 250 °C)"},
      {R"({"temp_pcb1":-500})", "stats: a temperature of -500 °C"},
      {R"({"fan1":-1})", "stats: a fan at -1 RPM is not a fan's reading (0 to 50000 RPM)"},
      {R"({"fan":[5000,900000]})", "stats: a fan at 900000 RPM"},
      {R"({"Power":-5e300})", "stats: a power of -5e+300 W is not a miner's (0 to 20000 W)"},
      {R"({"chain_power":"90000 W"})", "stats: a power of 90000 W"},
      {R"({"chain_rate1":"5e12"})", "stats: a chain hashing 5000000000 TH/s is not a miner's"},
  };
  for (const auto& c : cases) {
    const Result<StatsReading> s = ReadStats(json::parse(std::string(R"({"STATS":[)") + c.entry + "]}"));
    if (std::string(c.message).empty()) {
      EXPECT_TRUE(s.ok()) << c.entry << ": " << s.status().message();
      continue;
    }
    ASSERT_FALSE(s.ok()) << c.entry;
    EXPECT_EQ(s.status().code(), StatusCode::kDataError);
    EXPECT_TRUE(Contains(s.status().message(), c.message)) << s.status().message();
  }
  const Result<std::vector<DevReading>> devs =
      ReadDevs(json::parse(R"({"DEVS":[{"ASC":0,"MHS 5s":1,"Temperature":70},{"ASC":1,"MHS 5s":1,"Temperature":9999}]})"));
  ASSERT_FALSE(devs.ok());
  EXPECT_TRUE(Contains(devs.status().message(), "DEVS[1]: a temperature of 9999 °C")) << devs.status().message();
}

// LuxOS's `power`: its watts, or a DataError naming what is wrong.
TEST(ReadPowerTest, LuxosWattsOrWhyNot) {
  const Result<Watts> w = ReadPower(json::parse(
      R"({"STATUS":[{"STATUS":"S","Code":346,"Msg":"Power","Description":"LUXminer 2024.5.1"}],"POWER":[{"Watts":3312}]})"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->value(), 3312);
  const Result<Watts> sample = ReadPower(Reply("luxminer_power.json"));  // the emulator's, as sent
  ASSERT_TRUE(sample.ok());
  EXPECT_EQ(sample->value(), 3050);
  const struct {
    const char* reply;
    const char* message;
  } bad[] = {
      {R"({"STATUS":[{"STATUS":"S"}]})", "POWER"},
      {R"({"POWER":[]})", "power: no POWER[0] entry"},
      {R"({"POWER":[{"Watt":3312}]})", "power: POWER[0] has no number of Watts"},
      {R"({"POWER":[{"Watts":"lots"}]})", "power: POWER[0] has no number of Watts"},
      {R"({"POWER":[{"Watts":-1}]})", "power: -1 W is not a miner's (0 to 20000 W)"},
      {R"({"POWER":[{"Watts":1e300}]})", "power: 1e+300 W is not a miner's"},
  };
  for (const auto& c : bad) {
    const Result<Watts> r = ReadPower(json::parse(c.reply));
    ASSERT_FALSE(r.ok()) << c.reply;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError);
    EXPECT_TRUE(Contains(r.status().message(), c.message)) << r.status().message();
  }
}

TEST(ReadStatsTest, BmminerNumberedKeys) {
  const Result<StatsReading> s = ReadStats(Reply("bmminer_stats.json"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->fan_rpm, (std::vector<double>{0, 0, 5880, 0, 0, 5760, 0, 0}));
  EXPECT_EQ(s->temps_c, (std::vector<double>{0, 0, 0, 0, 0, 58, 61, 59,  //
                                             0, 0, 0, 0, 0, 73, 76, 74}));
  // chain_rate1..5 are "": no board in those slots.
  EXPECT_TRUE(SameRates(s->chain_rate, {4.66745, 4.6512, 4.67943}));
  EXPECT_FALSE(s->power.has_value());
}

TEST(ReadStatsTest, DashJoinedTemperaturesAndChainPower) {
  const Result<StatsReading> s = ReadStats(Reply("bmminer_s17_stats.json"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->fan_rpm, (std::vector<double>{4320, 4440, 4380, 4410}));
  ASSERT_EQ(s->temps_c.size(), 24u);
  EXPECT_EQ(s->temps_c[0], 57);   // temp_chip1 comes before temp_pcb1
  EXPECT_EQ(s->temps_c[12], 42);  // temp_pcb1
  EXPECT_TRUE(SameRates(s->chain_rate, {24.35012, 24.32088, 24.34155}));
  ASSERT_TRUE(s->power.has_value());
  EXPECT_EQ(*s->power, Watts(2919.46));
}

TEST(ReadStatsTest, ChainArrayOfNewerAntminers) {
  const Result<StatsReading> s = ReadStats(Reply("antminer_chain_stats.json"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->fan_rpm, (std::vector<double>{5400, 5460, 5340, 5400}));
  EXPECT_TRUE(SameRates(s->chain_rate, {34.7123, 34.6509, 34.76025}));
  ASSERT_EQ(s->temps_c.size(), 36u);
  EXPECT_EQ(*std::max_element(s->temps_c.begin(), s->temps_c.end()), 81);
}

TEST(ReadStatsTest, KeyOrderUnitAndPowerVariants) {
  const Result<StatsReading> s = ReadStats(json::parse(
      R"({"STATS":[{"fan10":3,"fan2":2,"fan1":1,"chain_rate1":"1500000","rate_unit":"MH/s",
          "temp1":"n/a","Power":"3320"}]})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->fan_rpm, (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(SameRates(s->chain_rate, {1.5}));
  EXPECT_TRUE(s->temps_c.empty());  // "n/a" is skipped, not an error
  EXPECT_EQ(s->power, Watts(3320));
  EXPECT_FALSE(ReadStats(Reply("cgminer_summary.json")).ok());
}

TEST(ReadVersionTest, TellsTheFirmwareFamily) {
  const struct {
    const char* file;
    const char* family;
    const char* miner;
    const char* api;
    const char* model;
  } cases[] = {
      {"bmminer_version.json", "bmminer", "BMMiner 1.0.0", "3.1", "Antminer S9"},
      {"cgminer_version.json", "cgminer", "CGMiner 4.11.1", "3.7", ""},
      {"luxminer_version.json", "luxminer", "LUXminer 2024.5.1.151446-4beb0ae4", "3.7",
       "Antminer S19 XP"},
      {"bosminer_version.json", "bosminer", "BOSminer 0.2.0-36c56a9363", "3.7", ""},
      {"btminer_version.json", "btminer", "CGMiner 4.9.2", "3.7", ""},
      {"quirks/leading_id_fragment.reply", "cgminer", "CGMiner 4.11.1", "3.7", "AvalonMiner 1246"},
  };
  for (const auto& c : cases) {
    const Result<VersionReading> v = ReadVersion(Reply(c.file));
    ASSERT_TRUE(v.ok()) << c.file << ": " << v.status().message();
    EXPECT_EQ(v->firmware_family, c.family) << c.file;
    EXPECT_EQ(v->miner, c.miner) << c.file;
    EXPECT_EQ(v->api, c.api) << c.file;
    EXPECT_EQ(v->model, c.model) << c.file;
  }
  EXPECT_EQ(ReadVersion(json::parse(R"({"VERSION":[{"API":"3.7"}]})"))->firmware_family, "unknown");
  // Braiins OS+ names its key "BOSminer+".
  EXPECT_EQ(ReadVersion(json::parse(R"({"VERSION":[{"BOSminer+":"0.9.0","API":"3.7"}]})"))->firmware_family,
            "bosminer");
  EXPECT_FALSE(ReadVersion(Reply("cgminer_summary.json")).ok());
}

TEST(EncodeRequestTest, WritesTheJsonRequest) {
  EXPECT_EQ(EncodeRequest("summary"), R"({"command":"summary"})");
  EXPECT_EQ(EncodeRequest("summary+devs"), R"({"command":"summary+devs"})");
  EXPECT_EQ(EncodeRequest("switchpool", "1"), R"({"command":"switchpool","parameter":"1"})");
  EXPECT_EQ(EncodeRequest("addpool", R"(u"rl,w,x)"),
            R"({"command":"addpool","parameter":"u\"rl,w,x"})");
  EXPECT_EQ(EncodeRequest("a\xff"), "{\"command\":\"a\xef\xbf\xbd\"}");
}

// ---- Properties: cut or corrupted replies never crash the parser. ----

std::uint64_t BaseSeed() {
  const char* env = std::getenv("MULLET_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261121;
}

// Parses a copy in a heap block of exactly its size, so that AddressSanitizer
// catches any read past the view.
Result<ParsedReply> ParseExactCopy(const std::string& bytes) {
  std::unique_ptr<char[]> block(new char[bytes.size()]);
  std::memcpy(block.get(), bytes.data(), bytes.size());
  return ParseReply(std::string_view(block.get(), bytes.size()));
}

// Every reader on whatever parsed: none may crash, whatever they answer.
void ReadEverything(const json& reply) {
  (void)CheckStatus(reply);
  (void)ReadStatus(reply);
  for (const char* command : {"summary", "pools", "stats", "version", "devs"}) {
    const Result<json> section = CommandReply(reply, command);
    if (!section.ok()) continue;
    (void)ReadSummary(*section);
    (void)ReadPools(*section);
    (void)ReadStats(*section);
    (void)ReadVersion(*section);
  }
}

std::vector<fs::path> AllSamples() {
  std::vector<fs::path> all = Files(kSamples);
  for (const fs::path& q : Files(kSamples / "quirks")) all.push_back(q);
  return all;
}

TEST(ReplyPropertyTest, CutRepliesNeverCrashAndStrictOnesSayTruncated) {
  std::printf("ReplyPropertyTest seeds from %llu (MULLET_SEED)\n",
              static_cast<unsigned long long>(BaseSeed()));
  std::uint64_t n = 0;
  for (const fs::path& f : AllSamples()) {
    std::string bytes = Bytes(f);
    const bool strict = f.extension() == ".json";
    while (strict && !bytes.empty() && (bytes.back() == '\n' || bytes.back() == ' ')) {
      bytes.pop_back();
    }
    for (int i = 0; i < 100; ++i, ++n) {
      const std::uint64_t seed = BaseSeed() + n;
      std::mt19937_64 rng(seed);
      const std::size_t cut = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng);
      const Result<ParsedReply> r = ParseExactCopy(bytes.substr(0, cut));
      if (r.ok()) {
        EXPECT_FALSE(strict) << "seed " << seed << " " << f << " cut at " << cut;
        ReadEverything(r->json);
        continue;
      }
      EXPECT_EQ(r.status().code(), StatusCode::kDataError) << "seed " << seed;
      if (strict) {
        EXPECT_TRUE(Contains(r.status().message(), "truncated"))
            << "seed " << seed << " " << f << " cut at " << cut;
      }
    }
  }
}

TEST(ReplyPropertyTest, FlippedBytesNeverCrashAndErrorsNameAPlace) {
  std::printf("ReplyPropertyTest seeds from %llu (MULLET_SEED)\n",
              static_cast<unsigned long long>(BaseSeed()));
  std::uint64_t n = 0;
  for (const fs::path& f : AllSamples()) {
    const std::string original = Bytes(f);
    for (int i = 0; i < 200; ++i, ++n) {
      const std::uint64_t seed = BaseSeed() + 1'000'000 + n;
      std::mt19937_64 rng(seed);
      std::string bytes = original;
      const int flips = std::uniform_int_distribution<int>(1, 4)(rng);
      for (int k = 0; k < flips; ++k) {
        const std::size_t at = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng);
        bytes[at] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
      }
      const Result<ParsedReply> r = ParseExactCopy(bytes);
      if (r.ok()) {
        ReadEverything(r->json);
        continue;
      }
      const std::string& m = r.status().message();
      EXPECT_EQ(r.status().code(), StatusCode::kDataError) << "seed " << seed;
      EXPECT_TRUE(m.find("truncated") != std::string::npos ||
                  m.find("invalid JSON at byte ") != std::string::npos)
          << "seed " << seed << " " << f << ": " << m;
    }
  }
}

}  // namespace
}  // namespace mullet::cgminer
