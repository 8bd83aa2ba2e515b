// Runs the real `mullet data import-ercot` on a fake ERCOT workbook, then a
// backtest on what it wrote: the analyst's "import this year's prices".

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/run_mullet.h"
#include "core/time/calendar.h"
#include "data/fake_https.h"
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

// The real binary against a fake exchange over TLS, trusted with --ca-file:
// the days from each file's last row to yesterday, by the clock of the run.
TEST(DataCommandTest, RefreshPriceBringsTheCloseToYesterday) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("mullet_price_cli_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "btc_price_daily.csv") << "date,close_usd,source\n2026-10-30,90000,bitstamp_close\n";
  mullet::testing::FakeHttps fake(dir, [](const std::string& target) {
    const auto arg = [&](const std::string& key) {
      const std::size_t at = target.find(key + "=") + key.size() + 1;
      return std::stoll(target.substr(at, target.find('&', at) - at));
    };
    nlohmann::json ohlc = nlohmann::json::array();
    for (long long t = arg("start"); t <= arg("end"); t += 86400) {
      ohlc.push_back({{"timestamp", std::to_string(t)}, {"open", "100"}, {"high", "110"}, {"low", "90"},
                      {"close", "105.5"}, {"volume", "7"}});
    }
    return mullet::testing::FakeReply{200, nlohmann::json{{"data", {{"ohlc", ohlc}}}}.dump()};
  });
  const std::string base = "data refresh-price --data " + dir.string() + " --exchange https://localhost:" +
                           fake.port() + " --ca-file " + fake.ca_file().string();
  // Without --ca-file the system's store does not trust the fake: refused.
  CliRun untrusted = Mullet("data refresh-price --data " + dir.string() + " --exchange https://localhost:" +
                            fake.port() + " --timeout-s 2");
  EXPECT_EQ(untrusted.code, 1);
  EXPECT_NE(untrusted.err.find("TLS handshake failed"), std::string::npos) << untrusted.err;
  const mullet::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const CliRun r = Mullet(base + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["price_days_added"], (today - *mullet::ParseDate("2026-10-30")).count() - 1);
  EXPECT_EQ(j["ohlcv_days_added"], 0);  // the folder has no OHLC file
  EXPECT_EQ(j["last_day"], mullet::FormatDate(today - std::chrono::days(1)));
  EXPECT_NE(fake.last_target().find("/api/v2/ohlc/btcusd/?step=86400"), std::string::npos) << fake.last_target();

  fs::remove_all(dir);
}

TEST(DataCommandTest, KeepsRealTimePricesAt15MinutesForABacktest) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("mullet_rtm15_cli_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::vector<std::vector<std::string>> rows{{"Delivery Date", "Delivery Hour", "Delivery Interval",
                                              "Repeated Hour Flag", "Settlement Point Name", "Settlement Point Type",
                                              "Settlement Point Price"}};
  for (int he = 1; he <= 24; ++he) {
    for (int k = 1; k <= 4; ++k) {
      rows.push_back({"07/01/2024", "=n:" + std::to_string(he), "=n:" + std::to_string(k), "N", "HB_WEST", "HU",
                      "=n:" + std::to_string(10 * k)});
    }
  }
  mullet::FakeWorkbook wb;
  wb.Sheet("Jul", rows);
  wb.Write(dir / "RTMLZHBSPP_2024.xlsx");
  const std::string csv = (dir / "rtm15.csv").string();
  const CliRun r = Mullet("data import-ercot " + (dir / "RTMLZHBSPP_2024.xlsx").string() + " --into " + csv +
                          " --keep-15-min --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["interval_minutes"], 15);
  EXPECT_EQ(j["added_hours"], 96);
  for (const char* step : {"15m", "1h"}) {
    const CliRun bt = Mullet("backtest " + std::string(MULLET_EXAMPLES) + "/all_mining_west_texas.yaml --power-csv " +
                             csv + " --step " + step +
                             " --hashprice-usd-per-th-day 0.05 --btc-price-usd 90000 --baselines none --json --out " +
                             (dir / "out").string());
    ASSERT_EQ(bt.code, 0) << bt.err;
    EXPECT_EQ(nlohmann::json::parse(bt.out)["runs"][0]["steps"], std::string(step) == "1h" ? 24 : 96) << step;
  }
  fs::remove_all(dir);
}

}  // namespace
