#include "emulate/rpc_replies.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/text/untrusted_text.h"

#include <nlohmann/json.hpp>

#include "emulate/reply_format.h"

namespace mullet {
namespace {

using namespace rpc_code;  // NOLINT: the codes read best bare here

// A reply as data (cgminer's api_data lists) and its JSON and text forms.
using reply_format::AppendBodyText;
using reply_format::Body;
using reply_format::BodyJson;
using reply_format::Bool;
using reply_format::Field;
using reply_format::Int;
using reply_format::JsonObject;
using reply_format::Members;
using reply_format::Num;
using reply_format::Record;
using reply_format::Render;
using reply_format::Section;
using reply_format::Str;

// ---- What differs between firmware families on the wire.
struct Family {
  const char* description;  // STATUS Description
  const char* name;         // "<name> versions", VERSION key
  const char* version;
  const char* api;
  bool ghs;                      // GH/s fields (bmminer, LuxOS) instead of MH/s
  bool multi_command;            // stock S19 firmware rejects "summary+devs" (protocols.md §2.1)
  bool sorted_keys;              // LuxOS prints keys sorted (luxos-tooling tests/data/messages)
  bool invalid_has_description;  // api.c omits it for Code 14; LuxOS sends it
};

// Indexed by FirmwareFamily, in its order.
// clang-format off
constexpr Family kFamilyTable[] = {
    // description, name, version, api, ghs, multi_command, sorted_keys, invalid_has_description
    {"bmminer 1.0.0", "BMMiner", "1.0.0", "3.1", true, false, false, false},
    {"cgminer 4.11.1", "CGMiner", "4.11.1", "3.7", false, true, false, false},
    {"LUXminer 2024.5.1.155604-2e4b0ee6", "LUXminer", "2024.5.1.155604-2e4b0ee6", "3.7",
     true, true, true, true},
    {"BOSminer bosminer-plus-tuner 0.2.0-36c56734af", "BOSminer", "0.2.0-36c56734af", "3.7",
     false, true, false, false},
    // btminer answers as the cgminer fork it is (tests/testdata/cgminer/btminer_version.json).
    {"btminer", "CGMiner", "4.9.2", "3.7", false, true, false, false},
};
// clang-format on
static_assert(std::size(kFamilyTable) == static_cast<size_t>(FirmwareFamily::kWhatsminerV3) + 1);

const Family& FamilyOf(FirmwareFamily f) { return kFamilyTable[static_cast<int>(f)]; }

constexpr const char* kMinerVersion = "49.0.1.3";  // Antminer build id, as in STATS[0]
constexpr const char* kCompileTime = "Tue Apr 26 11:52:26 CST 2022";

struct Ctx {
  EmulatedMiner& m;
  const Family& f;
  UtcTime now;
  std::string param;
  double misreport;  // the fault plan's, added to the miner's own
};

std::int64_t Unix(UtcTime t) { return t.time_since_epoch().count(); }
// The wattage the miner reports: true × (1 + its own misreport + the plan's).
std::int64_t ReportedWatts(const Ctx& c) {
  return std::lround(c.m.power().value() * (1 + c.m.power_misreport() + c.misreport));
}
double Ghs(TerahashPerSecond h) { return h.value() * 1e3; }
double Mhs(TerahashPerSecond h) { return h.value() * 1e6; }

Record StatusRecord(const Ctx& c, char severity, int code, std::string msg) {
  Record r{Str("STATUS", std::string(1, severity)), Int("When", Unix(c.now)), Int("Code", code),
           Str("Msg", std::move(msg))};
  if (code != kInvalidCommand || c.f.invalid_has_description)
    r.push_back(Str("Description", c.f.description));
  return r;
}
Body Error(const Ctx& c, int code, std::string msg) {
  return {StatusRecord(c, 'E', code, std::move(msg)), {}};
}
Body Ok(const Ctx& c, int code, std::string msg, std::vector<Section> sections = {}) {
  return {StatusRecord(c, 'S', code, std::move(msg)), std::move(sections)};
}

// ---- Report commands (api.c summary(), devstatus(), poolstatus(), ...).
struct Work {
  double elapsed_s, minutes, diff1, share_diff;
  std::int64_t accepted, rejected, hw;
};
Work WorkOf(const EmulatedMiner& m) {
  const double s = m.elapsed().count();
  return {s,
          std::max(s / 60, 1.0 / 60),
          m.hashrate_avg().hashes_per_second() * s / 4294967296.0,
          m.options().share_difficulty,
          m.accepted_shares(),
          m.rejected_shares(),
          m.hardware_errors()};
}

void AddHashrates(const Ctx& c, Record& r, double fraction, bool with_30m) {
  const EmulatedMiner& m = c.m;
  if (c.f.ghs) {
    const double g5 = Ghs(m.hashrate_5s()) * fraction;
    // Stock bmminer prints "GHS 5s" as a string (protocols.md §2.1).
    if (m.family() == FirmwareFamily::kBmminer)
      r.push_back(Str("GHS 5s", fmt::format("{:.2f}", g5)));
    else
      r.push_back(Num("GHS 5s", g5, 2));
    r.push_back(Num("GHS av", Ghs(m.hashrate_avg()) * fraction, 2));
    if (with_30m) r.push_back(Num("GHS 30m", Ghs(m.hashrate_rolling(1800)) * fraction, 2));
    return;
  }
  r.push_back(Num("MHS av", Mhs(m.hashrate_avg()) * fraction, 2));
  r.push_back(Num("MHS 5s", Mhs(m.hashrate_5s()) * fraction, 2));
  for (int w : {60, 300, 900})
    r.push_back(Num(fmt::format("MHS {}m", w / 60), Mhs(m.hashrate_rolling(w)) * fraction, 2));
}

Body Summary(Ctx& c) {
  const Work w = WorkOf(c.m);
  const double pool_total = static_cast<double>(std::max<std::int64_t>(w.accepted + w.rejected, 1));
  Record r{Num("Elapsed", w.elapsed_s, 0)};
  AddHashrates(c, r, 1, true);
  // A table of wire fields, in api.c summary() order.
  // clang-format off
  const Record rest{
      Int("Found Blocks", 0), Int("Getworks", static_cast<std::int64_t>(w.elapsed_s / 30)),
      Int("Accepted", w.accepted), Int("Rejected", w.rejected), Int("Hardware Errors", w.hw),
      Num("Utility", w.accepted / w.minutes, 2), Int("Discarded", 0), Int("Stale", 0),
      Int("Get Failures", 0), Int("Local Work", static_cast<std::int64_t>(w.diff1 / 16)),
      Int("Remote Failures", 0),
      Int("Network Blocks", static_cast<std::int64_t>(w.elapsed_s / 600)),
      Num("Total MH", Mhs(c.m.hashrate_avg()) * w.elapsed_s, 4),
      Num("Work Utility", w.diff1 / w.minutes, 2),
      Num("Difficulty Accepted", w.accepted * w.share_diff, 8),
      Num("Difficulty Rejected", w.rejected * w.share_diff, 8), Num("Difficulty Stale", 0, 8),
      Int("Best Share", static_cast<std::int64_t>(c.m.best_share())),
      Num("Device Hardware%", w.diff1 > 0 ? 100.0 * w.hw / (w.hw + w.diff1) : 0, 4),
      Num("Device Rejected%", w.diff1 > 0 ? 100.0 * w.rejected * w.share_diff / w.diff1 : 0, 4),
      Num("Pool Rejected%", 100.0 * w.rejected / pool_total, 4), Num("Pool Stale%", 0, 4),
      Int("Last getwork", Unix(c.now))};
  // clang-format on
  r.insert(r.end(), rest.begin(), rest.end());
  if (c.m.family() == FirmwareFamily::kWhatsminerV3) {
    // btminer summary extras (protocols.md §2.4; the keys pyasic btminer.py reads).
    const int fan = c.m.options().fans > 0 ? c.m.fan_rpm(0) : 0;
    // clang-format off
    r.insert(r.end(), {
        Int("Power", ReportedWatts(c)),
        Int("Power Limit", std::lround(c.m.target_power().value())), Str("Power Mode", "Normal"),
        Int("Factory GHS", std::lround(Ghs(c.m.model().hashrate))),
        Num("Env Temp", c.m.options().ambient_c, 2), Num("Chip Temp Avg", c.m.chip_temp_c(), 2),
        Int("Fan Speed In", fan), Int("Fan Speed Out", fan), Int("Power Fanspeed", fan / 2),
        Num("HS RT", Mhs(c.m.hashrate_rolling(60)), 2), Num("Temperature", c.m.board_temp_c(), 2),
        Int("freq_avg", std::lround(600 * std::pow(c.m.target_power() / c.m.model().power, 0.65))),
        Num("Power Rate", c.m.hashrate().value() > 0 ? ReportedWatts(c) / c.m.hashrate().value() : 0, 2),
        Int("Uptime", std::lround(w.elapsed_s) + 60), Int("Security Mode", 0),
        Bool("Hash Stable", c.m.state() == MinerState::kRunning),
        Int("Hash Stable Cost Seconds", std::min<std::int64_t>(std::lround(w.elapsed_s), 1020)),
        Num("Hash Deviation%", 100 * (c.m.hashrate_5s().value() / std::max(c.m.hashrate().value(), 1e-9) - 1), 4),
        Int("Target Freq", 600),
        Int("Target MHS", std::lround(Mhs(c.m.HashrateAtPower(c.m.target_power())))),
        Num("Chip Temp Min", c.m.chip_temp_c() - 9, 2), Num("Chip Temp Max", c.m.chip_temp_c() + 8, 2),
        Str("Debug", ""), Str("Btminer Fast Boot", "disable")});
    // clang-format on
  }
  return Ok(c, kSummary, "Summary", {{"SUMMARY", {r}}});
}

double BoardFraction(const EmulatedMiner& m, int i) {
  const double h = m.hashrate().value();
  return h > 0 ? m.board(i).hashrate.value() / h : 1.0 / m.options().hashboards;
}

Body Devs(Ctx& c) {
  const int n = c.m.options().hashboards;
  const Work w = WorkOf(c.m);
  std::vector<Record> boards;
  for (int i = 0; i < n; ++i) {
    const double f = BoardFraction(c.m, i);
    const std::int64_t acc = w.accepted / n + (i == 0 ? w.accepted % n : 0);
    const std::int64_t rej = w.rejected / n + (i == 0 ? w.rejected % n : 0);
    Record r{Int("ASC", i),          Str("Name", "BTM"),
             Int("ID", i),           Str("Enabled", "Y"),
             Str("Status", "Alive"), Num("Temperature", c.m.board(i).board_c, 2)};
    Ctx mhs{c.m, FamilyOf(FirmwareFamily::kCgminer), c.now, {}, 0};  // devs is MH/s everywhere
    AddHashrates(mhs, r, f, false);
    r.insert(r.end(), {Int("Accepted", acc), Int("Rejected", rej), Int("Hardware Errors", w.hw / n),
                       Num("Utility", acc / w.minutes, 2), Int("Last Share Pool", acc > 0 ? 0 : -1),
                       Int("Last Share Time", acc > 0 ? Unix(c.now) : 0),
                       Num("Total MH", Mhs(c.m.hashrate_avg()) * w.elapsed_s * f, 4),
                       Int("Diff1 Work", static_cast<std::int64_t>(w.diff1 * f)),
                       Num("Difficulty Accepted", acc * w.share_diff, 8),
                       Num("Difficulty Rejected", rej * w.share_diff, 8),
                       Num("Last Share Difficulty", w.share_diff, 8),
                       Bool("No Device", false), Int("Last Valid Work", Unix(c.now)),
                       Num("Device Hardware%", 0, 4),
                       Num("Device Rejected%", 0, 4), Num("Device Elapsed", w.elapsed_s, 0)});
    if (c.m.family() == FirmwareFamily::kWhatsminerV3)  // btminer per-board keys
      r.insert(r.end(), {Int("Slot", i), Num("Chip Temp Avg", c.m.board(i).chip_c, 2),
                         Int("Effective Chips", c.m.options().chips_per_board)});
    boards.push_back(std::move(r));
  }
  return Ok(c, kDevs, fmt::format("{} ASC(s)", n), {{"DEVS", boards, false}});
}

// The chain height the active pool reports: from the 2024 halving (block
// 840,000 at 1713571767) at one block per 600 s; illustrative, not a chain feed.
std::int64_t BlockHeight(UtcTime now) {
  return std::max<std::int64_t>(0, 840000 + (Unix(now) - 1713571767) / 600);
}

Body Pools(Ctx& c) {
  const double d = c.m.options().share_difficulty;
  std::vector<Record> out;
  int i = 0;
  for (const PoolInfo& p : c.m.pools()) {
    const double rej = 100.0 * p.rejected / std::max<std::int64_t>(p.accepted + p.rejected, 1);
    const std::int64_t getworks =
        p.active ? static_cast<std::int64_t>(c.m.elapsed().count() / 30) : 0;
    const double active_d = p.active ? d : 0;
    // A table of wire fields, in api.c poolstatus() order.
    // clang-format off
    out.push_back({
        Int("POOL", i), Str("URL", p.url), Str("Status", p.alive ? "Alive" : "Dead"),
        Int("Priority", i), Int("Quota", 1), Str("Long Poll", "N"), Int("Getworks", getworks),
        Int("Accepted", p.accepted), Int("Rejected", p.rejected), Int("Works", 0),
        Int("Discarded", 0), Int("Stale", 0), Int("Get Failures", 0), Int("Remote Failures", 0),
        Str("User", p.user), Int("Last Share Time", p.accepted > 0 ? Unix(c.now) : 0),
        Int("Diff1 Shares", static_cast<std::int64_t>(p.accepted * d)), Str("Proxy Type", ""),
        Str("Proxy", ""), Num("Difficulty Accepted", p.accepted * d, 8),
        Num("Difficulty Rejected", p.rejected * d, 8), Num("Difficulty Stale", 0, 8),
        Num("Last Share Difficulty", active_d, 8), Num("Work Difficulty", active_d, 8),
        Bool("Has Stratum", true), Bool("Stratum Active", p.active),
        Str("Stratum URL", p.active ? p.url : ""), Num("Stratum Difficulty", active_d, 8),
        Bool("Has Vmask", true), Bool("Has GBT", false),
        Int("Best Share", p.active ? static_cast<std::int64_t>(c.m.best_share()) : 0),
        Num("Pool Rejected%", rej, 4), Num("Pool Stale%", 0, 4), Int("Bad Work", 0),
        Int("Current Block Height", p.active ? BlockHeight(c.now) : 0),
        Int("Current Block Version", p.active ? 536870912 : 0)});
    // clang-format on
    ++i;
  }
  return Ok(c, kPools, fmt::format("{} Pool(s)", out.size()), {{"POOLS", out, false}});
}

// Chip status as bmminer prints it: " oooooooo oooooooo ..." (one 'o' per chip).
std::string ChipStatus(int chips) {
  std::string s;
  for (int i = 0; i < chips; ++i) s += (i % 8 == 0 ? " o" : "o");
  return s;
}

Record AntminerStatsRecord(Ctx& c) {
  const EmulatedMiner& m = c.m;
  const MinerOptions& o = m.options();
  const double mhz = 500 * std::pow(m.target_power() / m.model().power, 1 - o.efficiency_exponent);
  Record r{Int("STATS", 0),        Str("ID", "BTM_SOC0"), Num("Elapsed", m.elapsed().count(), 0),
           Int("Calls", 0),        Num("Wait", 0, 6),     Num("Max", 0, 6),
           Num("Min", 99999999, 6)};
  AddHashrates(c, r, 1, false);
  r.insert(r.end(), {Int("miner_count", o.hashboards), Int("frequency", std::lround(mhz)),
                     Int("fan_num", o.fans)});
  for (int i = 0; i < o.fans; ++i) r.push_back(Int(fmt::format("fan{}", i + 1), m.fan_rpm(i)));
  r.push_back(Int("temp_num", o.hashboards));
  const int n = o.hashboards;
  auto per_board = [&r, n](const char* key, auto value) {
    for (int i = 0; i < n; ++i) r.push_back(value(fmt::format(fmt::runtime(key), i + 1), i));
  };
  per_board("temp{}",
            [&m](std::string k, int i) { return Int(k, std::lround(m.board(i).board_c)); });
  per_board("temp2_{}",
            [&m](std::string k, int i) { return Int(k, std::lround(m.board(i).chip_c)); });
  per_board("chain_acn{}", [&o](std::string k, int) { return Int(k, o.chips_per_board); });
  per_board("chain_acs{}",
            [&o](std::string k, int) { return Str(k, ChipStatus(o.chips_per_board)); });
  per_board("chain_rate{}", [&m](std::string k, int i) {
    return Str(k, fmt::format("{:.2f}", Ghs(m.board(i).hashrate)));  // a string, as bmminer
  });
  r.insert(r.end(),
           {Num("total_rateideal", Ghs(m.HashrateAtPower(m.target_power())), 2),
            Num("total_freqavg", mhz, 2), Int("total_acn", o.hashboards * o.chips_per_board),
            Num("total_rate", Ghs(m.hashrate()), 2), Str("rate_unit", "GH/s")});
  return r;
}

Body Stats(Ctx& c) {
  const EmulatedMiner& m = c.m;
  std::vector<Record> out;
  if (c.f.ghs) {  // bmminer layout: STATS[0] versions, STATS[1] driver data (§2.1)
    out.push_back({Str(c.f.name, c.f.version), Str("Miner", kMinerVersion),
                   Str("CompileTime", kCompileTime), Str("Type", m.model().name)});
    out.push_back(AntminerStatsRecord(c));
  } else {  // api.c itemstats() per device, with the temperatures the drivers add
    for (int i = 0; i < m.options().hashboards; ++i) {
      // clang-format off
      Record r{Int("STATS", i), Str("ID", fmt::format("BTM{}", i)),
               Num("Elapsed", m.elapsed().count(), 0), Int("Calls", 0), Num("Wait", 0, 6),
               Num("Max", 0, 6), Num("Min", 99999999, 6),
               Num("MHS 5s", Mhs(m.hashrate_5s()) * BoardFraction(m, i), 2),
               Num("temp", m.board(i).board_c, 2), Num("temp_chip", m.board(i).chip_c, 2)};
      // clang-format on
      if (i < m.options().fans) r.push_back(Int("fan", m.fan_rpm(i)));
      out.push_back(std::move(r));
    }
  }
  return Ok(c, kStats, fmt::format("{} stats", c.f.name), {{"STATS", out, false}});
}

Body Version(Ctx& c) {
  Record r{Str(c.f.name, c.f.version), Str("API", c.f.api)};
  if (c.m.family() != FirmwareFamily::kCgminer)
    r.insert(r.end(), {Str("Miner", kMinerVersion), Str("CompileTime", kCompileTime),
                       Str("Type", c.m.model().name)});
  return Ok(c, kVersion, fmt::format("{} versions", c.f.name), {{"VERSION", {r}}});
}

Body Config(Ctx& c) {
  // Stock Antminers deny `config` to the read-only API (protocols.md §2.1).
  if (c.m.family() == FirmwareFamily::kBmminer)
    return Error(c, kAccessDenied, "Access denied to 'config' command");
  // clang-format off
  Record r{Int("ASC Count", c.m.options().hashboards), Int("PGA Count", 0),
           Int("Pool Count", static_cast<std::int64_t>(c.m.pools().size())),
           Str("Strategy", "Failover"), Int("Log Interval", 5), Str("Device Code", ""),
           Str("OS", "Linux"), Str("Hotplug", "None")};
  // clang-format on
  if (c.m.family() == FirmwareFamily::kLuxos) {  // pyasic reads Profile, MACAddr, RedLed
    const std::uint64_t mac = MixSeed(c.m.seed(), 0x6d6163);
    r.insert(r.end(), {Str("Profile", c.m.active_profile().value_or("")),
                       Str("MACAddr", fmt::format("02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                                                  mac & 255, mac >> 8 & 255, mac >> 16 & 255,
                                                  mac >> 24 & 255, mac >> 32 & 255)),
                       Str("RedLed", "off")});
  }
  return Ok(c, kConfig, fmt::format("{} config", c.f.name), {{"CONFIG", {r}}});
}

// ---- LuxOS (protocols.md §2.2). Write commands take the session id first.
std::vector<std::string> SplitParams(std::string_view p) {
  std::vector<std::string> out;
  if (p.empty()) return out;
  size_t start = 0;
  for (size_t i = 0; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == ',') {
      out.emplace_back(p.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// The error reply when the first parameter is not the live session; refreshes
// the session when it is.
std::optional<Body> SessionError(Ctx& c, const std::vector<std::string>& p) {
  if (p.empty() || p[0].empty()) return Error(c, kLuxBadParameter, "Missing parameter: session");
  if (!c.m.TouchSession(p[0], c.now)) return Error(c, kLuxInvalidSession, "Invalid session id");
  return std::nullopt;
}

Body Logon(Ctx& c) {
  if (c.m.ActiveSession(c.now)) return Error(c, kLuxSessionActive, "Another session is active");
  const std::string id = c.m.OpenSession(c.now);
  return Ok(c, kLuxSessionCreated, "Session created", {{"SESSION", {{Str("SessionID", id)}}}});
}

Body SessionInfo(Ctx& c) {
  const std::string id = c.m.ActiveSession(c.now).value_or("");
  return Ok(c, kLuxSession, "Session", {{"SESSION", {{Str("SessionID", id)}}}});
}

Body Logoff(Ctx& c) {
  const std::vector<std::string> p = SplitParams(c.param);
  if (std::optional<Body> e = SessionError(c, p)) return *e;
  c.m.CloseSession();
  return Ok(c, kLuxLogoff, "Session terminated");
}

Body Kill(Ctx& c) {
  c.m.CloseSession();
  return Ok(c, kLuxKill, "Session killed");
}

Body Curtail(Ctx& c) {
  const std::vector<std::string> p = SplitParams(c.param);
  if (std::optional<Body> e = SessionError(c, p)) return *e;
  const std::string action = p.size() > 1 ? p[1] : "";
  if (action == "sleep")
    c.m.Sleep(c.now);
  else if (action == "wakeup")
    c.m.Wake(c.now);
  else
    return Error(c, kLuxBadParameter, "Invalid curtail action '" + action + "'");
  return Ok(c, kLuxCurtail, "Curtailment command sent",
            {{"CURTAIL", {{Str("Action", action == "sleep" ? "sleep mode" : "wake up")}}}});
}

Body Profiles(Ctx& c) {
  std::vector<Record> out;
  for (const EmulatedProfile& p : c.m.profiles())
    out.push_back({Str("Profile Name", p.name), Int("Watts", std::lround(p.power.value())),
                   Num("Hashrate", p.hashrate.value(), 2), Bool("IsTuned", true),
                   Int("Frequency", std::lround(p.frequency_mhz)), Num("Voltage", p.voltage_v, 2)});
  return Ok(c, kLuxProfiles, "Profiles", {{"PROFILES", out, false}});
}

Body ProfileSet(Ctx& c) {
  const std::vector<std::string> p = SplitParams(c.param);
  if (std::optional<Body> e = SessionError(c, p)) return *e;
  if (p.size() < 2) return Error(c, kLuxBadParameter, "Missing parameter: profile");
  const Status s = c.m.SetProfile(p[1], c.now);
  if (!s.ok())
    return Error(c, s.code() == StatusCode::kNotFound ? kLuxBadParameter : kLuxRefused,
                 s.message());
  std::vector<Record> boards;
  for (int i = 0; i < c.m.options().hashboards; ++i)
    boards.push_back({Int("Board", i), Int("FrequencyStep", 5), Str("Profile", p[1]),
                      Num("VoltageStep", 0.05, 2)});
  return Ok(c, kLuxProfileSet, "Profile Set", {{"PROFILE", boards, false}});
}

Body Power(Ctx& c) {
  return Ok(c, kLuxPower, "Power", {{"POWER", {{Int("Watts", ReportedWatts(c))}}}});
}

Record AtmRecord(const EmulatedMiner& m) {
  return {Bool("Enabled", m.atm_enabled()), Str("MaxProfile", "turbo"), Str("MinProfile", "eco"),
          Int("PostRampMinutes", 1),        Int("StartupMinutes", 1),   Num("TempWindow", 3, 1)};
}

Body Atm(Ctx& c) { return Ok(c, kLuxAtm, "ATM configuration values", {{"ATM", {AtmRecord(c.m)}}}); }

Body AtmSet(Ctx& c) {
  static const std::set<std::string> kKeys = {"enabled",     "min_profile",     "max_profile",
                                              "temp_window", "startup_minutes", "post_ramp_minutes",
                                              "prevent_oc"};
  const std::vector<std::string> p = SplitParams(c.param);
  if (std::optional<Body> e = SessionError(c, p)) return *e;
  for (size_t i = 1; i < p.size(); ++i) {
    const size_t eq = p[i].find('=');
    const std::string key = p[i].substr(0, eq),
                      value = eq == std::string::npos ? "" : p[i].substr(eq + 1);
    if (!kKeys.count(key)) return Error(c, kLuxBadParameter, "Invalid ATM setting '" + key + "'");
    if (key == "enabled" && value != "true" && value != "false")
      return Error(c, kLuxBadParameter, "enabled must be true or false");
    if (key == "enabled") c.m.set_atm_enabled(value == "true");
  }
  return Ok(c, kLuxAtmSet, "ATM configuration updated", {{"ATM", {AtmRecord(c.m)}}});
}

// ---- Braiins OS+ legacy bosminer (protocols.md §2.3; pyasic braiins_os.py).
Body Pause(Ctx& c) {
  c.m.Sleep(c.now);
  return Ok(c, kBosPause, "Pause", {{"PAUSE", {{Bool("Paused", true)}}}});
}

Body Resume(Ctx& c) {
  c.m.Wake(c.now);
  return Ok(c, kBosResume, "Resume", {{"RESUME", {{Bool("Resumed", true)}}}});
}

Body TunerStatus(Ctx& c) {
  Record r{Int("ApproximateMinerPowerConsumption", ReportedWatts(c)),
           Int("PowerLimit", std::lround(c.m.target_power().value())),
           Str("DynamicPowerScaling", "Disabled"), Field{"TunerChainStatus", "[]", false}};
  return Ok(c, kBosTunerStatus, "Tuner status", {{"TUNERSTATUS", {r}}});
}

// ---- Dispatch.
constexpr unsigned Bit(FirmwareFamily f) { return 1u << static_cast<unsigned>(f); }
constexpr unsigned kAll = 0x1f;
constexpr unsigned kLux = Bit(FirmwareFamily::kLuxos);
constexpr unsigned kBos = Bit(FirmwareFamily::kBraiins);

struct Command {
  const char* name;
  Body (*run)(Ctx&);
  bool joinable;  // may appear in a multi-command (api.c: report commands only)
  unsigned families;
};

// clang-format off
constexpr Command kCommands[] = {
    {"summary", Summary, true, kAll},         {"devs", Devs, true, kAll},
    {"pools", Pools, true, kAll},             {"stats", Stats, true, kAll},
    {"version", Version, true, kAll},         {"config", Config, true, kAll},
    {"logon", Logon, false, kLux},            {"logoff", Logoff, false, kLux},
    {"session", SessionInfo, true, kLux},     {"kill", Kill, false, kLux},
    {"curtail", Curtail, false, kLux},        {"profiles", Profiles, true, kLux},
    {"profileset", ProfileSet, false, kLux},  {"power", Power, true, kLux},
    {"atm", Atm, true, kLux},                 {"atmset", AtmSet, false, kLux},
    {"pause", Pause, false, kBos},            {"resume", Resume, false, kBos},
    {"tunerstatus", TunerStatus, true, kBos},
};
// clang-format on

const Command* FindCommand(std::string_view name, FirmwareFamily f) {
  for (const Command& c : kCommands)
    if (name == c.name && (c.families & Bit(f))) return &c;
  return nullptr;
}

struct Request {
  std::string command, parameter;
  bool json = false;
  int error = 0;  // kInvalidJson, kMissingCommand or kInvalidCommand when unusable
};

// api.c: JSON iff the first byte is '{'; else "cmd|param". The request is a C
// string: it ends at the first NUL.
Request ParseRequest(std::string_view bytes) {
  bytes = bytes.substr(0, bytes.find('\0'));
  Request r;
  if (bytes.empty() || bytes[0] != '{') {
    const size_t bar = bytes.find('|');
    r.command = std::string(bytes.substr(0, bar));
    if (bar != std::string_view::npos) r.parameter = std::string(bytes.substr(bar + 1));
    return r;
  }
  r.json = true;
  if (!CheckJsonDepth(bytes).ok()) {  // a client's request nests no deeper than a reply may
    r.error = kInvalidJson;
    return r;
  }
  const nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    r.error = kInvalidJson;
  else if (!j.contains("command"))
    r.error = kMissingCommand;
  else if (!j["command"].is_string())
    r.error = kInvalidCommand;
  if (r.error) return r;
  r.command = j["command"].get<std::string>();
  const auto p = j.find("parameter");
  if (p == j.end()) return r;
  if (p->is_string())
    r.parameter = p->get<std::string>();
  else if (p->is_number_integer())
    r.parameter = std::to_string(p->get<std::int64_t>());
  else if (p->is_number())
    r.parameter = fmt::format("{:f}", p->get<double>());
  return r;
}

// api.c's join: each joinable command once, blanks skipped, an unknown one its
// own Code 14, a non-joinable one Code 45; all under one "id".
std::string MultiCommand(Ctx& c, std::string_view names, bool json) {
  Members parts;
  std::string text;
  std::set<std::string, std::less<>> seen;
  size_t start = 0;
  for (size_t i = 0; i <= names.size(); ++i) {
    if (i < names.size() && names[i] != '+') continue;
    const std::string name(names.substr(start, i - start));
    start = i + 1;
    if (name.empty() || !seen.insert(name).second) continue;
    const Command* cmd = FindCommand(name, c.m.family());
    c.param.clear();
    const Body b = !cmd ? Error(c, kInvalidCommand, "Invalid command")
                   : !cmd->joinable
                       ? Error(c, kAccessDenied, "Access denied to '" + name + "' command")
                       : cmd->run(c);
    if (json) parts.emplace_back(name, "[" + BodyJson(b, c.f.sorted_keys) + "]");
    text += "CMD=" + name + "|";  // api.c head_join, text mode
    if (!json) AppendBodyText(text, b);
  }
  if (!json) return text;
  parts.emplace_back("id", "1");
  return JsonObject(std::move(parts), c.f.sorted_keys);
}

std::string RenderBody(EmulatedMiner& m, std::string_view request, UtcTime now, double misreport) {
  const Request r = ParseRequest(request);
  Ctx c{m, FamilyOf(m.family()), now, r.parameter, misreport};
  auto render = [&](const Body& b) { return Render(b, r.json, c.f.sorted_keys); };
  if (r.error == kInvalidJson) return render(Error(c, kInvalidJson, "Invalid JSON"));
  if (r.error == kMissingCommand)
    return render(Error(c, kMissingCommand, "Missing JSON 'command'"));
  if (r.error) return render(Error(c, kInvalidCommand, "Invalid command"));
  if (r.command.find('+') != std::string::npos) {
    // Stock S19 firmware refuses the join (protocols.md §2.1): one Code 14.
    if (!c.f.multi_command) return render(Error(c, kInvalidCommand, "Invalid command"));
    return MultiCommand(c, r.command, r.json);
  }
  const Command* cmd = FindCommand(r.command, m.family());
  return render(cmd ? cmd->run(c) : Error(c, kInvalidCommand, "Invalid command"));
}

}  // namespace

std::string_view DeliveryName(Delivery d) {
  static constexpr const char* kNames[] = {"send", "slow", "hang", "reset"};  // enum order
  return kNames[static_cast<int>(d)];
}

ReplyAction Reply(EmulatedMiner& m, std::string_view request, UtcTime now,
                  const FaultPlan& faults) {
  m.AdvanceTo(now);
  now = m.now();  // a clock that went back: the miner's time stands
  const FaultDraw d = DrawFaults(faults, m.seed(), m.NextReplySerial());
  if (d.hang) return {Delivery::kHang, "", Seconds(0)};
  if (d.reset) return {Delivery::kReset, "", Seconds(0)};
  if (d.reboot && m.state() != MinerState::kRebooting) m.Reboot(now);
  std::string body = RenderBody(m, request, now, faults.power_misreport_fraction);
  if (d.lost_reply) return {Delivery::kReset, "", Seconds(0)};
  std::string bytes =
      ApplyQuirks(std::move(body), d, static_cast<int>(std::lround(m.chip_temp_c())));
  if (d.slow) return {Delivery::kSlow, std::move(bytes), faults.slow_delay};
  return {Delivery::kSend, std::move(bytes), Seconds(0)};
}

std::string ReplyBytes(EmulatedMiner& m, std::string_view request, UtcTime now) {
  return Reply(m, request, now, FaultPlan{}).bytes;
}

}  // namespace mullet
