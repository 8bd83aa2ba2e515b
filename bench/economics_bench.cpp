// Microbenchmarks of the economics kernels the backtest and planner call in
// their inner loops. Figures go in the README with the machine they ran on.

#include <benchmark/benchmark.h>

#include "core/asic/catalog.h"
#include "core/chain/subsidy.h"
#include "core/economics/hashprice.h"
#include "core/economics/mining_cost.h"

namespace mullet {
namespace {

NetworkConditions Net(double d) {
  NetworkConditions n;
  n.difficulty = d;
  n.subsidy = BlockSubsidy(840'000);
  n.fees_per_block = Btc(0.05);
  n.price = UsdPerBtc(95'000);
  return n;
}

void BM_Hashprice(benchmark::State& state) {
  NetworkConditions n = Net(100e12);
  for (auto _ : state) {
    n.difficulty += 1.0;  // defeat hoisting
    benchmark::DoNotOptimize(Hashprice(n));
  }
}
BENCHMARK(BM_Hashprice);

void BM_BlockSubsidy(benchmark::State& state) {
  BlockHeight h = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(BlockSubsidy(h));
    h = (h + 7919) % 7'000'000;
  }
}
BENCHMARK(BM_BlockSubsidy);

void BM_ElectricityCostPerBtc(benchmark::State& state) {
  const BtcPerTerahashDay e = ExpectedBtcPerTerahashDay(Net(100e12));
  OperatingPoint op;
  op.efficiency = JoulesPerTerahash(17.5);
  op.pue = 1.1;
  double p = 40;
  for (auto _ : state) {
    p += 1e-6;
    benchmark::DoNotOptimize(ElectricityCostPerBtc(e, UsdPerMegawattHour(p), op));
  }
}
BENCHMARK(BM_ElectricityCostPerBtc);

void BM_BreakevenPowerPrice(benchmark::State& state) {
  OperatingPoint op;
  op.efficiency = JoulesPerTerahash(17.5);
  double hp = 0.045;
  for (auto _ : state) {
    hp += 1e-9;
    benchmark::DoNotOptimize(BreakevenPowerPrice(UsdPerTerahashDay(hp), op));
  }
}
BENCHMARK(BM_BreakevenPowerPrice);

void BM_CostTiers(benchmark::State& state) {
  const BtcPerTerahashDay e = ExpectedBtcPerTerahashDay(Net(100e12));
  OperatingPoint op;
  op.efficiency = JoulesPerTerahash(17.5);
  CostInputs in;
  in.fleet_hashrate = PetahashPerSecond(5000);
  in.cash_opex_per_month = Usd(1e6);
  in.depreciation_per_month = Usd(3e6);
  double p = 40;
  for (auto _ : state) {
    p += 1e-6;
    benchmark::DoNotOptimize(CostTiers(e, UsdPerMegawattHour(p), op, in));
  }
}
BENCHMARK(BM_CostTiers);

// One hourly year of hashprice x power-price margin for a model ranking: the
// shape of a backtest's inner loop.
void BM_RankCatalogOverAYear(benchmark::State& state) {
  const AsicCatalog catalog = AsicCatalog::BuiltIn();
  for (auto _ : state) {
    double total = 0;
    for (int hour = 0; hour < 8760; ++hour) {
      const UsdPerTerahashDay hp = Hashprice(Net(100e12 + hour * 1e9));
      for (const AsicModel& m : catalog.models()) {
        OperatingPoint op;
        op.efficiency = m.efficiency();
        total += BreakevenPowerPrice(hp, op).value();
      }
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * 8760 * catalog.models().size());
}
BENCHMARK(BM_RankCatalogOverAYear)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mullet
