// Reading history: the loaders on the real files of ../shared/data (the path
// is MULLET_SHARED_DATA, set by CMake). Whole-process figures for a backtest
// are in the README; these isolate the loaders. The files are read from the
// page cache after the first iteration, as they are in repeated runs.

#include <benchmark/benchmark.h>

#include <filesystem>

#include "data/history.h"
#include "data/market.h"

namespace mullet {
namespace {

const std::filesystem::path kData = MULLET_SHARED_DATA;

void BM_LoadErcotDamOnePoint(benchmark::State& state) {
  for (auto _ : state) {
    Result<HourlyPrices> p = LoadHourlyPrices(kData / data_files::kErcotDam, "hb_west");
    if (!p.ok()) state.SkipWithError(p.status().message().c_str());
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations() * 35064);
}
BENCHMARK(BM_LoadErcotDamOnePoint)->Unit(benchmark::kMillisecond);

void BM_LoadErcotDamAllPoints(benchmark::State& state) {
  for (auto _ : state) {
    Result<HourlyPrices> p = LoadHourlyPrices(kData / data_files::kErcotDam);
    if (!p.ok()) state.SkipWithError(p.status().message().c_str());
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations() * 35064);
}
BENCHMARK(BM_LoadErcotDamAllPoints)->Unit(benchmark::kMillisecond);

// The market of bench/one_group.yaml: the ERCOT column, the Bitcoin history
// (difficulty epochs, daily prices, fees, network), 35,064 hourly steps.
void BM_BuildMarketFourYearsFromHistory(benchmark::State& state) {
  MarketOptions o;
  o.data_dir = kData;
  for (auto _ : state) {
    Result<MarketSeries> m = BuildMarket(o);
    if (!m.ok()) state.SkipWithError(m.status().message().c_str());
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_BuildMarketFourYearsFromHistory)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mullet
