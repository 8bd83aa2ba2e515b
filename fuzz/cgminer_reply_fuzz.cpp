// libFuzzer entry point for the cgminer / bmminer reply parser (fuzz/README.md).
//
// Feeds the bytes as one reply to ParseReply and, when they parse, to every
// reader of reply.h, as the driver would. A crash, a sanitizer report, an
// exception escaping or a broken contract (an error that is not a DataError, a
// request that is not JSON) is a bug: ParseReply promises never to throw and
// never to read past its input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drivers/cgminer/reply.h"

namespace {

namespace cg = mullet::cgminer;

void ReadEverything(const nlohmann::json& reply) {
  (void)cg::CheckStatus(reply);
  (void)cg::ReadStatus(reply);
  // LuxOS's `power` (a whole reply, not a section): watts within bounds, or
  // a DataError, or the reply's own error status.
  const mullet::Result<mullet::Watts> power = cg::ReadPower(reply);
  if (power.ok() ? !(power->value() >= 0 && power->value() <= 20000)
                 : power.status().code() != mullet::StatusCode::kDataError &&
                       power.status().code() != cg::CheckStatus(reply).code()) {
    std::abort();
  }
  for (const char* command : {"summary", "pools", "stats", "version", "devs"}) {
    const mullet::Result<nlohmann::json> section = cg::CommandReply(reply, command);
    if (!section.ok()) continue;
    (void)cg::ReadSummary(*section);
    (void)cg::ReadPools(*section);
    (void)cg::ReadStats(*section);
    (void)cg::ReadVersion(*section);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const mullet::Result<cg::ParsedReply> reply = cg::ParseReply(bytes);
  if (reply.ok()) {
    ReadEverything(reply->json);
  } else if (reply.status().code() != mullet::StatusCode::kDataError) {
    std::abort();
  }
  // The request encoder takes caller strings: any bytes must give valid JSON.
  const std::string request = cg::EncodeRequest(bytes.substr(0, size / 2), bytes.substr(size / 2));
  if (!nlohmann::json::accept(request)) std::abort();
  return 0;
}
