#include "calibrate/calibrate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "data/history.h"
#include "plan/calibration_file.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first line where two texts differ, for a message a person can act on.
std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(x, la));
    const bool more_b = static_cast<bool>(std::getline(y, lb));
    if (!more_a && !more_b) return "no line differs (line ends?)";
    if (la != lb || more_a != more_b) {
      return "line " + std::to_string(line) + ": committed '" + (more_a ? la : "<end>") +
             "', fitted '" + (more_b ? lb : "<end>") + "'";
    }
  }
}

const Calibration& FromSharedData() {
  static const Result<Calibration> c = CalibrateFromData(MULLET_SHARED_DATA);
  return c.ok() ? *c : DefaultCalibration();
}

TEST(CalibrateTest, DefaultIsTheSharedDataFittedByThisCode) {
  ASSERT_TRUE(fs::is_directory(MULLET_SHARED_DATA))
      << MULLET_SHARED_DATA << " is missing: the calibration tests need ../shared/data";
  const Result<Calibration> c = CalibrateFromData(MULLET_SHARED_DATA);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const std::string committed = Slurp(MULLET_DEFAULT_CALIBRATION);
  const std::string fitted = CalibrationToJson(*c);
  EXPECT_TRUE(committed == fitted)
      << "src/plan/default_calibration.json is not what this code fits on ../shared/data ("
      << FirstDifference(committed, fitted)
      << "). If the change to a model, its fit or the data is meant, regenerate the default and "
         "commit it:\n"
         "  build/release/mullet calibrate --data ../shared/data --out "
         "src/plan/default_calibration.json\n"
         "and rebuild (it is embedded in the binary).";
}

TEST(CalibrateTest, TheEmbeddedDefaultIsTheCommittedFile) {
  EXPECT_TRUE(CalibrationToJson(DefaultCalibration()) == Slurp(MULLET_DEFAULT_CALIBRATION))
      << "the binary embeds another default_calibration.json than the committed one: rebuild "
         "(cmake reads it "
         "at configure time and reconfigures when it changes)";
}

// The fit rows are the figures the models' tests compute, with their seeds
// and path counts (src/plan/README.md's tables).
TEST(CalibrateTest, FitRowsAreTheModelsTestFigures) {
  const Calibration& c = FromSharedData();
  const auto row = [&](const std::string& model, const std::string& statistic) {
    for (const Calibration::FitRow& r : c.fit) {
      if (r.model == model && r.statistic == statistic) return r;
    }
    ADD_FAILURE() << "no fit row " << model << " / " << statistic;
    return Calibration::FitRow{};
  };
  EXPECT_NEAR(row("btc_regime", "stdev of r").history, 0.0415, 0.0001);
  EXPECT_NEAR(row("btc_regime", "stdev of r").simulated, 0.0437, 0.0001);
  EXPECT_NEAR(row("btc_regime", "excess kurtosis of r").history, 36.5, 0.05);
  EXPECT_NEAR(row("btc_regime", "excess kurtosis of r").simulated, 32.6, 0.05);
  EXPECT_NEAR(row("btc_regime", "acf of |r|, lag 1").simulated, 0.142, 0.001);
  EXPECT_NEAR(row("fees", "mean of log F").simulated, 3.555, 0.001);
  EXPECT_NEAR(row("fees", "stdev of log F").simulated, 0.982, 0.001);
  EXPECT_NEAR(row("fees", "acf of log F, lag 30").history, 0.787, 0.001);
  EXPECT_NEAR(row("hashrate", "partial correlation at the fitted lag").history, 0.173, 0.001);
  EXPECT_EQ(row("hashrate", "fitted lag, days").history, 7);
  EXPECT_NEAR(row("gpu_rent", "generation step, log").history, 0.461, 0.001);
  EXPECT_EQ(c.reference_date, Date(std::chrono::year(2025) / 2 / 2));
  EXPECT_EQ(c.gpu_rent_as_of, Date(std::chrono::year(2026) / 3 / 13));
  EXPECT_EQ(c.gpu_rent.start_usd_per_gpu_hour, 3.34);
}

TEST(CalibrateTest, AMissingDirectoryOrFileIsNamed) {
  const Result<Calibration> none = CalibrateFromData("/nonexistent/mullet-data");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("/nonexistent/mullet-data"), std::string::npos)
      << none.status().message();
  // Every file but the GPU rental index.
  const fs::path dir = fs::path(::testing::TempDir()) / "calibrate_test_partial";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* f :
       {data_files::kNetworkDaily, data_files::kPriceDaily, data_files::kFeesDaily}) {
    fs::copy_file(fs::path(MULLET_SHARED_DATA) / f, dir / f);
  }
  const Result<Calibration> partial = CalibrateFromData(dir);
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.status().message().find(data_files::kGpuRentalIndex), std::string::npos)
      << partial.status().message();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mullet
