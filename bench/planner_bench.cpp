// The planner's inner loop: one simulated day of a site under the dispatch
// policy (planner/site_model.h), on the example sites over the built-in
// synthetic market (no data directory needed). A plan path runs this once
// per day and distinct site; `mullet plan` whole-process figures are in the
// README.

#include <benchmark/benchmark.h>

#include <cmath>

#include "planner/day_table.h"
#include "planner/site_model.h"
#include "sim/synthetic_market.h"
#include "site/site_config.h"

namespace mullet {
namespace {

void BM_SiteModelDay(benchmark::State& state) {
  Result<std::vector<Scenario>> scenarios =
      LoadSiteFile(std::string(MULLET_EXAMPLES) + "/hybrid_west_texas.yaml", AsicCatalog::BuiltIn());
  if (!scenarios.ok()) {
    state.SkipWithError(scenarios.status().message().c_str());
    return;
  }
  const Scenario& sc = (*scenarios)[static_cast<size_t>(state.range(0))];
  state.SetLabel(sc.name);
  const MarketSeries m = DefaultMarket(1);
  const size_t days = m.size() / 24;
  std::vector<double> btc_per_th(m.size());
  for (size_t k = 0; k < m.size(); ++k) btc_per_th[k] = m.btc_per_th_day[k].value();
  const SiteModel model(sc.site);
  const SiteCalendar calendar(sc.site, m.times.front(), static_cast<int>(days));
  SiteModelState st = model.InitialState(m.times.front());
  SiteBooks books;
  size_t d = 0;
  for (auto _ : state) {
    const size_t k = d * 24;
    model.RunDay(SiteDay{m.times[k], &m.power_price[k], &m.hashprice[k], &btc_per_th[k], calendar.Day(static_cast<int>(d))},
                 &st, &books);
    if (++d == days) {
      d = 0;
      st = model.InitialState(m.times.front());
    }
  }
  benchmark::DoNotOptimize(books.mining_revenue_usd);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SiteModelDay)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// The same day read from a table (planner/day_table.h) once its cells are
// built: the all-mining site, the synthetic year's days in turn, each at a
// hashprice between two grid points, in batches of 256 as a block of paths
// reads them, every cell built before timing (the steady state of a long
// run; the synthetic year's cells fit in cache, a plan's do less well).
void BM_DayTableDay(benchmark::State& state) {
  Result<std::vector<Scenario>> scenarios =
      LoadSiteFile(std::string(MULLET_EXAMPLES) + "/hybrid_west_texas.yaml", AsicCatalog::BuiltIn());
  if (!scenarios.ok()) {
    state.SkipWithError(scenarios.status().message().c_str());
    return;
  }
  const Site& site = (*scenarios)[1].site;  // all-mining
  const MarketSeries m = DefaultMarket(1);
  const std::size_t days = m.size() / 24;
  const SiteModel model(site);
  std::vector<double> logs(days * 48);
  for (std::size_t i = 0; i < days; ++i) model.PriceLogs(&m.power_price[i * 24], &logs[i * 48], &logs[i * 48 + 24]);
  const SiteCalendar calendar(site, m.times.front(), 1);
  const DayTable table(model, m.power_price.data(), logs.data(), days, CalendarClassOf(model, calendar.Day(0)), 0.1);
  constexpr int kBatch = 256;
  std::vector<double> acc(table.accumulator_size() * kBatch, 0.0);
  std::vector<DayTable::Query> q(kBatch);
  auto fill = [&](std::size_t first) {
    for (int i = 0; i < kBatch; ++i) {
      const double hp = 0.04 * std::exp(0.3 * std::sin(i * 0.7));  // $30-54 per PH/s-day
      q[i] = {static_cast<std::uint32_t>((first + i * 37) % days), 0, hp, std::log(hp), 3e-7, 1.0,
              {&acc[i * table.accumulator_size()]}, 1};
    }
  };
  for (std::size_t f = 0; f < days; ++f) {
    fill(f);
    table.AddDays(q.data(), q.size());
  }
  std::size_t first = 0;
  for (auto _ : state) {
    fill(first);
    table.AddDays(q.data(), q.size());
    first = (first + 1) % days;
  }
  benchmark::DoNotOptimize(acc[0]);
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["cells"] = static_cast<double>(table.cells_built());
}
BENCHMARK(BM_DayTableDay)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mullet
