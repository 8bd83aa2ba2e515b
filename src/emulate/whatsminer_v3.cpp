#include "emulate/whatsminer_v3.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "core/text/untrusted_text.h"
#include "drivers/whatsminer/codec.h"

namespace mullet {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order a reply lists them
using namespace v3_code;              // NOLINT: the codes read best bare here

constexpr std::uint64_t kSaltStream = 0x73616c74;  // "salt"

std::int64_t Unix(UtcTime t) { return t.time_since_epoch().count(); }
// Three decimals, as the documented replies print rates and temperatures.
double R3(double x) { return std::round(x * 1000) / 1000; }
double R1(double x) { return std::round(x * 10) / 10; }

std::string Dump(const Json& j) {
  // Replace, never throw, should a request's bytes reach a string unchecked.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string OkBody(const Json& msg, std::string_view desc, UtcTime now) {
  Json j;
  j["code"] = kOk;
  j["when"] = Unix(now);
  j["msg"] = msg;
  j["desc"] = std::string(desc);
  return Dump(j);
}

struct Ctx {
  EmulatedMiner& m;
  UtcTime now;
  const V3Auth& auth;
  double misreport;
  std::string cmd;
};

// An error or the reply: what one command handler returns.
struct Outcome {
  int code = kOk;
  Json msg = "ok";
};
Outcome Fail(int code, std::string msg) { return {code, std::move(msg)}; }

std::int64_t ReportedWatts(const Ctx& c) {
  return std::lround(c.m.power().value() * (1 + c.m.power_misreport() + c.misreport));
}
bool Hashing(const EmulatedMiner& m) {
  return m.state() != MinerState::kSleeping && m.state() != MinerState::kRebooting;
}

// ---- get.device.info sections (field names from the V3 documentation's
// example; values the emulator cannot know are fixed and listed in README.md).
Json DeviceSection(const Ctx& c, std::string_view name) {
  const EmulatedMiner& m = c.m;
  SplitMix64 rng(MixSeed(m.seed(), 0x6d6163));  // "mac"
  if (name == "network") {
    char mac[18];
    std::snprintf(mac, sizeof mac, "C8:01:14:%02X:%02X:%02X", static_cast<int>(rng.Next() % 256),
                  static_cast<int>(rng.Next() % 256), static_cast<int>(rng.Next() % 256));
    return {{"ip", m.id()},
            {"proto", "dhcp"},
            {"netmask", "255.255.255.0"},
            {"mac", mac},
            {"hostname", "WhatsMiner"}};
  }
  if (name == "miner") {
    return {{"working", Hashing(m) ? "true" : "false"},
            {"type", m.model().name},
            {"board-num", std::to_string(m.options().hashboards)},
            {"power-limit-set", std::to_string(std::lround(m.target_power().value()))},
            {"miner-sn", "HTM" + std::to_string(rng.Next() % 100000000000ULL)}};
  }
  if (name == "system") {
    return {{"api", "3.0.1"},
            {"platform", "H616"},
            {"fwversion", "20240722.07.51.REL"},
            {"control-board-version", "CB6V10"},
            {"apiswitch", "1"},
            {"ledstatus", "auto"}};
  }
  if (name == "power") {
    const double vin = 220.5;
    const std::int64_t pin = ReportedWatts(c);
    return {{"type", "P221C"},
            {"vin", vin},
            {"iin", R1(static_cast<double>(pin) / vin)},
            {"pin", pin},
            {"fanspeed", m.fan_rpm(0)}};
  }
  return c.auth.salt;  // "salt"
}

Outcome DeviceInfo(Ctx& c, const Json* param) {
  static constexpr std::string_view kSections[] = {"network", "miner", "system", "power", "salt"};
  if (param == nullptr || param->is_null()) {
    Json all;
    for (std::string_view s : kSections) all[std::string(s)] = DeviceSection(c, s);
    return {kOk, all};
  }
  if (param->is_string()) {
    const std::string want = param->get<std::string>();
    for (std::string_view s : kSections) {
      if (want == s) return {kOk, Json{{want, DeviceSection(c, s)}}};
    }
  }
  return Fail(kInvalidJson, "param must be one of network, miner, system, power, salt");
}

// ---- get.miner.status sections: hash rates in TH/s, power in W, °C, rpm.
Json Summary(const Ctx& c) {
  const EmulatedMiner& m = c.m;
  const double nameplate = m.model().hashrate.value();
  const double h = m.hashrate_5s().value();
  Json boards = Json::array();
  for (int i = 0; i < m.options().hashboards; ++i) boards.push_back(R1(m.board(i).board_c));
  const double chip = m.chip_temp_c();
  const std::int64_t watts = ReportedWatts(c);
  const int fans = m.options().fans;
  return {{"elapsed", std::lround(m.elapsed().count())},
          {"bootup-time", std::lround(m.elapsed().count()) + 100},
          {"freq-avg", Hashing(m) ? std::lround(600 * h / nameplate) : 0},
          {"target-freq", 0},
          {"factory-hash", R3(nameplate)},
          {"hash-average", R3(m.hashrate_avg().value())},
          {"hash-1min", R3(m.hashrate_rolling(60).value())},
          {"hash-15min", R3(m.hashrate_rolling(900).value())},
          {"hash-realtime", R3(h)},
          {"power-rate", h > 0.001 ? R3(static_cast<double>(watts) / h) : 0.0},
          {"power-5min", watts},
          {"power-realtime", watts},
          {"environment-temperature", R1(m.options().ambient_c)},
          {"board-temperature", boards},
          {"chip-temp-min", R1(chip - 4)},
          {"chip-temp-avg", R1(chip)},
          {"chip-temp-max", R1(chip + 5)},
          {"power-limit", std::lround(m.target_power().value())},
          {"up-freq-finish", m.state() == MinerState::kRunning ? 1 : 0},
          {"fan-speed-in", m.fan_rpm(0)},
          {"fan-speed-out", m.fan_rpm(fans > 1 ? 1 : 0)},
          {"accepted", m.accepted_shares()},
          {"rejected", m.rejected_shares()}};
}

Json Pools(const Ctx& c) {
  Json out = Json::array();
  int id = 1;
  for (const PoolInfo& p : c.m.pools()) {
    const double total = static_cast<double>(std::max<std::int64_t>(p.accepted + p.rejected, 1));
    out.push_back({{"id", id++},
                   {"url", p.url},
                   {"status", p.alive ? "alive" : "dead"},
                   {"account", p.user},
                   {"stratum-active", p.active},
                   {"reject-rate", R3(100.0 * static_cast<double>(p.rejected) / total)},
                   {"last-share-time", p.active && Hashing(c.m) ? Unix(c.now) - 3 : 0},
                   {"accepted", p.accepted},
                   {"rejected", p.rejected}});
  }
  return out;
}

Json Edevs(const Ctx& c) {
  const EmulatedMiner& m = c.m;
  const int n = m.options().hashboards;
  Json out = Json::array();
  for (int i = 0; i < n; ++i) {
    const BoardReading b = m.board(i);
    out.push_back({{"id", i},
                   {"slot", i},
                   {"hash-average", R3(b.hashrate.value())},
                   {"factory-hash", R3(m.model().hashrate.value() / n)},
                   {"freq", Hashing(m) ? 600 : 0},
                   {"effective-chips", b.chips},
                   {"chip-temp-min", R1(b.chip_c - 4)},
                   {"chip-temp-avg", R1(b.chip_c)},
                   {"chip-temp-max", R1(b.chip_c + 5)}});
  }
  return out;
}

Outcome MinerStatus(Ctx& c, const Json* param) {
  if (param == nullptr || !param->is_string()) {
    return Fail(kInvalidJson, "param must be summary, pools or edevs (joined by '+')");
  }
  const std::string want = param->get<std::string>();
  Json msg = Json::object();
  std::size_t from = 0;
  while (from <= want.size()) {
    const std::size_t plus = std::min(want.find('+', from), want.size());
    const std::string part = want.substr(from, plus - from);
    if (part == "summary") {
      msg["summary"] = Summary(c);
    } else if (part == "pools") {
      msg["pools"] = Pools(c);
    } else if (part == "edevs") {
      msg["edevs"] = Edevs(c);
    } else {
      return Fail(kInvalidJson, "unknown status section '" + part + "'");
    }
    from = plus + 1;
  }
  return {kOk, msg};
}

// ---- writes.
Outcome Service(Ctx& c, const Json* param) {
  const std::string what = param != nullptr && param->is_string() ? param->get<std::string>() : "";
  if (what == "start") {
    c.m.Wake(c.now);
  } else if (what == "stop") {
    c.m.Sleep(c.now);
  } else if (what == "restart") {
    c.m.Reboot(c.now);
  } else {
    return Fail(kInvalidJson, "param must be start, stop or restart");
  }
  return {};
}

Outcome PowerLimit(Ctx& c, const Json* param) {
  // The documentation gives a number; a numeric string is also taken, as
  // clients that send every param as text exist.
  std::optional<double> w;
  if (param != nullptr && param->is_number()) w = param->get<double>();
  if (param != nullptr && param->is_string()) {
    const std::string s = param->get<std::string>();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) w = v;
  }
  if (!w || !std::isfinite(*w)) return Fail(kInvalidJson, "param must be a power limit in watts");
  const double lo = std::ceil(c.m.min_power().value()), hi = std::floor(c.m.max_power().value());
  const double watts = std::round(*w);
  if (watts < lo || watts > hi) {
    return Fail(kFail, "power limit " + std::to_string(std::lround(watts)) + " W outside " +
                           std::to_string(std::lround(lo)) + "-" + std::to_string(std::lround(hi)) +
                           " W");
  }
  Result<Watts> applied = c.m.SetPowerTarget(Watts(watts), c.now);
  if (!applied.ok()) return Fail(kFail, applied.status().message());
  return {};
}

