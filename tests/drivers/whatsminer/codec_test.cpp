// The Whatsminer API V3 codec: frames, tokens, requests and reply readers.

#include "drivers/whatsminer/codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace mullet::whatsminer {
namespace {

using nlohmann::json;

// The get.miner.status example of the Whatsminer API V3 documentation.
constexpr const char* kDocumentedSummary = R"({"code":0,"when":1692685476,"msg":{"summary":{
  "elapsed":1074,"bootup-time":1175,"freq-avg":788,"target-freq":0,"factory-hash":101.366,
  "hash-average":101.847,"hash-1min":102.072,"hash-15min":101.847,"hash-realtime":101.847,
  "power-rate":31.886,"power-5min":3247.641,"power-realtime":3268,"environment-temperature":34.8,
  "board-temperature":[69.6,70.1,72.3],"chip-temp-min":83.2,"chip-temp-avg":92.9,
  "chip-temp-max":100.3,"power-limit":3500,"up-freq-finish":1,"fan-speed-in":4980,
  "fan-speed-out":5070}},"desc":"get.miner.status"})";

json Payload(const std::string& framed) { return json::parse(DecodeFrame(framed).value()); }

Result<StatusReading> SummaryOf(const std::string& payload) {
  Result<Reply> r = ParseReply(payload);
  if (!r.ok()) return r.status();
  return ReadSummary(*r);
}

// Token vectors worked by hand from ../shared/docs/protocols.md §2.4, API V3:
// token = base64(sha256(cmd + password + salt + ts))[:8], with ts in decimal
// unix seconds and the standard base64 alphabet (RFC 4648 §4: A-Z a-z 0-9 + /).
// Each was computed outside mullet with OpenSSL's command-line tool:
//   printf '%s' "${cmd}${password}${salt}${ts}" | openssl dgst -sha256 -binary | base64 | cut -c1-8
// 8 base64 characters are the digest's first 48 bits, so the first 6 digest
// bytes (from `openssl dgst -sha256`) are given to check the encoding by hand.
// Worked example, the third vector: digest c2 0f 3e 5f ee be ..., in 6-bit
// groups 110000 100000 111100 111110 010111 111110 111010 111110 =
// 48 32 60 62 23 62 58 62 = w g 8 + X + 6 + (62 is '+'; not the URL-safe '-').
struct TokenVector {
  const char* cmd;
  const char* password;
  const char* salt;
  std::int64_t ts;
  const char* token;
};
constexpr TokenVector kTokenVectors[] = {
    // "set.miner.serviceadminaB3dE5gH1735689600": sha256 cc9679cb1a41...;
    // 2025-01-01T00:00:00Z, a password other than the default "super".
    {"set.miner.service", "admin", "aB3dE5gH", 1735689600, "zJZ5yxpB"},
    // "set.miner.power_limitmy-pw7xQ2kLm91700000000": sha256 f089efdba087...
    {"set.miner.power_limit", "my-pw", "7xQ2kLm9", 1700000000, "8Inv26CH"},
    // "set.miner.servicesuperSALT00011735689618": sha256 c20f3e5feebe...
    {"set.miner.service", "super", "SALT0001", 1735689618, "wg8+X+6+"},
    // "set.miner.servicesuperQbVy1Ou30": sha256 b726b701fb5d...; ts 0 is "0".
    {"set.miner.service", "super", "QbVy1Ou3", 0, "tya3Aftd"},
    // "set.miner.power_limitsuperpx5hoXa91719792000": sha256 cdb908c0e8f4...
    {"set.miner.power_limit", "super", "px5hoXa9", 1719792000, "zbkIwOj0"},
    // "set.miner.servicesuperQbVy1Ou31692685512": sha256 b9aee143923f...
    {"set.miner.service", "super", "QbVy1Ou3", 1692685512, "ua7hQ5I/"},
};

TEST(WhatsminerCodecTest, TokenMatchesVectorsWorkedFromTheProtocolDocument) {
  for (const TokenVector& v : kTokenVectors) {
    EXPECT_EQ(Token(v.cmd, v.password, v.salt, v.ts), v.token)
        << v.cmd << v.password << v.salt << v.ts;
  }
  // Every input counts: one second, one salt letter, the password or the
  // command changes the token.
  EXPECT_NE(Token("set.miner.service", "super", "QbVy1Ou3", 1692685513), "ua7hQ5I/");
  EXPECT_NE(Token("set.miner.service", "super", "QbVy1Ou4", 1692685512), "ua7hQ5I/");
  EXPECT_NE(Token("set.miner.service", "admin", "QbVy1Ou3", 1692685512), "ua7hQ5I/");
  EXPECT_NE(Token("set.miner.power_limit", "super", "QbVy1Ou3", 1692685512), "ua7hQ5I/");
}

