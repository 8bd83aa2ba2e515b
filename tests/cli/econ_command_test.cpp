// Runs the real `mullet` binary and checks what a script would read: its JSON,
// its exit codes and its one-line errors.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/run_mullet.h"

namespace {

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Json;
using mullet::testing_cli::Mullet;
using mullet::testing_cli::Slurp;

const std::string kData = std::string("--data ") + MULLET_SHARED_DATA;

TEST(EconCommandTest, HashpriceAfterTheHalvingIs4281PerPetahashDay) {
  const nlohmann::json j =
      Json(Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --json"));
  EXPECT_NEAR(j["hashprice_usd_per_ph_day"].get<double>(), 42.81, 0.005);
  EXPECT_NEAR(j["hashprice_usd_per_th_day"].get<double>(), 0.04281, 0.000005);
  EXPECT_NEAR(j["sats_per_th_day"].get<double>(), 71.36, 0.005);
  EXPECT_NEAR(j["btc_per_th_day"].get<double>(), 71.36e-8, 0.005e-8);
  EXPECT_EQ(j["subsidy_btc"].get<double>(), 3.125);
  EXPECT_NEAR(j["network_hashrate_eh_s"].get<double>(), 630.6, 0.05);
  EXPECT_EQ(j["inputs"]["network_source"], "flags");
  EXPECT_FALSE(j.contains("electricity_cost_per_btc_usd"));
}

// A network from flags has no date: the header says so in words (it used to
// print "Mining economics at (no date)"); --version answers.
TEST(EconCommandTest, HeaderWithoutADateAndVersion) {
  const CliRun r = Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "Mining economics for the network given (from flags)");
  EXPECT_EQ(r.out.find("(no date)"), std::string::npos);
  const CliRun v = Mullet("--version");
  EXPECT_EQ(v.code, 0) << v.err;
  EXPECT_EQ(v.out.rfind("mullet ", 0), 0u) << v.out;
}

// Past the end of the Bitcoin history econ and backtest follow one rule and
// say so with the same last date (issue 9: econ refused, backtest held the
// last difficulty silently). 2026-06-01 is past every series of the shared
// data: both hold the last difficulty, fees and close, so econ's hashprice at
// the end of the day is the backtest's at its last hour (the height differs
// by 6 blocks, the subsidy not at all).
TEST(EconCommandTest, PastTheHistoryEconAndBacktestAgree) {
  const std::string data = MULLET_SHARED_DATA;
  const CliRun econ = Mullet("econ --at 2026-06-01 --data " + data + " --json");
  ASSERT_EQ(econ.code, 0) << econ.err;
  const nlohmann::json e = nlohmann::json::parse(econ.out);
  ASSERT_TRUE(e["inputs"]["history_ends"].is_string()) << econ.out;
  const std::string ends = e["inputs"]["history_ends"];
  EXPECT_NE(econ.err.find("warning: 2026-06-01 is past the end of the Bitcoin history (real data to " + ends),
            std::string::npos)
      << econ.err;

  const std::string dir = ::testing::TempDir() + "mullet_past_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir + "/p.csv");
    csv << "timestamp_utc,hb_west_usd_per_mwh\n";
    for (int h = 0; h < 24; ++h) csv << "2026-06-01T" << (h < 10 ? "0" : "") << h << ":00:00Z,30\n";
  }
  const CliRun bt = Mullet("backtest " + std::string(MULLET_EXAMPLES) + "/all_mining_west_texas.yaml --data " + data +
                           " --power-csv " + dir + "/p.csv --baselines none --out " + dir + "/out");
  ASSERT_EQ(bt.code, 0) << bt.err;
  EXPECT_NE(bt.err.find("past the end of the Bitcoin history (real data to " + ends), std::string::npos) << bt.err;
  const std::string ts = Slurp(dir + "/out/timeseries.csv");
  const std::string last = ts.substr(ts.rfind("2026-06-01T23:00:00Z"));
  std::vector<std::string> f;
  std::stringstream fields(last);
  for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
  ASSERT_GT(f.size(), 3u);
  EXPECT_NEAR(std::stod(f[2]), e["hashprice_usd_per_ph_day"].get<double>(), 0.0006);
  std::filesystem::remove_all(dir);
}

