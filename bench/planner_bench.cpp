// The planner's inner loop: one simulated day of a site under the dispatch
// policy (planner/site_model.h), on the example sites over the built-in
// synthetic market (no data directory needed). A plan path runs this once
// per day and distinct site; `mullet plan` whole-process figures are in the
// README.

#include <benchmark/benchmark.h>

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

}  // namespace
}  // namespace mullet
