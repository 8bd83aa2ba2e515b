#include "emulate/miner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace mullet {
namespace {

constexpr UtcTime kT0{std::chrono::seconds(1'700'000'000)};
UtcTime At(int s) { return kT0 + std::chrono::seconds(s); }

AsicModel S19jPro() {
  return AsicModel{"Bitmain", "Antminer S19j Pro", TerahashPerSecond(100), Watts(3050), 0, 0,
                   "test"};
}

// A miner without per-unit spread or reading noise, so figures are exact.
EmulatedMiner Make(FirmwareFamily f, std::uint64_t seed = 7) {
  MinerOptions o;
  o.model = S19jPro();
  o.family = f;
  o.id = "127.0.0.2";
  o.seed = seed;
  o.start = kT0;
  o.unit_variation = 0;
  o.hashrate_noise = 0;
  o.atm_enabled = false;
  Result<EmulatedMiner> m = EmulatedMiner::Create(o);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.status().message());
  return std::move(m).value();
}

TEST(EmulatedMinerTest, StartsRunningAtNameplate) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_DOUBLE_EQ(m.power().value(), 3050);
  EXPECT_DOUBLE_EQ(m.hashrate().value(), 100);
  EXPECT_DOUBLE_EQ(m.hashrate_5s().value(), 100);
  EXPECT_NEAR(m.chip_temp_c(), 25 + 45, 1e-9);
  EXPECT_NEAR(m.board_temp_c(), 25 + 35, 1e-9);
}

TEST(EmulatedMinerTest, LuxosSleepReaches25WattsWithinFiveSeconds) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  m.Sleep(At(10));
  EXPECT_EQ(m.state(), MinerState::kRampingDown);
  m.AdvanceTo(At(12));
  EXPECT_GT(m.power().value(), 25);
  EXPECT_LT(m.power().value(), 3050);
  m.AdvanceTo(At(14));
  EXPECT_EQ(m.state(), MinerState::kSleeping);
  EXPECT_DOUBLE_EQ(m.power().value(), 25);
  EXPECT_DOUBLE_EQ(m.hashrate().value(), 0);
}

TEST(EmulatedMinerTest, LuxosWakeReturnsToFullWithinTenSeconds) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  m.Sleep(At(0));
  m.Wake(At(60));
  EXPECT_EQ(m.state(), MinerState::kRampingUp);
  m.AdvanceTo(At(64));
  EXPECT_NEAR(m.power().value(), 25 + (3050 - 25) / 2.0, 1e-9);  // linear ramp, 8 s
  EXPECT_NEAR(m.hashrate().value(), 50, 1e-9);
  m.AdvanceTo(At(69));
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_DOUBLE_EQ(m.power().value(), 3050);
  EXPECT_DOUBLE_EQ(m.hashrate().value(), 100);
}

TEST(EmulatedMinerTest, StockFirmwareRampsSlower) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  m.Sleep(At(0));
  m.AdvanceTo(At(5));
  EXPECT_GT(m.power().value(), 2000);  // LuxOS would be asleep by now
  m.AdvanceTo(At(30));
  EXPECT_EQ(m.state(), MinerState::kSleeping);
  m.Wake(At(100));
  m.AdvanceTo(At(100 + 119));
  EXPECT_EQ(m.state(), MinerState::kRampingUp);
  m.AdvanceTo(At(100 + 120));
  EXPECT_EQ(m.state(), MinerState::kRunning);
}

TEST(EmulatedMinerTest, WakeDuringRampDownTakesThePartLeft) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);  // 30 s down, 120 s up
  m.Sleep(At(0));
  m.Wake(At(15));  // half way down: half of the up ramp, 60 s
  EXPECT_NEAR(m.power().value(), (3050 + 25) / 2.0, 1e-9);
  m.AdvanceTo(At(74));
  EXPECT_EQ(m.state(), MinerState::kRampingUp);
  m.AdvanceTo(At(75));
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_DOUBLE_EQ(m.power().value(), 3050);
}