// Sensitivity without shell loops (issue 9): a list or a range on a price
// input gives one row per combination, each the same as a single run with
// those values.
TEST(EconCommandTest, ListsAndRangesGiveASensitivityTable) {
  const std::string base = "econ --difficulty 88.1e12 --height 840000 --model S21";
  const nlohmann::json j =
      Json(Mullet(base + " --price-usd 60000,80000,100000 --power-usd-per-kwh 0.04:0.06:0.01 --json"));
  EXPECT_EQ(j["sweep"], nlohmann::json::array({"--price-usd", "--power-usd-per-kwh"}));
  ASSERT_EQ(j["rows"].size(), 9u);
  EXPECT_EQ(j["rows"][0]["price-usd"], 60000.0);
  EXPECT_EQ(j["rows"][2]["power-usd-per-kwh"], 0.06);  // the range's ends are both in
  EXPECT_EQ(j["rows"][3]["price-usd"], 80000.0);        // the first flag varies slowest
  for (const nlohmann::json& row : j["rows"]) {
    const nlohmann::json one = Json(Mullet(base + " --price-usd " + fmt::format("{:g}", row["price-usd"].get<double>()) +
                                           " --power-usd-per-kwh " +
                                           fmt::format("{:g}", row["power-usd-per-kwh"].get<double>()) + " --json"));
    EXPECT_DOUBLE_EQ(row["hashprice_usd_per_ph_day"].get<double>(), one["hashprice_usd_per_ph_day"].get<double>());
    EXPECT_DOUBLE_EQ(row["electricity_cost_per_btc_usd"].get<double>(),
                     one["electricity_cost_per_btc_usd"].get<double>());
  }
  const CliRun text = Mullet(base + " --price-usd 60000,80000");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 3);  // header and two rows
  EXPECT_EQ(text.out.rfind("price-usd  hashprice $/PH/day  breakeven $/kWh", 0), 0u) << text.out;

  for (const auto& [args, what] : std::vector<std::pair<std::string, std::string>>{
           {" --price-usd 1:2", "--price-usd: a range is lo:hi:step"},
           {" --price-usd 60000:50000:1000", "ends below its start"},
           {" --price-usd 1:2:0", "must be > 0"},
           {" --price-usd 60000,x", "--price-usd: 'x' is not a number"},
           {" --price-usd 1:100000:1", "more than 1000 values"},
           {" --price-usd 60000,70000 --models", "--models"}}) {
    const CliRun bad = Mullet(base + args);
    EXPECT_EQ(bad.code, 2) << args;
    EXPECT_NE(bad.err.find(what), std::string::npos) << args << ": " << bad.err;
  }
}

TEST(EconCommandTest, MachineAndPowerPriceAddCostBreakevenAndPerKilowatt) {
  const nlohmann::json j = Json(
      Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --efficiency-j-per-th 25 "
             "--power-usd-per-kwh 0.05 --lease-usd-per-kw-month 120 --json"));
  EXPECT_NEAR(j["electricity_cost_per_btc_usd"].get<double>(), 42'043, 1);
  const double hp = j["hashprice_usd_per_th_day"].get<double>();
  EXPECT_NEAR(j["breakeven_power_usd_per_kwh"].get<double>(), hp / (0.024 * 25), 1e-9);
  const double gross = hp * 1000 / 25 * 30.4375;
  EXPECT_NEAR(j["mining_gross_usd_per_kw_month"].get<double>(), gross, 1e-6);
  EXPECT_NEAR(j["mining_net_usd_per_kw_month"].get<double>(), gross - 0.05 * 24 * 30.4375, 1e-6);
  EXPECT_NEAR(j["lease_minus_mining_net_usd_per_kw_month"].get<double>(),
              120 - j["mining_net_usd_per_kw_month"].get<double>(), 1e-9);
}