// A write's ts, account and token (V3 documentation, "Token Generation").
Outcome Authorize(const Ctx& c, const Json& req) {
  const auto ts = req.find("ts");
  const auto account = req.find("account");
  const auto token = req.find("token");
  if (ts == req.end() || !ts->is_number_integer())
    return Fail(kInvalidJson, "ts must be unix seconds");
  if (account == req.end() || !account->is_string())
    return Fail(kInvalidJson, "account is missing");
  if (token == req.end() || !token->is_string()) return Fail(kInvalidJson, "token is missing");
  if (account->get<std::string>() != "super") return Fail(kNoPermission, "account is not super");
  const std::int64_t t = ts->get<std::int64_t>();
  const double skew = std::abs(static_cast<double>(t) - static_cast<double>(Unix(c.now)));
  if (skew > c.auth.max_skew.count())
    return Fail(kNoPermission, "ts is too far from the miner's clock");
  if (token->get<std::string>() != whatsminer::Token(c.cmd, c.auth.password, c.auth.salt, t)) {
    return Fail(kNoPermission, "invalid token");
  }
  return {};
}

using Handler = Outcome (*)(Ctx&, const Json*);
struct Command {
  std::string_view name;
  Handler handler;
};
constexpr Command kCommands[] = {{"get.device.info", DeviceInfo},
                                 {"get.miner.status", MinerStatus},
                                 {"set.miner.service", Service},
                                 {"set.miner.power_limit", PowerLimit}};

}  // namespace

