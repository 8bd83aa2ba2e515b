// The example sites and the real history (../shared/data) as the backtest
// and planner tests read them.

#ifndef MULLET_TESTS_COMMON_EXAMPLE_HISTORY_H_
#define MULLET_TESTS_COMMON_EXAMPLE_HISTORY_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/market.h"
#include "site/site_config.h"

namespace mullet::testing_history {

// The scenarios of examples/NAME (an empty list, with a test failure, if it does not load).
inline std::vector<Scenario> LoadExample(const char* name) {
  Result<std::vector<Scenario>> s =
      LoadSiteFile(std::string(MULLET_EXAMPLES) + "/" + name, AsicCatalog::BuiltIn());
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : std::vector<Scenario>{};
}

// HB_WEST day-ahead and the Bitcoin history over [from, to), hourly.
inline MarketSeries History(const char* from, const char* to) {
  MarketOptions o;
  o.data_dir = MULLET_SHARED_DATA;
  o.power_column = "hb_west";
  o.from = *ParseUtcTimestamp(from);
  o.to = *ParseUtcTimestamp(to);
  Result<MarketSeries> m = BuildMarket(o);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : MarketSeries{};
}

}  // namespace mullet::testing_history

#endif  // MULLET_TESTS_COMMON_EXAMPLE_HISTORY_H_