// The lease comparison states its terms: who pays the tenant's power and the
// AI hall's opex (issue 8: an all-AI site must not look free to run).
TEST(EconCommandTest, LeaseTermsAreExplicitAndMoveTheComparison) {
  const std::string base = "econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --model S21 "
                           "--power-usd-per-kwh 0.05 --lease-usd-per-kw-month 120";
  const nlohmann::json nnn = Json(Mullet(base + " --json"));
  EXPECT_EQ(nnn["inputs"]["lease_type"], "triple-net");
  EXPECT_EQ(nnn["inputs"]["ai_opex_usd_per_kw_month"].get<double>(), 0);
  EXPECT_NEAR(nnn["lease_net_usd_per_kw_month"].get<double>(), 120, 1e-9);
  // Gross: the site pays 0.8 kW x PUE 1.3 x 730.5 h x $50/MWh = $37.986 per
  // kW-month of the tenant's power, and $10 of opex: 120 - 10 - 37.986 = 72.014.
  const nlohmann::json gross =
      Json(Mullet(base + " --lease-type gross --ai-opex-usd-per-kw-month 10 --ai-pue 1.3 --ai-load-factor 0.8 --json"));
  EXPECT_NEAR(gross["lease_power_cost_usd_per_kw_month"].get<double>(), 37.986, 1e-9);
  EXPECT_NEAR(gross["lease_net_usd_per_kw_month"].get<double>(), 72.014, 1e-9);
  EXPECT_NEAR(gross["lease_minus_mining_net_usd_per_kw_month"].get<double>(),
              72.014 - gross["mining_net_usd_per_kw_month"].get<double>(), 1e-9);
  const CliRun text = Mullet(base + " --lease-type gross");
  EXPECT_NE(text.out.find("gross (the site pays the tenant's power)"), std::string::npos) << text.out;
  const CliRun bad = Mullet(base + " --lease-type net");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--lease-type: expected gross or triple-net, got 'net'"), std::string::npos) << bad.err;
  const CliRun orphan = Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --ai-pue 1.2");
  EXPECT_EQ(orphan.code, 2);
  EXPECT_NE(orphan.err.find("add --lease-usd-per-kw-month"), std::string::npos) << orphan.err;
}