std::string V3Salt(const EmulatedMiner& m) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  SplitMix64 rng(MixSeed(m.seed(), kSaltStream));
  std::string salt;
  for (int i = 0; i < 8; ++i) salt.push_back(kAlphabet[rng.Next() % kAlphabet.size()]);
  return salt;
}

V3FrameScan ScanV3Frame(std::string_view buffer, std::size_t max_payload) {
  V3FrameScan scan;
  if (buffer.size() < 4) return scan;
  const auto* b = reinterpret_cast<const unsigned char*>(buffer.data());
  scan.length = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 |
                std::uint32_t{b[3]} << 24;
  if (scan.length > max_payload) {
    scan.state = V3FrameScan::State::kTooLarge;
  } else if (buffer.size() - 4 >= scan.length) {
    scan.state = V3FrameScan::State::kComplete;
  }
  return scan;
}

std::string V3ErrorBody(int code, std::string_view msg, std::string_view desc, UtcTime now) {
  Json j;
  j["code"] = code;
  j["when"] = Unix(now);
  j["msg"] = std::string(msg);
  j["desc"] = std::string(desc);
  return Dump(j);
}

std::string V3ReplyBody(EmulatedMiner& m, std::string_view request, UtcTime now, const V3Auth& auth,
                        double misreport) {
  m.AdvanceTo(now);
  now = m.now();  // a clock that went back: the miner's time stands
  if (!CheckJsonDepth(request).ok()) return V3ErrorBody(kInvalidJson, "invalid json", "", now);
  const Json req = Json::parse(request.begin(), request.end(), nullptr, false);
  if (req.is_discarded() || !req.is_object())
    return V3ErrorBody(kInvalidJson, "invalid json", "", now);
  const auto cmd = req.find("cmd");
  if (cmd == req.end() || !cmd->is_string()) {
    return V3ErrorBody(kInvalidJson, "cmd is missing or not a string", "", now);
  }
  Ctx c{m, now, auth, misreport, cmd->get<std::string>()};
  const auto found = std::find_if(std::begin(kCommands), std::end(kCommands),
                                  [&](const Command& k) { return k.name == c.cmd; });
  if (found == std::end(kCommands))
    return V3ErrorBody(kInvalidCommand, "invalid command", c.cmd, now);
  if (c.cmd.rfind("set.", 0) == 0) {
    if (Outcome a = Authorize(c, req); a.code != kOk) {
      return V3ErrorBody(a.code, a.msg.get<std::string>(), c.cmd, now);
    }
  }
  const auto param = req.find("param");
  Outcome out = found->handler(c, param == req.end() ? nullptr : &*param);
  if (out.code != kOk) return V3ErrorBody(out.code, out.msg.get<std::string>(), c.cmd, now);
  return OkBody(out.msg, c.cmd, now);
}