TEST(EmulatedMinerTest, PowerTargetMovesHashrateAlongTheCurve) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const Result<Watts> w = m.SetPowerTarget(Watts(0.8 * 3050), At(0));
  ASSERT_TRUE(w.ok());
  EXPECT_DOUBLE_EQ(w->value(), 0.8 * 3050);
  m.AdvanceTo(At(10));  // LuxOS retune: 10 s
  EXPECT_NEAR(m.power().value(), 2440, 1e-9);
  EXPECT_NEAR(m.hashrate().value(), 100 * std::pow(0.8, 0.65), 1e-9);
  EXPECT_FALSE(m.active_profile().has_value());
  // Better J/TH when underclocked.
  EXPECT_LT(m.power().value() / m.hashrate().value(), 30.5);
}

TEST(EmulatedMinerTest, PowerTargetIsClampedToTheEnvelope) {
  EmulatedMiner m = Make(FirmwareFamily::kBraiins);
  EXPECT_DOUBLE_EQ(m.SetPowerTarget(Watts(10), At(0))->value(), 0.5 * 3050);
  EXPECT_DOUBLE_EQ(m.SetPowerTarget(Watts(99999), At(1))->value(), 1.1 * 3050);
  m.AdvanceTo(At(1000));
  EXPECT_NEAR(m.hashrate().value(), 100 * std::pow(1.1, 0.65), 1e-9);
}

TEST(EmulatedMinerTest, StockFirmwareHasNoPowerTarget) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  const Result<Watts> w = m.SetPowerTarget(Watts(2000), At(0));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_DOUBLE_EQ(m.power().value(), 3050);
}

TEST(EmulatedMinerTest, PowerTargetWhileAsleepAppliesOnWake) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  m.Sleep(At(0));
  ASSERT_TRUE(m.SetPowerTarget(Watts(2000), At(10)).ok());
  EXPECT_DOUBLE_EQ(m.power().value(), 25);
  m.Wake(At(20));
  m.AdvanceTo(At(40));
  EXPECT_NEAR(m.power().value(), 2000, 1e-9);
}

TEST(EmulatedMinerTest, ProfilesAreDerivedFromTheModel) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const std::vector<EmulatedProfile> p = m.profiles();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].name, "eco");
  EXPECT_NEAR(p[0].power.value(), 0.8 * 3050, 1e-9);
  EXPECT_EQ(p[1].name, "default");
  EXPECT_NEAR(p[1].hashrate.value(), 100, 1e-9);
  EXPECT_EQ(p[2].name, "turbo");
  EXPECT_NEAR(p[2].power.value(), 1.1 * 3050, 1e-9);
  EXPECT_EQ(m.active_profile(), "default");
  ASSERT_TRUE(m.SetProfile("eco", At(0)).ok());
  m.AdvanceTo(At(30));
  EXPECT_NEAR(m.power().value(), 2440, 1e-9);
  EXPECT_EQ(m.active_profile(), "eco");
}

TEST(EmulatedMinerTest, ProfileChangesFailUnderAtmOrForUnknownNames) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const Status unknown = m.SetProfile("ludicrous", At(0));
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("eco, default, turbo"), std::string::npos);
  m.set_atm_enabled(true);
  const Status atm = m.SetProfile("eco", At(1));
  EXPECT_EQ(atm.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(atm.message().find("ATM"), std::string::npos);
  EXPECT_EQ(m.active_profile(), "default");
  EXPECT_FALSE(Make(FirmwareFamily::kBraiins).SetProfile("eco", At(0)).ok());
}

TEST(EmulatedMinerTest, RebootHashesNothingForNinetySecondsThenRamps) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  m.AdvanceTo(At(3600));
  EXPECT_GT(m.accepted_shares(), 0);
  m.Reboot(At(3600));
  EXPECT_EQ(m.state(), MinerState::kRebooting);
  EXPECT_DOUBLE_EQ(m.hashrate().value(), 0);
  EXPECT_EQ(m.elapsed().count(), 0);
  EXPECT_EQ(m.accepted_shares(), 0);
  EXPECT_NEAR(m.fan_rpm(0), 6000, 120);  // fans at full while booting (±2 % per fan)
  m.AdvanceTo(At(3600 + 89));
  EXPECT_EQ(m.state(), MinerState::kRebooting);
  EXPECT_EQ(m.elapsed().count(), 89);
  m.AdvanceTo(At(3600 + 90));
  EXPECT_EQ(m.state(), MinerState::kRampingUp);
  m.AdvanceTo(At(3600 + 98));
  EXPECT_EQ(m.state(), MinerState::kRunning);
  EXPECT_DOUBLE_EQ(m.hashrate().value(), 100);
}

