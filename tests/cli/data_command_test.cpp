// Runs the real `mullet data import-ercot` on a fake ERCOT workbook, then a
// backtest on what it wrote: the analyst's "import this year's prices".

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/run_mullet.h"
#include "data/fake_workbook.h"

namespace {

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Mullet;

TEST(DataCommandTest, ImportsAWorkbookThatABacktestThenRuns) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("mullet_data_" + std::to_string(getpid()));
  fs::create_directories(dir);
  mullet::FakeWorkbook wb;
  wb.Sheet("Nov", mullet::AutumnDay(false));
  wb.Write(dir / "DAMLZHBSPP_2024.xlsx");
  const std::string csv = (dir / "prices.csv").string();

  const CliRun r = Mullet("data import-ercot " + (dir / "DAMLZHBSPP_2024.xlsx").string() + " --into " + csv + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["added_hours"], 25);
  EXPECT_EQ(j["first_added"], "2024-11-03T05:00:00Z");
  EXPECT_EQ(j["columns"], nlohmann::json::array({"hb_west", "lz_west"}));

  const CliRun again = Mullet("data import-ercot " + (dir / "DAMLZHBSPP_2024.xlsx").string() + " --into " + csv);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to add"), std::string::npos) << again.out;

  const CliRun bt = Mullet("backtest " + std::string(MULLET_EXAMPLES) +
                           "/all_mining_west_texas.yaml --power-csv " + csv +
                           " --hashprice-usd-per-th-day 0.05 --btc-price-usd 90000 --baselines none --json --out " +
                           (dir / "out").string());
  ASSERT_EQ(bt.code, 0) << bt.err;
  EXPECT_EQ(nlohmann::json::parse(bt.out)["runs"][0]["steps"], 25);

  const CliRun bad = Mullet("data import-ercot " + (dir / "nope.xlsx").string() + " --into " + csv);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("nope.xlsx"), std::string::npos) << bad.err;
  fs::remove_all(dir);
}

// refresh-bitcoin's own checks, before and without a node (the engine is
// tested against a fake node in tests/data/bitcoin_refresh_test.cpp).
TEST(DataCommandTest, RefreshBitcoinNamesWhatIsWrong) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("mullet_refresh_" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (const char* f : {"btc_difficulty_epochs.csv", "btc_network_daily.csv", "btc_fees_daily.csv"}) {
    fs::copy_file(fs::path(MULLET_SHARED_DATA) / f, dir / f, fs::copy_options::overwrite_existing);
  }
  const std::string base = "data refresh-bitcoin --data " + dir.string();
  CliRun r = Mullet(base + " --rpc nocolon");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--rpc: expected HOST:PORT, got 'nocolon'"), std::string::npos) << r.err;
  r = Mullet(base + " --rpc-cookie " + (dir / "no.cookie").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--rpc-cookie: cannot read a user:password line"), std::string::npos) << r.err;
  r = Mullet(base + " --rpc 127.0.0.1:1 --timeout-s 1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bitcoin node 127.0.0.1:1: getblockcount: cannot connect"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
