// CheckCapInRange and MeasureCapSettle against FakeGpuNode on a simulated
// clock: the measurement is exact because time is a value.

#include "drivers/gpu/gpu_node.h"

#include <gtest/gtest.h>

#include "drivers/gpu/fake_gpu_node.h"

namespace mullet {
namespace {

// A clock whose sleep moves the fake node's time, from the node's now.
struct SimClock {
  explicit SimClock(FakeGpuNode& node) : node_(node), t_(node.now()) {}
  SettleClock clock() {
    return {[this] { return t_; },
            [this](Seconds s) {
              t_ += s;
              node_.AdvanceTo(t_);
            }};
  }
  FakeGpuNode& node_;
  Seconds t_;
};

FakeGpuOptions Ramp(double delay_s, double settle_s) {
  FakeGpuOptions o;
  o.effect_delay = Seconds(delay_s);
  o.settle_time = Seconds(settle_s);
  return o;
}

SettleOptions Poll(double poll_s, bool until_draw) {
  SettleOptions o;
  o.poll = Seconds(poll_s);
  o.timeout = Seconds(30);
  o.until_draw = until_draw;
  return o;
}

TEST(CheckCapInRangeTest, NamesTheRangeAndAllowsItsBounds) {
  GpuReading g;
  g.index = 2;
  g.min_limit = Watts(200);
  g.max_limit = Watts(700);
  EXPECT_TRUE(CheckCapInRange(g, Watts(200)).ok());
  EXPECT_TRUE(CheckCapInRange(g, Watts(700)).ok());
  EXPECT_EQ(CheckCapInRange(g, Watts(199.5)).message(),
            "GPU 2: power cap 199.5 W is outside its range [200 W, 700 W]");
  g.min_limit.reset();  // a bound the GPU does not report does not constrain
  EXPECT_TRUE(CheckCapInRange(g, Watts(50)).ok());
  EXPECT_EQ(CheckCapInRange(g, Watts(701)).message(),
            "GPU 2: power cap 701 W is outside its range [?, 700 W]");
}

TEST(MeasureCapSettleTest, UntilDrawMeasuresTheRampToTheCap) {
  FakeGpuNode node(Ramp(0, 2));
  node.SetLoadDemand(0, Watts(650));
  node.AdvanceTo(Seconds(200));  // the workload has reached its demand
  SimClock sim(node);
  const Result<CapSettle> s = MeasureCapSettle(node, 0, Watts(300), Poll(0.1, true), sim.clock());
  ASSERT_TRUE(s.ok()) << s.status().message();
  // 650 -> 300 W over 2 s crosses 306 W (the 2% tolerance) at 1.966 s; the poll after is at 2.0 s.
  EXPECT_NEAR(s->elapsed.count(), 2.0, 1e-9);
  EXPECT_EQ(s->by, "draw");
  EXPECT_NEAR(s->draw->value(), 300.0, 1e-9);
  EXPECT_EQ(s->reads, 21);
}

TEST(MeasureCapSettleTest, ByDefaultTheEnforcedLimitCountsFirst) {
  FakeGpuNode node(Ramp(0.5, 2));
  node.SetLoadDemand(0, Watts(650));
  node.AdvanceTo(Seconds(200));  // the workload has reached its demand
  SimClock sim(node);
  // Quarter seconds add up exactly, so the poll lands on the 0.5 s delay.
  const Result<CapSettle> s = MeasureCapSettle(node, 0, Watts(300), Poll(0.25, false), sim.clock());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_NEAR(s->elapsed.count(), 0.5, 1e-9);
  EXPECT_EQ(s->by, "enforced-limit");
  EXPECT_DOUBLE_EQ(s->draw->value(), 650.0);  // the draw has not started to fall
}

TEST(MeasureCapSettleTest, AGpuAlreadyUnderTheCapSettlesAtTheFirstRead) {
  FakeGpuNode node(Ramp(0.5, 2));  // idle at 70 W
  SimClock sim(node);
  const Result<CapSettle> s = MeasureCapSettle(node, 1, Watts(300), Poll(0.1, true), sim.clock());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->elapsed.count(), 0.0);
  EXPECT_EQ(s->reads, 1);
}

TEST(MeasureCapSettleTest, TimesOutNamingTheLastDraw) {
  FakeGpuNode node(Ramp(0, 100));
  node.SetLoadDemand(0, Watts(650));
  node.AdvanceTo(Seconds(200));  // the workload has reached its demand
  SimClock sim(node);
  SettleOptions o = Poll(0.25, true);
  o.timeout = Seconds(1);
  const Result<CapSettle> s = MeasureCapSettle(node, 0, Watts(300), o, sim.clock());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kOutOfRange);
  // After 1 s of a 100 s ramp: 650 - 350 / 100 = 646.5 W.
  EXPECT_EQ(s.status().message(), "GPU 0: draw 646.5 W still above the 300 W cap after 1 s");
}

TEST(MeasureCapSettleTest, ACapOutsideTheRangeSendsNothing) {
  FakeGpuNode node(FakeGpuOptions{});
  SimClock sim(node);
  const Result<CapSettle> s = MeasureCapSettle(node, 0, Watts(900), Poll(0.1, true), sim.clock());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(node.set_calls(), 0);
}

// A node whose reads fail after the cap is set.
class BrokenReads : public GpuNode {
 public:
  Result<std::vector<GpuReading>> Read() override {
    return Status::IoError("`nvidia-smi` exited 15");
  }
  Status SetPowerLimit(int, Watts) override { return Status::Ok(); }
};

TEST(MeasureCapSettleTest, AFailedReadIsReturnedAsIs) {
  BrokenReads node;
  const SettleClock still{[] { return Seconds(0); }, [](Seconds) {}};
  const Result<CapSettle> s = MeasureCapSettle(node, 0, Watts(300), Poll(0.1, true), still);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "`nvidia-smi` exited 15");
}

TEST(MeasureCapSettleTest, AnIndexMissingFromTheReadingsIsNotFound) {
  FakeGpuOptions o;
  o.gpus = 2;
  FakeGpuNode node(o);
  SimClock sim(node);
  // Index 5 fails in SetPowerLimit already: the fake knows its GPUs.
  EXPECT_EQ(MeasureCapSettle(node, 5, Watts(300), Poll(0.1, true), sim.clock()).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace mullet