TEST(EmulatedMinerTest, LuxosSleepSurvivesRebootBraiinsPauseDoesNot) {
  EmulatedMiner lux = Make(FirmwareFamily::kLuxos);
  lux.Sleep(At(0));
  lux.Reboot(At(100));
  lux.AdvanceTo(At(300));
  EXPECT_EQ(lux.state(), MinerState::kSleeping);
  EXPECT_DOUBLE_EQ(lux.power().value(), 25);

  EmulatedMiner bos = Make(FirmwareFamily::kBraiins);
  bos.Sleep(At(0));
  bos.Reboot(At(100));
  bos.AdvanceTo(At(300));
  EXPECT_EQ(bos.state(), MinerState::kRunning);
}

TEST(EmulatedMinerTest, TimeGoingBackwardsIsIgnored) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  m.Sleep(At(100));
  m.AdvanceTo(At(110));
  const double shares = m.accepted_shares();
  m.AdvanceTo(At(50));
  EXPECT_EQ(m.now(), At(110));
  EXPECT_EQ(m.accepted_shares(), shares);
  m.Wake(At(20));  // acts at the current time, 110
  m.AdvanceTo(At(118));
  EXPECT_EQ(m.state(), MinerState::kRunning);
}

TEST(EmulatedMinerTest, HashrateAverageCountsSleepSinceBoot) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  m.AdvanceTo(At(1000));
  EXPECT_NEAR(m.hashrate_avg().value(), 100, 1e-9);
  m.Sleep(At(1000));
  m.AdvanceTo(At(2000));
  // 1000 s at 100 TH/s, a 4 s linear ramp (2 s-equivalent), 996 s asleep.
  EXPECT_NEAR(m.hashrate_avg().value(), 100 * 1002.0 / 2000, 1e-9);
  EXPECT_LT(m.hashrate_rolling(60).value(), 1e-3);
  EXPECT_GT(m.hashrate_rolling(1800).value(), 10);
}

TEST(EmulatedMinerTest, SharesGrowWithWorkAndRejectASmallFraction) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  m.AdvanceTo(At(86400));
  // 100 TH/s for a day at share difficulty 65536: 1e14 * 86400 / 2^32 / 65536.
  const double shares = 1e14 * 86400 / 4294967296.0 / 65536;
  EXPECT_NEAR(m.accepted_shares() + m.rejected_shares(), shares, 1.5);
  EXPECT_GT(m.rejected_shares(), 0);
  EXPECT_LT(m.rejected_shares(), 0.0075 * shares + 1);
  EXPECT_GT(m.hardware_errors(), 0);
  const std::vector<PoolInfo> pools = m.pools();
  ASSERT_GE(pools.size(), 2u);
  ASSERT_LE(pools.size(), 3u);
  EXPECT_TRUE(pools[0].alive && pools[0].active);
  EXPECT_EQ(pools[0].accepted, m.accepted_shares());
  for (size_t i = 1; i < pools.size(); ++i) EXPECT_FALSE(pools[i].active);
  EXPECT_EQ(pools[0].user, "mullet.127.0.0.2");
}

TEST(EmulatedMinerTest, TemperaturesFollowLoadWithALag) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  const int fan_full = m.fan_rpm(0);
  m.Sleep(At(0));
  m.AdvanceTo(At(120));  // one time constant: 63 % of the way down
  const double chip_steady_asleep = 25 + 45 * 25 / 3050.0;
  EXPECT_GT(m.chip_temp_c(), chip_steady_asleep + 5);
  EXPECT_LT(m.chip_temp_c(), 70 - 0.5 * (70 - chip_steady_asleep));
  m.AdvanceTo(At(3600));
  EXPECT_NEAR(m.chip_temp_c(), chip_steady_asleep, 0.01);
  EXPECT_LT(m.board_temp_c(), m.chip_temp_c());
  EXPECT_LT(m.fan_rpm(0), fan_full);
  EXPECT_GE(m.fan_rpm(0), 980);
}

