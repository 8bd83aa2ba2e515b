// The bytes an emulated Whatsminer sends on TCP 4433, API V3 (protocols.md
// §2.4; MicroBT "Whatsminer API V3" documentation; pyasic rpc/btminer.py
// BTMinerV3RPCAPI): every message is a 4-byte little-endian length and that
// many bytes of JSON, both ways. A request is {"cmd":..., "param":...}; a
// write (set.*) also carries "ts" (unix seconds), "account":"super" and
// "token" = base64(sha256(cmd + password + salt + ts))[:8]. A reply is
// {"code":0,"when":<unix s>,"msg":<"ok" or an object>,"desc":<cmd>}; a
// failure has a negative code and a string msg.
//
// Commands: get.device.info [salt|miner|system|power|network],
// get.miner.status summary|pools|edevs (joined by '+'), set.miner.service
// start|stop|restart, set.miner.power_limit <W>. Which reply fields are
// assumed rather than read from a source: src/emulate/README.md.
//
// Pure: no sockets, no clock (the socket side is whatsminer_v3_server.h).
// Thread safety: as the miner (one thread).

#ifndef MULLET_EMULATE_WHATSMINER_V3_H_
#define MULLET_EMULATE_WHATSMINER_V3_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/time/calendar.h"
#include "core/units/units.h"
#include "emulate/faults.h"
#include "emulate/miner.h"
#include "emulate/rpc_replies.h"

namespace mullet {

// Reply codes (the V3 documentation's table; pyasic BTMinerAPICode).
namespace v3_code {
inline constexpr int kOk = 0;
inline constexpr int kFail = -1;            // the command ran and failed (power limit out of range)
inline constexpr int kInvalidCommand = -2;  // unknown cmd
inline constexpr int kInvalidJson = -3;     // not JSON, a missing or wrong field, a bad param
inline constexpr int kNoPermission = -4;    // wrong token, account or a stale ts
inline constexpr int kOutOfMemory = -5;     // assumed for a frame above the size limit
}  // namespace v3_code

// Who may write, and how strictly.
struct V3Auth {
  std::string password = "super";  // the miner's "super" account password
  std::string salt;                // the miner's salt (V3Salt)
  Seconds max_skew{60};            // |ts - now| above this is refused
};

// The miner's salt: 8 characters of [A-Za-z0-9] drawn from its seed, so the
// same fleet seed gives the same salts.
std::string V3Salt(const EmulatedMiner& m);

// The write token and the frame prefix are the driver's codec's
// (drivers/whatsminer/codec.h: whatsminer::Token, whatsminer::EncodeFrame),
// so the rule has one home.

// How far a receive buffer holds a frame.
struct V3FrameScan {
  enum class State { kNeedMore, kComplete, kTooLarge };
  State state = State::kNeedMore;
  std::uint32_t length = 0;  // the declared payload length, once 4 bytes arrived
};
// Reads the prefix at the start of `buffer`; kComplete when 4 + length bytes
// are there, kTooLarge when the declared length is above `max_payload`.
V3FrameScan ScanV3Frame(std::string_view buffer, std::size_t max_payload);

// The reply JSON (no prefix) of `m` to one request payload at `now`, without
// faults. Advances the miner to `now` and runs the command. Never throws: any
// bytes give a reply object. `misreport` adds to the miner's own wattage error.
std::string V3ReplyBody(EmulatedMiner& m, std::string_view request, UtcTime now, const V3Auth& auth,
                        double misreport = 0);

// An error reply for `desc` at `now` (also what the server sends for a frame
// above its size limit).
std::string V3ErrorBody(int code, std::string_view msg, std::string_view desc, UtcTime now);

// What the server does with one request frame.
struct V3Action {
  Delivery delivery = Delivery::kSend;
  std::string bytes;         // the framed reply; empty for kHang and kReset
  Seconds delay{0};          // kSlow only
  bool close_after = false;  // close once written (a short frame: its prefix promises more)
};

// The framed reply of `m` to `request` with the faults of `faults` drawn from
// the miner's seed, as Reply() does on 4028: a hang or reset does not run the
// command, a lost reply runs it and resets. Malformed-JSON quirks apply to the
// body where their pattern exists; kMissingNul, which has no NUL to drop here,
// becomes a short frame: the prefix declares 16 bytes more than are sent and
// the connection closes.
V3Action V3Reply(EmulatedMiner& m, std::string_view request, UtcTime now, const V3Auth& auth,
                 const FaultPlan& faults);

// The answer to a frame whose declared length is above `max_payload`: an
// error reply, then the connection closes (the rest of the frame is not read).
V3Action V3TooLargeReply(std::size_t max_payload, UtcTime now);

}  // namespace mullet

#endif  // MULLET_EMULATE_WHATSMINER_V3_H_
