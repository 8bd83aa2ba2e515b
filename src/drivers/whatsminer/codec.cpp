#include "drivers/whatsminer/codec.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/text/untrusted_text.h"
#include "drivers/plausible.h"

namespace mullet::whatsminer {
namespace {

using json = nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A peer's value in an error message: control characters escaped, cut short.
std::string Shown(const json& j) { return Printable(j.is_string() ? j.get<std::string>() : Dump(j), 80); }

// A bound for an error message ("-60", "20000").
std::string Num(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 15);
  return std::string(buf, r.ptr);
}

// Reads optional fields of one JSON object and keeps the first error, naming
// the field by its path.
class Fields {
 public:
  Fields(const json& object, std::string where) : o_(object), where_(std::move(where)) {}

  // A finite number in lo..hi (non-negative when not given); empty when
  // absent or null.
  std::optional<double> Number(const char* key, double lo = 0, double hi = 9e15) {
    const auto it = o_.find(key);
    if (it == o_.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) return Error(key, "not a number: " + Shown(*it));
    const double v = it->get<double>();
    if (!std::isfinite(v) || (v < 0 && lo == 0))
      return Error(key, "not a finite non-negative number: " + Shown(*it));
    if (!(v >= lo && v <= hi)) return Error(key, Shown(*it) + " is outside " + Num(lo) + " to " + Num(hi));
    return v;
  }
  std::optional<std::int64_t> Integer(const char* key, double hi = 9e15) {
    const std::optional<double> v = Number(key, 0, hi);
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*v));
  }
  // A list of finite numbers, each in lo..hi.
  std::vector<double> Numbers(const char* key, double lo, double hi) {
    std::vector<double> out;
    const auto it = o_.find(key);
    if (it == o_.end() || it->is_null()) return out;
    if (!it->is_array()) {
      Error(key, "not a list");
      return out;
    }
    for (const json& v : *it) {
      if (!v.is_number() || !std::isfinite(v.get<double>())) {
        Error(key, "holds a non-number: " + Shown(v));
        return {};
      }
      if (!(v.get<double>() >= lo && v.get<double>() <= hi)) {
        Error(key, "holds " + Shown(v) + ", outside " + Num(lo) + " to " + Num(hi));
        return {};
      }
      out.push_back(v.get<double>());
    }
    return out;
  }
  const Status& status() const { return status_; }

 private:
  std::nullopt_t Error(const char* key, const std::string& what) {
    if (status_.ok()) status_ = Status::DataError(where_ + "." + key + ": " + what);
    return std::nullopt;
  }

  const json& o_;
  std::string where_;
  Status status_;
};

}  // namespace

std::string EncodeFrame(std::string_view payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  std::string out{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                  static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
  out.append(payload);
  return out;
}

Result<std::string> DecodeFrame(std::string_view bytes, std::size_t max_payload) {
  if (bytes.size() < 4) {
    return Status::DataError("frame of " + std::to_string(bytes.size()) +
                             " bytes has no 4-byte length");
  }
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::uint64_t length = std::uint64_t{b[0]} | std::uint64_t{b[1]} << 8 |
                               std::uint64_t{b[2]} << 16 | std::uint64_t{b[3]} << 24;
  if (length > max_payload) {
    return Status::DataError("frame declares " + std::to_string(length) + " bytes, above the " +
                             std::to_string(max_payload) + "-byte limit");
  }
  const std::size_t have = bytes.size() - 4;
  if (have < length) {
    return Status::DataError("frame declares " + std::to_string(length) + " bytes, " +
                             std::to_string(have) + " arrived");
  }
  if (have > length) {
    return Status::DataError(std::to_string(have - length) + " bytes after a frame of " +
                             std::to_string(length));
  }
  return std::string(bytes.substr(4));
}

std::string Token(std::string_view cmd, std::string_view password, std::string_view salt,
                  std::int64_t ts) {
  // V3 documentation, "Token Generation": sha256 of the four concatenated,
  // base64 of the 32 bytes, the first 8 characters.
  const std::string text =
      std::string(cmd) + std::string(password) + std::string(salt) + std::to_string(ts);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(text.data(), text.size(), digest, &digest_len, EVP_sha256(), nullptr);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, digest, static_cast<int>(digest_len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(std::min(n, 8)));
}

std::string EncodeRead(std::string_view cmd, std::string_view param) {
  json j;
  j["cmd"] = std::string(cmd);
  if (!param.empty()) j["param"] = std::string(param);
  return EncodeFrame(Dump(j));
}

std::string EncodeWrite(std::string_view cmd, const json& param, std::string_view password,
                        std::string_view salt, std::int64_t ts) {
  json j;
  j["cmd"] = std::string(cmd);
  j["param"] = param;
  j["ts"] = ts;
  j["account"] = "super";
  j["token"] = Token(cmd, password, salt, ts);
  return EncodeFrame(Dump(j));
}

std::string_view CodeName(int code) {
  switch (code) {
    case 0:
      return "ok";
    case -1:
      return "fail";
    case -2:
      return "invalid command";
    case -3:
      return "invalid json item";
    case -4:
      return "no permission";
    case -5:
      return "out of memory";
    default:
      return "unknown code";
  }
}

Result<Reply> ParseReply(std::string_view payload) {
  // Nesting is bounded before the parser, and the copies and dumps after it,
  // recurse into it: a 120 KB reply 60,000 levels deep once overflowed the stack.
  if (Status depth = CheckJsonDepth(payload); !depth.ok()) return Status::DataError("reply " + depth.message());
  const json j = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_discarded()) return Status::DataError("reply is not JSON");
  if (!j.is_object()) return Status::DataError("reply is not a JSON object");
  const auto code = j.find("code");
  if (code == j.end()) return Status::DataError("reply has no code");
  if (!code->is_number_integer() || code->get<std::int64_t>() < -1000000 ||
      code->get<std::int64_t>() > 1000000) {
    return Status::DataError("reply code is not a small integer: " + Dump(*code));
  }
  Reply r;
  r.code = static_cast<int>(code->get<std::int64_t>());
  if (const auto when = j.find("when"); when != j.end() && when->is_number_integer()) {
    r.when = when->get<std::int64_t>();
  }
  if (const auto msg = j.find("msg"); msg != j.end()) r.msg = *msg;
  if (const auto desc = j.find("desc"); desc != j.end() && desc->is_string()) {
    r.desc = desc->get<std::string>();
  }
  return r;
}

