// Every miner driver against the emulated fleet on real loopback sockets:
// every command of the MinerDriver interface on every firmware family (what
// happens on the wire and what the emulated miner then does), and every fault
// the emulator injects (hang, reset, slow, each malformed-JSON quirk, a lying
// wattage) on reads and on commands. The emulator's own replies are checked
// against reply samples in reply_samples_test.cpp.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "drivers/cgminer/exchange.h"
#include "drivers/cgminer/sweep.h"
#include "drivers/miner/fleet_control.h"
#include "emulate/fleet.h"

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A clock the test moves: ramps happen when the test says so.
std::atomic<long long> g_offset_s{0};
UtcTime TestClock() { return *ParseUtcTimestamp("2024-07-01T00:00:00Z") + std::chrono::seconds(g_offset_s.load()); }

// Its own 127.x block per process, so parallel test runs never collide.
std::string FirstAddress() { return "127." + std::to_string(20 + getpid() % 200) + ".128.1"; }

constexpr FirmwareFamily kFamilies[] = {FirmwareFamily::kBmminer, FirmwareFamily::kCgminer, FirmwareFamily::kLuxos,
                                        FirmwareFamily::kBraiins, FirmwareFamily::kWhatsminerV3};
// The families whose port-4028 driver can sleep: LuxOS and Braiins.
bool CanSleep(FirmwareFamily f) { return f == FirmwareFamily::kLuxos || f == FirmwareFamily::kBraiins; }

class DriverConformanceTest : public ::testing::Test {
 protected:
  void Start(FleetOptions o) {
    o.first_address = FirstAddress();
    g_offset_s = 0;
    Result<std::unique_ptr<EmulatedFleet>> f = EmulatedFleet::Start(io_, o, TestClock);
    ASSERT_TRUE(f.ok()) << f.status().message();
    fleet_ = std::move(f).value();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<tcp::endpoint> Endpoints() const {
    std::vector<tcp::endpoint> eps;
    for (std::size_t i = 0; i < fleet_->size(); ++i) eps.push_back(fleet_->endpoint(i));
    return eps;
  }
  // The emulated miner, read while no request is in flight (the io thread idles).
  EmulatedMiner& Miner(std::size_t i) {
    fleet_->miner(i).AdvanceTo(TestClock());
    return fleet_->miner(i);
  }
  FirmwareFamily FamilyAt(std::size_t i) const { return kFamilies[i % std::size(kFamilies)]; }

  asio::io_context io_;
  std::unique_ptr<EmulatedFleet> fleet_;
  std::thread thread_;
};

FleetOptions EveryFamily(std::size_t miners) {
  FleetOptions o;
  o.miners = miners;
  o.families.assign(std::begin(kFamilies), std::end(kFamilies));
  return o;
}

TEST_F(DriverConformanceTest, SleepAndWakeOnEveryFamily) {
  Start(EveryFamily(10));
  const auto sleep = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kSleep}, RpcOptions{});
  for (std::size_t i = 0; i < sleep.size(); ++i) {
    const FirmwareFamily fam = FamilyAt(i);
    EXPECT_EQ(sleep[i].outcome.state, CanSleep(fam) ? "ok" : "unsupported")
        << i << " " << FamilyName(fam) << " " << sleep[i].outcome.error;
    EXPECT_EQ(Miner(i).sleep_requested(), CanSleep(fam)) << i;
    EXPECT_EQ(Miner(i).state(), CanSleep(fam) ? MinerState::kRampingDown : MinerState::kRunning) << i;
  }
  g_offset_s = 600;  // past every ramp
  for (std::size_t i = 0; i < fleet_->size(); ++i) {
    if (CanSleep(FamilyAt(i))) {
      EXPECT_EQ(Miner(i).state(), MinerState::kSleeping) << i;
      EXPECT_LT(Miner(i).power().value(), 100) << i;
    }
  }
  const auto wake = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kWake}, RpcOptions{});
  for (std::size_t i = 0; i < wake.size(); ++i) {
    if (!CanSleep(FamilyAt(i))) continue;
    EXPECT_EQ(wake[i].outcome.state, "ok") << i << " " << wake[i].outcome.error;
    EXPECT_EQ(Miner(i).state(), MinerState::kRampingUp) << i;
  }
  g_offset_s = 1800;
  for (std::size_t i = 0; i < fleet_->size(); ++i) EXPECT_EQ(Miner(i).state(), MinerState::kRunning) << i;
}

