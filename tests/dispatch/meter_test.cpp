// Meter readings in the observation (Observation::site_meter, domain_meters):
// what a meter reads above the model of the plant as observed is taken from
// the headroom before anything else; a reading below it gives no room.
// Figures by hand on MiningSite(): PUE 1, 1000 S21 (3.5 kW each, 3.5 MW) and
// 1000 S19j Pro (3.05 kW each, 3.05 MW), a 10 MW interconnect.

#include <gtest/gtest.h>

#include "dispatch/policy.h"
#include "dispatch/test_sites.h"

namespace mullet {
namespace {

using testing_sites::MiningSite;

TickSignals At(int hour) {
  TickSignals s;
  s.time = *ParseUtcTimestamp("2024-07-01T00:00:00Z") + std::chrono::hours(hour);
  s.price = UsdPerMegawattHour(20);  // below both breakevens at $50/PH/day
  s.hashprice = UsdPerPetahashDay(50);
  return s;
}

TEST(MeterTest, AReadingAboveTheModelIsTakenBeforeMining) {
  Site site = MiningSite();
  site.interconnect = Megawatts(7);  // 6.55 MW of miners fit, 0.45 MW spare
  DispatchState st = InitialState(site);
  Observation o;
  // The plant as memory has it draws 6.55 MW; the meter reads 8.05: 1.5 MW
  // of load nobody modelled.
  o.site_meter = Megawatts(8.05);
  const Allocation a = Dispatch(site, At(0), o, PolicyKind::kMullet, PolicyOptions{}, &st);
  EXPECT_NEAR(a.unexplained_facility.megawatts(), 1.5, 1e-9);
  // 7 - 1.5 = 5.5 MW for mining: all 1000 S21 (3.5 MW), then 2.0 MW / 3.05 kW
  // = 655 S19j Pro.
  EXPECT_EQ(a.miners[0].running, 1000);
  EXPECT_EQ(a.miners[1].running, 655);
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailInterconnect);
  EXPECT_LE(a.facility().value(), site.interconnect.value() + 1e-6);
}

TEST(MeterTest, AReadingBelowTheModelGivesNoExtraRoom) {
  Site site = MiningSite();
  site.interconnect = Megawatts(5);
  DispatchState without = InitialState(site), with = InitialState(site);
  Observation o;
  o.site_meter = Megawatts(2);  // far below the 6.55 MW the memory expects
  const Allocation a = Dispatch(site, At(0), Observation{}, PolicyKind::kMullet, PolicyOptions{}, &without);
  const Allocation b = Dispatch(site, At(0), o, PolicyKind::kMullet, PolicyOptions{}, &with);
  EXPECT_EQ(b.unexplained_facility.value(), 0);
  EXPECT_EQ(a.miners[1].running, 491);  // (5 - 3.5) MW / 3.05 kW
  EXPECT_EQ(b.miners[1].running, a.miners[1].running);
}

TEST(MeterTest, TheModelFollowsTheLastCommandsAndTheObservation) {
  Site site = MiningSite();
  site.interconnect = Megawatts(5);
  DispatchState st = InitialState(site);
  // Tick 0: 1000 S21 and 491 S19j Pro commanded, 3.5 + 1.49755 MW.
  Dispatch(site, At(0), Observation{}, PolicyKind::kMullet, PolicyOptions{}, &st);
  // Tick 1: the meter reads exactly that plus 0.3 MW; 100 of the S21s do not
  // answer at their last power (0.35 MW), and they are in the model too.
  Observation o;
  o.miners.resize(2);
  o.miners[0].hashing = 900;
  o.miners[0].unanswering = 100;
  o.miners[0].unanswering_it = Kilowatts(350);
  o.miners[1].hashing = 491;
  o.site_meter = Megawatts(3.5 + 1.49755 + 0.3);
  const Allocation a = Dispatch(site, At(1), o, PolicyKind::kMullet, PolicyOptions{}, &st);
  EXPECT_NEAR(a.unexplained_facility.megawatts(), 0.3, 1e-9);
  // 5 - 0.3 (meter) - 0.35 (silent S21s) - 3.15 (900 S21) = 1.2 MW: 393 S19j Pro.
  EXPECT_EQ(a.miners[0].running, 900);
  EXPECT_EQ(a.miners[1].running, 393);
  EXPECT_LE(a.facility().value(), site.interconnect.value() + 1e-6);
}

TEST(MeterTest, AnExcessUnderADomainIsTakenThereAndCountedOnceAbove) {
  Site site = MiningSite();
  // hall (2.5 MW) under feeder (6 MW); the S19j Pros in the hall, the S21s
  // on the feeder.
  site.domains.push_back({"feeder", "", Megawatts(6), -1});
  site.domains.push_back({"hall", "feeder", Megawatts(2.5), 0});
  site.miners[0].domain_index = 0;
  site.miners[1].domain_index = 1;
  DispatchState st = InitialState(site);
  Observation o;
  // The hall's meter reads 1 MW above its 3.05 MW of S19j Pros; the feeder
  // and the site meters read the same 1 MW above theirs: one load, seen
  // three times.
  o.domain_meters = {Megawatts(3.5 + 3.05 + 1), Megawatts(3.05 + 1)};
  o.site_meter = Megawatts(3.5 + 3.05 + 1);
  const Allocation a = Dispatch(site, At(0), o, PolicyKind::kMullet, PolicyOptions{}, &st);
  EXPECT_NEAR(a.unexplained_facility.megawatts(), 1.0, 1e-9);
  // Hall: 2.5 - 1 = 1.5 MW: 491 S19j Pro. Feeder: 6 - 1 - 1.49755 = 3.50245
  // MW: all 1000 S21 (3.5 MW).
  EXPECT_EQ(a.miners[1].running, 491);
  EXPECT_EQ(a.miners[1].reason, Reason::kCurtailDomainLimit);
  EXPECT_EQ(a.miners[0].running, 1000);
}

TEST(MeterTest, ADomainMeterAloneFindsTheExcessTheSiteMeterWouldNot) {
  Site site = MiningSite();
  site.domains.push_back({"hall", "", Megawatts(2.5), -1});
  site.miners[1].domain_index = 0;
  DispatchState st = InitialState(site);
  Observation o;
  o.domain_meters = {Megawatts(3.05 + 0.5)};  // no site meter
  const Allocation a = Dispatch(site, At(0), o, PolicyKind::kMullet, PolicyOptions{}, &st);
  EXPECT_NEAR(a.unexplained_facility.megawatts(), 0.5, 1e-9);
  EXPECT_EQ(a.miners[1].running, 655);  // (2.5 - 0.5) MW / 3.05 kW
}

TEST(MeterTest, MemoryKeepsTheSetpointsTheModelNeeds) {
  Site site = MiningSite();
  site.miners[1].firmware.power_target_min = site.miners[1].model.power * 0.6;
  site.miners[1].firmware.power_target_max = site.miners[1].model.power * 1.1;
  DispatchState st = InitialState(site);
  EXPECT_EQ(st.miners[1].unit_it, site.miners[1].model.power);
  const Allocation a = Dispatch(site, At(0), Observation{}, PolicyKind::kMullet, PolicyOptions{}, &st);
  ASSERT_GT(a.miners[1].running, 0);
  EXPECT_EQ(st.miners[1].unit_it, a.miners[1].point.power);
  EXPECT_EQ(st.batch_it.value(), 0);
}

// A tenant whose GPUs are capped draws less than its demand; modelled at its
// demand, it would hide load nobody modelled behind the cap's slack. With
// its draw observed apart (Observation::lease_draw), the excess is found.
TEST(MeterTest, ATenantsObservedDrawIsModelledNotItsDemand) {
  Site site = MiningSite();
  site.miners.clear();
  site.leases.push_back(testing_sites::Lease("ai", 2.0));
  site.interconnect = Megawatts(1.5);  // firm demand alone breaks it
  Observation o;
  o.site_meter = Megawatts(1.2 + 0.01);  // the tenant capped to 1.2 MW, and 10 kW of standby
  DispatchState hidden_st = InitialState(site), seen_st = InitialState(site);
  const Allocation hidden = Dispatch(site, At(0), o, PolicyKind::kMullet, PolicyOptions{}, &hidden_st);
  EXPECT_EQ(hidden.unexplained_facility.value(), 0) << "1.21 MW read against a 2 MW model";
  EXPECT_NEAR(hidden.leases[0].served_it.megawatts(), 1.5, 1e-9);
  o.lease_draw = {Megawatts(1.2)};
  const Allocation seen = Dispatch(site, At(0), o, PolicyKind::kMullet, PolicyOptions{}, &seen_st);
  EXPECT_NEAR(seen.unexplained_facility.megawatts(), 0.01, 1e-9);
  // The tenant is still served against its demand (2 MW), in what is left.
  EXPECT_EQ(seen.leases[0].demand_it, Megawatts(2.0));
  EXPECT_NEAR(seen.leases[0].served_it.megawatts(), 1.49, 1e-9);
  EXPECT_EQ(seen.leases[0].reason, Reason::kFirmSlaBreach);
}

}  // namespace
}  // namespace mullet
