// Faults an emulated miner can show on one reply: no answer, a late answer, a
// reset connection, a spontaneous reboot, a lying power reading, and the
// malformed replies real firmware sends (protocols.md §1.3, the repairs of
// pyasic/rpc/base.py `_load_api_data`).
//
// Every draw is keyed by the miner's seed and the reply's serial number, so a
// run with the same seed and the same requests shows the same faults.
//
// Thread safety: free functions on values.

#ifndef MULLET_EMULATE_FAULTS_H_
#define MULLET_EMULATE_FAULTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/units/units.h"

namespace mullet {

// Malformed-reply quirks. Each but kMissingNul makes the JSON body invalid for
// a strict parser; kMissingNul breaks the framing and leaves the body valid.
enum class Quirk {
  kTrailingComma,            // ",}" (pyasic repairs ",}" -> "}")
  kMissingObjectComma,       // "}{" between the objects of a list (bmminer stats); a reply
                             // whose lists hold one object each loses the comma after STATUS
  kLeadingListComma,         // "[,{"
  kMissingCommaBeforeTemp0,  // "Msg":"Summary""temp0":65 (btminer 2023-01-06)
  kBareInfNan,               // a number printed as bare nan or inf ("%f" of a NaN, Avalon)
  kRawNewline,               // a raw newline inside a string
  kTruncated,                // the reply cut short (btminer buffer overflow); still NUL-ended
  kMissingNul,               // no trailing NUL: the client must rely on the close
};
inline constexpr int kQuirkCount = 8;
inline constexpr std::array<Quirk, kQuirkCount> kAllQuirks = {
    Quirk::kTrailingComma,    Quirk::kMissingObjectComma,
    Quirk::kLeadingListComma, Quirk::kMissingCommaBeforeTemp0,
    Quirk::kBareInfNan,       Quirk::kRawNewline,
    Quirk::kTruncated,        Quirk::kMissingNul};
std::string_view QuirkName(Quirk q);  // "trailing_comma", ...

// Probabilities are per reply, each in [0, 1]; 1 makes a fault certain.
struct FaultPlan {
  double hang = 0;   // accept and never answer (the command is not run)
  double reset = 0;  // reset the connection without a byte (the command is not run)
  double slow = 0;   // answer after `slow_delay`
  Seconds slow_delay{5};
  double reboot = 0;      // the miner reboots just before answering: 0 hashrate, short uptime
  double lost_reply = 0;  // the command runs, then the connection resets: an unconfirmed write
  std::array<double, kQuirkCount> quirk{};  // indexed by Quirk
  // Wattage the miner reports = true × (1 + the miner's own misreport + this).
  double power_misreport_fraction = 0;

  double& quirk_probability(Quirk q) { return quirk[static_cast<int>(q)]; }
  double quirk_probability(Quirk q) const { return quirk[static_cast<int>(q)]; }
};

// A plan where one quirk is certain and nothing else happens.
FaultPlan AlwaysQuirk(Quirk q);

// The faults drawn for one reply.
struct FaultDraw {
  bool hang = false;
  bool reset = false;
  bool slow = false;
  bool reboot = false;
  bool lost_reply = false;
  std::array<bool, kQuirkCount> quirk{};
  std::uint64_t detail = 0;  // further choices (where to truncate, nan or inf)
};
FaultDraw DrawFaults(const FaultPlan& plan, std::uint64_t seed, std::uint64_t reply_serial);

// Applies the drawn quirks to a JSON reply `body` (no NUL) and frames it: a NUL
// at the end unless kMissingNul was drawn. `chip_temp_c` is the value of the
// injected "temp0". Quirks whose pattern is absent (a text-mode reply) leave
// the body as it is.
std::string ApplyQuirks(std::string body, const FaultDraw& draw, int chip_temp_c);

// One quirk on a body, no framing (for tests and ApplyQuirks).
std::string ApplyQuirk(std::string body, Quirk q, std::uint64_t detail, int chip_temp_c);

}  // namespace mullet

#endif  // MULLET_EMULATE_FAULTS_H_