TEST(EconCommandTest, CostTiersStack) {
  const nlohmann::json j = Json(
      Mullet("econ --difficulty 100e12 --price-usd 100000 --height 840000 --fees-btc-per-block 0.1 "
             "--efficiency-j-per-th 20 --power-usd-per-kwh 0.04 --fleet-mw 20 "
             "--cash-opex-usd-per-month 500000 --depreciation-usd-per-month 1000000 --json"));
  const auto& c = j["cost_per_btc_usd"];
  EXPECT_NEAR(c["direct"].get<double>(), 29'595, 1);
  const double btc = j["fleet_btc_per_month"].get<double>();
  EXPECT_GT(btc, 0);
  EXPECT_NEAR(c["cash"].get<double>(), c["direct"].get<double>() + 500000 / btc, 1e-6);
  EXPECT_NEAR(c["all_in"].get<double>(), c["cash"].get<double>() + 1000000 / btc, 1e-6);
}

TEST(EconCommandTest, ModelsRankedByBreakevenPowerPrice) {
  const nlohmann::json j =
      Json(Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --models --json"));
  const auto& models = j["models"];
  ASSERT_EQ(models.size(), 7u);
  EXPECT_EQ(models[0]["name"], "Antminer S21 XP");
  EXPECT_EQ(models[6]["name"], "Whatsminer M30S++");
  for (size_t i = 1; i < models.size(); ++i) {
    EXPECT_GE(models[i - 1]["breakeven_power_usd_per_kwh"].get<double>(),
              models[i]["breakeven_power_usd_per_kwh"].get<double>());
  }
}

TEST(EconCommandTest, DataAddsThe2020ModelsAndYamlAddsTheUsers) {
  const nlohmann::json j = Json(Mullet("econ --at 2024-07-01 " + kData + " --models-yaml " +
                                       MULLET_EXAMPLES + "/asic_models.yaml --models --json"));
  EXPECT_GT(j["models"].size(), 7u + 80u);
  EXPECT_EQ(j["inputs"]["network_source"], "history");
}

TEST(EconCommandTest, HistoryGivesTheNetworkOfTheDay) {
  const nlohmann::json j = Json(Mullet("econ --at 2024-04-19 " + kData + " --json"));
  EXPECT_EQ(j["subsidy_btc"].get<double>(), 6.25);
  const nlohmann::json after = Json(Mullet("econ --at 2024-04-21 " + kData + " --json"));
  EXPECT_EQ(after["subsidy_btc"].get<double>(), 3.125);
  EXPECT_GT(after["inputs"]["fees_btc_per_block"].get<double>(), 0);
  // A flag overrides the history.
  const nlohmann::json over =
      Json(Mullet("econ --at 2024-04-21 " + kData + " --price-usd 1 --json"));
  EXPECT_EQ(over["inputs"]["price_usd"].get<double>(), 1.0);
}

TEST(EconCommandTest, FeesFlagStandsInForMissingFeeHistory) {
  // 2022-10-01 lies in the fee file's one-year gap.
  const CliRun gap = Mullet("econ --at 2022-10-01 " + kData);
  EXPECT_EQ(gap.code, 2);
  EXPECT_NE(gap.err.find("--fees-btc-per-block"), std::string::npos) << gap.err;
  const nlohmann::json j =
      Json(Mullet("econ --at 2022-10-01 " + kData + " --fees-btc-per-block 0.08 --json"));
  EXPECT_EQ(j["inputs"]["fees_btc_per_block"].get<double>(), 0.08);
  EXPECT_EQ(j["subsidy_btc"].get<double>(), 6.25);
}

TEST(EconCommandTest, NoFlagsUsesTheBuiltInSnapshot) {
  const nlohmann::json j = Json(Mullet("econ --json"));
  EXPECT_EQ(j["inputs"]["network_source"], "built-in");
  EXPECT_EQ(j["inputs"]["date"], "2025-01-11");
  EXPECT_GT(j["hashprice_usd_per_ph_day"].get<double>(), 40);
  EXPECT_LT(j["hashprice_usd_per_ph_day"].get<double>(), 70);
  const CliRun text = Mullet("econ --model S21 --power-usd-per-kwh 0.05");
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("hashprice"), std::string::npos);
  EXPECT_NE(text.out.find("breakeven power"), std::string::npos);
}

TEST(EconCommandTest, ExactFactorIsAnOption) {
  const nlohmann::json a =
      Json(Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --json"));
  const nlohmann::json b =
      Json(Mullet("econ --difficulty 88.1e12 --price-usd 60000 --height 840000 --exact --json"));
  EXPECT_NEAR(
      a["hashprice_usd_per_th_day"].get<double>() / b["hashprice_usd_per_th_day"].get<double>(),
      1 + 1.5259e-5, 1e-8);
}

struct BadInput {
  std::string args;
  std::string must_mention;
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << "mullet " << b.args; }

class EconBadInputTest : public testing::TestWithParam<BadInput> {};

TEST_P(EconBadInputTest, OneLineNamingTheFlagAndExitTwo) {
  const CliRun r = Mullet(GetParam().args);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(GetParam().must_mention), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, EconBadInputTest,
    testing::Values(
        BadInput{"econ --difficulty 88.1e12 --price-usd -5 --height 840000", "--price-usd"},
        BadInput{"econ --difficulty 88.1e12 --price-usd 6e4x --height 840000", "--price-usd"},
        BadInput{"econ --difficulty abc --price-usd 60000 --height 840000", "--difficulty"},
        BadInput{"econ --difficulty 88.1e12 --price-usd 60000", "--height"},
        BadInput{"econ --model S99", "--model"}, BadInput{"econ --pool-fee 1.5", "--pool-fee"},
        BadInput{"econ --pue 0.5", "--pue"}, BadInput{"econ --at 2008-06-01 " + kData, "--at"},
        BadInput{"econ --at 2024-13-01 " + kData, "--at"},
        BadInput{"econ --at 2024-07-01", "--data"},
        BadInput{"econ --at 2024-07-01 --data /nonexistent/dir", "/nonexistent/dir"},
        BadInput{"econ --height 840000.5 --difficulty 1e12 --price-usd 1", "--height"},
        BadInput{"econ --fleet-mw 10 --cash-opex-usd-per-month 5", "cost tiers"},
        BadInput{"econ --no-such-flag", "--no-such-flag"},
        // Finding 9 of the hostile-input probe: values that overflow to inf.
        BadInput{"econ --difficulty 88.1e12 --price-usd 1e400 --height 840000", "--price-usd: '1e400' is not a finite"},
        BadInput{"econ --model S21 --power-usd-per-kwh inf", "--power-usd-per-kwh: 'inf' is not a finite"},
        BadInput{"econ --difficulty 88.1e12 --price-usd 60000,nan --height 840000", "'nan' is not a finite"}),
    [](const testing::TestParamInfo<BadInput>& p) {
      // "--price-usd" -> "price_usd_0": readable ctest names.
      std::string name;
      for (char c : p.param.must_mention) {
        if (std::isalnum(static_cast<unsigned char>(c)))
          name += c;
        else if (!name.empty() && name.back() != '_')
          name += '_';
      }
      return name + "_" + std::to_string(p.index);
    });

TEST(EconCommandTest, HelpTeachesWithAnExample) {
  const CliRun r = Mullet("econ --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  EXPECT_NE(r.out.find("--difficulty 88.1e12 --price-usd 60000 --height 840000"),
            std::string::npos);
}

}  // namespace
