// `mullet plan` as a user runs it: the example plan, its outputs, shards
// and merge, MPI ranks, and the errors of a bad plan file.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "cli/run_mullet.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using testing_cli::CliRun;
using testing_cli::Mullet;
using testing_cli::Slurp;

std::string Dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) / ("mullet_plan_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  return d.string();
}

std::string Plan() { return std::string(MULLET_EXAMPLES) + "/plan.yaml --data " + MULLET_SHARED_DATA; }

// summary.json without the fields that say how it was computed.
nlohmann::json Summary(const std::string& dir) {
  nlohmann::json j = nlohmann::json::parse(Slurp(dir + "/summary.json"));
  j["plan"].erase("shards");
  j["plan"].erase("threads");
  return j;
}

// The demand-response example: a program paid for its availability is
// worth its capacity payments to the site that keeps mining, on every path;
// each program's terms are among the assumptions.
TEST(PlanCommandTest, TheDemandResponseExampleComparesPrograms) {
  const std::string out = Dir("demand_response");
  const CliRun r = Mullet("plan " + std::string(MULLET_EXAMPLES) + "/plan_demand_response.yaml --data " +
                          MULLET_SHARED_DATA + " --paths 8 --json --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(Slurp(out + "/summary.json"));
  ASSERT_EQ(j["decisions"].size(), 3u);
  EXPECT_EQ(j["decisions"][1]["name"], "stay-mining-ers");
  EXPECT_GT(j["decisions"][1]["npv_usd_p5"].get<double>(), j["decisions"][0]["npv_usd_p5"].get<double>());
  EXPECT_LE(j["decisions"][2]["btc_mined_p50"].get<double>(), j["decisions"][0]["btc_mined_p50"].get<double>());
  int programs = 0;
  for (const auto& a : j["assumptions"]) programs += a["name"].get<std::string>().rfind("Demand response (", 0) == 0;
  EXPECT_EQ(programs, 2);
  for (const auto& p : j["comparison"]["pairwise"]) {
    if (p["a"] == "stay-mining" && p["b"] == "stay-mining-ers") {
      EXPECT_EQ(p["share_a_better"].get<double>(), 0.0);
    }
  }
}

TEST(PlanCommandTest, ExamplePlanWritesItsReportAndJson) {
  const std::string out = Dir("example");
  const CliRun r = Mullet("plan " + Plan() + " --paths 8 --json --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["decisions"].size(), 5u);
  for (const auto& d : j["decisions"]) {
    for (const char* k : {"npv_usd_p5", "npv_usd_p50", "npv_usd_p95", "irr_p50", "prob_cash_below_floor",
                          "cvar_npv_usd_5", "cost_per_btc_all_in_usd_p50"}) {
      EXPECT_TRUE(d.contains(k)) << k;
    }
    EXPECT_LE(d["npv_usd_p5"].get<double>(), d["npv_usd_p50"].get<double>());
    EXPECT_LE(d["npv_usd_p50"].get<double>(), d["npv_usd_p95"].get<double>());
  }
  for (const char* f : {"summary.json", "decisions.csv", "cash_percentiles.csv", "report.html"}) {
    EXPECT_TRUE(fs::is_regular_file(fs::path(out) / f)) << f;
  }
  // decisions.csv: a header and a row per decision, its median NPV the JSON's.
  const std::string csv = Slurp(out + "/decisions.csv");
  EXPECT_EQ(csv.rfind("decision,npv_usd_p5,npv_usd_p50,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  EXPECT_NE(csv.find("convert-20mw,"), std::string::npos);
  const std::string html = Slurp(out + "/report.html");
  EXPECT_NE(html.find("convert-40mw-debt"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  fs::remove_all(out);
}

// Without a data directory: the built-in calibration's BTC regime model and
// the synthetic power year, said so in the assumptions.
TEST(PlanCommandTest, RunsWithoutData) {
  const std::string out = Dir("nodata");
  const CliRun r = Mullet("plan " + std::string(MULLET_EXAMPLES) + "/plan.yaml --paths 6 --json --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json s = nlohmann::json::parse(Slurp(out + "/summary.json"));
  std::string btc;
  for (const auto& a : s["assumptions"]) {
    if (a["name"] == "BTC price") btc = a["value"];
  }
  EXPECT_NE(btc.find("regime"), std::string::npos) << btc;
  EXPECT_GT(s["calibration"].size(), 5u);  // the calibration's fit rows, for the report
  EXPECT_GT(s["decisions"][0]["btc_mined_p50"].get<double>(), 0);
  fs::remove_all(out);
}

TEST(PlanCommandTest, ShardsMergedGiveTheSingleProcessResult) {
  const std::string one = Dir("one"), shards = Dir("shards"), merged = Dir("merged");
  ASSERT_EQ(Mullet("plan " + Plan() + " --paths 7 --threads 2 --out " + one).code, 0);
  for (const char* s : {"1/3", "2/3", "3/3"}) {
    const CliRun r = Mullet("plan " + Plan() + " --paths 7 --threads 1 --shard " + s + " --out " + shards);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const CliRun m = Mullet("plan merge " + std::string(MULLET_EXAMPLES) + "/plan.yaml " + shards + "/shard-3-of-3.bin " +
                          shards + "/shard-1-of-3.bin " + shards + "/shard-2-of-3.bin --data " + MULLET_SHARED_DATA +
                          " --out " + merged);
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(Summary(one), Summary(merged));
  // A shard left out is refused.
  const CliRun gap = Mullet("plan merge " + std::string(MULLET_EXAMPLES) + "/plan.yaml " + shards +
                            "/shard-1-of-3.bin " + shards + "/shard-3-of-3.bin --data " + MULLET_SHARED_DATA +
                            " --out " + merged);
  EXPECT_NE(gap.code, 0);
  EXPECT_NE(gap.err.find("gap or overlap"), std::string::npos) << gap.err;
  for (const std::string& d : {one, shards, merged}) fs::remove_all(d);
}

// Under OpenMPI's launcher the ranks split the paths and rank 0 writes what
// one process writes. scripts/install-deps.sh installs openmpi-bin.
TEST(PlanCommandTest, MpiRanksGiveTheSingleProcessResult) {
  ASSERT_EQ(std::system("command -v mpirun >/dev/null 2>&1"), 0) << "mpirun is missing: scripts/install-deps.sh";
  const std::string one = Dir("mpi_one"), ranks = Dir("mpi_ranks");
  ASSERT_EQ(Mullet("plan " + Plan() + " --paths 7 --threads 1 --out " + one).code, 0);
  // Sanitizer builds: OpenMPI's own allocations are not the test's leaks.
  const std::string cmd = "ASAN_OPTIONS=detect_leaks=0 mpirun -n 3 --oversubscribe --allow-run-as-root " +
                          testing_cli::MulletBinary() + " plan " + Plan() + " --paths 7 --threads 1 --out " + ranks +
                          " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const nlohmann::json a = Summary(one), b = Summary(ranks);
  EXPECT_EQ(a, b);
  EXPECT_EQ(nlohmann::json::parse(Slurp(ranks + "/summary.json"))["plan"]["shards"], 3);
  fs::remove_all(one);
  fs::remove_all(ranks);
}

TEST(PlanCommandTest, BadPlanFileNamesFileLineAndField) {
  const std::string dir = Dir("bad");
  fs::create_directories(dir);
  {
    std::ofstream f(dir + "/p.yaml");
    f << "name: x\nsite: " << MULLET_EXAMPLES << "/hybrid_west_texas.yaml\nstart: 2026-01-01\n"
      << "discount_rate: lots\ndecisions: [{name: a}]\n";
  }
  const CliRun r = Mullet("plan " + dir + "/p.yaml --data " + MULLET_SHARED_DATA + " --out " + dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("p.yaml:4: discount_rate: must be a number"), std::string::npos) << r.err;
  const CliRun help = Mullet("plan --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--shard"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mullet
