// The device table's costs at 100,000 miners: the loop's thread building a
// snapshot after a tick (DeviceSnapshots::Take), and the API's thread
// answering one page of GET /api/v1/devices over it (DevicesJson), unfiltered
// and filtered to a state whose matches lie at the end of the fleet.

#include <benchmark/benchmark.h>

#include "core/asic/catalog.h"
#include "daemon/api_devices.h"

namespace mullet {
namespace {

constexpr std::size_t kMiners = 100'000;
const UtcTime kNow{std::chrono::seconds(1'700'000'000)};

Site TwoGroups() {
  Site site;
  for (const char* model : {"S21", "S19 XP"}) {
    MinerGroup g;
    g.name = model;
    g.model = *AsicCatalog::BuiltIn().Find(model);
    g.count = kMiners / 2;
    site.miners.push_back(g);
  }
  return site;
}

// Half S21, half S19 XP; the last 1,000 asleep, as told; the rest hashing.
std::vector<MinerRecord> Records(const Site& site) {
  std::vector<MinerRecord> r(kMiners);
  for (std::size_t i = 0; i < kMiners; ++i) {
    r[i].group = i < kMiners / 2 ? 0 : 1;
    r[i].answered = true;
    const bool asleep = i >= kMiners - 1000;
    r[i].command = asleep ? MinerRecord::Command::kSleep : MinerRecord::Command::kNone;
    r[i].commanded_at =
        asleep ? std::optional<UtcTime>(kNow - std::chrono::minutes(5)) : std::nullopt;
    r[i].target = asleep ? TargetState::kConfirmed : TargetState::kNone;
    r[i].power = asleep ? Watts(20) : site.miners[r[i].group].model.power;
    r[i].hashrate = asleep ? TerahashPerSecond(0) : site.miners[r[i].group].model.hashrate;
  }
  return r;
}

std::vector<std::string> Names() {
  std::vector<std::string> names(kMiners);
  for (std::size_t i = 0; i < kMiners; ++i)
    names[i] = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250);
  return names;
}

void BM_DeviceSnapshot(benchmark::State& state) {
  const Site site = TwoGroups();
  const std::vector<MinerRecord> records = Records(site);
  const DeviceSnapshots snapshots(Names());
  for (auto _ : state) benchmark::DoNotOptimize(snapshots.Take(site, records, kNow));
}
BENCHMARK(BM_DeviceSnapshot)->Unit(benchmark::kMillisecond);

// Arg 0: unfiltered, the page at offset 50,000; 1: state=sleeping, its last
// page (every row scanned); range(1): the page's size.
void BM_DevicesPage(benchmark::State& state) {
  const Site site = TwoGroups();
  const DeviceSnapshots snapshots(Names());
  const std::shared_ptr<const DeviceSnapshot> snap = snapshots.Take(site, Records(site), kNow);
  const std::vector<std::pair<std::string, int>> groups = {{"S21", kMiners / 2},
                                                           {"S19 XP", kMiners / 2}};
  DevicesQuery q;
  q.limit = static_cast<std::size_t>(state.range(1));
  if (state.range(0) == 1) {
    q.state = DeviceState::kSleeping;
    q.offset = 1000 - q.limit;
  } else {
    q.offset = 50'000;
  }
  for (auto _ : state) benchmark::DoNotOptimize(DevicesJson(*snap, q, groups));
  state.SetLabel(state.range(0) == 1 ? "state=sleeping, last page" : "unfiltered, offset 50000");
}
BENCHMARK(BM_DevicesPage)
    ->Args({0, 100})
    ->Args({1, 100})
    ->Args({0, 1000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mullet