// Finding 2 of the hostile-peer probe: a 120 KB reply nested 60,000 levels
// deep once overflowed the stack (parsed, then copied and dumped recursively).
TEST(WhatsminerCodecTest, AReplyNestedTooDeepIsADataErrorBeforeAnyParse) {
  std::string deep = "{\"code\":0,\"msg\":" + std::string(60000, '[') + std::string(60000, ']') + "}";
  Result<Reply> r = ParseReply(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataError);
  EXPECT_NE(r.status().message().find("nests deeper than 64"), std::string::npos) << r.status().message();
  // 64 levels are still a reply.
  std::string ok = "{\"code\":0,\"msg\":" + std::string(63, '[') + std::string(63, ']') + "}";
  EXPECT_TRUE(ParseReply(ok).ok());
}

TEST(WhatsminerCodecTest, FrameIsLittleEndianLengthThenPayload) {
  const std::string f = EncodeFrame(std::string(258, 'a'));
  ASSERT_EQ(f.size(), 262u);
  EXPECT_EQ(f.substr(0, 4), std::string("\x02\x01\x00\x00", 4));
  EXPECT_EQ(DecodeFrame(f).value(), std::string(258, 'a'));
  EXPECT_EQ(DecodeFrame(EncodeFrame("")).value(), "");
}

TEST(WhatsminerCodecTest, ShortOversizeAndTrailingFramesAreDataErrors) {
  const std::string f = EncodeFrame("{\"code\":0}");
  Result<std::string> tiny = DecodeFrame(f.substr(0, 3));
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.status().code(), StatusCode::kDataError);
  EXPECT_NE(tiny.status().message().find("4-byte"), std::string::npos);
  Result<std::string> cut = DecodeFrame(f.substr(0, f.size() - 1));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("declares 10 bytes, 9 arrived"), std::string::npos)
      << cut.status().message();
  Result<std::string> trailing = DecodeFrame(f + "xy");
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("2 bytes after"), std::string::npos);
  Result<std::string> huge = DecodeFrame(std::string("\xff\xff\xff\xff{}", 6), 1 << 20);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("4294967295"), std::string::npos);
}

TEST(WhatsminerCodecTest, ReadsCarryCmdAndOptionalParam) {
  EXPECT_EQ(Payload(EncodeRead("get.device.info", "salt")),
            json({{"cmd", "get.device.info"}, {"param", "salt"}}));
  EXPECT_EQ(Payload(EncodeRead("get.device.info")), json({{"cmd", "get.device.info"}}));
}

TEST(WhatsminerCodecTest, WritesAreSignedForTheirCommandSaltAndTs) {
  const json w =
      Payload(EncodeWrite("set.miner.power_limit", 3000, "super", "px5hoXa9", 1719792000));
  EXPECT_EQ(w["cmd"], "set.miner.power_limit");
  EXPECT_EQ(w["param"], 3000);
  EXPECT_EQ(w["ts"], 1719792000);
  EXPECT_EQ(w["account"], "super");
  EXPECT_EQ(w["token"], "zbkIwOj0");
}

TEST(WhatsminerCodecTest, ParsesRepliesAndNamesErrorCodes) {
  Result<Reply> ok =
      ParseReply(R"({"code":0,"when":1692685512,"msg":"ok","desc":"set.miner.service"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(CheckCode(*ok).ok());
  EXPECT_EQ(ok->when, 1692685512);
  EXPECT_EQ(ok->desc, "set.miner.service");
  Result<Reply> denied = ParseReply(R"({"code":-4,"when":1,"msg":"invalid token","desc":"x"})");
  ASSERT_TRUE(denied.ok());
  const Status s = CheckCode(*denied);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "code -4 (no permission): invalid token");
  for (const char* bad :
       {"", "{", "[0]", R"({"msg":"ok"})", R"({"code":"0"})", R"({"code":0.5})"}) {
    Result<Reply> r = ParseReply(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError) << bad;
  }
}

TEST(WhatsminerCodecTest, ReadsTheSalt) {
  EXPECT_EQ(ReadSalt(ParseReply(R"({"code":0,"msg":{"salt":"px5hoXa9"}})").value()).value(),
            "px5hoXa9");
  Result<std::string> missing = ReadSalt(ParseReply(R"({"code":0,"msg":{"network":{}}})").value());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "msg.salt: missing");
  EXPECT_FALSE(ReadSalt(ParseReply(R"({"code":0,"msg":"ok"})").value()).ok());
  EXPECT_FALSE(ReadSalt(ParseReply(R"({"code":0,"msg":{"salt":5}})").value()).ok());
}

