// FakeGpuNode's model: draw ramps toward min(demand, enforced limit) over the
// settle time, the limiter takes a cap after the effect delay, energy is the
// integral of the draw, and caps outside the range are refused.

#include "drivers/gpu/fake_gpu_node.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

GpuReading At(FakeGpuNode& node, int index) {
  Result<std::vector<GpuReading>> gpus = node.Read();
  EXPECT_TRUE(gpus.ok());
  return (*gpus)[static_cast<std::size_t>(index)];
}

double DrawW(FakeGpuNode& node, int index) { return At(node, index).power_draw->value(); }

FakeGpuOptions Ramp(double delay_s, double settle_s) {
  FakeGpuOptions o;
  o.effect_delay = Seconds(delay_s);
  o.settle_time = Seconds(settle_s);
  return o;
}

TEST(FakeGpuNodeTest, StartsAtTheDefaultLimitAndIdleDraw) {
  FakeGpuNode node(FakeGpuOptions{});
  Result<std::vector<GpuReading>> gpus = node.Read();
  ASSERT_TRUE(gpus.ok());
  ASSERT_EQ(gpus->size(), 8u);
  const GpuReading& g = (*gpus)[5];
  EXPECT_EQ(g.index, 5);
  EXPECT_EQ(g.name, "NVIDIA H100 80GB HBM3");
  EXPECT_NE(g.uuid, (*gpus)[4].uuid);
  EXPECT_DOUBLE_EQ(g.power_draw->value(), 70.0);
  EXPECT_DOUBLE_EQ(g.power_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ(g.enforced_limit->value(), 700.0);
  EXPECT_DOUBLE_EQ(g.min_limit->value(), 200.0);
  EXPECT_DOUBLE_EQ(g.max_limit->value(), 700.0);
}

TEST(FakeGpuNodeTest, DrawRampsLinearlyToTheCapOverTheSettleTime) {
  FakeGpuNode node(Ramp(0, 2));
  node.SetLoadDemand(0, Watts(650));
  node.AdvanceTo(Seconds(10));
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 650.0);
  ASSERT_TRUE(node.SetPowerLimit(0, Watts(300)).ok());
  EXPECT_DOUBLE_EQ(At(node, 0).enforced_limit->value(), 300.0);  // no delay: taken at once
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 650.0);                       // ... but the draw has not moved
  node.AdvanceTo(Seconds(11));
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 475.0);
  node.AdvanceTo(Seconds(12));
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 300.0);
  node.AdvanceTo(Seconds(50));
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 300.0);
  EXPECT_DOUBLE_EQ(DrawW(node, 1), 70.0);  // the other GPUs are untouched
}

TEST(FakeGpuNodeTest, ACapAboveTheDemandDoesNotRaiseTheDraw) {
  FakeGpuNode node(Ramp(0, 0));
  node.SetLoadDemand(2, Watts(150));
  ASSERT_TRUE(node.SetPowerLimit(2, Watts(300)).ok());
  node.AdvanceTo(Seconds(5));
  EXPECT_DOUBLE_EQ(DrawW(node, 2), 150.0);
  node.SetLoadDemand(2, Watts(690));  // the workload grows: the cap now binds
  EXPECT_DOUBLE_EQ(DrawW(node, 2), 300.0);
}

TEST(FakeGpuNodeTest, TheLimiterTakesTheCapAfterTheEffectDelay) {
  FakeGpuNode node(Ramp(0.5, 1));
  node.SetLoadDemand(0, Watts(650));
  node.AdvanceTo(Seconds(5));
  ASSERT_TRUE(node.SetPowerLimit(0, Watts(300)).ok());
  node.AdvanceTo(Seconds(5.4));
  GpuReading g = At(node, 0);
  EXPECT_DOUBLE_EQ(g.power_limit->value(), 300.0);     // requested at once
  EXPECT_DOUBLE_EQ(g.enforced_limit->value(), 700.0);  // not yet in force
  EXPECT_DOUBLE_EQ(g.power_draw->value(), 650.0);
  node.AdvanceTo(Seconds(6.0));  // 0.5 s into a 1 s ramp
  g = At(node, 0);
  EXPECT_DOUBLE_EQ(g.enforced_limit->value(), 300.0);
  EXPECT_DOUBLE_EQ(g.power_draw->value(), 475.0);
  node.AdvanceTo(Seconds(6.5));
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 300.0);
}

