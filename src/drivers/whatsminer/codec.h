// Whatsminer API V3 on the wire (protocols.md §2.4; MicroBT "Whatsminer API
// V3" documentation: "TCP Data Framing", "Token Generation"; pyasic
// rpc/btminer.py BTMinerV3RPCAPI): every message is a 4-byte little-endian
// length and that many bytes of JSON. Requests are {"cmd","param"}; writes
// (set.*) add "ts" (unix s), "account":"super" and an 8-character token.
// Replies are {"code","when","msg","desc"}: code 0 is success, negative codes
// are failures with a string msg.
//
// Pure: no sockets, no clock. Nothing here throws; bad bytes are DataError.

#ifndef MULLET_DRIVERS_WHATSMINER_CODEC_H_
#define MULLET_DRIVERS_WHATSMINER_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet::whatsminer {

inline constexpr std::uint16_t kV3Port = 4433;

// The prefix (payload size, little-endian) and `payload`.
// REQUIRES: payload.size() < 2^32.
std::string EncodeFrame(std::string_view payload);

// The payload of exactly one frame. DataError when `bytes` is shorter than 4,
// shorter than the declared length, longer (trailing bytes), or when the
// declared length is above `max_payload`.
Result<std::string> DecodeFrame(std::string_view bytes, std::size_t max_payload = 4 << 20);

// base64(sha256(cmd + password + salt + decimal ts)), first 8 characters.
std::string Token(std::string_view cmd, std::string_view password, std::string_view salt,
                  std::int64_t ts);

// A framed read request; `param` omitted when empty.
std::string EncodeRead(std::string_view cmd, std::string_view param = "");
// A framed write request signed with `password` and the miner's `salt` at `ts`.
std::string EncodeWrite(std::string_view cmd, const nlohmann::json& param,
                        std::string_view password, std::string_view salt, std::int64_t ts);

// Reply codes (the V3 documentation's table).
std::string_view CodeName(int code);  // "fail", "invalid command", ... or "unknown code"

struct Reply {
  int code = 0;
  std::optional<std::int64_t> when;  // the miner's clock, unix s
  nlohmann::json msg;                // "ok", an object, or an error text
  std::string desc;                  // the command it answers ("" when absent)
};

// Parses one payload (no prefix). DataError when it is not a JSON object
// with an integer "code".
Result<Reply> ParseReply(std::string_view payload);

// Ok for code 0; InvalidArgument naming the code and msg otherwise
// ("code -4 (no permission): invalid token").
Status CheckCode(const Reply& reply);

// The salt of a `get.device.info` reply (msg.salt). DataError when absent.
Result<std::string> ReadSalt(const Reply& reply);

// A `get.miner.status` summary (msg.summary), in our units.
struct StatusReading {
  TerahashPerSecond hashrate{0};                      // hash-realtime: required
  std::optional<TerahashPerSecond> hashrate_avg;      // hash-average
  std::optional<TerahashPerSecond> factory_hashrate;  // factory-hash
  std::optional<Watts> power;                         // power-realtime
  std::optional<Watts> power_limit;                   // power-limit
  std::optional<Seconds> elapsed;                     // elapsed
  std::optional<double> env_temp_c;                   // environment-temperature
  std::optional<double> chip_temp_avg_c;              // chip-temp-avg
  std::vector<double> board_temps_c;                  // board-temperature
  std::optional<int> fan_in_rpm, fan_out_rpm;
  std::optional<std::int64_t> accepted, rejected;  // emulator extension, README.md
  bool tuned = false;  // up-freq-finish == 1: the miner finished ramping
};

// DataError naming the field ("msg.summary.hash-realtime: missing") when the
// summary or its hashrate is absent, or a present field has the wrong type,
// is negative (temperatures: below kMinSensorCelsius) or is more than one
// miner can say (drivers/plausible.h). Other absent fields stay empty.
Result<StatusReading> ReadSummary(const Reply& reply);

}  // namespace mullet::whatsminer

#endif  // MULLET_DRIVERS_WHATSMINER_CODEC_H_
