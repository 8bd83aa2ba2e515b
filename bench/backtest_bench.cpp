// The backtest quality bar (product.md §5): 4 years hourly for a 100 MW site
// with 50 miner groups, 10 AI tenants and a batch queue. The market is built
// in code (deterministic daily shape, noise and spikes) so the benchmark needs
// no data directory; the policy work per step does not depend on the source.

#include <benchmark/benchmark.h>

#include <cmath>

#include "sim/backtest.h"

namespace mullet {
namespace {

Site BenchSite() {
  Site s;
  s.name = "bench-100mw";
  s.interconnect = Megawatts(100);
  for (int d = 0; d < 4; ++d) {
    s.domains.push_back({"feeder-" + std::to_string(d), "", Megawatts(30), -1});
  }
  s.cooling.capacity = Megawatts(95);
  const AsicCatalog catalog = AsicCatalog::BuiltIn();
  const auto& models = catalog.models();
  for (int g = 0; g < 50; ++g) {
    MinerGroup m;
    m.name = "group-" + std::to_string(g);
    m.model = models[g % models.size()];
    m.count = 300;
    m.domain_index = g % 4;
    m.min_on = Hours(1);
    m.min_off = Hours(1);
    if (g % 3 == 0) {
      m.firmware.power_target_min = m.model.power * 0.6;
      m.firmware.power_target_max = m.model.power * 1.1;
    }
    s.miners.push_back(m);
  }
  for (int t = 0; t < 5; ++t) {
    ColoLease l;
    l.name = "colo-" + std::to_string(t);
    l.contracted_it = Megawatts(3);
    l.rate = UsdPerKilowattMonth(125);
    l.sla = {{0.9999, 0.05}, {0.999, 0.1}};
    l.domain_index = t % 4;
    s.leases.push_back(l);
    GpuCloud c;
    c.name = "cloud-" + std::to_string(t);
    c.nodes = 40;
    c.power_per_node = Kilowatts(10);
    c.usd_per_gpu_hour = 2.2;
    c.domain_index = (t + 1) % 4;
    s.clouds.push_back(c);
  }
  BatchQueue q;
  q.gpus = 512;
  q.power_per_gpu = Kilowatts(1.2);
  q.recurring = RecurringBatch{Hours(168), 40000, Hours(168), 2.0};
  s.batch = q;
  s.contract.adder = UsdPerMegawattHour(4.5);
  return s;
}

MarketSeries FourYears() {
  MarketSeries m;
  const UtcTime t0 = *ParseUtcTimestamp("2021-01-01T00:00:00Z");
  std::uint64_t x = 42;
  for (int k = 0; k < 4 * 8766; ++k) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double noise = static_cast<double>(x >> 40) / static_cast<double>(1ULL << 24) - 0.5;
    const double daily = 35 + 15 * std::sin(2 * M_PI * (k % 24 - 9) / 24.0);
    const double price = daily * (1 + 0.6 * noise) + ((x >> 20) % 500 == 0 ? 3000 : 0);
    const double hp = 0.12 * std::exp(-k / 20000.0);
    m.times.push_back(t0 + std::chrono::hours(k));
    m.power_price.push_back(UsdPerMegawattHour(price));
    m.hashprice.push_back(UsdPerTerahashDay(hp));
    m.btc_price.push_back(UsdPerBtc(50000));
    m.btc_per_th_day.push_back(BtcPerTerahashDay(hp / 50000));
  }
  return m;
}

void BM_Backtest4YearsHourly100MW(benchmark::State& state) {
  const Scenario sc{"hybrid", BenchSite()};
  const MarketSeries market = FourYears();
  const auto policy = static_cast<PolicyKind>(state.range(0));
  for (auto _ : state) {
    BacktestResult r = RunBacktest(sc, market, policy);
    benchmark::DoNotOptimize(r.summary.profit_usd);
  }
  state.SetLabel(std::string(PolicyName(policy)));
  state.SetItemsProcessed(state.iterations() * market.size());
}
BENCHMARK(BM_Backtest4YearsHourly100MW)
    ->Arg(static_cast<int>(PolicyKind::kMullet))
    ->Arg(static_cast<int>(PolicyKind::kStrikePrice))
    ->Unit(benchmark::kMillisecond);

// The books alone (no per-step series): what the planner calls per path.
void BM_Backtest4YearsHourly100MWBooksOnly(benchmark::State& state) {
  const Scenario sc{"hybrid", BenchSite()};
  const MarketSeries market = FourYears();
  BacktestOptions o;
  o.series = false;
  for (auto _ : state) {
    BacktestResult r = RunBacktest(sc, market, PolicyKind::kMullet, o);
    benchmark::DoNotOptimize(r.summary.profit_usd);
  }
  state.SetItemsProcessed(state.iterations() * market.size());
}
BENCHMARK(BM_Backtest4YearsHourly100MWBooksOnly)->Unit(benchmark::kMillisecond);

// One tick of the policy alone on the 100 MW / 50-group site, as the
// controller calls it: signals and an observation in, the allocation out
// (reused: no allocation), the memory advanced. Prices cycle through the
// four-year market so that groups start and stop.
void BM_DispatchTick100MW50Groups(benchmark::State& state) {
  const Site site = BenchSite();
  const MarketSeries market = FourYears();
  const auto policy = static_cast<PolicyKind>(state.range(0));
  DispatchState st = InitialState(site);
  Observation obs;
  for (const MinerGroup& g : site.miners) {
    GroupObservation o;
    o.hashing = g.count;
    obs.miners.push_back(o);
  }
  Allocation a;
  TickSignals s;
  size_t k = 0;
  for (auto _ : state) {
    s.time = market.times[k];
    s.price = market.power_price[k];
    s.hashprice = market.hashprice[k];
    s.ambient_c = 20 + static_cast<double>(k % 24);
    Dispatch(site, s, obs, policy, PolicyOptions{}, &st, &a);
    benchmark::DoNotOptimize(a.mining_facility);
    if (++k == market.size()) k = 0;
  }
  state.SetLabel(std::string(PolicyName(policy)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DispatchTick100MW50Groups)
    ->Arg(static_cast<int>(PolicyKind::kMullet))
    ->Arg(static_cast<int>(PolicyKind::kStrikePrice));

}  // namespace
}  // namespace mullet
