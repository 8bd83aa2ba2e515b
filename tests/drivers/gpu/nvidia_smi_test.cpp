// ParseQueryGpuCsv on output in nvidia-smi's own format (tests/testdata/gpu/).

#include "drivers/gpu/nvidia_smi.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace mullet {
namespace {

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(MULLET_TESTDATA) + "/gpu/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(NvidiaSmiParseTest, ReadsAnEightGpuH100Node) {
  const Result<std::vector<GpuReading>> gpus = ParseQueryGpuCsv(Sample("h100_sxm_8gpu.csv"));
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 8u);
  const GpuReading& g0 = (*gpus)[0];
  EXPECT_EQ(g0.index, 0);
  EXPECT_EQ(g0.uuid, "GPU-3f2a9c1e-7b4d-5e60-8a91-0c2d4e6f8a10");
  EXPECT_EQ(g0.name, "NVIDIA H100 80GB HBM3");
  EXPECT_DOUBLE_EQ(g0.power_draw->value(), 71.52);
  EXPECT_DOUBLE_EQ(g0.power_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ(g0.enforced_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ(g0.default_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ(g0.min_limit->value(), 200.0);
  EXPECT_DOUBLE_EQ(g0.max_limit->value(), 700.0);
  EXPECT_FALSE(g0.energy.has_value());  // nvidia-smi's query has no energy field
  // GPU 3: requested 700 W, but another limiter (the BMC) enforces 500 W.
  EXPECT_DOUBLE_EQ((*gpus)[3].power_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ((*gpus)[3].enforced_limit->value(), 500.0);
  EXPECT_EQ((*gpus)[7].index, 7);
  EXPECT_DOUBLE_EQ((*gpus)[7].power_draw->value(), 72.40);
}

TEST(NvidiaSmiParseTest, NotAvailableAndNotSupportedFieldsAreAbsentNotZero) {
  const Result<std::vector<GpuReading>> gpus = ParseQueryGpuCsv(Sample("h100_na.csv"));
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 2u);
  EXPECT_FALSE((*gpus)[0].power_draw.has_value());
  EXPECT_DOUBLE_EQ((*gpus)[0].power_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ((*gpus)[1].power_draw->value(), 688.34);
  EXPECT_FALSE((*gpus)[1].enforced_limit.has_value());
  EXPECT_FALSE((*gpus)[1].min_limit.has_value());
  EXPECT_FALSE((*gpus)[1].max_limit.has_value());
  EXPECT_DOUBLE_EQ((*gpus)[1].default_limit->value(), 700.0);
}

TEST(NvidiaSmiParseTest, WindowsLineEndsUnitsAndAHeaderParseAsWithout) {
  const Result<std::vector<GpuReading>> gpus =
      ParseQueryGpuCsv(Sample("h100_windows_units_header.csv"));
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 2u);
  EXPECT_EQ((*gpus)[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_DOUBLE_EQ((*gpus)[0].power_draw->value(), 71.52);
  EXPECT_DOUBLE_EQ((*gpus)[1].power_draw->value(), 688.34);
  EXPECT_DOUBLE_EQ((*gpus)[1].max_limit->value(), 700.0);
  EXPECT_EQ((*gpus)[1].uuid, "GPU-9d1c3b5a-2e4f-6a70-b8c9-1d3e5f7a9b21");
}

TEST(NvidiaSmiParseTest, SpacesAfterCommasAreOptionalAndBlankLinesSkipped) {
  const Result<std::vector<GpuReading>> gpus =
      ParseQueryGpuCsv("\n0,GPU-a,NVIDIA H200,101.5,600.00,600.00,700.00,200.00,700.00\n\n");
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 1u);
  EXPECT_EQ((*gpus)[0].name, "NVIDIA H200");
  EXPECT_DOUBLE_EQ((*gpus)[0].power_draw->value(), 101.5);
  EXPECT_DOUBLE_EQ((*gpus)[0].power_limit->value(), 600.0);
}

TEST(NvidiaSmiParseTest, NoOutputIsNoGpus) {
  const Result<std::vector<GpuReading>> gpus = ParseQueryGpuCsv("");
  ASSERT_TRUE(gpus.ok());
  EXPECT_TRUE(gpus->empty());
}

TEST(NvidiaSmiParseTest, WrongFieldCountNamesTheLine) {
  const Result<std::vector<GpuReading>> gpus =
      ParseQueryGpuCsv("0, GPU-a, NVIDIA H100 80GB HBM3, 1, 2, 3, 4, 5, 6\n1, GPU-b, 71.5\n");
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().code(), StatusCode::kDataError);
  EXPECT_NE(gpus.status().message().find("line 2: expected 9 fields"), std::string::npos)
      << gpus.status().message();
}

TEST(NvidiaSmiParseTest, ADeviceMessageIsNotTakenForAGpu) {
  const Result<std::vector<GpuReading>> gpus = ParseQueryGpuCsv("No devices were found\n");
  ASSERT_FALSE(gpus.ok());
  EXPECT_NE(gpus.status().message().find("No devices were found"), std::string::npos);
}

TEST(NvidiaSmiParseTest, BadNumberNamesLineFieldAndText) {
  const Result<std::vector<GpuReading>> gpus = ParseQueryGpuCsv(
      "0, GPU-a, NVIDIA H100 80GB HBM3, 71.52, abc, 700.00, 700.00, 200.00, 700.00\n");
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().message(), "line 1: power.limit: expected watts, got 'abc'");
}

TEST(NvidiaSmiParseTest, IndexUuidAndNameAreRequired) {
  EXPECT_FALSE(ParseQueryGpuCsv("[N/A], GPU-a, H100, 1, 2, 3, 4, 5, 6").ok());
  EXPECT_FALSE(ParseQueryGpuCsv("-1, GPU-a, H100, 1, 2, 3, 4, 5, 6").ok());
  const Result<std::vector<GpuReading>> no_uuid =
      ParseQueryGpuCsv("0, [N/A], H100, 1, 2, 3, 4, 5, 6");
  ASSERT_FALSE(no_uuid.ok());
  EXPECT_NE(no_uuid.status().message().find("uuid: required"), std::string::npos)
      << no_uuid.status().message();
}

TEST(NvidiaSmiParseTest, NegativeOrNonFiniteWattsAreRejected) {
  EXPECT_FALSE(ParseQueryGpuCsv("0, GPU-a, H100, -5, 700, 700, 700, 200, 700").ok());
  EXPECT_FALSE(ParseQueryGpuCsv("0, GPU-a, H100, inf, 700, 700, 700, 200, 700").ok());
  EXPECT_FALSE(ParseQueryGpuCsv("0, GPU-a, H100, 71.5 kW, 700, 700, 700, 200, 700").ok());
}

// What no GPU reports is refused, escaped and cut short in the error: a
// name that would drive the terminal, more watts than a GPU draws, a
// megabyte line.
TEST(NvidiaSmiParseTest, ImplausibleOrHostileLinesAreRefusedAndShownEscaped) {
  Result<std::vector<GpuReading>> gpus =
      ParseQueryGpuCsv("0, GPU-a, \x1b]0;owned\x07H100, 71.5, 700, 700, 700, 200, 700\n");
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().message(),
            "line 1: name: expected printable text of at most 200 bytes, got '\\x1b]0;owned\\x07H100'");
  gpus = ParseQueryGpuCsv("0, GPU-a, H100, 5e6, 700, 700, 700, 200, 700\n");
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().message(), "line 1: power.draw: more watts than one GPU can draw, got '5e6'");
  EXPECT_TRUE(ParseQueryGpuCsv("0, GPU-a, NVIDIA GB200, 2650, 2700, 2700, 2700, 200, 2700\n").ok());
  gpus = ParseQueryGpuCsv(std::string(1 << 20, '\x1b') + "\n");
  ASSERT_FALSE(gpus.ok());
  EXPECT_LT(gpus.status().message().size(), 600u);
  EXPECT_EQ(gpus.status().message().find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace mullet