TEST(EmulatedMinerTest, ReportedPowerDependsOnTheFamily) {
  EXPECT_FALSE(Make(FirmwareFamily::kBmminer).reported_power().has_value());
  EXPECT_FALSE(Make(FirmwareFamily::kCgminer).reported_power().has_value());
  EmulatedMiner lux = Make(FirmwareFamily::kLuxos);
  ASSERT_TRUE(lux.reported_power().has_value());
  EXPECT_DOUBLE_EQ(lux.reported_power()->value(), 3050);
  lux.set_power_misreport(-0.1);
  EXPECT_NEAR(lux.reported_power()->value(), 2745, 1e-9);
  EXPECT_DOUBLE_EQ(lux.power().value(), 3050);
}

TEST(EmulatedMinerTest, SameSeedSameReadings) {
  auto run = [](std::uint64_t seed) {
    MinerOptions o;
    o.model = S19jPro();
    o.family = FirmwareFamily::kLuxos;
    o.seed = seed;
    o.start = kT0;
    o.uptime_at_start = Seconds(5000);
    EmulatedMiner m = std::move(EmulatedMiner::Create(o)).value();
    m.Sleep(At(100));
    m.Wake(At(400));
    m.AdvanceTo(At(1000));
    return std::vector<double>{m.hashrate_5s().value(),
                               m.hashrate_avg().value(),
                               static_cast<double>(m.accepted_shares()),
                               static_cast<double>(m.rejected_shares()),
                               m.board(1).chip_c,
                               static_cast<double>(m.fan_rpm(2)),
                               static_cast<double>(m.pools().size()),
                               m.board(0).hashrate.value()};
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(EmulatedMinerTest, UnitsDifferByTheirSeedWithinTheSpread) {
  MinerOptions o;
  o.model = S19jPro();
  o.start = kT0;
  double lo = 1e9, hi = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    o.seed = seed;
    const double h = EmulatedMiner::Create(o)->hashrate().value();
    lo = std::min(lo, h);
    hi = std::max(hi, h);
  }
  EXPECT_GE(lo, 97);
  EXPECT_LE(hi, 103);
  EXPECT_GT(hi - lo, 4);  // the spread is used
}

TEST(EmulatedMinerTest, BoardsAddUpToTheMiner) {
  EmulatedMiner m = Make(FirmwareFamily::kBmminer);
  double total = 0;
  for (int i = 0; i < 3; ++i) total += m.board(i).hashrate.value();
  EXPECT_NEAR(total, m.hashrate().value(), 1e-9);
  EXPECT_EQ(m.board(0).chips, 110);
}

TEST(EmulatedMinerTest, LuxosSessionsExpireAfterAMinuteIdle) {
  EmulatedMiner m = Make(FirmwareFamily::kLuxos);
  EXPECT_FALSE(m.ActiveSession(At(0)).has_value());
  const std::string id = m.OpenSession(At(0));
  EXPECT_EQ(id.size(), 8u);
  EXPECT_EQ(m.ActiveSession(At(59)), id);
  EXPECT_TRUE(m.TouchSession(id, At(59)));  // refreshed on use
  EXPECT_EQ(m.ActiveSession(At(118)), id);
  EXPECT_FALSE(m.ActiveSession(At(119)).has_value());
  EXPECT_FALSE(m.TouchSession(id, At(119)));
  EXPECT_NE(m.OpenSession(At(120)), id);
}

TEST(EmulatedMinerTest, InvalidOptionsNameTheField) {
  MinerOptions o;
  o.model = S19jPro();
  o.min_power_fraction = 1.2;
  const Result<EmulatedMiner> m = EmulatedMiner::Create(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("min_power_fraction"), std::string::npos);
  o = MinerOptions{};
  EXPECT_FALSE(EmulatedMiner::Create(o).ok());  // no model
}

TEST(EmulatedMinerTest, EnergyIntegratesPower) {
  EmulatedMiner m = Make(FirmwareFamily::kCgminer);
  m.AdvanceTo(At(3600));
  EXPECT_NEAR(m.energy().kilowatt_hours(), 3.05, 1e-9);
}

}  // namespace
}  // namespace mullet
