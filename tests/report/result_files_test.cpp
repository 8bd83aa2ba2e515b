// summary.json, timeseries.csv and the atomic write, from results built in
// code. The CSV rows are written out by hand (docs/backtest.md's columns and
// decimals), so a faster writer must keep every byte.

#include "report/result_files.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mullet {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

UtcTime At(int y, unsigned m, unsigned d) {
  return UtcTime(std::chrono::sys_days(std::chrono::year(y) / m / d));
}

struct Row {
  UtcTime t;
  float price, hashprice, ambient, cap, facility, firm, batch, mining, profit;
  std::vector<float> load_mw;
  std::vector<Reason> reasons;
};

BacktestResult MakeRun(const std::vector<LoadInfo>& loads, const std::vector<Row>& rows) {
  BacktestResult r;
  r.summary.policy = "mullet";
  r.loads = loads;
  for (const Row& row : rows) {
    r.times.push_back(row.t);
    r.price.push_back(row.price);
    r.hashprice_ph.push_back(row.hashprice);
    r.ambient_c.push_back(row.ambient);
    r.site_cap_mw.push_back(row.cap);
    r.facility_mw.push_back(row.facility);
    r.firm_mw.push_back(row.firm);
    r.batch_mw.push_back(row.batch);
    r.mining_mw.push_back(row.mining);
    r.profit_usd.push_back(row.profit);
    r.load_mw.insert(r.load_mw.end(), row.load_mw.begin(), row.load_mw.end());
    r.load_reason.insert(r.load_reason.end(), row.reasons.begin(), row.reasons.end());
  }
  return r;
}

std::string Csv(const std::vector<ScenarioRuns>& scenarios) {
  std::ostringstream out;
  WriteTimeseriesCsv(scenarios, out);
  return out.str();
}

const LoadInfo kLease{"lease", LoadKind::kColocation, Watts(20e6), 0};
const LoadInfo kS21{"s21", LoadKind::kMinerGroup, Watts(30e6), 0};
const LoadInfo kS19{"s19", LoadKind::kMinerGroup, Watts(20e6), 0};

// Two scenarios with different loads: the hybrid one steps across a leap
// day at odd times; a value repeats and comes back (30 -> 30 -> 0 -> 30).
std::vector<ScenarioRuns> TwoScenarios() {
  const UtcTime t0 = At(2024, 2, 28) + hours(23);
  const std::vector<Row> hybrid = {
      {t0,
       1234.5678f,
       51.2345f,
       20.3f,
       100,
       99.9995f,
       25.4321f,
       5.05f,
       0,
       123456.789f,
       {20, 30},
       {Reason::kFirmServed, Reason::kMineFull}},
      {t0 + hours(1),
       34.567f,
       51.2345f,
       -3.96f,
       100,
       55.5f,
       25.4321f,
       0,
       31.5f,
       -1500.256f,
       {20, 30},
       {Reason::kFirmServed, Reason::kMineFull}},
      {t0 + hours(1) + minutes(15) + seconds(30),
       -12.345f,
       51.2345f,
       -3.96f,
       60,
       25,
       25,
       0,
       0,
       -12.345f,
       {20, 0},
       {Reason::kFirmServed, Reason::kCurtailDrEvent}},
      {t0 + hours(25),
       34.567f,
       0,
       20.3f,
       100,
       56,
       25,
       0,
       31.5f,
       0,
       {20, 30},
       {Reason::kFirmSlaBreach, Reason::kMineFull}},
  };
  const std::vector<Row> mining = {
      {t0,
       1234.5678f,
       51.2345f,
       20.3f,
       100,
       31.5f,
       0,
       0,
       31.5f,
       7,
       {29.1234567f, 0},
       {Reason::kMinePowerTarget, Reason::kCurtailPriceAboveBreakeven}},
  };
  ScenarioRuns a{"hybrid", {MakeRun({kLease, kS21}, hybrid)}};
  ScenarioRuns b{"all-mining", {MakeRun({kS21, kS19}, mining)}};
  // A baseline run beside the first: timeseries.csv takes runs[0] only.
  b.runs.push_back(MakeRun({kS21, kS19}, mining));
  b.runs.back().price.assign(1, 9999);
  return {a, b};
}