V3Action V3Reply(EmulatedMiner& m, std::string_view request, UtcTime now, const V3Auth& auth,
                 const FaultPlan& faults) {
  m.AdvanceTo(now);
  now = m.now();
  const FaultDraw d = DrawFaults(faults, m.seed(), m.NextReplySerial());
  if (d.hang) return {Delivery::kHang, "", Seconds(0), false};
  if (d.reset) return {Delivery::kReset, "", Seconds(0), false};
  if (d.reboot && m.state() != MinerState::kRebooting) m.Reboot(now);
  std::string body = V3ReplyBody(m, request, now, auth, faults.power_misreport_fraction);
  if (d.lost_reply) return {Delivery::kReset, "", Seconds(0), false};
  const int chip = static_cast<int>(std::lround(m.chip_temp_c()));
  for (Quirk q : kAllQuirks) {
    if (q != Quirk::kMissingNul && d.quirk[static_cast<int>(q)]) {
      body = ApplyQuirk(std::move(body), q, d.detail, chip);
    }
  }
  V3Action a{d.slow ? Delivery::kSlow : Delivery::kSend, whatsminer::EncodeFrame(body),
             d.slow ? faults.slow_delay : Seconds(0), false};
  if (d.quirk[static_cast<int>(Quirk::kMissingNul)]) {
    // The prefix promises 16 bytes that never come; the peer sees the close.
    const std::string longer = whatsminer::EncodeFrame(body + std::string(16, ' '));
    a.bytes.replace(0, 4, longer, 0, 4);
    a.close_after = true;
  }
  return a;
}

V3Action V3TooLargeReply(std::size_t max_payload, UtcTime now) {
  const std::string msg = "frame above " + std::to_string(max_payload) + " bytes";
  return {Delivery::kSend, whatsminer::EncodeFrame(V3ErrorBody(kOutOfMemory, msg, "", now)),
          Seconds(0), true};
}

}  // namespace mullet
