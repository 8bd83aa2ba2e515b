// `mullet gpu status|set-cap|settle` run as a user runs them, against
// tests/testdata/gpu/fake-nvidia-smi in place of the real tool.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_mullet.h"

namespace {

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Json;
using mullet::testing_cli::Mullet;

const std::string kFakeTool = std::string(MULLET_TESTDATA) + "/gpu/fake-nvidia-smi";

// The fake tool's state lives in a file named by the environment, which the
// mullet child (and its nvidia-smi child) inherit.
class GpuCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = ::testing::TempDir() + "gpu_cli_state_" + std::to_string(getpid());
    std::remove(state_.c_str());
    setenv("FAKE_NVIDIA_SMI_STATE", state_.c_str(), 1);
    unsetenv("FAKE_NVIDIA_SMI_MODE");
    unsetenv("FAKE_NVIDIA_SMI_LOG");
  }
  void TearDown() override { std::remove(state_.c_str()); }
  std::string state_;
};

TEST_F(GpuCommandTest, StatusJsonListsEveryGpuWithUnitsInTheKeys) {
  const nlohmann::json j = Json(Mullet("gpu status --nvidia-smi " + kFakeTool + " --json"));
  ASSERT_EQ(j["gpus"].size(), 2u);
  EXPECT_EQ(j["gpus"][0]["index"], 0);
  EXPECT_EQ(j["gpus"][0]["name"], "NVIDIA H100 80GB HBM3");
  EXPECT_DOUBLE_EQ(j["gpus"][0]["power_draw_w"].get<double>(), 71.52);
  EXPECT_DOUBLE_EQ(j["gpus"][1]["max_limit_w"].get<double>(), 700.0);
  EXPECT_EQ(j["summary"]["total"], 2);
  EXPECT_DOUBLE_EQ(j["summary"]["power_draw_w"].get<double>(), 143.04);
}

TEST_F(GpuCommandTest, StatusTableNamesTheGpus) {
  const CliRun r = Mullet("gpu status --nvidia-smi " + kFakeTool);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 GPUs drawing 143.0 W"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NVIDIA H100 80GB HBM3"), std::string::npos) << r.out;
}

TEST_F(GpuCommandTest, NotAvailableDrawIsNullNotZero) {
  setenv("FAKE_NVIDIA_SMI_MODE", "na", 1);
  const nlohmann::json j = Json(Mullet("gpu status --nvidia-smi " + kFakeTool + " --json"));
  EXPECT_TRUE(j["gpus"][0]["power_draw_w"].is_null());
  EXPECT_EQ(j["summary"]["draw_unknown"], 2);
}

TEST_F(GpuCommandTest, SetCapAppliesAndStatusShowsIt) {
  const nlohmann::json set =
      Json(Mullet("gpu set-cap 1 350 --nvidia-smi " + kFakeTool + " --json"));
  EXPECT_EQ(set["index"], 1);
  EXPECT_DOUBLE_EQ(set["power_limit_w"].get<double>(), 350.0);
  EXPECT_NE(set["message"].get<std::string>().find("was set to 350.00 W from 700.00 W."),
            std::string::npos)
      << set.dump();
  const nlohmann::json j = Json(Mullet("gpu status --nvidia-smi " + kFakeTool + " --json"));
  EXPECT_DOUBLE_EQ(j["gpus"][1]["power_limit_w"].get<double>(), 350.0);
  EXPECT_DOUBLE_EQ(j["gpus"][0]["power_limit_w"].get<double>(), 700.0);
}

TEST_F(GpuCommandTest, ACapOutsideTheRangeIsOneLineAndExitTwo) {
  const CliRun r = Mullet("gpu set-cap 0 900 --nvidia-smi " + kFakeTool);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(
      r.err,
      "mullet gpu set-cap: error: GPU 0: power cap 900 W is outside its range [200 W, 700 W]\n");
}

TEST_F(GpuCommandTest, WithoutRootTheToolsWordsReachTheUser) {
  setenv("FAKE_NVIDIA_SMI_MODE", "noroot", 1);
  const CliRun r = Mullet("gpu set-cap 0 300 --nvidia-smi " + kFakeTool);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("exited 4: Failed to set power management limit for GPU 00000000:18:00.0: "
                       "Insufficient Permissions"),
            std::string::npos)
      << r.err;
}

TEST_F(GpuCommandTest, AMissingToolSaysHowToPointAtIt) {
  const CliRun r = Mullet("gpu status --nvidia-smi /nonexistent/nvidia-smi");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot run `/nonexistent/nvidia-smi`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--nvidia-smi"), std::string::npos) << r.err;
}

TEST_F(GpuCommandTest, SettleReportsHowTheCapTookEffect) {
  const nlohmann::json j = Json(
      Mullet("gpu settle 0 300 --until-draw --timeout-s 5 --nvidia-smi " + kFakeTool + " --json"));
  EXPECT_EQ(j["index"], 0);
  EXPECT_EQ(j["by"], "draw");
  EXPECT_GE(j["settle_s"].get<double>(), 0.0);
  EXPECT_EQ(j["reads"], 1);
}

TEST_F(GpuCommandTest, BadArgumentsAreExitTwo) {
  EXPECT_EQ(Mullet("gpu set-cap zero 300").code, 2);
  EXPECT_EQ(Mullet("gpu set-cap 0 -5").code, 2);
  EXPECT_EQ(Mullet("gpu").code, 2);
}

}  // namespace