TEST(WhatsminerCodecTest, ReadsTheDocumentedSummary) {
  Result<StatusReading> s = SummaryOf(kDocumentedSummary);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_DOUBLE_EQ(s->hashrate.value(), 101.847);
  EXPECT_DOUBLE_EQ(s->power->value(), 3268);
  EXPECT_DOUBLE_EQ(s->power_limit->value(), 3500);
  EXPECT_DOUBLE_EQ(s->factory_hashrate->value(), 101.366);
  EXPECT_DOUBLE_EQ(s->elapsed->count(), 1074);
  EXPECT_DOUBLE_EQ(*s->env_temp_c, 34.8);
  EXPECT_EQ(s->board_temps_c, (std::vector<double>{69.6, 70.1, 72.3}));
  EXPECT_EQ(s->fan_out_rpm, 5070);
  EXPECT_TRUE(s->tuned);
  EXPECT_FALSE(s->accepted.has_value());  // not in the documented reply
}

TEST(WhatsminerCodecTest, MissingOptionalFieldsStayEmpty) {
  Result<StatusReading> s = SummaryOf(R"({"code":0,"msg":{"summary":{"hash-realtime":0}}})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->hashrate.value(), 0);
  EXPECT_FALSE(s->power.has_value());
  EXPECT_FALSE(s->power_limit.has_value());
  EXPECT_FALSE(s->tuned);
}

// A winter's air outside is below zero: read, not refused.
TEST(WhatsminerCodecTest, ColdAirIsAReading) {
  Result<StatusReading> s =
      SummaryOf(R"({"code":0,"msg":{"summary":{"hash-realtime":1,"environment-temperature":-12.5}}})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->env_temp_c, -12.5);
}

// An error code's message reaches the operator escaped and cut short.
TEST(WhatsminerCodecTest, AnErrorMessageIsEscapedAndCut) {
  Result<Reply> r = ParseReply(R"({"code":-2,"msg":"\u001b[2J\r\nFAKE 127.0.0.1 ok )" + std::string(500, 'x') + "\"}");
  ASSERT_TRUE(r.ok());
  const Status s = CheckCode(*r);
  EXPECT_EQ(s.message().find('\x1b'), std::string::npos);
  EXPECT_NE(s.message().find("\\x1b[2J\\r\\nFAKE"), std::string::npos) << s.message();
  EXPECT_LT(s.message().size(), 200u);
}

TEST(WhatsminerCodecTest, SummaryErrorsNameTheField) {
  struct Case {
    const char* payload;
    const char* error;
  };
  for (const Case& c : {
           Case{R"({"code":0,"msg":"ok"})", "msg is not an object"},
           Case{R"({"code":0,"msg":{"pools":[]}})", "msg.summary: missing"},
           Case{R"({"code":0,"msg":{"summary":{"power-realtime":3}}})",
                "msg.summary.hash-realtime: missing"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":"fast"}}})",
                "msg.summary.hash-realtime: not a number"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":1,"power-limit":-5}}})",
                "msg.summary.power-limit: not a finite non-negative number"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":1,"board-temperature":[1,"x"]}}})",
                "msg.summary.board-temperature: holds a non-number"},
           // More than one miner can say (drivers/plausible.h).
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":5e9}}})",
                "msg.summary.hash-realtime: 5000000000.0 is outside 0 to 10000"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":1,"power-realtime":5e300}}})",
                "msg.summary.power-realtime: 5e+300 is outside 0 to 20000"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":1,"board-temperature":[70,9999]}}})",
                "msg.summary.board-temperature: holds 9999, outside -60 to 250"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":1,"environment-temperature":-80}}})",
                "msg.summary.environment-temperature: -80 is outside -60 to 250"},
           Case{R"({"code":0,"msg":{"summary":{"hash-realtime":1,"fan-speed-in":900000}}})",
                "msg.summary.fan-speed-in: 900000 is outside 0 to 50000"},
       }) {
    Result<StatusReading> s = SummaryOf(c.payload);
    ASSERT_FALSE(s.ok()) << c.payload;
    EXPECT_EQ(s.status().code(), StatusCode::kDataError);
    EXPECT_EQ(s.status().message().rfind(c.error, 0), 0u) << s.status().message();
  }
}

}  // namespace
}  // namespace mullet::whatsminer
