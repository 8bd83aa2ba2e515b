// libFuzzer entry point for the LuxOS driver's reading of replies
// (fuzz/README.md): the bytes are a reply to `logon`, `atm` or `profiles`,
// parsed as every cgminer-family reply is (ParseReply, with its repairs),
// then read by ReadAtmEnabled, ReadProfiles and PickProfile. Errors must be
// DataErrors; a profile read must draw 0..kMaxProfileWatts and carry a name
// that can be sent back; nothing may throw.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/cgminer/reply.h"
#include "drivers/luxos/luxos_driver.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const mullet::Result<mullet::cgminer::ParsedReply> parsed = mullet::cgminer::ParseReply(bytes);
  if (!parsed.ok()) {
    Require(parsed.status().code() == mullet::StatusCode::kDataError);
    return 0;
  }
  const nlohmann::json& reply = parsed->json;
  const mullet::Result<bool> atm = mullet::luxos::ReadAtmEnabled(reply);
  Require(atm.ok() || atm.status().code() == mullet::StatusCode::kDataError);
  const mullet::Result<std::vector<mullet::luxos::Profile>> profiles = mullet::luxos::ReadProfiles(reply);
  if (!profiles.ok()) {
    Require(profiles.status().code() == mullet::StatusCode::kDataError);
    return 0;
  }
  for (std::size_t i = 0; i < profiles->size(); ++i) {
    const mullet::luxos::Profile& p = (*profiles)[i];
    Require(p.power.value() >= 0 && p.power <= mullet::luxos::kMaxProfileWatts);
    Require(!p.name.empty() && p.name.find(',') == std::string::npos);
    if (i > 0) Require((*profiles)[i - 1].power <= p.power);
  }
  if (!profiles->empty()) {
    for (double target : {-1.0, 0.0, 1500.0, 3250.0, 1e9}) {
      const mullet::luxos::Profile& pick = mullet::luxos::PickProfile(*profiles, mullet::Watts(target));
      Require(pick.power <= mullet::Watts(target) || &pick == &profiles->front());
    }
  }
  return 0;
}
