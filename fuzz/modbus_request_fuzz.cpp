// libFuzzer entry point for the emulated meter's Modbus TCP request handling
// (fuzz/README.md): the bytes are one connection's stream, cut into frames by
// ScanFrame and answered by HandleFrame, as the socket code does.
//
// Beyond what AddressSanitizer and UBSan catch, a broken contract aborts: a
// frame larger than an ADU, a reply that is empty, larger than an ADU, does
// not echo the transaction and unit, or whose MBAP length disagrees with its
// size.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "emulate/modbus_meter.h"

namespace {

// Two feeders with fixed readings, one negative and one not a number, so the
// integer registers' saturation runs too.
const mullet::MeterRegisterMap& Map() {
  static const mullet::MeterRegisterMap map({
      {"a", [] { return -12345.5; }, [] { return 1e12; }, 240},
      {"b", [] { return __builtin_nan(""); }, {}, 415},
  });
  return map;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  while (!stream.empty()) {
    const mullet::FrameScan scan = mullet::ScanFrame(stream);
    if (scan.kind != mullet::FrameScan::Kind::kFrame) break;
    if (scan.size > mullet::kMaxAduSize || scan.size > stream.size()) std::abort();
    const std::string_view frame = stream.substr(0, scan.size);
    const std::string reply = mullet::HandleFrame(frame, Map(), 1);
    if (reply.size() < mullet::kMbapSize + 2 || reply.size() > mullet::kMaxAduSize) std::abort();
    if (reply.compare(0, 2, frame.substr(0, 2)) != 0 || reply[6] != frame[6]) std::abort();
    const std::size_t length =
        (static_cast<std::uint8_t>(reply[4]) << 8) | static_cast<std::uint8_t>(reply[5]);
    if (length + 6 != reply.size()) std::abort();
    stream.remove_prefix(scan.size);
  }
  return 0;
}
