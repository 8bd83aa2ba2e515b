// Runs the real `mullet backtest` and checks its files, its JSON and its errors.

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/run_mullet.h"

namespace {

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Json;
using mullet::testing_cli::Mullet;
using mullet::testing_cli::Slurp;

const std::string kExamples = MULLET_EXAMPLES;
const std::string kData = std::string("--data ") + MULLET_SHARED_DATA;

std::string OutDir(const std::string& name) {
  return ::testing::TempDir() + "mullet_bt_" + name + "_" + std::to_string(getpid());
}

TEST(BacktestCommandTest, BuiltInMarketWritesTheThreeFiles) {
  const std::string out = OutDir("default");
  const CliRun r = Mullet("backtest " + kExamples + "/hybrid_west_texas.yaml --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* f : {"summary.json", "monthly.csv", "timeseries.csv", "report.html"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
    EXPECT_FALSE(std::filesystem::exists(out + "/" + f + ".tmp")) << f;
  }
  const nlohmann::json s = nlohmann::json::parse(Slurp(out + "/summary.json"));
  ASSERT_EQ(s["runs"].size(), 6u);  // 3 scenarios x (mullet, strike-price)
  EXPECT_EQ(s["runs"][0]["scenario"], "hybrid");
  EXPECT_EQ(s["runs"][0]["policy"], "mullet");
  EXPECT_EQ(s["runs"][1]["policy"], "strike-price");
  EXPECT_EQ(s["runs"][0]["steps"], 8784);
  // timeseries.csv: a header and one row per step and scenario.
  const std::string csv = Slurp(out + "/timeseries.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 8784);
  EXPECT_EQ(csv.rfind("scenario,timestamp_utc,price_usd_per_mwh,", 0), 0u);
  EXPECT_NE(csv.find("s21-air_reason"), std::string::npos);
  EXPECT_NE(r.err.find("wrote"), std::string::npos);
  // Money on the terminal has thousands separators (issue 9).
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(profit +\$[0-9]{1,3}(,[0-9]{3})+ )"))) << r.err;

  // monthly.csv: 12 months x 6 runs; each run's months add up to its totals
  // in summary.json, and realised $/MWh is that month's cost over its energy.
  std::istringstream monthly(Slurp(out + "/monthly.csv"));
  std::string line;
  std::getline(monthly, line);
  EXPECT_EQ(line.rfind("scenario,policy,month,hours,energy_mwh,mean_price_usd_per_mwh,realised_usd_per_mwh,"
                      "mean_hashprice_usd_per_ph_day,power_cost_usd,",
                      0),
            0u)
      << line;
  std::map<std::string, std::array<double, 3>> sums;  // run -> hours, power cost, profit
  int rows = 0;
  while (std::getline(monthly, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 23u) << line;
    const double energy = std::stod(f[4]), realised = std::stod(f[6]), cost = std::stod(f[8]);
    if (energy > 0) {
      EXPECT_NEAR(realised, cost / energy, 0.006) << line;
    }
    std::array<double, 3>& sum = sums[f[0] + "/" + f[1]];
    sum[0] += std::stod(f[3]);
    sum[1] += cost;
    sum[2] += std::stod(f[18]);
    ++rows;
  }
  EXPECT_EQ(rows, 6 * 12);
  for (const nlohmann::json& run : s["runs"]) {
    const std::array<double, 3>& sum = sums[run["scenario"].get<std::string>() + "/" + run["policy"].get<std::string>()];
    EXPECT_NEAR(sum[0], run["hours"].get<double>(), 1e-3);
    EXPECT_NEAR(sum[1], run["power_cost_usd"].get<double>(), 0.01 * 12);
    EXPECT_NEAR(sum[2], run["profit_usd"].get<double>(), 0.01 * 12);
  }
  EXPECT_NE(Slurp(out + "/report.html").find("<a href=\"monthly.csv\">"), std::string::npos);
  std::filesystem::remove_all(out);
}

// Each policy against the baselines of its scenario (issue 9): the power bill
// saved and the profit gained, named by baseline; never against itself. The
// expected values are differences of the two runs' own totals.
TEST(BacktestCommandTest, SummaryGivesEachPolicyAgainstAlwaysOnAndStrikePrice) {
  const std::string out = OutDir("versus");
  const CliRun r = Mullet("backtest " + kExamples + "/hybrid_west_texas.yaml --baselines strike-price,always-on --json --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json s = nlohmann::json::parse(r.out);
  ASSERT_EQ(s["runs"].size(), 9u);  // 3 scenarios x 3 policies
  std::map<std::string, const nlohmann::json*> by;
  for (const nlohmann::json& run : s["runs"]) {
    by[run["scenario"].get<std::string>() + "/" + run["policy"].get<std::string>()] = &run;
  }
  for (const char* scenario : {"hybrid", "all-mining", "all-ai"}) {
    const nlohmann::json* always = by[std::string(scenario) + "/always-on"];
    const nlohmann::json* strike = by[std::string(scenario) + "/strike-price"];
    const nlohmann::json* mullet = by[std::string(scenario) + "/mullet"];
    ASSERT_TRUE(always && strike && mullet) << scenario;
    const double base = (*always)["power_cost_usd"];
    const double saved = base - (*mullet)["power_cost_usd"].get<double>();
    EXPECT_NEAR((*mullet)["power_cost_saved_vs_always_on_usd"].get<double>(), saved, 1e-6);
    EXPECT_NEAR((*mullet)["power_cost_saved_vs_always_on_pct"].get<double>(), 100 * saved / base, 1e-9);
    EXPECT_NEAR((*mullet)["profit_vs_always_on_usd"].get<double>(),
                (*mullet)["profit_usd"].get<double>() - (*always)["profit_usd"].get<double>(), 1e-6);
    EXPECT_NEAR((*mullet)["profit_vs_strike_price_usd"].get<double>(),
                (*mullet)["profit_usd"].get<double>() - (*strike)["profit_usd"].get<double>(), 1e-6);
    EXPECT_TRUE(strike->contains("profit_vs_always_on_usd"));
    EXPECT_FALSE(strike->contains("profit_vs_strike_price_usd"));
    EXPECT_FALSE(always->contains("profit_vs_always_on_usd"));
    // Curtailing saves power against always-on where there are miners (the
    // example's prices spike; the all-AI site only defers its batch work).
    if (std::string(scenario) != "all-ai") {
      EXPECT_GT(saved, 0) << scenario;
    }
  }
  EXPECT_NE(Slurp(out + "/report.html").find("Power cost saved"), std::string::npos);
  std::filesystem::remove_all(out);
}

// --strike-usd-per-mwh sets every group's strike for the strike-price
// baseline, and the run says so (issue 9). A strike below every price mines
// nothing; the assumptions carry the strike and the mining figures.
TEST(BacktestCommandTest, StrikeFlagSetsTheBaselineStrikeAndIsStated) {
  const std::string out = OutDir("strike");
  const CliRun low = Mullet("backtest " + kExamples + "/all_mining_west_texas.yaml --strike-usd-per-mwh -1000 --json --out " + out);
  ASSERT_EQ(low.code, 0) << low.err;
  const nlohmann::json s = nlohmann::json::parse(low.out);
  ASSERT_EQ(s["runs"].size(), 2u);
  EXPECT_EQ(s["runs"][1]["policy"], "strike-price");
  EXPECT_EQ(s["runs"][1]["mining_revenue_usd"].get<double>(), 0.0);
  EXPECT_GT(s["runs"][0]["mining_revenue_usd"].get<double>(), 0.0);  // mullet does not use the strike
  EXPECT_NE(s["assumptions"]["Strikes"].get<std::string>().find("s21-air: $-1000/MWh"), std::string::npos)
      << s["assumptions"].dump();
  EXPECT_NE(s["assumptions"]["Mining"].get<std::string>().find("pool fee 2 %"), std::string::npos);
  EXPECT_NE(low.err.find("mullet backtest: Strikes: s21-air: $-1000/MWh"), std::string::npos) << low.err;
  const CliRun none = Mullet("backtest " + kExamples + "/all_mining_west_texas.yaml --json --out " + out);
  const nlohmann::json d = nlohmann::json::parse(none.out);
  EXPECT_NE(d["assumptions"]["Strikes"].get<std::string>().find("its breakeven"), std::string::npos);
  EXPECT_GT(d["runs"][1]["mining_revenue_usd"].get<double>(), 0.0);
  const CliRun bad = Mullet("backtest " + kExamples + "/all_mining_west_texas.yaml --strike-usd-per-mwh x --out " + out);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--strike-usd-per-mwh"), std::string::npos) << bad.err;
  std::filesystem::remove_all(out);
}

// Sensitivity without shell loops (issue 9): a list or range on a price input
// runs the whole backtest per value; each row is what the single run gives.
TEST(BacktestCommandTest, ARangeOfHashpricesIsOneRunPerValue) {
  const std::string out = OutDir("sweep");
  const std::string base = "backtest " + kExamples + "/all_mining_west_texas.yaml " + kData +
                           " --from 2024-06-01 --to 2024-07-01 --out " + out;
  const CliRun r = Mullet(base + " --hashprice-usd-per-th-day 0.03:0.05:0.01 --strike-usd-per-mwh 40,60 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sweep"], nlohmann::json::array({"--hashprice-usd-per-th-day", "--strike-usd-per-mwh"}));
  ASSERT_EQ(j["rows"].size(), 3u * 2 * 2);  // 3 hashprices x 2 strikes x (mullet, strike-price)
  for (std::size_t k : {std::size_t{0}, std::size_t{5}, std::size_t{11}}) {
    const nlohmann::json& row = j["rows"][k];
    const CliRun one = Mullet(base + fmt::format(" --hashprice-usd-per-th-day {:g} --strike-usd-per-mwh {:g} --json",
                                                 row["hashprice-usd-per-th-day"].get<double>(),
                                                 row["strike-usd-per-mwh"].get<double>()));
    ASSERT_EQ(one.code, 0) << one.err;
    const nlohmann::json s = nlohmann::json::parse(one.out);
    const nlohmann::json& run = s["runs"][row["policy"] == "mullet" ? 0 : 1];
    EXPECT_EQ(run["policy"], row["policy"]);
    EXPECT_NEAR(row["profit_usd"].get<double>(), run["profit_usd"].get<double>(), 1e-6) << k;
    EXPECT_NEAR(row["power_cost_usd"].get<double>(), run["power_cost_usd"].get<double>(), 1e-6) << k;
  }
  // More hashprice, more mining revenue, at either strike.
  EXPECT_LT(j["rows"][0]["mining_revenue_usd"].get<double>(), j["rows"][8]["mining_revenue_usd"].get<double>());
  const std::string csv = Slurp(out + "/sweep.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 12);
  EXPECT_EQ(csv.rfind("hashprice-usd-per-th-day,strike-usd-per-mwh,scenario,policy,profit_usd,", 0), 0u);
  const CliRun bad = Mullet(base + " --btc-price-usd 1:1000000:1");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--btc-price-usd: more than 200 values"), std::string::npos) << bad.err;
  std::filesystem::remove_all(out);
}

TEST(BacktestCommandTest, JsonSummaryHasEveryFieldPerScenario) {
  const std::string out = OutDir("json");
  const nlohmann::json j =
      Json(Mullet("backtest " + kExamples + "/hybrid_west_texas.yaml " + kData +
                  " --from 2024-01-01 --to 2024-03-01 --baselines none --no-report --json --out " + out));
  ASSERT_EQ(j["runs"].size(), 3u);
  for (const auto& run : j["runs"]) {
    for (const char* key : {"energy_mwh", "power_cost_usd", "sell_back_credit_usd", "mining_revenue_usd",
                            "btc_mined", "ai_revenue_usd", "sla_credit_usd", "profit_usd",
                            "direct_cost_per_btc_usd", "mining_uptime", "firm_availability",
                            "max_site_power_mw", "curtailed_hours"}) {
      EXPECT_TRUE(run.contains(key)) << key;
    }
    EXPECT_EQ(run["steps"], 60 * 24);
    EXPECT_EQ(run["months"].size(), 2u);
  }
  EXPECT_EQ(j["market"]["power_source"], "ercot_dam_spp_hourly_2021_2024.csv:hb_west");
  EXPECT_FALSE(std::filesystem::exists(out + "/report.html"));
  std::filesystem::remove_all(out);
}

// The capital of each scenario and the assumptions that move the results are
// in summary.json beside them (issue 8: no all-AI site that cost nothing).
TEST(BacktestCommandTest, CapitalChargeAndAssumptionsAreInTheSummary) {
  const std::string out = OutDir("capital");
  const nlohmann::json j =
      Json(Mullet("backtest " + kExamples + "/hybrid_west_texas.yaml " + kData +
                  " --from 2024-01-01 --to 2024-02-01 --no-report --json --out " + out));
  ASSERT_EQ(j["runs"].size(), 6u);
  // hybrid: $221.9 M over 12 years at 8 %: 221.9e6 x 0.08 / (1 - 1.08^-12)
  // = $29,445,024.26 a year (a spreadsheet's PMT(8 %, 12, -221.9e6)); January
  // 2024 is 744 of 8784 hours: $2,493,977.46.
  const nlohmann::json& hybrid = j["runs"][0];
  EXPECT_NEAR(hybrid["capital_charge_usd"].get<double>(), 2'493'977.46, 0.01);
  EXPECT_NEAR(hybrid["profit_after_capital_usd"].get<double>(),
              hybrid["profit_usd"].get<double>() - 2'493'977.46, 0.01);
  EXPECT_EQ(j["runs"][2]["scenario"], "all-mining");
  EXPECT_EQ(j["runs"][2]["capital_charge_usd"].get<double>(), 0);
  const nlohmann::json& a = j["assumptions"];
  EXPECT_EQ(a["Baselines in 4CP alerts"], "avoid: every miner sleeps (--baseline-4cp)");
  EXPECT_NE(a["Costs (hybrid)"].get<std::string>().find("capex $221900000 over 12 y at 8 %"), std::string::npos);
  EXPECT_EQ(a["Leases (hybrid) (who pays the tenant's power)"], "tenant-a gross, tenant-b gross");
  EXPECT_NE(a["4CP alerts (hybrid)"].get<std::string>().find("weekdays 15-18 h local"), std::string::npos);
  std::filesystem::remove_all(out);
}

TEST(BacktestCommandTest, UserPowerSeriesAndHashpriceReplaceHistory) {
  const std::string out = OutDir("user");
  const nlohmann::json j = Json(Mullet(
      "backtest " + kExamples + "/all_mining_west_texas.yaml " + kData +
      " --power-csv " + MULLET_SHARED_DATA + "/ercot_rtm_spp_hourly_2024.csv --power-column lz_west"
      " --from 2024-03-01 --to 2024-04-01 --hashprice-usd-per-th-day 0.05 --baselines none --no-report"
      " --json --out " + out));
  EXPECT_EQ(j["market"]["power_source"], "ercot_rtm_spp_hourly_2024.csv:lz_west");
  EXPECT_EQ(j["runs"][0]["power_filled_steps"], 169);  // the real-time file's March gap
  std::filesystem::remove_all(out);
}

struct BadBacktest {
  std::string args;
  std::string must_mention;
};

void PrintTo(const BadBacktest& b, std::ostream* os) { *os << "mullet backtest " << b.args; }

class BacktestBadInputTest : public ::testing::TestWithParam<BadBacktest> {};

TEST_P(BacktestBadInputTest, OneLineAndExitTwo) {
  const CliRun r = Mullet("backtest " + GetParam().args + " --out " + OutDir("bad"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(GetParam().must_mention), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BacktestBadInputTest,
    ::testing::Values(
        BadBacktest{"/nonexistent/site.yaml", "/nonexistent/site.yaml"},
        BadBacktest{std::string(MULLET_TESTDATA) + "/site/bad_count.yaml", "bad_count.yaml:14"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml --policy greedy", "--policy"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml --baselines always-on,nope", "--baselines"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --from 2024-13-01", "--from"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --step 7x", "--step"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --power-column hb_nowhere",
                    "hb_nowhere"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --from 2019-01-01 --to 2019-02-01",
                    "2019-01-01"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml --from 2024-01-01", "--data"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --hashprice-usd-per-th-day -1",
                    "--hashprice-usd-per-th-day"},
        // Span errors name the flag the user set, not --data (issue 9).
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --from 2024-01-01T00:30:00Z",
                    "error: --from: from (2024-01-01T00:30:00Z) must be on the hour"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --from 2024-01-02 --to 2024-01-01",
                    "error: --to: to (2024-01-01T00:00:00Z) must be after"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --from 2024-01-01 --to 2024-01-02 --step 7m",
                    "error: --step: the step must be"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData +
                        " --from 2024-01-01 --to 2024-01-01T02:00:00Z --step 3h",
                    "error: --from/--to/--step: from 2024-01-01T00:00:00Z to 2024-01-01T02:00:00Z"},
        BadBacktest{kExamples + "/hybrid_west_texas.yaml " + kData + " --from 2026-01-01 --to 2026-02-01",
                    "error: --from/--to: ercot_dam_spp_hourly_2021_2024.csv has no price for the hours"}),
    [](const ::testing::TestParamInfo<BadBacktest>& p) { return "case_" + std::to_string(p.index); });


// Finding 7 of the hostile-input probe: a 10,000-group year aborted with
// bad_alloc. A run whose step series would not fit the stated limit is
// refused before it starts, in one line that says what to change.
TEST(BacktestCommandTest, ARunTooLargeForMemoryIsRefusedBeforeItStarts) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("mullet_big_" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    std::ofstream yaml(dir / "big.yaml");
    yaml << "name: big\ninterconnect_mw: 900\ncontract:\n  index: {column: hb_west}\nminer_groups:\n";
    for (int i = 0; i < 2000; ++i) yaml << "  - {name: g" << i << ", model: Antminer S21, count: 100}\n";
  }
  const CliRun r = Mullet("backtest " + (dir / "big.yaml").string() + " " + kData +
                          " --step 5m --hashprice-usd-per-th-day 0.05 --btc-price-usd 90000 --out " +
                          (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("GiB of step series; at most 4 GiB"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out" / "summary.json"));
  fs::remove_all(dir);
}

}  // namespace