Status CheckCode(const Reply& reply) {
  if (reply.code == 0) return Status::Ok();
  const std::string msg = Shown(reply.msg);
  return Status::InvalidArgument("code " + std::to_string(reply.code) + " (" +
                                 std::string(CodeName(reply.code)) + "): " + msg);
}

Result<std::string> ReadSalt(const Reply& reply) {
  if (!reply.msg.is_object()) return Status::DataError("msg is not an object");
  const auto salt = reply.msg.find("salt");
  if (salt == reply.msg.end()) return Status::DataError("msg.salt: missing");
  if (!salt->is_string() || salt->get<std::string>().empty()) {
    return Status::DataError("msg.salt: not a non-empty string");
  }
  return salt->get<std::string>();
}

Result<StatusReading> ReadSummary(const Reply& reply) {
  if (!reply.msg.is_object()) return Status::DataError("msg is not an object");
  const auto summary = reply.msg.find("summary");
  if (summary == reply.msg.end()) return Status::DataError("msg.summary: missing");
  if (!summary->is_object()) return Status::DataError("msg.summary: not an object");
  Fields f(*summary, "msg.summary");
  StatusReading s;
  const std::optional<double> hashrate = f.Number("hash-realtime", 0, kMaxMinerTerahash);
  if (!hashrate && f.status().ok()) return Status::DataError("msg.summary.hash-realtime: missing");
  // The V3 documentation: "Hash rate values are reported in TH/s". Every
  // number is checked against what one miner can say (drivers/plausible.h).
  if (hashrate) s.hashrate = TerahashPerSecond(*hashrate);
  if (auto v = f.Number("hash-average", 0, kMaxMinerTerahash)) s.hashrate_avg = TerahashPerSecond(*v);
  if (auto v = f.Number("factory-hash", 0, kMaxMinerTerahash)) s.factory_hashrate = TerahashPerSecond(*v);
  if (auto v = f.Number("power-realtime", 0, kMaxMinerWatts)) s.power = Watts(*v);
  if (auto v = f.Number("power-limit", 0, kMaxMinerWatts)) s.power_limit = Watts(*v);
  if (auto v = f.Number("elapsed")) s.elapsed = Seconds(*v);
  s.env_temp_c = f.Number("environment-temperature", kMinSensorCelsius, kMaxSensorCelsius);
  s.chip_temp_avg_c = f.Number("chip-temp-avg", kMinSensorCelsius, kMaxSensorCelsius);
  s.board_temps_c = f.Numbers("board-temperature", kMinSensorCelsius, kMaxSensorCelsius);
  if (auto v = f.Integer("fan-speed-in", kMaxFanRpm)) s.fan_in_rpm = static_cast<int>(*v);
  if (auto v = f.Integer("fan-speed-out", kMaxFanRpm)) s.fan_out_rpm = static_cast<int>(*v);
  s.accepted = f.Integer("accepted");
  s.rejected = f.Integer("rejected");
  s.tuned = f.Integer("up-freq-finish").value_or(0) == 1;
  if (!f.status().ok()) return f.status();
  return s;
}

}  // namespace mullet::whatsminer
