// `mullet calibrate` through the real binary.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli/run_mullet.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using testing_cli::Mullet;
using testing_cli::Slurp;

TEST(CalibrateCommandTest, WritesTheCommittedDefaultFromTheSharedData) {
  const fs::path dir = fs::path(::testing::TempDir()) / "calibrate_command_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "calibration.json").string();
  const testing_cli::CliRun r =
      Mullet(std::string("calibrate --data ") + MULLET_SHARED_DATA + " --out " + file + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string committed = Slurp(MULLET_DEFAULT_CALIBRATION);
  EXPECT_TRUE(Slurp(file) == committed)
      << "the file written differs from src/plan/default_calibration.json";
  EXPECT_TRUE(r.out == committed) << "--json prints the document";
  // Replaced whole: nothing but the file is left beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(CalibrateCommandTest, AMissingDataDirectoryIsNamed) {
  const testing_cli::CliRun r = Mullet("calibrate --data /nonexistent/mullet-data");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/nonexistent/mullet-data"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CalibrateCommandTest, HelpHasAnExample) {
  const testing_cli::CliRun r = Mullet("calibrate --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("mullet calibrate --data ../shared/data --out"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace mullet
