// The bytes an emulated miner sends back on TCP 4028 for one connection's
// request, as its firmware family would (protocols.md §2.1-§2.4, ckolivas/cgminer
// api.c): the cgminer JSON shape {"STATUS":[...],"<SECTION>":[...],"id":1}
// followed by a NUL, or cgminer's text form (STATUS=S,...|SUMMARY,...|) for a
// plain `cmd|param` request.
//
// Families differ where the real ones do: bmminer (stock Antminer) reports
// GH/s with "GHS 5s" as a string, rejects multi-command and denies `config`;
// cgminer reports MH/s; LuxOS sorts keys, adds sessions, curtail, profiles,
// ATM and power; Braiins legacy adds pause/resume/tunerstatus; btminer adds
// Power fields to its summary. Commands that change state act on the miner at
// `now`. The shapes, codes and which parts are assumptions: README.md.
//
// Pure: no sockets, no clock. Thread safety: as the miner (one thread).

#ifndef MULLET_EMULATE_RPC_REPLIES_H_
#define MULLET_EMULATE_RPC_REPLIES_H_

#include <string>
#include <string_view>

#include "core/time/calendar.h"
#include "core/units/units.h"
#include "emulate/faults.h"
#include "emulate/miner.h"

namespace mullet {

// What the server does with one connection.
enum class Delivery {
  kSend,   // write `bytes`, close
  kSlow,   // wait `delay`, then write `bytes`, close
  kHang,   // never answer; hold the connection until the client gives up
  kReset,  // reset the connection without a byte
};
std::string_view DeliveryName(Delivery d);  // "send", "slow", "hang", "reset"

struct ReplyAction {
  Delivery delivery = Delivery::kSend;
  std::string bytes;  // empty for kHang and kReset
  Seconds delay{0};   // kSlow only
};

// The reply of `m` to `request` (the bytes the client sent) at `now`, with the
// faults of `faults` drawn for this reply from the miner's seed. Advances the
// miner to `now` first. A hang or reset does not run the command; a lost reply
// runs it and then resets the connection.
ReplyAction Reply(EmulatedMiner& m, std::string_view request, UtcTime now, const FaultPlan& faults);

// The fault-free reply bytes, NUL included.
std::string ReplyBytes(EmulatedMiner& m, std::string_view request, UtcTime now);

// STATUS codes the emulator sends (cgminer api.c MSG_*; LuxOS ones from
// protocols.md §2.2 and luxos-tooling, the rest marked assumed in README.md).
namespace rpc_code {
inline constexpr int kPools = 7;
inline constexpr int kDevs = 9;
inline constexpr int kSummary = 11;
inline constexpr int kInvalidCommand = 14;
inline constexpr int kVersion = 22;
inline constexpr int kInvalidJson = 23;
inline constexpr int kMissingCommand = 24;
inline constexpr int kConfig = 33;
inline constexpr int kAccessDenied = 45;
inline constexpr int kStats = 70;
inline constexpr int kLuxSessionCreated = 316;
inline constexpr int kLuxLogoff = 317;  // assumed
inline constexpr int kLuxKill = 318;
inline constexpr int kLuxSession = 319;
inline constexpr int kLuxProfileSet = 321;
inline constexpr int kLuxProfiles = 323;
inline constexpr int kLuxPower = 330;  // assumed
inline constexpr int kLuxCurtail = 335;
inline constexpr int kLuxAtm = 339;
inline constexpr int kLuxAtmSet = 340;
inline constexpr int kLuxBadParameter = 400;    // "Missing parameter", third-party RE
inline constexpr int kLuxInvalidSession = 401;  // assumed
inline constexpr int kLuxSessionActive = 402;
inline constexpr int kLuxRefused = 403;      // assumed: profileset under ATM
inline constexpr int kBosPause = 300;        // assumed
inline constexpr int kBosResume = 301;       // assumed
inline constexpr int kBosTunerStatus = 302;  // assumed
}  // namespace rpc_code

}  // namespace mullet

#endif  // MULLET_EMULATE_RPC_REPLIES_H_