TEST_F(DriverConformanceTest, SetPowerPicksALuxosProfileAndRestoresAtm) {
  Start(EveryFamily(5));
  const std::size_t lux = 2;  // FamilyAt(2) == LuxOS
  ASSERT_TRUE(Miner(lux).atm_enabled());  // the emulator's LuxOS default: ATM on
  const Watts nameplate = Miner(lux).model().power;
  const Watts before = Miner(lux).target_power();
  const Watts target = nameplate * 0.9;  // between eco (80 %) and default (100 %)
  const auto r = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kSetPower, .power = target}, RpcOptions{});
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i == lux) continue;
    EXPECT_EQ(r[i].outcome.state, "unsupported") << i << " " << r[i].outcome.error;
  }
  ASSERT_EQ(r[lux].outcome.state, "ok") << r[lux].outcome.step << ": " << r[lux].outcome.error;
  ASSERT_TRUE(r[lux].outcome.applied.has_value());
  EXPECT_EQ(r[lux].outcome.profile, "eco");
  EXPECT_LE(r[lux].outcome.applied->value(), target.value());
  EXPECT_NEAR(Miner(lux).target_power().value(), r[lux].outcome.applied->value(), 1.0);
  EXPECT_LT(Miner(lux).target_power().value(), before.value());
  EXPECT_EQ(Miner(lux).active_profile(), "eco");
  EXPECT_TRUE(Miner(lux).atm_enabled()) << "ATM must be switched back on after the profile change";
  EXPECT_FALSE(Miner(lux).ActiveSession(TestClock()).has_value()) << "the driver logs off";

  // A target under every profile takes the lowest.
  const auto low = CommandFleet({fleet_->endpoint(lux)}, {.kind = MinerCommandKind::kSetPower, .power = Watts(100)},
                                RpcOptions{}, "luxminer");
  ASSERT_EQ(low[0].outcome.state, "ok") << low[0].outcome.error;
  EXPECT_EQ(low[0].outcome.profile, "eco");
}

TEST_F(DriverConformanceTest, SetProfileAndItsFailuresOnLuxos) {
  Start(EveryFamily(5));
  const std::size_t lux = 2;
  const auto turbo = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kSetProfile, .profile = "turbo"},
                                  RpcOptions{});
  ASSERT_EQ(turbo[lux].outcome.state, "ok") << turbo[lux].outcome.error;
  EXPECT_EQ(Miner(lux).active_profile(), "turbo");
  for (std::size_t i : {0, 1, 3, 4}) EXPECT_EQ(turbo[i].outcome.state, "unsupported") << i;

  // An unknown profile: the firmware's refusal, named, and ATM back on.
  const auto bad = CommandFleet({fleet_->endpoint(lux)}, {.kind = MinerCommandKind::kSetProfile, .profile = "warp"},
                                RpcOptions{}, "luxminer");
  EXPECT_EQ(bad[0].outcome.state, "error-status");
  EXPECT_EQ(bad[0].outcome.step, "profileset");
  EXPECT_NE(bad[0].outcome.error.find("warp"), std::string::npos) << bad[0].outcome.error;
  EXPECT_TRUE(Miner(lux).atm_enabled());
  EXPECT_EQ(Miner(lux).active_profile(), "turbo");

  // Another session holds the miner: logon is refused with LuxOS Code 402.
  Miner(lux).OpenSession(TestClock());
  const auto busy = CommandFleet({fleet_->endpoint(lux)}, {.kind = MinerCommandKind::kSleep}, RpcOptions{},
                                 "luxminer");
  EXPECT_EQ(busy[0].outcome.state, "error-status");
  EXPECT_EQ(busy[0].outcome.step, "logon");
  EXPECT_NE(busy[0].outcome.error.find("402"), std::string::npos) << busy[0].outcome.error;
  EXPECT_FALSE(Miner(lux).sleep_requested());
  // ... and after its minute of idleness it expires by itself.
  g_offset_s += 61;
  const auto later = CommandFleet({fleet_->endpoint(lux)}, {.kind = MinerCommandKind::kSleep}, RpcOptions{},
                                  "luxminer");
  EXPECT_EQ(later[0].outcome.state, "ok") << later[0].outcome.error;
}

TEST_F(DriverConformanceTest, StatusFallsBackToSingleCommandsWhereTheJoinIsRefused) {
  Start(EveryFamily(5));
  const auto sweep = cgminer::SweepStatus(Endpoints(), RpcOptions{});
  for (std::size_t i = 0; i < sweep.size(); ++i) {
    ASSERT_EQ(sweep[i].state, "ok") << i << " " << sweep[i].error;
    EXPECT_EQ(sweep[i].single_commands, FamilyAt(i) == FirmwareFamily::kBmminer) << i;
    EXPECT_EQ(sweep[i].devs.size(), static_cast<std::size_t>(Miner(i).options().hashboards)) << i;
    double boards = 0;
    for (const cgminer::DevReading& d : sweep[i].devs) boards += d.hashrate_5s.value();
    EXPECT_NEAR(boards / sweep[i].summary->hashrate_5s.value(), 1.0, 0.05) << i;
  }
}

// ---- Faults, on reads and on commands.

