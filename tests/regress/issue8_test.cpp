// Issue 8: the dispatch core's review found results that were wrong. Each test
// reproduces one finding with a short `mullet backtest` run, as the review
// did, and checks the figure a user reads. Every test failed on the code
// before the fix (tests/regress/README.md says how to check).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "cli/run_mullet.h"
#include "dispatch/reason.h"

namespace {

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Json;
using mullet::testing_cli::Mullet;
using mullet::testing_cli::Slurp;

const std::string kData = std::string(" --data ") + MULLET_SHARED_DATA;
const std::filesystem::path kRoot = std::filesystem::path(MULLET_EXAMPLES).parent_path();

// Writes `yaml` to a site file of its own and returns its path.
std::string SiteFile(const std::string& name, const std::string& yaml) {
  const std::string path = ::testing::TempDir() + "mullet_regress_" + name + "_" + std::to_string(getpid()) + ".yaml";
  std::ofstream(path) << yaml;
  return path;
}

std::string Out(const std::string& name) {
  return " --no-report --json --out " + ::testing::TempDir() + "mullet_regress_out_" + name + "_" +
         std::to_string(getpid());
}

// A 10 MW colocation lease drawing exactly 10 MW (load factor 1, PUE 1).
constexpr const char* kFirmOnly = R"(
cooling: {pue_air: 1.0, pue_liquid: 1.0}
ai:
  colocation:
    - {name: tenant, contracted_it_mw: 10, usd_per_kw_month: 100, load_factor: 1}
)";

