// The per-miner work of a fleet sweep, without sockets: the emulator building
// a reply and the driver parsing it. Sweep and curtail figures for whole
// fleets are whole-process runs (README).

#include <benchmark/benchmark.h>

#include "core/asic/catalog.h"
#include "drivers/cgminer/reply.h"
#include "drivers/cgminer/summary_scan.h"
#include "emulate/rpc_replies.h"

namespace mullet {
namespace {

constexpr UtcTime kT0{std::chrono::seconds(1'700'000'000)};

EmulatedMiner Miner(FirmwareFamily family) {
  MinerOptions o;
  o.model = *AsicCatalog::BuiltIn().Find("S21");
  o.family = family;
  o.id = "127.1.0.1";
  o.seed = 7;
  o.start = kT0;
  return std::move(EmulatedMiner::Create(o)).value();
}

void BM_EmulatorSummaryReply(benchmark::State& state) {
  EmulatedMiner m = Miner(static_cast<FirmwareFamily>(state.range(0)));
  const std::string request = cgminer::EncodeRequest("summary");
  int s = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ReplyBytes(m, request, kT0 + std::chrono::seconds(++s)));
  }
  state.SetLabel(std::string(FamilyName(static_cast<FirmwareFamily>(state.range(0)))));
}
BENCHMARK(BM_EmulatorSummaryReply)
    ->Arg(static_cast<int>(FirmwareFamily::kBmminer))
    ->Arg(static_cast<int>(FirmwareFamily::kLuxos));

void BM_ParseAndReadSummary(benchmark::State& state) {
  EmulatedMiner m = Miner(static_cast<FirmwareFamily>(state.range(0)));
  const std::string bytes = ReplyBytes(m, cgminer::EncodeRequest("summary"), kT0);
  for (auto _ : state) {
    Result<cgminer::ParsedReply> p = cgminer::ParseReply(bytes);
    benchmark::DoNotOptimize(cgminer::ReadSummary(p->json));
  }
  state.SetBytesProcessed(state.iterations() * bytes.size());
  state.SetLabel(std::string(FamilyName(static_cast<FirmwareFamily>(state.range(0)))));
}
BENCHMARK(BM_ParseAndReadSummary)
    ->Arg(static_cast<int>(FirmwareFamily::kBmminer))
    ->Arg(static_cast<int>(FirmwareFamily::kLuxos));

// The sweep's reading of a healthy reply: the same fields, no JSON document
// (summary_scan.h); bmminer's string "GHS 5s" and LuxOS's sorted keys.
void BM_ScanSummary(benchmark::State& state) {
  EmulatedMiner m = Miner(static_cast<FirmwareFamily>(state.range(0)));
  const std::string bytes = ReplyBytes(m, cgminer::EncodeRequest("summary"), kT0);
  for (auto _ : state) benchmark::DoNotOptimize(cgminer::internal::ScanSummary(bytes));
  state.SetBytesProcessed(state.iterations() * bytes.size());
  state.SetLabel(std::string(FamilyName(static_cast<FirmwareFamily>(state.range(0)))));
}
BENCHMARK(BM_ScanSummary)
    ->Arg(static_cast<int>(FirmwareFamily::kBmminer))
    ->Arg(static_cast<int>(FirmwareFamily::kLuxos));

// A reply that needs repairs: the strict parse fails, then the repair pass runs.
void BM_ParseRepairedReply(benchmark::State& state) {
  EmulatedMiner m = Miner(FirmwareFamily::kBmminer);
  std::string bytes = ReplyBytes(m, cgminer::EncodeRequest("summary"), kT0);
  const size_t close = bytes.rfind('}');
  bytes.insert(close, ",");  // ",}" as bmminer forks send it
  for (auto _ : state) benchmark::DoNotOptimize(cgminer::ParseReply(bytes));
  state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_ParseRepairedReply);

}  // namespace
}  // namespace mullet