TEST(TimeseriesCsvTest, HeaderNamesEveryLoadOnceInFirstSeenOrder) {
  const std::string csv = Csv(TwoScenarios());
  EXPECT_EQ(
      csv.substr(0, csv.find('\n')),
      "scenario,timestamp_utc,price_usd_per_mwh,hashprice_usd_per_ph_day,ambient_c,site_cap_mw,"
      "facility_mw,firm_mw,batch_mw,mining_mw,profit_usd,lease_it_mw,lease_reason,s21_it_mw,"
      "s21_reason,s19_it_mw,s19_reason");
}

// Finding 8 of the hostile-input probe: a name with a comma or a newline broke
// the file, one with a leading '=' became a spreadsheet formula.
TEST(TimeseriesCsvTest, NamesAreQuotedAndFormulasDisarmed) {
  std::vector<ScenarioRuns> s = TwoScenarios();
  s[0].scenario = "=cmd|' /C calc'!A0";
  s[0].runs[0].loads[0].name = "hall A, \"west\"";
  s[0].runs[0].loads[1].name = "two\nlines";
  s[1].runs[0].loads[1].name = "two\nlines";
  const std::string csv = Csv(s);
  EXPECT_NE(csv.find(",\"hall A, \"\"west\"\"_it_mw\",\"hall A, \"\"west\"\"_reason\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"two\nlines_it_mw\",\"two\nlines_reason\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n'=cmd|' /C calc'!A0,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("\n=cmd"), std::string::npos);
}

TEST(TimeseriesCsvTest, RowsKeepTheirColumnsDecimalsAndTimestamps) {
  const std::string csv = Csv(TwoScenarios());
  const std::string rows = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(
      rows,
      "hybrid,2024-02-28T23:00:00Z,1234.57,51.235,20.3,100.000,99.999,25.432,5.050,0.000,123456.79,"
      "20.0000,firm-served,30.0000,mine-full,0,absent\n"
      "hybrid,2024-02-29T00:00:00Z,34.57,51.235,-4.0,100.000,55.500,25.432,0.000,31.500,-1500.26,"
      "20.0000,firm-served,30.0000,mine-full,0,absent\n"
      "hybrid,2024-02-29T00:15:30Z,-12.35,51.235,-4.0,60.000,25.000,25.000,0.000,0.000,-12.35,"
      "20.0000,firm-served,0.0000,dr-event,0,absent\n"
      "hybrid,2024-03-01T00:00:00Z,34.57,0.000,20.3,100.000,56.000,25.000,0.000,31.500,0.00,"
      "20.0000,firm-sla-breach,30.0000,mine-full,0,absent\n"
      "all-mining,2024-02-28T23:00:00Z,1234.57,51.235,20.3,100.000,31.500,0.000,0.000,31.500,7.00,"
      "0,absent,29.1235,mine-power-target,0.0000,curtail-price-above-breakeven\n");
}

TEST(TimeseriesCsvTest, NegativeZeroAndZeroAreTwoValues) {
  const std::vector<Row> rows = {
      {At(2024, 1, 1), 0.0f, 0, 0, 0, 0, 0, 0, 0, -0.0f, {}, {}},
      {At(2024, 1, 1) + hours(1), -0.0f, 0, 0, 0, 0, 0, 0, 0, 0.0f, {}, {}},
  };
  const std::string csv = Csv({{"s", {MakeRun({}, rows)}}});
  EXPECT_NE(csv.find("s,2024-01-01T00:00:00Z,0.00,0.000,0.0,0.000,0.000,0.000,0.000,0.000,-0.00\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("s,2024-01-01T01:00:00Z,-0.00,0.000,0.0,0.000,0.000,0.000,0.000,0.000,0.00\n"),
            std::string::npos)
      << csv;
}

// Past the writer's block size (a 4-year hourly run is many blocks): every
// row arrives, whole and in order.
TEST(TimeseriesCsvTest, ALongRunArrivesWholeAndInOrder) {
  std::vector<Row> rows;
  const int kSteps = 4 * 8766;
  for (int k = 0; k < kSteps; ++k) {
    rows.push_back({At(2021, 1, 1) + hours(k),
                    static_cast<float>(k % 1000),
                    50,
                    20,
                    100,
                    30,
                    0,
                    0,
                    30,
                    static_cast<float>(k),
                    {static_cast<float>(k % 3) * 10},
                    {Reason::kMineFull}});
  }
  const std::string csv = Csv({{"long", {MakeRun({kS21}, rows)}}});
  EXPECT_GT(csv.size(), std::size_t{3} << 20);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  int k = 0;
  while (std::getline(in, line)) {
    if (k == 0) {
      EXPECT_EQ(line,
                "long,2021-01-01T00:00:00Z,0.00,50.000,20.0,100.000,30.000,0.000,0.000,30.000,0.00,"
                "0.0000,mine-full");
    }
    if (k == kSteps - 1) {
      EXPECT_EQ(
          line,
          "long,2024-12-31T23:00:00Z,63.00,50.000,20.0,100.000,30.000,0.000,0.000,30.000,35063.00,"
          "20.0000,mine-full");
    }
    ++k;
  }
  EXPECT_EQ(k, kSteps);
  EXPECT_EQ(csv.back(), '\n');
}

TEST(SummaryJsonTest, OneRunPerScenarioAndPolicyWithTheMarket) {
  ReportInfo info;
  info.site_name = "West Texas";
  info.site_file = "site.yaml";
  info.power_source = "ercot:hb_west";
  info.from = "2024-01-01T00:00:00Z";
  info.step = "1h";
  std::vector<ScenarioRuns> scenarios = TwoScenarios();
  scenarios[1].runs[1].summary.policy = "strike-price";
  MonthRow feb;
  feb.year = 2024;
  feb.month = 2;
  feb.profit_usd = 12.5;
  scenarios[0].runs[0].summary.months.push_back(feb);
  const nlohmann::ordered_json j = SummaryJson(info, scenarios);
  EXPECT_EQ(j["site"], "West Texas");
  EXPECT_EQ(j["market"]["power_source"], "ercot:hb_west");
  EXPECT_EQ(j["market"]["step"], "1h");
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][2]["policy"], "strike-price");
  EXPECT_EQ(j["runs"][0]["loads"][1]["name"], "s21");
  EXPECT_EQ(j["runs"][0]["loads"][1]["kind"], "miners");
  EXPECT_DOUBLE_EQ(j["runs"][0]["loads"][1]["nameplate_it_mw"].get<double>(), 30);
  EXPECT_EQ(j["runs"][0]["months"][0]["month"], "2024-02");
  EXPECT_DOUBLE_EQ(j["runs"][0]["months"][0]["profit_usd"].get<double>(), 12.5);
}

TEST(WriteFileAtomicallyTest, WritesTheContentsAndLeavesNoTemporaryFile) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "result_files_test";
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "out.csv";
  ASSERT_TRUE(WriteFileAtomically(file, "old\n").ok());
  ASSERT_TRUE(WriteFileAtomically(file, "a,b\n1,2\n").ok());
  std::ifstream in(file);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), "a,b\n1,2\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "out.csv.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(WriteFileAtomicallyTest, TheCsvFileHoldsWhatTheStreamGets) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "result_files_csv_test";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteTimeseriesCsvFile(dir / "timeseries.csv", TwoScenarios()).ok());
  std::ifstream in(dir / "timeseries.csv", std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), Csv(TwoScenarios()));
  EXPECT_FALSE(std::filesystem::exists(dir / "timeseries.csv.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(WriteFileAtomicallyTest, AMissingFolderIsAnIoErrorNamingTheFile) {
  const std::filesystem::path file =
      std::filesystem::path(::testing::TempDir()) / "no_such_folder_here" / "summary.json";
  const Status s = WriteFileAtomically(file, "{}");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("no_such_folder_here"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mullet