TEST_F(DriverConformanceTest, HungMinersTimeOutAtTheDeadlineOnReadsAndCommands) {
  FleetOptions o = EveryFamily(10);
  o.hang_share = 1;
  Start(o);
  RpcOptions ro;
  ro.deadline = Seconds(0.5);
  const auto t0 = std::chrono::steady_clock::now();
  const auto sweep = cgminer::SweepStatus(Endpoints(), ro);
  const auto cmd = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kSleep}, ro);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (std::size_t i = 0; i < sweep.size(); ++i) {
    EXPECT_EQ(sweep[i].state, "timeout") << i;
    EXPECT_EQ(cmd[i].outcome.state, "timeout") << i;
    EXPECT_EQ(cmd[i].outcome.step, "version") << i;
    EXPECT_FALSE(Miner(i).sleep_requested()) << i;
  }
  EXPECT_LT(took, 3.0) << "ten hung miners cost one deadline per round, not ten";
}

TEST_F(DriverConformanceTest, ResetConnectionsAreNamedOnReadsAndCommands) {
  FleetOptions o = EveryFamily(5);
  o.reset_share = 1;
  Start(o);
  const auto sweep = cgminer::SweepStatus(Endpoints(), RpcOptions{});
  const auto cmd = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kSleep}, RpcOptions{}, "luxminer");
  for (std::size_t i = 0; i < sweep.size(); ++i) {
    EXPECT_EQ(sweep[i].state, "reset") << i << " " << sweep[i].error;
    EXPECT_EQ(cmd[i].outcome.state, "reset") << i;
    EXPECT_EQ(cmd[i].outcome.step, "logon") << i;
  }
}

TEST_F(DriverConformanceTest, SlowMinersAnswerLateOrTimeOutByTheirDeadline) {
  FleetOptions o = EveryFamily(5);
  o.slow_share = 1;  // every reply 5 s late
  Start(o);
  RpcOptions quick;
  quick.deadline = Seconds(1);
  for (const auto& m : cgminer::SweepSummaries(Endpoints(), quick)) EXPECT_EQ(m.state, "timeout");
  RpcOptions patient;
  patient.deadline = Seconds(10);
  for (const auto& m : cgminer::SweepSummaries(Endpoints(), patient)) {
    EXPECT_EQ(m.state, "ok") << m.error;
    EXPECT_GE(m.elapsed.count(), 4.5);
  }
}

TEST_F(DriverConformanceTest, EveryMalformedJsonQuirkIsRepairedOrNamedOnReadsAndCommands) {
  FleetOptions o;
  o.miners = 60;
  o.families = {FirmwareFamily::kLuxos};
  o.malformed_share = 1;
  o.seed = 4;
  Start(o);
  std::set<std::string> seen;
  const auto sweep = cgminer::SweepSummaries(Endpoints(), RpcOptions{});
  const auto cmd = CommandFleet(Endpoints(), {.kind = MinerCommandKind::kSleep}, RpcOptions{}, "luxminer");
  for (std::size_t i = 0; i < sweep.size(); ++i) {
    const std::string fault = fleet_->fault_name(i);
    ASSERT_EQ(fault.rfind("malformed:", 0), 0u) << fault;
    seen.insert(fault);
    if (fault == "malformed:truncated") {
      EXPECT_EQ(sweep[i].state, "bad-reply") << i;
      EXPECT_NE(sweep[i].error.find("truncated"), std::string::npos) << sweep[i].error;
      EXPECT_EQ(cmd[i].outcome.state, "bad-reply") << i;
      EXPECT_FALSE(Miner(i).sleep_requested()) << "a truncated logon reply gives no session";
    } else if (fault == "malformed:bare_inf_nan") {
      // Read as null: a reading that needs the number says so; a command whose
      // reply needs none goes through.
      EXPECT_TRUE(sweep[i].state == "ok" || sweep[i].error.find("finite") != std::string::npos)
          << i << " " << sweep[i].error;
      EXPECT_EQ(cmd[i].outcome.state, "ok") << i << " " << cmd[i].outcome.error;
    } else {
      EXPECT_EQ(sweep[i].state, "ok") << i << " " << fault << " " << sweep[i].error;
      if (fault != "malformed:missing_nul") {
        EXPECT_FALSE(sweep[i].quirks.empty()) << i << " " << fault;
      }
      EXPECT_EQ(cmd[i].outcome.state, "ok") << i << " " << fault << " " << cmd[i].outcome.error;
      EXPECT_TRUE(Miner(i).sleep_requested()) << i << " " << fault;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kQuirkCount)) << "the fleet must show every quirk";
}

TEST_F(DriverConformanceTest, AMinerMisreportingItsWattageIsVisibleOnTheWire) {
  FleetOptions o;
  o.miners = 2;
  o.families = {FirmwareFamily::kLuxos};
  o.misreport_share = 1;
  o.misreport_fraction = 0.2;
  Start(o);
  asio::io_context io;
  RpcClient client(io, RpcOptions{});
  cgminer::ExchangeResult power;
  cgminer::Exchange(client, fleet_->endpoint(0), "power", "", [&](cgminer::ExchangeResult r) { power = r; });
  io.run();
  ASSERT_TRUE(power.ok) << power.state << " " << power.error;
  const double reported = power.reply["POWER"][0]["Watts"].get<double>();
  EXPECT_NEAR(reported / Miner(0).power().value(), 1.2, 0.01);
}

}  // namespace
}  // namespace mullet
