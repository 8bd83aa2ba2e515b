// The controller's two pure steps between the drivers and the policy
// (daemon/fleet_view.h): records into the Observation, the Allocation into
// paced commands. Hand-worked cases, then properties on seeded random fleets.

#include "daemon/fleet_view.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace mullet {
namespace {

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

Site TwoGroupSite() {
  Site site;
  site.name = "t";
  site.interconnect = Megawatts(10);
  MinerGroup a;
  a.name = "s19jpro";
  a.model = *AsicCatalog::BuiltIn().Find("Antminer S19j Pro");
  a.count = 6;
  a.ramp_up = Seconds(300);
  a.ramp_down = Seconds(60);
  MinerGroup b = a;
  b.name = "s21";
  b.model = *AsicCatalog::BuiltIn().Find("Antminer S21");
  site.miners = {a, b};
  return site;
}

MinerRecord Rec(std::size_t group, MinerRecord::Command c, std::optional<UtcTime> at, bool answered,
                std::optional<double> watts, std::optional<double> th) {
  MinerRecord r;
  r.group = group;
  r.command = c;
  r.commanded_at = at;
  r.answered = answered;
  if (watts) r.power = Watts(*watts);
  if (th) r.hashrate = TerahashPerSecond(*th);
  r.last_known_power = r.power;
  return r;
}

TEST(ObserveTest, EachMinerIsCountedOnceAndASilentOneNeverAtZero) {
  const Site site = TwoGroupSite();
  const UtcTime now = At("2026-12-02T12:00:00Z");
  using C = MinerRecord::Command;
  std::vector<MinerRecord> r = {
      Rec(0, C::kNone, std::nullopt, true, 3050, 100),                   // hashing as found
      Rec(0, C::kHash, now - std::chrono::seconds(10), true, 800, 20),   // woken 10 s ago: ramping up
      Rec(0, C::kHash, std::nullopt, false, std::nullopt, std::nullopt), // silent, never answered: nameplate
      Rec(0, C::kSleep, now - std::chrono::seconds(30), true, 2900, 0),  // told to sleep 30 s ago: ramping down
      Rec(0, C::kSleep, now - std::chrono::seconds(120), true, 20, 0),   // asleep
      Rec(0, C::kNone, std::nullopt, true, 15, 0),                       // found asleep (not ours)
      Rec(1, C::kNone, std::nullopt, false, std::nullopt, std::nullopt),
  };
  r[6].last_known_power = Watts(3400);  // answered in an earlier sweep
  const Observation o = Observe(site, r, now);
  ASSERT_EQ(o.miners.size(), 2u);
  EXPECT_EQ(o.miners[0].hashing, 2);
  EXPECT_EQ(o.miners[0].ramping_up, 1);
  EXPECT_EQ(o.miners[0].ramping_down, 1);
  EXPECT_DOUBLE_EQ(o.miners[0].ramping_down_it.value(), 2900);
  EXPECT_EQ(o.miners[0].unanswering, 1);
  EXPECT_DOUBLE_EQ(o.miners[0].unanswering_it.value(), site.miners[0].model.power.value());
  EXPECT_EQ(o.miners[1].unanswering, 1);
  EXPECT_DOUBLE_EQ(o.miners[1].unanswering_it.value(), 3400);
  EXPECT_EQ(o.miners[1].hashing, 0);
}

TEST(DeviceStateTest, EachMinerIsHashingSleepingRampingUnreachableOrFaultyByWhatWasMeasured) {
  const Site site = TwoGroupSite();
  const UtcTime now = At("2026-12-02T12:00:00Z");
  using C = MinerRecord::Command;
  using S = DeviceState;
  const auto ago = [&](int s) { return std::optional<UtcTime>(now - std::chrono::seconds(s)); };
  const struct {
    MinerRecord record;
    DeviceState state;
  } cases[] = {
      {Rec(0, C::kNone, std::nullopt, true, 3050, 100), S::kHashing},  // as found
      {Rec(0, C::kHash, ago(10), true, 800, 5), S::kRamping},          // woken 10 s ago, 5 of 100 TH/s
      {Rec(0, C::kHash, ago(10), true, 3050, 100), S::kHashing},       // woken, already measured hashing
      {Rec(0, C::kHash, ago(400), true, 15, 0), S::kFaulty},           // told to hash 400 s ago (ramp 300 s)
      {Rec(0, C::kSleep, ago(30), true, 2900, 90), S::kRamping},       // told to sleep 30 s ago (ramp 60 s)
      {Rec(0, C::kSleep, ago(30), true, 20, 0), S::kSleeping},         // and already asleep
      {Rec(0, C::kSleep, ago(120), true, 3050, 100), S::kHashing},     // past its ramp, still hashing (drifted)
      {Rec(0, C::kNone, std::nullopt, true, 15, 0), S::kSleeping},      // found asleep: not ours, not faulty
      {Rec(1, C::kNone, std::nullopt, true, 3500, std::nullopt), S::kFaulty},  // answers without a hashrate
      {Rec(1, C::kSleep, ago(10), false, std::nullopt, std::nullopt), S::kUnreachable},
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(DeviceStateName(DeviceStateOf(site, cases[i].record, now)), DeviceStateName(cases[i].state)) << "case " << i;
  }
  for (std::size_t s = 0; s < kDeviceStates; ++s) {
    EXPECT_EQ(ParseDeviceState(DeviceStateName(static_cast<DeviceState>(s))), static_cast<DeviceState>(s));
  }
  EXPECT_EQ(ParseDeviceState("asleep"), std::nullopt);
}

TEST(ObserveTest, ASilentSweepKeepsTheLastKnownPowerAndAHashrateAloneImpliesOne) {
  const Site site = TwoGroupSite();
  MinerRecord r;
  RecordReading(site, true, Watts(3111), TerahashPerSecond(99), &r);
  RecordReading(site, false, std::nullopt, std::nullopt, &r);
  EXPECT_FALSE(r.answered);
  EXPECT_DOUBLE_EQ(r.last_known_power->value(), 3111);
  // A firmware that reports no power: hashrate at the model's efficiency.
  MinerRecord h;
  RecordReading(site, true, std::nullopt, TerahashPerSecond(52), &h);
  const AsicModel& m = site.miners[0].model;
  EXPECT_NEAR(h.last_known_power->value(), 52 * m.power.value() / m.hashrate.value(), 1e-9);
}

TEST(PlanCommandsTest, ShedsTheLeastEfficientAndRestoresTheMostEfficientOfItsOwn) {
  const Site site = TwoGroupSite();
  using C = MinerRecord::Command;
  std::vector<MinerRecord> r = {
      Rec(0, C::kNone, std::nullopt, true, 3050, 100),  // 30.5 W/TH
      Rec(0, C::kNone, std::nullopt, true, 3400, 100),  // 34 W/TH: least efficient
      Rec(0, C::kNone, std::nullopt, true, 2900, 100),  // 29 W/TH
      Rec(0, C::kNone, std::nullopt, false, std::nullopt, std::nullopt),  // silent: cannot be commanded
      Rec(1, C::kSleep, std::nullopt, true, 10, 0),     // ours, asleep (model efficiency: S21)
      Rec(1, C::kNone, std::nullopt, true, 12, 0),      // asleep, not ours: never woken
      Rec(1, C::kSleep, std::nullopt, false, std::nullopt, std::nullopt),  // ours, silent
  };
  Allocation a;
  a.miners.resize(2);
  a.miners[0].running = 1;  // 3 answering hashing (the silent one is the policy's apart): shed 2
  a.miners[1].running = 3;  // 0 hashing: wake 3; one can be
  const CommandPlan p = PlanCommands(site, a, r, 100, At("2026-12-02T12:00:00Z"));
  EXPECT_EQ(p.sleep, (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(p.wake, (std::vector<std::size_t>{4}));
  EXPECT_EQ(p.deferred[0], 0);
  EXPECT_EQ(p.deferred[1], 2);
  // Paced: at most 2 commands, sleeps first.
  const CommandPlan paced = PlanCommands(site, a, r, 2, At("2026-12-02T12:00:00Z"));
  EXPECT_EQ(paced.sleep, (std::vector<std::size_t>{1, 0}));
  EXPECT_TRUE(paced.wake.empty());
  EXPECT_EQ(paced.deferred[1], 3);
  const CommandPlan one = PlanCommands(site, a, r, 1, At("2026-12-02T12:00:00Z"));
  EXPECT_EQ(one.sleep, (std::vector<std::size_t>{1}));
  EXPECT_EQ(one.deferred[0], 1);
}

// A silent miner is counted at its last power in the policy's room, and the
// policy runs every answering unit that fits: none of them is put to sleep
// for it (the plan once counted the silent one as running and shed a
// healthy unit for each).
TEST(PlanCommandsTest, ASilentMinerCostsNoHealthyOneItsPlace) {
  const Site site = TwoGroupSite();
  const UtcTime now = At("2026-12-02T12:00:00Z");
  using C = MinerRecord::Command;
  std::vector<MinerRecord> r;
  for (std::size_t g = 0; g < 2; ++g) {
    for (int u = 0; u < 6; ++u) r.push_back(Rec(g, C::kNone, std::nullopt, true, g == 0 ? 3050 : 3500, g == 0 ? 100 : 200));
  }
  for (std::size_t i : {7u, 9u}) {
    RecordReading(site, false, std::nullopt, std::nullopt, &r[i]);  // silent, last seen hashing
  }
  TickSignals s;
  s.time = now;
  s.step = Hours(10.0 / 3600);
  s.price = UsdPerMegawattHour(20);
  s.hashprice = UsdPerTerahashDay(0.05);
  DispatchState state = InitialState(site);
  Allocation a;
  Dispatch(site, s, Observe(site, r, now), PolicyKind::kMullet, PolicyOptions{}, &state, &a);
  ASSERT_EQ(a.miners[1].running, 4) << "the answering S21, all of them";
  const CommandPlan p = PlanCommands(site, a, r, 100, now);
  EXPECT_TRUE(p.sleep.empty());
  EXPECT_TRUE(p.wake.empty());
  EXPECT_EQ(p.deferred[1], 0);
}

// Seeded random fleets and allocations: every miner is counted once, silent
// ones above zero; a plan commands only answering miners, wakes only the
// controller's own, stays within its pace, names no miner twice, and moves
// each group toward the allocation without passing it.
TEST(FleetViewPropertyTest, RandomFleetsKeepTheRules) {
  const Site site = TwoGroupSite();
  std::mt19937_64 rng(20261202);
  using C = MinerRecord::Command;
  const UtcTime now = At("2026-12-02T12:00:00Z");
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<MinerRecord> r(std::uniform_int_distribution<std::size_t>(0, 40)(rng));
    for (MinerRecord& m : r) {
      m.group = rng() % 2;
      m.command = static_cast<C>(rng() % 3);
      if (rng() % 2) m.commanded_at = now - std::chrono::seconds(rng() % 600);
      const bool hashing = rng() % 3 != 0;
      RecordReading(site, true, hashing ? Watts(2000 + rng() % 2000) : Watts(15),
                    TerahashPerSecond(hashing ? 50.0 + rng() % 100 : 0.0), &m);
      if (rng() % 5 == 0) RecordReading(site, false, std::nullopt, std::nullopt, &m);
      if (rng() % 10 == 0) m.last_known_power.reset();
    }
    const Observation o = Observe(site, r, now);
    for (std::size_t g = 0; g < 2; ++g) {
      int silent = 0, in_group = 0;
      for (const MinerRecord& m : r) {
        in_group += m.group == g;
        silent += m.group == g && !m.answered;
      }
      EXPECT_EQ(o.miners[g].unanswering, silent);
      if (silent > 0) {
        EXPECT_GT(o.miners[g].unanswering_it.value(), 0);
      }
      EXPECT_LE(o.miners[g].hashing + o.miners[g].ramping_down + o.miners[g].unanswering, in_group);
      EXPECT_LE(o.miners[g].ramping_up, o.miners[g].hashing);
    }
    Allocation a;
    a.miners.resize(2);
    for (MinerSetpoint& s : a.miners) s.running = static_cast<int>(rng() % 30);
    const std::size_t pace = rng() % 12;
    const CommandPlan p = PlanCommands(site, a, r, pace, now);
    EXPECT_LE(p.sleep.size() + p.wake.size(), pace);
    // The rule, written out apart from fleet_view.cpp: hashing as measured
    // once a commanded ramp has passed.
    const auto hashing = [&](const MinerRecord& m) {
      const double nominal = site.miners[m.group].model.hashrate.value();
      const bool seen = m.answered && m.hashrate.has_value();
      const bool seen_hashing = seen && m.hashrate->value() > kHashingShare * nominal;
      const double since = m.commanded_at ? static_cast<double>((now - *m.commanded_at).count()) : 1e18;
      switch (m.command) {
        case C::kSleep:
          return since >= site.miners[m.group].ramp_down.count() && seen_hashing;
        case C::kHash:
          return since < site.miners[m.group].ramp_up.count() || !seen || seen_hashing;
        case C::kNone:
          break;
      }
      return !(m.hashrate && m.hashrate->value() <= 0);
    };
    std::set<std::size_t> named;
    std::vector<int> delta(2, 0);
    for (std::size_t i : p.sleep) {
      EXPECT_TRUE(named.insert(i).second);
      EXPECT_TRUE(r[i].answered);
      EXPECT_TRUE(hashing(r[i]));
      --delta[r[i].group];
    }
    for (std::size_t i : p.wake) {
      EXPECT_TRUE(named.insert(i).second);
      EXPECT_TRUE(r[i].answered);
      EXPECT_NE(r[i].command, C::kNone) << "only the controller's own are woken";
      EXPECT_FALSE(hashing(r[i]));
      ++delta[r[i].group];
    }
    for (std::size_t g = 0; g < 2; ++g) {
      int running = 0;
      for (const MinerRecord& m : r) {
        running += m.group == g && m.answered && hashing(m);
      }
      const int want = a.miners[g].running;
      const int after = running + delta[g];
      if (want >= running) {
        EXPECT_GE(after, running);
        EXPECT_LE(after, want);
      } else {
        EXPECT_LE(after, running);
        EXPECT_GE(after, want);
      }
    }
  }
}

}  // namespace
}  // namespace mullet
