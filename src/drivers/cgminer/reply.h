// Replies of the cgminer / bmminer RPC (TCP 4028): bytes to JSON, JSON to readings.
//
// The wire format is protocols.md §2.1 (ckolivas/cgminer API-README and api.c):
// one JSON object per connection, ended by a NUL byte, whose STATUS says
// S/I/W/E/F. Real firmware bends that format; protocols.md §1.3 lists the
// breakage pyasic repairs (pyasic/rpc/base.py `_load_api_data`) and ParseReply
// repairs the same, each repair only where its pattern is found, outside
// strings, and reports which ones it needed.
//
// Everything here is pure: no sockets, no clock, no exceptions (nlohmann
// exceptions are caught inside). Thread safety: free functions on values.

#ifndef MULLET_DRIVERS_CGMINER_REPLY_H_
#define MULLET_DRIVERS_CGMINER_REPLY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status/result.h"
#include "core/text/untrusted_text.h"
#include "core/units/units.h"
#include "drivers/plausible.h"

namespace mullet::cgminer {

// Why a repair was needed, for telemetry ("which quirks does this fleet show").
enum class ReplyQuirk {
  kTrailingNul,                 // NUL bytes after the JSON: api.c send_result() frames every
                                // reply so, hence nearly every cgminer reply reports it
  kTrailingCommaBeforeBrace,    // ",}" or ",]" (btminer)
  kEmbeddedNewline,             // a raw newline or other control byte inside a string (btminer)
  kMissingCommaBetweenObjects,  // "}{" inside an array (bmminer)
  kLeadingCommaInArray,         // "[,{" (bmminer)
  kMissingCommaBeforeKey,       // a value directly followed by a key: "Normal""temp0" (btminer
                                // 2023-01-06)
  kBareInfNan,                  // inf, -inf, nan, -nan printed by "%f" (Avalon); read as null
  kLeadingIdFragment,           // the reply starts with ,"id":1} (Avalon)
  kErrorCodeList,               // a list holding "key":value members (whatsminer 2.0.4
                                // "error_code":["329":"..."]); read as an object
  kBareStatusWord,              // "RESTART"/"BYE" without JSON, or {"BYE","id":1} (sgminer)
};

// A stable lower-case name for telemetry and logs: "trailing_nul", ...
std::string_view QuirkName(ReplyQuirk quirk);

struct ParsedReply {
  nlohmann::json json;
  std::vector<ReplyQuirk> quirks;  // each repair that was needed, once, in order of first use
};

// Replies larger than this are refused (a peer that never stops talking).
inline constexpr std::size_t kMaxReplyBytes = std::size_t{64} << 20;
// Arrays and objects nested deeper than this are refused; real replies nest 4 deep.
inline constexpr int kMaxReplyDepth = kMaxJsonDepth;

// Parses the bytes of one reply (everything read until the peer closed): strict
// JSON first; if that fails, the repairs of ReplyQuirk, each applied only where
// it matches. A reply that still fails is a DataError naming the byte offset in
// `bytes` and a short excerpt ("invalid JSON at byte 27 near '...'"); a reply
// cut short is a DataError that says "truncated". Never throws; never reads
// past `bytes`.
Result<ParsedReply> ParseReply(std::string_view bytes);

// The STATUS of one reply, in whichever shape the firmware sent it.
struct StatusReading {
  std::string status;       // "S", "I", "W", "E", "F", or "RESTART" / "BYE"
  std::int64_t code = 0;    // "Code": 11 summary, 14 invalid command, 45 access denied...
  std::string msg;          // "Msg"; an object Msg (whatsminer) is its JSON text
  std::string description;  // "Description": "cgminer 4.11.1", "bmminer 1.0.0"
  std::int64_t when = 0;    // "When", unix seconds; 0 when absent
};

// Reads STATUS from a list of objects ([0] counts), an object, or a plain
// string ("STATUS":"S" with Code/Msg beside it, whatsminer V2), or a reply that
// is just the string "RESTART" / "BYE". DataError when there is none.
Result<StatusReading> ReadStatus(const nlohmann::json& reply);

// The STATUS verdict: ok for S and I; ok for W, RESTART and BYE with a note in
// message() ("warning, Code 12: ..."); InvalidArgument carrying Code and Msg for
// E and F ("miner replied E, Code 45: Access denied to 'config' command");
// DataError for no STATUS or an unknown letter. A multi-command reply has no
// STATUS of its own and is ok: check each section through CommandReply.
Status CheckStatus(const nlohmann::json& reply);

// One section of a multi-command reply (`summary+devs` -> reply["summary"][0]),
// or the reply itself for a single command (a firmware that refuses the
// multi-command answers with one E status, which then reaches the caller's
// CheckStatus). NotFound when a multi-command reply lacks the section.
Result<nlohmann::json> CommandReply(const nlohmann::json& reply, std::string_view command);

// ---- Typed readings, tolerant of firmware differences. Each takes one command's
// reply (or its multi-command section); one whose STATUS is E/F gives that error.

struct SummaryReading {
  TerahashPerSecond hashrate_5s{0};   // "GHS 5s" (bmminer), "MHS 5s" or "<unit>HS <n>s"
  TerahashPerSecond hashrate_avg{0};  // "GHS av" / "MHS av"
  double elapsed_s = 0;               // "Elapsed"
  std::int64_t accepted = 0, rejected = 0, hardware_errors = 0;
};
// Hashrates in KHS, MHS, GHS or THS keys, as numbers or numeric strings ("GHS
// 5s":"7903.729" is 7.903729 TH/s). A missing key is a DataError naming it; so is
// a value that is not a finite number, a hashrate outside 0..kMaxMinerTerahash,
// a negative count or a negative Elapsed.
Result<SummaryReading> ReadSummary(const nlohmann::json& summary_reply);

struct PoolReading {
  std::string url, user, status;  // "URL", "User", "Status" ("Alive"/"Dead")
  std::int64_t accepted = 0, rejected = 0;
  // "Stratum Active"; when no pool of the reply has that key, the alive pool of
  // lowest "Priority" is the active one.
  bool active = false;
};
// One reading per POOLS entry, in the reply's order; "URL" is required; share
// counts below zero are a DataError.
Result<std::vector<PoolReading>> ReadPools(const nlohmann::json& pools_reply);

struct DevReading {
  std::int64_t id = 0;                // "ASC" or "ID"; else the entry's position
  std::string status;                 // "Alive", "Dead", "Sick"; "" when absent
  TerahashPerSecond hashrate_5s{0};   // "MHS 5s" / "GHS 5s"
  std::optional<double> temp_c;       // "Temperature", board
  std::optional<double> chip_temp_c;  // "Chip Temp Avg" (btminer)
};
// One reading per DEVS entry (a hashboard or ASC); the 5 s rate is required; a
// temperature outside kMinSensorCelsius..kMaxSensorCelsius is a DataError.
Result<std::vector<DevReading>> ReadDevs(const nlohmann::json& devs_reply);

struct ConfigReading {
  std::int64_t asc_count = 0, pool_count = 0;
  std::string strategy;  // "Failover", "Load Balance"...
  std::string profile;   // LuxOS: the active profile; "" elsewhere
  std::string mac;       // LuxOS "MACAddr"
};
// CONFIG[0]; every key optional (stock Antminers deny `config`: that arrives as
// the E status, which the caller's CheckStatus reports).
Result<ConfigReading> ReadConfig(const nlohmann::json& config_reply);

struct StatsReading {
  // As reported, including 0 for empty fan slots and absent boards' sensors.
  std::vector<double> fan_rpm;                // fan1..fanN, or a "fan" list
  std::vector<double> temps_c;                // temp1.., temp2_1.., temp_pcb1 "45-50-..",
                                              // or chain[].temp_pcb/temp_chip/temp_pic
  std::vector<TerahashPerSecond> chain_rate;  // chain_rate1.. or chain[].rate_real; unit from
                                              // "rate_unit", GH/s when absent; empty
                                              // strings (absent boards) skipped
  std::optional<Watts> power;                 // "Power", "power", "chain_power" ("3250 W"),
                                              // "Watts", when present
};
// Scans every STATS entry (bmminer: STATS[0] is the version block, STATS[1] the
// driver data). Values that are not numbers are skipped, not errors: these keys
// differ between every firmware. DataError when there is no STATS list, or
// when a number read is outside what a sensor can say (a temperature outside
// kMinSensorCelsius..kMaxSensorCelsius, a fan above kMaxFanRpm, power above
// kMaxMinerWatts, a chain above kMaxMinerTerahash, any of them negative).
Result<StatsReading> ReadStats(const nlohmann::json& stats_reply);

// LuxOS's `power` reply: POWER[0].Watts, the miner's own estimate of its
// draw (LuxOS's `stats` carries none). DataError when there is no POWER[0],
// no number of Watts, or one outside 0..kMaxMinerWatts.
Result<Watts> ReadPower(const nlohmann::json& power_reply);

struct VersionReading {
  std::string miner;            // "BMMiner 1.0.0", "CGMiner 4.11.1", "LUXminer 2024.5.1"
  std::string api;              // "API": "3.1"
  std::string firmware_family;  // "bmminer", "cgminer", "luxminer", "bosminer", "btminer",
                                // "vnish", or "unknown"
  std::string model;            // "Type" ("Antminer S9") or "PROD" (Avalon); "" when absent
};
// Family from the VERSION keys, then the STATUS Description ("btminer"). DataError
// when there is no VERSION entry.
Result<VersionReading> ReadVersion(const nlohmann::json& version_reply);

// The JSON request {"command":"summary","parameter":"0"}; no "parameter" key
// when `parameter` is empty. Bytes that are not UTF-8 become U+FFFD.
std::string EncodeRequest(std::string_view command, std::string_view parameter = {});

}  // namespace mullet::cgminer

#endif  // MULLET_DRIVERS_CGMINER_REPLY_H_
