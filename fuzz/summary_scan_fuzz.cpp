// libFuzzer entry point for the fast `summary` reader (fuzz/README.md).
//
// Feeds the bytes as one reply to ScanSummary, which reads a healthy reply
// without building its JSON document, and, whenever it answers, to the full
// path the sweep falls back on (ParseReply, CheckStatus, ReadSummary). An
// answer the full path does not give, bit for bit, is a bug and aborts; a
// read past the input is AddressSanitizer's to catch.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "drivers/cgminer/reply.h"
#include "drivers/cgminer/summary_scan.h"

namespace {

namespace cg = mullet::cgminer;

bool Same(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::optional<cg::SummaryReading> fast = cg::internal::ScanSummary(bytes);
  if (!fast) return 0;  // declining is always allowed: the full path reads it
  const mullet::Result<cg::ParsedReply> parsed = cg::ParseReply(bytes);
  if (!parsed.ok()) std::abort();
  for (cg::ReplyQuirk q : parsed->quirks) {
    if (q != cg::ReplyQuirk::kTrailingNul) std::abort();  // read a reply that needed a repair
  }
  if (!cg::CheckStatus(parsed->json).ok()) std::abort();
  const mullet::Result<cg::SummaryReading> full = cg::ReadSummary(parsed->json);
  if (!full.ok() || !Same(fast->hashrate_5s.value(), full->hashrate_5s.value()) ||
      !Same(fast->hashrate_avg.value(), full->hashrate_avg.value()) ||
      !Same(fast->elapsed_s, full->elapsed_s) || fast->accepted != full->accepted ||
      fast->rejected != full->rejected || fast->hardware_errors != full->hardware_errors) {
    std::abort();
  }
  return 0;
}