// Finding 1: a scenario that replaces `contract` paid the first scenario's price.
TEST(RegressIssue8, ScenarioWithItsOwnContractPaysItsOwnPrice) {
  const std::string site = SiteFile("contract", std::string(R"(
name: two prices
interconnect_mw: 20
contract: {index: {fixed_usd_per_mwh: 20}}
)") + kFirmOnly + R"(
scenarios:
  - name: cheap
  - name: dear
    contract: {index: {fixed_usd_per_mwh: 500}}
)");
  const nlohmann::json j = Json(Mullet("backtest " + site +
                                       " --from 2024-07-01 --to 2024-07-02 --hashprice-usd-per-th-day 0.05"
                                       " --baselines none" + Out("contract")));
  ASSERT_EQ(j["runs"].size(), 2u);
  // 10 MW x 24 h at $20 and at $500.
  EXPECT_NEAR(j["runs"][0]["power_cost_usd"].get<double>(), 4'800, 1e-6);
  EXPECT_NEAR(j["runs"][1]["power_cost_usd"].get<double>(), 120'000, 1e-6);
}

// Finding 2: reserve_fraction (a share of the site cap) was taken from a
// 4 MW hall's room, so a 100 MW site with 3.78 MW of S21s in it mined nothing.
TEST(RegressIssue8, ReserveOfTheSiteCapDoesNotEmptyASmallHall) {
  const std::string site = SiteFile("reserve", R"(
name: small hall
interconnect_mw: 100
power_domains:
  - {name: hall, limit_mw: 4}
contract: {index: {fixed_usd_per_mwh: 20}}
miner_groups:
  - {name: s21, model: Antminer S21, count: 1000, domain: hall, pool_fee: 0, uptime: 1}
policy: {reserve_fraction: 0.05}
)");
  // S21 at PUE 1.08: 3.78 MW facility in a 4 MW hall; 5 MW held back under
  // the 100 MW cap leaves 95 MW. At $0.05/TH/day it earns $119/MWh > $20.
  const nlohmann::json j = Json(Mullet("backtest " + site +
                                       " --from 2024-07-01 --to 2024-07-02 --hashprice-usd-per-th-day 0.05"
                                       " --baselines none" + Out("reserve")));
  EXPECT_NEAR(j["runs"][0]["mining_uptime"].get<double>(), 1.0, 1e-9);
  EXPECT_EQ(j["runs"][0]["curtailed_hours"].get<double>(), 0);
}

// Findings 3 and the "time, not steps" delivery: a site with a 4CP charge
// small enough to mine through, a DR event and a strike-price baseline with a
// two-hour hold gives the same mining energy and profit at 1 h, 15 min and
// 5 min steps (within 0.5 %).
TEST(RegressIssue8, SameResultsAtOneHourFifteenAndFiveMinuteSteps) {
  const std::string site = SiteFile("steps", R"(
name: steps
interconnect_mw: 20
contract:
  index: {column: hb_west}
  demand_response:
    - {start: 2024-07-16T20:00:00Z, end: 2024-07-16T22:00:00Z, reduce_to_mw: 5, credit_usd_per_mwh: 100}
  four_cp: {rate_usd_per_kw_year: 0.4, peak_hours: [2024-07-15T21:00:00Z]}
cooling: {pue_air: 1.0, pue_liquid: 1.0}
ai:
  colocation:
    - {name: tenant, contracted_it_mw: 3, usd_per_kw_month: 100, load_factor: 1}
miner_groups:
  - {name: s21, model: Antminer S21, count: 1000, pool_fee: 0, uptime: 1, strike_usd_per_mwh: 30}
  - {name: s19, model: Antminer S19j Pro, count: 1000, pool_fee: 0, uptime: 1, strike_usd_per_mwh: 30}
policy: {strike_windows: 2}
)");
  // $0.10/TH/day: the S21 earns $238/MWh, the S19j Pro $137/MWh. A 4CP alert
  // costs 0.4 x 1000 / 4 = $100/MWh a step of any length (before the fix it
  // was $100 at 1 h and $400 at 15 min, so 15-minute steps gave up the peak
  // hour's mining: -0.7 % energy over these four days). The real HB_WEST
  // prices cross the $30 strike, so the 2-window hold matters too.
  const std::string common = "backtest " + site + kData +
                             " --from 2024-07-14 --to 2024-07-18 --hashprice-usd-per-th-day 0.10"
                             " --baselines strike-price";
  const nlohmann::json h = Json(Mullet(common + " --step 1h" + Out("steps1h")));
  for (const char* step : {"15m", "5m"}) {
    const nlohmann::json m = Json(Mullet(common + " --step " + step + Out(std::string("steps") + step)));
    for (int run = 0; run < 2; ++run) {
      for (const char* key : {"energy_mwh", "mining_revenue_usd", "profit_usd"}) {
        const double want = h["runs"][run][key].get<double>();
        const double got = m["runs"][run][key].get<double>();
        EXPECT_NEAR(got, want, std::abs(want) * 0.005)
            << key << " of " << h["runs"][run]["policy"] << " at " << step << " against 1h";
      }
    }
  }
}

// The same on the examples: the hybrid site's three scenarios over August
// 2024 (a DR event and a 4CP peak on 20 August) at 1 h, 15 min and 5 min.
TEST(RegressIssue8, ExamplesGiveTheSameResultsAtEveryStep) {
  const std::string common = "backtest " + (kRoot / "examples/hybrid_west_texas.yaml").string() + kData +
                             " --from 2024-08-01 --to 2024-09-01";
  const nlohmann::json h = Json(Mullet(common + " --step 1h" + Out("ex1h")));
  for (const char* step : {"15m", "5m"}) {
    const nlohmann::json m = Json(Mullet(common + " --step " + step + Out(std::string("ex") + step)));
    ASSERT_EQ(m["runs"].size(), h["runs"].size());
    for (size_t run = 0; run < h["runs"].size(); ++run) {
      for (const char* key : {"energy_mwh", "mining_revenue_usd", "profit_usd"}) {
        const double want = h["runs"][run][key].get<double>();
        const double got = m["runs"][run][key].get<double>();
        EXPECT_NEAR(got, want, std::abs(want) * 0.005)
            << key << " of " << h["runs"][run]["scenario"] << "/" << h["runs"][run]["policy"] << " at " << step;
      }
    }
  }
}

// Finding 4: --btc-price-usd was silently ignored with the built-in market.
TEST(RegressIssue8, BtcPriceAppliesToTheBuiltInMarket) {
  const std::string site = (kRoot / "examples/all_mining_west_texas.yaml").string();
  const nlohmann::json a =
      Json(Mullet("backtest " + site + " --baselines none --btc-price-usd 50000" + Out("btc50")));
  const nlohmann::json b =
      Json(Mullet("backtest " + site + " --baselines none --btc-price-usd 100000" + Out("btc100")));
  // The same USD mined at half the price is twice the BTC.
  const double btc_a = a["runs"][0]["btc_mined"].get<double>();
  const double btc_b = b["runs"][0]["btc_mined"].get<double>();
  ASSERT_GT(btc_b, 0);
  EXPECT_NEAR(btc_a / btc_b, 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(a["runs"][0]["mining_revenue_usd"].get<double>(),
                   b["runs"][0]["mining_revenue_usd"].get<double>());
}

// Finding 5: errors named internal options (data_dir, hashprice_constant)
// instead of the flags a user can set.
TEST(RegressIssue8, MissingHistoryIsToldInFlags) {
  const std::string site = SiteFile("flags", std::string(R"(
name: fixed price
interconnect_mw: 20
contract: {index: {fixed_usd_per_mwh: 20}}
)") + kFirmOnly);
  const std::string power_csv = std::string(MULLET_SHARED_DATA) + "/ercot_dam_spp_hourly_2021_2024.csv";
  for (const std::string& args :
       {site + " --from 2024-07-01 --to 2024-07-02", site + " --power-csv " + power_csv}) {
    const CliRun r = Mullet("backtest " + args + Out("flags"));
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_NE(r.err.find("--data"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--hashprice-usd-per-th-day"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--hashprice-csv"), std::string::npos) << r.err;
    for (const char* internal : {"data_dir", "hashprice_constant", "hashprice_csv"}) {
      EXPECT_EQ(r.err.find(internal), std::string::npos) << internal << " in: " << r.err;
    }
  }
}

// Finding 6: a run that starts inside a reduce_by event took the
// interconnect as its baseline (no cut, a huge credit).
TEST(RegressIssue8, RunStartingInsideAReduceByEventTakesTheSitesOwnDraw) {
  const std::string site = SiteFile("drstart", R"(
name: dr start
interconnect_mw: 100
contract:
  index: {fixed_usd_per_mwh: 20}
  demand_response:
    - {start: 2024-07-01T00:00:00Z, end: 2024-07-01T06:00:00Z, reduce_by_mw: 2, credit_usd_per_mwh: 100}
cooling: {pue_air: 1.0}
miner_groups:
  - {name: s21, model: Antminer S21, count: 1000, pool_fee: 0, uptime: 1}
)");
  const nlohmann::json j = Json(Mullet("backtest " + site +
                                       " --from 2024-07-01T02:00:00Z --to 2024-07-01T12:00:00Z"
                                       " --hashprice-usd-per-th-day 0.05 --baselines none" + Out("drstart")));
  // The site would draw 3.5 MW: the event holds it to 1.5 MW (428 S21s,
  // 1.498 MW) for 4 hours, then 6 hours at 3.5 MW.
  const nlohmann::json& run = j["runs"][0];
  EXPECT_NEAR(run["energy_mwh"].get<double>(), 4 * 1.498 + 6 * 3.5, 1e-6);
  // Credit: (3.5 - 1.498) MW x 4 h x $100.
  EXPECT_NEAR(run["dr_credit_usd"].get<double>(), (3.5 - 1.498) * 4 * 100, 1e-6);
}

// Finding 7: one name for each reason code. Every name reason.h quotes and
// every name ReasonName gives is in the reason table of docs/backtest.md.
// (This one reads the source tree, not the binary: it fails on the tree
// before the fix, whose reason.h quoted "firm-sla".)
TEST(RegressIssue8, ReasonNamesAreTheSameEverywhere) {
  const std::string table = Slurp((kRoot / "docs/backtest.md").string());
  std::set<std::string> documented;
  const std::regex row(R"(\n\| `([a-z0-9-]+)` \|)");
  for (auto it = std::sregex_iterator(table.begin(), table.end(), row); it != std::sregex_iterator(); ++it) {
    documented.insert((*it)[1]);
  }
  ASSERT_GE(documented.size(), 20u);
  for (int r = 0; r < static_cast<int>(mullet::Reason::kCount); ++r) {
    const std::string name(mullet::ReasonName(static_cast<mullet::Reason>(r)));
    EXPECT_TRUE(documented.count(name)) << name << " is not in docs/backtest.md";
  }
  const std::string header = Slurp((kRoot / "src/dispatch/reason.h").string());
  const std::regex quoted("\"([a-z0-9]+(-[a-z0-9]+)+)\"");
  for (auto it = std::sregex_iterator(header.begin(), header.end(), quoted); it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(documented.count((*it)[1])) << (*it)[1] << " (reason.h) is not a reason name";
  }
}

// A mining site with a 4CP charge and the year's four peaks.
constexpr const char* kFourCpSite = R"(
name: 4cp
interconnect_mw: 20
contract:
  index: {fixed_usd_per_mwh: 20}
  four_cp:
    rate_usd_per_kw_year: 55
    peak_hours: [2024-06-20T21:00:00Z, 2024-07-15T21:00:00Z, 2024-08-20T21:00:00Z, 2024-09-05T20:00:00Z]
)";

// Finding 8: a one-month run booked the whole year's 4CP charge, and a year
// with no listed peak was charged nothing, silently.
TEST(RegressIssue8, FourCpIsBookedPerYearProRataAndAMissingYearIsTold) {
  const std::string site = SiteFile("4cpmonth", std::string(kFourCpSite) + kFirmOnly);
  const nlohmann::json j = Json(Mullet("backtest " + site +
                                       " --from 2024-07-01 --to 2024-08-01 --hashprice-usd-per-th-day 0.05"
                                       " --baselines none" + Out("4cpmonth")));
  // 10 MW firm at the July peak: $55 x 10,000 kW a year, 744 of 8784 hours.
  const double booked = 55.0 * 10'000 * 744 / 8784;
  EXPECT_NEAR(j["runs"][0]["four_cp_charge_usd"].get<double>(), booked, 1e-6);
  EXPECT_NEAR(j["runs"][0]["months"][0]["four_cp_charge_usd"].get<double>(), booked, 1e-6);

  const CliRun r = Mullet("backtest " + site +
                          " --from 2023-07-01 --to 2023-08-01 --hashprice-usd-per-th-day 0.05 --baselines none" +
                          Out("4cp2023"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("lists no peak in 2023: no 4CP charge is booked for the 744 h of 2023"),
            std::string::npos)
      << r.err;
}

// Finding 9: the policy was handed the peaks and the baseline never avoided
// them. Now both act on alerts (weekday 15-18 h Central, June-September, by
// default) and the baseline avoids them as Texas miners do.
TEST(RegressIssue8, BaselineMeetsFourCpAlertsLikeThePolicy) {
  const std::string site = SiteFile("4cpbase", std::string(kFourCpSite) + R"(
cooling: {pue_air: 1.0}
miner_groups:
  - {name: s21, model: Antminer S21, count: 1000, pool_fee: 0, uptime: 1, strike_usd_per_mwh: 60}
)");
  const std::string run = "backtest " + site +
                          " --from 2024-07-01 --to 2024-08-01 --hashprice-usd-per-th-day 0.05"
                          " --baselines strike-price";
  const nlohmann::json j = Json(Mullet(run + Out("4cpbase")));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["four_cp_charge_usd"].get<double>(), 0);  // mullet: asleep at the peak
  EXPECT_EQ(j["runs"][1]["four_cp_charge_usd"].get<double>(), 0);  // strike-price too
  // Told to ignore alerts, the baseline pays for 3.5 MW at the July peak.
  const nlohmann::json k = Json(Mullet(run + " --baseline-4cp ignore" + Out("4cpignore")));
  EXPECT_NEAR(k["runs"][1]["four_cp_charge_usd"].get<double>(), 55.0 * 3'500 * 744 / 8784, 1e-6);
}

}  // namespace