TEST(FakeGpuNodeTest, ASecondCapBeforeTheFirstActsReplacesIt) {
  FakeGpuNode node(Ramp(1, 0));
  node.SetLoadDemand(0, Watts(650));
  ASSERT_TRUE(node.SetPowerLimit(0, Watts(300)).ok());
  node.AdvanceTo(Seconds(0.5));
  ASSERT_TRUE(node.SetPowerLimit(0, Watts(400)).ok());
  node.AdvanceTo(Seconds(1.2));  // the first cap's time has come, but it was replaced
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 650.0);
  node.AdvanceTo(Seconds(1.5));
  EXPECT_DOUBLE_EQ(DrawW(node, 0), 400.0);
}

TEST(FakeGpuNodeTest, ACapOutsideTheRangeIsRefusedAndChangesNothing) {
  FakeGpuNode node(FakeGpuOptions{});
  const Status s = node.SetPowerLimit(3, Watts(800));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "GPU 3: power cap 800 W is outside its range [200 W, 700 W]");
  EXPECT_EQ(node.SetPowerLimit(3, Watts(150)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(node.set_calls(), 0);
  EXPECT_DOUBLE_EQ(At(node, 3).power_limit->value(), 700.0);
  EXPECT_TRUE(node.SetPowerLimit(3, Watts(200)).ok());  // the bounds themselves are allowed
  EXPECT_TRUE(node.SetPowerLimit(3, Watts(700)).ok());
  EXPECT_EQ(node.set_calls(), 2);
}

TEST(FakeGpuNodeTest, AnUnknownIndexIsNotFound) {
  FakeGpuNode node(FakeGpuOptions{});
  EXPECT_EQ(node.SetPowerLimit(8, Watts(300)).code(), StatusCode::kNotFound);
  EXPECT_EQ(node.SetPowerLimit(-1, Watts(300)).code(), StatusCode::kNotFound);
}

TEST(FakeGpuNodeTest, EnergyIsTheIntegralOfTheDraw) {
  FakeGpuNode node(Ramp(0, 2));
  node.SetLoadDemand(0, Watts(600));
  node.AdvanceTo(Seconds(1));  // split inside the ramp: the integral must not depend on the steps
  node.AdvanceTo(Seconds(4));
  // Ramp 70 -> 600 W over 2 s, then 600 W for 2 s: 670 + 1200 J. GPU 1 idles: 4 s at 70 W.
  EXPECT_NEAR(At(node, 0).energy->value() * 3.6e9, 1870.0, 1e-6);
  EXPECT_NEAR(At(node, 1).energy->value() * 3.6e9, 280.0, 1e-6);
}

TEST(FakeGpuNodeTest, EnergyFollowsACapTakenBetweenSteps) {
  FakeGpuNode node(Ramp(1, 0));
  node.SetLoadDemand(0, Watts(600));
  ASSERT_TRUE(node.SetPowerLimit(0, Watts(200)).ok());
  node.AdvanceTo(Seconds(3));  // 1 s at 600 W, then 2 s at 200 W
  EXPECT_NEAR(At(node, 0).energy->value() * 3.6e9, 1000.0, 1e-6);
}

TEST(FakeGpuNodeTest, AnInjectedFailureHitsTheNextCallOnly) {
  FakeGpuNode node(FakeGpuOptions{});
  node.FailNextCall(Status::IoError("nvidia-smi hung"));
  const Result<std::vector<GpuReading>> first = node.Read();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "nvidia-smi hung");
  EXPECT_TRUE(node.Read().ok());
}

}  // namespace
}  // namespace mullet
