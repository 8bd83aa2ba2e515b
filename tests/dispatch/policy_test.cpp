#include "dispatch/policy.h"

#include <gtest/gtest.h>

#include "dispatch/test_sites.h"

namespace mullet {
namespace {

// A 4CP rate of $50/kW-year with no peaks listed.
FourCoincidentPeak FourCpAt50() {
  FourCoincidentPeak f;
  f.rate_usd_per_kw_year = 50;
  return f;
}

using testing_sites::Group;
using testing_sites::Lease;
using testing_sites::MiningSite;

// Each tick an hour after the one before (the policy's timers are in time).
TickSignals Tick(double price, double hashprice_ph, double ambient_c = 20) {
  static int hours = 0;
  TickSignals s;
  s.time = *ParseUtcTimestamp("2024-07-01T00:00:00Z") + std::chrono::hours(hours++);
  s.price = UsdPerMegawattHour(price);
  s.hashprice = UsdPerPetahashDay(hashprice_ph);
  s.ambient_c = ambient_c;
  return s;
}

// Breakeven index price of a group at PUE 1, no fee: hashprice / (0.024 eta) per kWh.
double BreakevenUsdPerMwh(double hashprice_ph, double j_per_th) {
  return hashprice_ph / 1000 / (0.024 * j_per_th) * 1000;
}

TEST(PolicyTest, CheapPowerRunsEveryMiner) {
  const Site site = MiningSite();
  DispatchState st = InitialState(site);
  const Allocation a = Dispatch(site, Tick(20, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 1000);
  EXPECT_EQ(a.miners[0].reason, Reason::kMineFull);
  EXPECT_NEAR(a.mining_facility.megawatts(), 6.55, 1e-9);
}

TEST(PolicyTest, CurtailsLeastEfficientFirst) {
  const Site site = MiningSite();
  DispatchState st = InitialState(site);
  // Between the S19j Pro's breakeven (54.6) and the S21's (95.2) at $40/PH/day.
  const double price = (BreakevenUsdPerMwh(40, 30.5) + BreakevenUsdPerMwh(40, 17.5)) / 2;
  const Allocation a = Dispatch(site, Tick(price, 40), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 0);
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailPriceAboveBreakeven);
  EXPECT_EQ(ReasonName(a.miners[1].reason), "curtail-price-above-breakeven");
}

TEST(PolicyTest, HeadroomCutsTheLeastEfficientGroupByUnits) {
  Site site = MiningSite();
  site.interconnect = Megawatts(5);  // S21s take 3.5 MW, 1.5 MW left = 491 S19j Pro
  DispatchState st = InitialState(site);
  const Allocation a = Dispatch(site, Tick(20, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 491);
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailInterconnect);
  EXPECT_LE(a.facility(), site.interconnect);
}

TEST(PolicyTest, FirmFirstThenMining) {
  Site site = MiningSite();
  site.leases.push_back(Lease("ai", 6));
  DispatchState st = InitialState(site);
  const Allocation a = Dispatch(site, Tick(20, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.leases[0].served_it, Megawatts(6));
  EXPECT_EQ(a.leases[0].reason, Reason::kFirmServed);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 163);  // floor(0.5 MW / 3050 W)
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailInterconnect);
}

TEST(PolicyTest, DemandResponseTargetCurtailsMiningNotFirm) {
  Site site = MiningSite();
  site.leases.push_back(Lease("ai", 2));
  DispatchState st = InitialState(site);
  TickSignals s = Tick(20, 50);
  s.dr_limit = Megawatts(3);
  const Allocation a = Dispatch(site, s, PolicyKind::kMullet, &st);
  EXPECT_EQ(a.leases[0].served_it, Megawatts(2));
  EXPECT_EQ(a.miners[0].running, 285);  // floor(1 MW / 3500 W)
  EXPECT_EQ(a.miners[0].reason, Reason::kCurtailDrEvent);
  EXPECT_EQ(ReasonName(a.miners[0].reason), "dr-event");
  EXPECT_EQ(a.miners[1].running, 0);
  EXPECT_LE(a.facility(), Megawatts(3));
}

// Live, the units told to sleep for an event ramp down for a while, and the
// controller models them as gone (their tail leaves model and meter alike).
// The units still hashing then fit beside them, but the group is still cut
// by the event: its reason says so, not "mine-full", and a group cut to
// zero restarts as soon as the event ends (no hysteresis band).
TEST(PolicyTest, UnitsRampingDownForAnEventKeepTheEventsReason) {
  Site site = MiningSite();
  site.policy.hysteresis = UsdPerMegawattHour(1000);  // a stopped group restarts by price only past $1000 of margin
  site.leases.push_back(Lease("ai", 2));
  DispatchState st = InitialState(site);
  TickSignals s = Tick(20, 50);
  s.dr_limit = Megawatts(3);
  Allocation a = Dispatch(site, s, PolicyKind::kMullet, &st);
  ASSERT_EQ(a.miners[0].running, 285);
  ASSERT_EQ(a.miners[1].running, 0);
  Observation ramping;
  ramping.miners.resize(2);
  ramping.miners[0].hashing = 285;
  ramping.miners[0].ramping_down = 715;  // their draw's tail already left the model: 0 W
  ramping.miners[1].ramping_down = 1000;
  TickSignals next = Tick(20, 50);
  next.dr_limit = Megawatts(3);
  Dispatch(site, next, ramping, PolicyKind::kMullet, PolicyOptions{}, &st, &a);
  EXPECT_EQ(a.miners[0].running, 285);
  EXPECT_EQ(a.miners[0].reason, Reason::kCurtailDrEvent);
  EXPECT_EQ(a.miners[1].running, 0);
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailDrEvent);
  // Ramps over, event over: both groups run whole at once.
  a = Dispatch(site, Tick(20, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 1000);
  // Without ramps the event's reason was never in doubt; with units ramping
  // and room for them, the price's reason stands.
  Observation roomy = ramping;
  roomy.miners[0].hashing = 900;
  roomy.miners[0].ramping_down = 100;
  roomy.miners[1].hashing = 1000;
  roomy.miners[1].ramping_down = 0;
  Dispatch(site, Tick(20, 50), roomy, PolicyKind::kMullet, PolicyOptions{}, &st, &a);
  EXPECT_EQ(a.miners[0].running, 900);
  EXPECT_EQ(a.miners[0].reason, Reason::kMineFull);
}

TEST(PolicyTest, FirmAboveHeadroomIsABreach) {
  Site site = MiningSite();
  site.leases.push_back(Lease("ai", 4));
  DispatchState st = InitialState(site);
  TickSignals s = Tick(20, 50);
  s.dr_limit = Megawatts(3);
  const Allocation a = Dispatch(site, s, PolicyKind::kMullet, &st);
  EXPECT_EQ(a.leases[0].served_it, Megawatts(3));
  EXPECT_EQ(a.leases[0].reason, Reason::kFirmSlaBreach);
  EXPECT_EQ(a.miners[0].running, 0);
  EXPECT_EQ(a.miners[1].running, 0);
}

TEST(PolicyTest, DomainLimitBindsItsOwnMinersOnly) {
  Site site = MiningSite();
  site.domains.push_back({"hall-a", "", Megawatts(1), -1});
  site.miners[0].domain_index = 0;  // the S21s sit in a 1 MW hall
  DispatchState st = InitialState(site);
  const Allocation a = Dispatch(site, Tick(20, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 285);
  EXPECT_EQ(a.miners[0].reason, Reason::kCurtailDomainLimit);
  EXPECT_EQ(a.miners[1].running, 1000);
}

TEST(PolicyTest, CoolingDerateOnAHotDay) {
  Site site = MiningSite();
  site.cooling.capacity = Megawatts(5);
  site.cooling.design_ambient_c = 35;
  site.cooling.derate_per_c = 0.05;  // 45 C: half the capacity
  DispatchState st = InitialState(site);
  const Allocation a = Dispatch(site, Tick(20, 50, 45), PolicyKind::kMullet, &st);
  EXPECT_NEAR((a.mining_facility).megawatts(), 2.5, 0.0036);
  EXPECT_EQ(a.miners[0].reason, Reason::kCurtailCoolingDerate);
  EXPECT_EQ(ReasonName(a.miners[0].reason), "cooling-derate");
}

TEST(PolicyTest, HysteresisKeepsAStoppedGroupOffInsideTheBand) {
  Site site = MiningSite();
  site.policy.hysteresis = UsdPerMegawattHour(5);
  DispatchState st = InitialState(site);
  const double be = BreakevenUsdPerMwh(50, 17.5);
  Dispatch(site, Tick(be + 1, 50), PolicyKind::kMullet, &st);  // above breakeven: stop
  EXPECT_EQ(st.miners[0].running, 0);
  const Allocation a = Dispatch(site, Tick(be - 2, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 0);
  EXPECT_EQ(a.miners[0].reason, Reason::kCurtailHysteresis);
  const Allocation b = Dispatch(site, Tick(be - 6, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(b.miners[0].running, 1000);
}

TEST(PolicyTest, MinimumOnAndOffTimes) {
  Site site = MiningSite();
  site.miners[0].min_off = Hours(3);
  DispatchState st = InitialState(site);
  const double be = BreakevenUsdPerMwh(50, 17.5);
  Dispatch(site, Tick(be + 10, 50), PolicyKind::kMullet, &st);  // stops: off hour 1
  for (int hour = 2; hour <= 3; ++hour) {
    const Allocation a = Dispatch(site, Tick(be - 10, 50), PolicyKind::kMullet, &st);
    EXPECT_EQ(a.miners[0].running, 0) << "off hour " << hour;
    EXPECT_EQ(a.miners[0].reason, Reason::kCurtailMinOffTime);
  }
  Allocation a = Dispatch(site, Tick(be - 10, 50), PolicyKind::kMullet, &st);  // 3 h served
  EXPECT_EQ(a.miners[0].running, 1000);

  site.miners[0].min_on = Hours(2);
  st = InitialState(site);
  st.miners[0].running = 0;
  Dispatch(site, Tick(be - 10, 50), PolicyKind::kMullet, &st);  // start
  a = Dispatch(site, Tick(be + 10, 50), PolicyKind::kMullet, &st);  // 1 h on: hold
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[0].reason, Reason::kHoldMinOnTime);
}

TEST(PolicyTest, PowerTargetUnderclocksWhenTheCurvePays) {
  Site site = MiningSite();
  site.miners[0].firmware.power_target_min = Watts(2000);
  site.miners[0].firmware.power_target_max = Watts(3800);
  DispatchState st = InitialState(site);
  // Just above nameplate breakeven: nameplate loses money, a lower point earns.
  const double be = BreakevenUsdPerMwh(50, 17.5);
  const Allocation a = Dispatch(site, Tick(be * 1.05, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[0].reason, Reason::kMinePowerTarget);
  EXPECT_LT(a.miners[0].point.power, Watts(3500));
  EXPECT_GT(ProfitPerHour(site.miners[0], a.miners[0].point, UsdPerPetahashDay(50),
                          UsdPerMegawattHour(be * 1.05), 1.0)
                .value(),
            0);
}

TEST(PolicyTest, FourCpPeakCurtailsMiningThatWouldOtherwiseRun) {
  Site site = MiningSite();
  site.contract.four_cp = FourCpAt50();
  DispatchState st = InitialState(site);
  TickSignals s = Tick(20, 50);
  s.peak_alert = true;
  const Allocation a = Dispatch(site, s, PolicyKind::kMullet, &st);
  EXPECT_EQ(a.miners[0].running, 0);
  EXPECT_EQ(a.miners[0].reason, Reason::kCurtail4cpPeak);
}

TEST(PolicyTest, FixedBlockMakesTheIndexTheMarginalPriceInsideIt) {
  PowerContract c;
  c.adder = UsdPerMegawattHour(5);
  EXPECT_EQ(MarginalPrice(c, UsdPerMegawattHour(30), Megawatts(1)), UsdPerMegawattHour(35));
  c.block = FixedBlock{Megawatts(5), UsdPerMegawattHour(25)};
  EXPECT_EQ(MarginalPrice(c, UsdPerMegawattHour(30), Megawatts(1)), UsdPerMegawattHour(30));
  EXPECT_EQ(MarginalPrice(c, UsdPerMegawattHour(30), Megawatts(6)), UsdPerMegawattHour(35));
}

TEST(PolicyTest, StrikePriceBaselineWithWindows) {
  Site site = MiningSite();
  site.miners[0].strike_price = UsdPerMegawattHour(60);
  site.miners[1].strike_price = UsdPerMegawattHour(40);
  site.policy.strike_windows = 2;
  DispatchState st = InitialState(site);
  Allocation a = Dispatch(site, Tick(50, 50), PolicyKind::kStrikePrice, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[0].reason, Reason::kMineBelowStrike);
  EXPECT_EQ(a.miners[1].running, 1000);  // above its strike for 1 window of 2: holds
  a = Dispatch(site, Tick(50, 50), PolicyKind::kStrikePrice, &st);
  EXPECT_EQ(a.miners[1].running, 0);
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailAboveStrike);
}

TEST(PolicyTest, AlwaysOnIgnoresPriceButNotLimits) {
  Site site = MiningSite();
  site.interconnect = Megawatts(4);
  DispatchState st = InitialState(site);
  const Allocation a = Dispatch(site, Tick(5000, 50), PolicyKind::kAlwaysOn, &st);
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 163);  // floor(0.5 MW / 3050 W)
  EXPECT_LE(a.facility(), Megawatts(4));
}

TEST(PolicyTest, BatchRunsWhenItPaysAndDefersOtherwise) {
  Site site = MiningSite();
  BatchQueue q;
  q.gpus = 100;
  q.power_per_gpu = Kilowatts(1);
  q.cooling = CoolingClass::kAir;
  const UtcTime t0 = *ParseUtcTimestamp("2024-07-01T00:00:00Z");
  q.jobs.push_back({"job", 500, t0, t0 + std::chrono::hours(100), 0.5});
  site.batch = q;
  DispatchState st = InitialState(site);
  // $0.5 per GPU-hour vs 1 kW x $100/MWh = $0.10: runs.
  Allocation a = Dispatch(site, Tick(100, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.batch.gpus, 100);
  EXPECT_EQ(a.batch.reason, Reason::kBatchRunValue);
  EXPECT_NEAR(a.batch.value.value(), 50.0, 1e-9);
  EXPECT_NEAR(st.jobs[0].remaining_gpu_hours, 400, 1e-9);
  // $0.5 vs 1 kW x $1000/MWh = $1.00: waits while the deadline allows.
  a = Dispatch(site, Tick(1000, 50), PolicyKind::kMullet, &st);
  EXPECT_EQ(a.batch.gpus, 0);
  EXPECT_EQ(a.batch.reason, Reason::kBatchDeferPrice);
}

TEST(PolicyTest, BatchRunsForItsDeadlineWhenPriceSaysWait) {
  Site site = MiningSite();
  BatchQueue q;
  q.gpus = 100;
  q.power_per_gpu = Kilowatts(1);
  const UtcTime t0 = *ParseUtcTimestamp("2024-07-01T00:00:00Z");
  // 250 GPU-hours due in 3 h: after this hour only 200 fit, so 50 must run now.
  q.jobs.push_back({"job", 250, t0, t0 + std::chrono::hours(3), 0.5});
  site.batch = q;
  DispatchState st = InitialState(site);
  TickSignals s = Tick(1000, 50);
  s.time = t0;
  const Allocation a = Dispatch(site, s, PolicyKind::kMullet, &st);
  EXPECT_EQ(a.batch.gpus, 50);
  EXPECT_EQ(a.batch.reason, Reason::kBatchRunDeadline);
}

}  // namespace
}  // namespace mullet
