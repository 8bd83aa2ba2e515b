// NvidiaSmiGpuNode through the real subprocess path, against
// tests/testdata/gpu/fake-nvidia-smi (a shell script that answers in
// nvidia-smi's format and words and keeps the node in a state file).

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "drivers/gpu/nvidia_smi.h"

namespace mullet {
namespace {

const std::string kFakeTool = std::string(MULLET_TESTDATA) + "/gpu/fake-nvidia-smi";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class NvidiaSmiLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One state file per test process: ctest runs the tests in parallel.
    const std::string stem = ::testing::TempDir() + "fake_nvidia_smi_" + std::to_string(getpid());
    state_ = stem + ".state";
    log_ = stem + ".log";
    std::remove(state_.c_str());
    std::remove(log_.c_str());
    setenv("FAKE_NVIDIA_SMI_STATE", state_.c_str(), 1);
    setenv("FAKE_NVIDIA_SMI_LOG", log_.c_str(), 1);
    unsetenv("FAKE_NVIDIA_SMI_MODE");
  }
  void TearDown() override {
    std::remove(state_.c_str());
    std::remove(log_.c_str());
  }
  NvidiaSmiGpuNode Node(double deadline_s = 10) {
    NvidiaSmiOptions o;
    o.binary = kFakeTool;
    o.command.deadline = Seconds(deadline_s);
    return NvidiaSmiGpuNode(o);
  }
  std::string state_;
  std::string log_;
};

TEST_F(NvidiaSmiLiveTest, ReadsEveryGpu) {
  NvidiaSmiGpuNode node = Node();
  const Result<std::vector<GpuReading>> gpus = node.Read();
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 2u);
  EXPECT_EQ((*gpus)[1].index, 1);
  EXPECT_EQ((*gpus)[1].uuid, "GPU-5e1b7c2a-0d3f-4c41-9a8e-2b6f0c1d0a01");
  EXPECT_EQ((*gpus)[1].name, "NVIDIA H100 80GB HBM3");
  EXPECT_DOUBLE_EQ((*gpus)[1].power_draw->value(), 71.52);
  EXPECT_DOUBLE_EQ((*gpus)[1].power_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ((*gpus)[1].min_limit->value(), 200.0);
  // The exact query mullet documents is what ran.
  EXPECT_NE(Slurp(log_).find("--query-gpu=" + std::string(kQueryGpuFields) +
                             " --format=csv,noheader,nounits"),
            std::string::npos)
      << Slurp(log_);
}

TEST_F(NvidiaSmiLiveTest, SetPowerLimitAppliesTheCapAndKeepsNvidiaSmisMessage) {
  NvidiaSmiGpuNode node = Node();
  ASSERT_TRUE(node.SetPowerLimit(0, Watts(300)).ok());
  EXPECT_EQ(node.last_message(),
            "Power limit for GPU 00000000:18:00.0 was set to 300.00 W from 700.00 W.; All done.");
  const Result<std::vector<GpuReading>> gpus = node.Read();
  ASSERT_TRUE(gpus.ok());
  EXPECT_DOUBLE_EQ((*gpus)[0].power_limit->value(), 300.0);
  EXPECT_DOUBLE_EQ((*gpus)[0].enforced_limit->value(), 300.0);
  EXPECT_DOUBLE_EQ((*gpus)[1].power_limit->value(), 700.0);
  EXPECT_NE(Slurp(log_).find("-i 0 -pl 300\n"), std::string::npos) << Slurp(log_);
}

TEST_F(NvidiaSmiLiveTest, ACapOutsideTheRangeRunsNoSetCommand) {
  NvidiaSmiGpuNode node = Node();
  const Status s = node.SetPowerLimit(1, Watts(800));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "GPU 1: power cap 800 W is outside its range [200 W, 700 W]");
  const std::string log = Slurp(log_);
  EXPECT_NE(log.find("--query-gpu"), std::string::npos);  // the range was read
  EXPECT_EQ(log.find("-pl"), std::string::npos) << log;   // nothing was set
}

TEST_F(NvidiaSmiLiveTest, AnUnknownIndexIsNotFound) {
  NvidiaSmiGpuNode node = Node();
  const Status s = node.SetPowerLimit(7, Watts(300));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no GPU with index 7 on this node (2 GPUs)");
}

TEST_F(NvidiaSmiLiveTest, WithoutRootTheErrorNamesCommandExitCodeAndStderr) {
  NvidiaSmiGpuNode node = Node();
  ASSERT_TRUE(node.Read().ok());
  setenv("FAKE_NVIDIA_SMI_MODE", "noroot", 1);
  const Status s = node.SetPowerLimit(0, Watts(250.5));
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(
      s.message(),
      "`" + kFakeTool +
          " -i 0 -pl 250.50` exited 4: Failed to set power management limit for GPU "
          "00000000:18:00.0: Insufficient Permissions; Terminating early due to previous errors.");
}

TEST_F(NvidiaSmiLiveTest, NotAvailableDrawIsAbsent) {
  setenv("FAKE_NVIDIA_SMI_MODE", "na", 1);
  NvidiaSmiGpuNode node = Node();
  const Result<std::vector<GpuReading>> gpus = node.Read();
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  EXPECT_FALSE((*gpus)[0].power_draw.has_value());
  EXPECT_DOUBLE_EQ((*gpus)[0].enforced_limit->value(), 700.0);
}

TEST_F(NvidiaSmiLiveTest, AHungToolIsKilledAtTheDeadline) {
  setenv("FAKE_NVIDIA_SMI_MODE", "hang", 1);
  NvidiaSmiGpuNode node = Node(0.3);
  const auto start = std::chrono::steady_clock::now();
  const Result<std::vector<GpuReading>> gpus = node.Read();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().code(), StatusCode::kIoError);
  EXPECT_NE(gpus.status().message().find("did not finish within its 0.3 s deadline"),
            std::string::npos)
      << gpus.status().message();
  EXPECT_LT(took.count(), 2.0);
}

TEST_F(NvidiaSmiLiveTest, AMissingToolIsNotFound) {
  NvidiaSmiOptions o;
  o.binary = "/nonexistent/nvidia-smi";
  NvidiaSmiGpuNode node(o);
  const Result<std::vector<GpuReading>> gpus = node.Read();
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().code(), StatusCode::kNotFound);
  EXPECT_NE(gpus.status().message().find("/nonexistent/nvidia-smi"), std::string::npos);
}

TEST_F(NvidiaSmiLiveTest, MeasureCapSettleRunsAgainstTheTool) {
  // GPU 0 under a 650 W load: the fake applies a cap at once, so the first read settles.
  NvidiaSmiGpuNode node = Node();
  ASSERT_TRUE(node.Read().ok());  // creates the state file
  std::ofstream(state_)
      << "0 00000000:18:00.0 GPU-a 700.00 650.00\n1 00000000:2A:00.0 GPU-b 700.00 71.52\n";
  SettleOptions o;
  o.until_draw = true;
  const Result<CapSettle> s = MeasureCapSettle(node, 0, Watts(300), o, SteadyClock());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->by, "draw");
  EXPECT_DOUBLE_EQ(s->draw->value(), 300.0);
  EXPECT_EQ(s->reads, 1);
}

}  // namespace
}  // namespace mullet
