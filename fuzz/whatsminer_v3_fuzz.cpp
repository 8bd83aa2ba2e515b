// libFuzzer entry point for both sides of Whatsminer API V3 (fuzz/README.md).
//
// The bytes go (1) to the driver as a whole frame (DecodeFrame) and as a reply
// payload (ParseReply, CheckCode, ReadSalt, ReadSummary, ClassifyReply), and
// (2) to the emulator as a request payload (V3ReplyBody) and a receive buffer
// (ScanV3Frame). A crash, a sanitizer report, an exception escaping or a broken
// contract is a bug: driver errors are DataErrors, and the emulator answers
// every request with a JSON object holding an integer code.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/asic/catalog.h"
#include "drivers/whatsminer/codec.h"
#include "drivers/whatsminer/whatsminer_driver.h"
#include "emulate/whatsminer_v3.h"

namespace {

namespace wm = mullet::whatsminer;

void Require(bool ok) {
  if (!ok) std::abort();
}

void Driver(std::string_view bytes) {
  const mullet::Result<std::string> frame = wm::DecodeFrame(bytes, 1 << 16);
  Require(frame.ok() || frame.status().code() == mullet::StatusCode::kDataError);
  if (frame.ok()) Require(frame->size() + 4 == bytes.size());
  const mullet::Result<wm::Reply> reply = wm::ParseReply(bytes);
  if (!reply.ok()) {
    Require(reply.status().code() == mullet::StatusCode::kDataError);
  } else {
    Require(wm::CheckCode(*reply).ok() == (reply->code == 0));
    const mullet::Result<std::string> salt = wm::ReadSalt(*reply);
    Require(salt.ok() || salt.status().code() == mullet::StatusCode::kDataError);
    const mullet::Result<wm::StatusReading> s = wm::ReadSummary(*reply);
    Require(s.ok() || s.status().code() == mullet::StatusCode::kDataError);
  }
  mullet::RpcReply r;
  r.outcome = mullet::RpcOutcome::kReply;
  r.bytes = std::string(bytes);
  const wm::Verdict v = wm::ClassifyReply(r);
  Require(v.ok == (reply.ok() && reply->code == 0));
}

mullet::EmulatedMiner& Miner() {
  static mullet::EmulatedMiner miner = [] {
    mullet::MinerOptions o;
    o.model = mullet::AsicCatalog::BuiltIn().Find("M60S").value();
    o.family = mullet::FirmwareFamily::kWhatsminerV3;
    o.id = "127.0.0.2";
    o.seed = 2;
    o.start = mullet::UtcTime(std::chrono::seconds(1'700'000'000));
    return std::move(mullet::EmulatedMiner::Create(o)).value();
  }();
  return miner;
}

void Emulator(std::string_view bytes) {
  mullet::EmulatedMiner& m = Miner();
  const mullet::V3Auth auth{"super", mullet::V3Salt(m), mullet::Seconds(60)};
  const std::string body = mullet::V3ReplyBody(m, bytes, m.now(), auth);
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  Require(j.is_object() && j.contains("code") && j["code"].is_number_integer());
  const mullet::V3FrameScan scan = mullet::ScanV3Frame(bytes, 1 << 16);
  if (scan.state == mullet::V3FrameScan::State::kComplete) Require(bytes.size() >= 4 + scan.length);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Driver(bytes);
  Emulator(bytes);
  return 0;
}
