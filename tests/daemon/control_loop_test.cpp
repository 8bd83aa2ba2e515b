// The controller's tick against a simulated plant (FleetIo in code: miners
// that draw their model's power while hashing and 20 W asleep, a meter that
// sums them, some silent), with events in a real SQLite store: a reduce-to
// event brings the metered draw under its cap, paced; silent miners are
// counted at their last power, so the answering ones shed more; cancelling
// restores only the controller's own; a reduce-by reduces from the draw when
// the event began; the memory saved is resumed by a new loop.

#include "daemon/control_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/loop_runner.h"
#include "dispatch/contract.h"
#include "dispatch/reason.h"
#include "daemon/steady_fleet.h"
#include "dispatch/test_sites.h"
#include "drivers/gpu/fake_gpu_node.h"
#include "storage/sqlite_store.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using testing_sites::Group;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

// 60 S21 (3.5 kW) and 40 S19j Pro (3.05 kW): 332 kW of IT; PUE 1.
Site SmallSite() {
  Site s;
  s.name = "small";
  s.interconnect = Megawatts(1);
  s.cooling.pue_air = 1.0;
  s.miners.push_back(Group("s21", "S21", 60));
  s.miners.push_back(Group("s19jpro", "S19j Pro", 40));
  s.policy.hysteresis = UsdPerMegawattHour(0);
  return s;
}

class Plant : public FleetIo {
 public:
  explicit Plant(const Site& site) {
    for (std::size_t g = 0; g < site.miners.size(); ++g) {
      for (int u = 0; u < site.miners[g].count; ++u) miners_.push_back({g, site.miners[g].model, false, false});
    }
  }
  std::size_t size() const override { return miners_.size(); }
  std::vector<FleetReading> Sweep() override {
    ++sweeps_;
    return ReadAll();
  }
  int sweeps() const { return sweeps_; }  // whole sweeps, not confirm reads
  std::vector<FleetReading> ReadAll() const {
    std::vector<FleetReading> out;
    for (const Miner& m : miners_) {
      FleetReading r;
      r.answered = !m.silent;
      if (r.answered) {
        r.power = Power(m);
        r.hashrate = m.asleep ? TerahashPerSecond(0) : m.model.hashrate;
      }
      out.push_back(r);
    }
    return out;
  }
  // Records which miners a confirm read asked for.
  std::vector<FleetReading> SweepSome(const std::vector<std::size_t>& who) override {
    asked_ = who;
    const std::vector<FleetReading> all = ReadAll();
    std::vector<FleetReading> out;
    for (std::size_t i : who) out.push_back(all[i]);
    return out;
  }
  const std::vector<std::size_t>& asked() const { return asked_; }
  std::vector<bool> Command(const std::vector<std::size_t>& who, bool sleep) override {
    std::vector<bool> ok;
    for (std::size_t i : who) {
      ++commands_;
      if (miners_[i].silent) {
        ok.push_back(false);
        continue;
      }
      miners_[i].asleep = sleep;
      ok.push_back(true);
    }
    return ok;
  }
  std::optional<Watts> SiteMeter() override {
    if (!metered_) return std::nullopt;
    return Draw();
  }
  // What the plant draws, meter or not.
  Watts Draw() const {
    Watts sum{0};
    for (const Miner& m : miners_) sum += Power(m);
    return sum;
  }
  std::vector<std::size_t> GroupsOf() const {
    std::vector<std::size_t> g;
    for (const Miner& m : miners_) g.push_back(m.group);
    return g;
  }
  void SetSilent(std::size_t i, bool silent) { miners_[i].silent = silent; }
  void SetMetered(bool metered) { metered_ = metered; }
  void SetAsleep(std::size_t i, bool asleep) { miners_[i].asleep = asleep; }
  bool asleep(std::size_t i) const { return miners_[i].asleep; }
  int commands() const { return commands_; }

 private:
  struct Miner {
    std::size_t group;
    AsicModel model;
    bool asleep;
    bool silent;
  };
  static Watts Power(const Miner& m) { return m.asleep ? Watts(20) : m.model.power; }
  std::vector<Miner> miners_;
  std::vector<std::size_t> asked_;
  int commands_ = 0;
  int sweeps_ = 0;
  bool metered_ = true;
};

class ControlLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mullet_loop_" + std::to_string(getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "mullet.db")).value();
  }
  void TearDown() override { fs::remove_all(dir_); }
  EventRow Event(const char* type, double kw) {
    EventSpec spec;
    spec.type = type;
    spec.kw = kw;
    bool created = false;
    return *store_->AddEvent(spec, "test", std::to_string(++events_), "test", now_, &created);
  }
  static LoopSignals Profitable() {
    LoopSignals s;
    s.price = UsdPerMegawattHour(20);
    s.hashprice = UsdPerTerahashDay(0.05);
    return s;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  UtcTime now_ = At("2026-12-02T12:00:00Z");
  int events_ = 0;
  const Site site_ = SmallSite();
};

TEST_F(ControlLoopTest, AReduceToEventBringsTheMeteredDrawUnderItsCapPacedAndCancellingRestoresOnlyItsOwn) {
  Plant plant(site_);
  plant.SetAsleep(99, true);  // asleep before the controller: someone else's
  LoopOptions o;
  o.max_commands = 10;
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), o);
  Result<TickReport> first = loop.Tick(now_, Profitable());
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->slept + first->woken, 0u) << "profitable, no event: the fleet runs as found";
  EXPECT_NEAR(first->site_meter->value(), 60 * 3500 + 39 * 3050 + 20, 1e-6);

  const EventRow e = Event("reduce-to", 250);  // 250 kW against ~329 kW
  std::vector<double> metered;
  for (int k = 1; k <= 12; ++k) {
    now_ += std::chrono::seconds(10);
    Result<TickReport> r = loop.Tick(now_, Profitable());
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(r->dr_limit.has_value());
    EXPECT_DOUBLE_EQ(r->dr_limit->value(), 250e3);
    EXPECT_LE(r->slept + r->woken, 10u) << "paced";
    EXPECT_LE(r->expected_facility.value(), 250e3 + 1e-6) << "the policy never plans above the cap";
    metered.push_back(plant.SiteMeter()->value());
  }
  for (std::size_t k = 1; k < metered.size(); ++k) EXPECT_LE(metered[k], metered[k - 1]) << k;
  EXPECT_LE(metered.back(), 250e3);
  EXPECT_GT(metered.back(), 250e3 - 3500 - 1) << "shed no more than one unit below the cap";
  // The least efficient (S19j Pro, 29.5 J/TH) went first.
  int s19_asleep = 0, s21_asleep = 0;
  for (std::size_t i = 0; i < plant.size(); ++i) (i < 60 ? s21_asleep : s19_asleep) += plant.asleep(i) ? 1 : 0;
  EXPECT_GT(s19_asleep, s21_asleep);

  ASSERT_TRUE(store_->CancelEvent(e.id, "test", now_).ok());
  for (int k = 0; k < 12; ++k) {
    now_ += std::chrono::seconds(10);
    ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());
  }
  for (std::size_t i = 0; i < 99; ++i) EXPECT_FALSE(plant.asleep(i)) << i;
  EXPECT_TRUE(plant.asleep(99)) << "never woken: the controller did not put it to sleep";
}

// Without a meter to show it, the draw of miners that stopped answering is
// known only from the records: they count at their last power.
TEST_F(ControlLoopTest, SilentMinersCountAtTheirLastPowerSoTheAnsweringOnesShedMore) {
  Plant plant(site_);
  plant.SetMetered(false);
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
  ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());  // everyone answers once: last powers known
  for (std::size_t i = 0; i < 10; ++i) plant.SetSilent(i, true);  // ten S21 go quiet, still hashing
  Event("reduce-to", 200);
  for (int k = 0; k < 3; ++k) {
    now_ += std::chrono::seconds(10);
    Result<TickReport> r = loop.Tick(now_, Profitable());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->silent, 10u);
  }
  // The ten silent ones still draw 35 kW; the plant is under the cap.
  EXPECT_LE(plant.Draw().value(), 200e3);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_FALSE(plant.asleep(i));
}

TEST_F(ControlLoopTest, AReduceByEventReducesFromTheDrawWhenItBegan) {
  Plant plant(site_);
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
  ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());
  const double before = plant.SiteMeter()->value();
  Event("reduce-by", 100);
  for (int k = 0; k < 4; ++k) {
    now_ += std::chrono::seconds(10);
    Result<TickReport> r = loop.Tick(now_, Profitable());
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->dr_limit.has_value());
    EXPECT_DOUBLE_EQ(r->dr_limit->value(), before - 100e3) << "the baseline stays the draw when it began";
  }
  EXPECT_LE(plant.SiteMeter()->value(), before - 100e3);
}

TEST_F(ControlLoopTest, AnOverrideHoldsAGroupDownAndPolicyParametersApplyAtTheNextTick) {
  Plant plant(site_);
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
  ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());
  GroupOverride o;
  o.group = "s21";
  o.max_running = 10;
  o.until = now_ + std::chrono::minutes(5);
  ASSERT_TRUE(store_->SetOverride(o, "test", now_).ok());
  now_ += std::chrono::seconds(10);
  Result<TickReport> r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->running[0], 10);
  EXPECT_EQ(r->held[0], 10);
  EXPECT_EQ(r->held[1], -1);
  EXPECT_EQ(r->slept, 50u) << "50 of the 60 S21 put to sleep";
  // Past `until`: the policy has the group back.
  now_ += std::chrono::minutes(6);
  r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->running[0], 60);
  EXPECT_EQ(r->woken, 50u);
  // Under a 600 kW event all 332 kW fit; with half the cap held back as a
  // reserve, 300 kW do.
  Event("reduce-to", 600);
  now_ += std::chrono::seconds(10);
  r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->running[0] + r->running[1], 100);
  ASSERT_TRUE(store_->SavePolicyParams(R"({"reserve_fraction":0.5})", "test", now_).ok());
  now_ += std::chrono::seconds(10);
  r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LE(r->mining.value(), 300e3 + 1e-6) << "half of the 600 kW cap held back";
  EXPECT_GT(r->mining.value(), 250e3);
  ASSERT_TRUE(store_->SavePolicyParams(R"({"reserve_fraction":7})", "test", now_).ok());
  now_ += std::chrono::seconds(10);
  r = loop.Tick(now_, Profitable());
  ASSERT_FALSE(r.ok()) << "bad stored parameters are refused, by name";
  EXPECT_NE(r.status().message().find("reserve_fraction"), std::string::npos);
}

// A site with a 4CP charge: in an alert hour of its site file the loop
// curtails mining as the backtest's tick would (the same signals, the same
// allocation, curtail-4cp-peak), and mines again outside it.
TEST_F(ControlLoopTest, ASiteFourCpAlertHourCurtailsMiningAsInTheBacktestAndNotOutsideIt) {
  Site site = SmallSite();
  FourCoincidentPeak cp;
  cp.rate_usd_per_kw_year = 50;  // 12,500 USD/MWh drawn in an alert: no miner earns that
  cp.peaks = {At("2026-07-15T20:00:00Z")};
  cp.alert_hours = {At("2026-12-02T13:00:00Z")};
  site.contract.four_cp = cp;
  Plant plant(site);
  ControlLoop loop(site, *store_, plant, plant.GroupsOf(), LoopOptions{});
  DispatchState backtest_state = InitialState(site);
  Allocation backtest;
  const auto tick = [&](const char* at) {
    const UtcTime t = At(at);
    Result<TickReport> r = loop.Tick(t, Profitable());
    EXPECT_TRUE(r.ok()) << r.status().message();
    // The backtest's signals for the same step (sim/backtest.cpp).
    TickSignals s;
    s.time = t;
    s.step = Hours(10.0 / 3600);
    s.price = Profitable().price;
    s.hashprice = Profitable().hashprice;
    s.peak_alert = FourCpAlert(*site.contract.four_cp, s.time, s.step, s.price);
    Dispatch(site, s, Observation{}, PolicyKind::kMullet, PolicyOptions{}, &backtest_state, &backtest);
    for (std::size_t g = 0; g < site.miners.size(); ++g) {
      EXPECT_EQ(r->running[g], backtest.miners[g].running) << at << " " << g;
      EXPECT_EQ(r->reasons[g], ReasonName(backtest.miners[g].reason)) << at << " " << g;
    }
    return *r;
  };
  TickReport r = tick("2026-12-02T12:59:50Z");  // [12:59:50, 13:00:00): not yet
  EXPECT_EQ(r.four_cp_alert, "");
  EXPECT_EQ(r.running, (std::vector<int>{60, 40}));
  r = tick("2026-12-02T13:00:00Z");
  EXPECT_EQ(r.four_cp_alert, "site");
  EXPECT_EQ(r.running, (std::vector<int>{0, 0}));
  EXPECT_EQ(r.reasons, (std::vector<std::string>{"curtail-4cp-peak", "curtail-4cp-peak"}));
  EXPECT_EQ(r.slept, 100u);
  EXPECT_NE(TickJson(site, r).find(R"("four_cp_alert":"site")"), std::string::npos) << TickJson(site, r);
  r = tick("2026-12-02T13:59:55Z");  // the step ends after the hour: still in it
  EXPECT_EQ(r.four_cp_alert, "site");
  r = tick("2026-12-02T14:00:00Z");
  EXPECT_EQ(r.four_cp_alert, "");
  EXPECT_EQ(r.running, (std::vector<int>{60, 40}));
  EXPECT_EQ(r.woken, 100u);
  EXPECT_NE(TickJson(site, r).find(R"("four_cp_alert":null)"), std::string::npos);
}

// An operator's alert (LoopSignals::four_cp_alert, from an alert file)
// weighs the site's 4CP charge as a site-file alert does; a site without a
// 4CP charge has nothing to weigh and mines on.
TEST_F(ControlLoopTest, AnOperatorsFourCpAlertCurtailsASiteWithAFourCpCharge) {
  Site site = SmallSite();
  FourCoincidentPeak cp;
  cp.rate_usd_per_kw_year = 50;
  cp.peaks = {At("2026-07-15T20:00:00Z")};
  site.contract.four_cp = cp;  // the default alert rule: June to September, so none on 2 December
  Plant plant(site);
  ControlLoop loop(site, *store_, plant, plant.GroupsOf(), LoopOptions{});
  LoopSignals alert = Profitable();
  alert.four_cp_alert = true;
  Result<TickReport> r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->four_cp_alert, "");
  EXPECT_EQ(r->running, (std::vector<int>{60, 40}));
  now_ += std::chrono::seconds(10);
  r = loop.Tick(now_, alert);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->four_cp_alert, "operator");
  EXPECT_EQ(r->running, (std::vector<int>{0, 0}));
  EXPECT_EQ(r->reasons[0], "curtail-4cp-peak");
  now_ += std::chrono::minutes(2);  // past the ramp down (60 s): units asleep can be woken
  r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->running, (std::vector<int>{60, 40}));

  const Site plain = SmallSite();
  Plant other(plain);
  ControlLoop without(plain, *store_, other, other.GroupsOf(), LoopOptions{});
  r = without.Tick(now_, alert);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->four_cp_alert, "") << "no 4CP charge: no alert to weigh";
  EXPECT_EQ(r->running, (std::vector<int>{60, 40}));
}

// An alert raised through the API lives in the store: the loop acts on it
// from its start, a new loop (a restart) acts on it too, and it ends when
// cancelled.
TEST_F(ControlLoopTest, AFourCpAlertRaisedThroughTheApiIsActedOnAcrossARestartUntilCancelled) {
  Site site = SmallSite();
  FourCoincidentPeak cp;
  cp.rate_usd_per_kw_year = 50;
  cp.peaks = {At("2026-07-15T20:00:00Z")};
  site.contract.four_cp = cp;  // the default rule: June to September, so none on 2 December
  Plant plant(site);
  bool created = false;
  FourCpAlertRow raised;
  raised.source = "api";
  raised.source_id = "k";
  raised.start = now_ + std::chrono::seconds(10);
  const std::int64_t id = store_->AddFourCpAlert(raised, "token 2 (ops)", now_, &created)->id;
  {
    ControlLoop loop(site, *store_, plant, plant.GroupsOf(), LoopOptions{});
    Result<TickReport> r = loop.Tick(now_, Profitable());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->four_cp_alert, "") << "not begun";
    EXPECT_EQ(r->running, (std::vector<int>{60, 40}));
    now_ += std::chrono::seconds(10);
    r = loop.Tick(now_, Profitable());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->four_cp_alert, "operator");
    EXPECT_EQ(r->running, (std::vector<int>{0, 0}));
    EXPECT_EQ(r->reasons[0], "curtail-4cp-peak");
  }
  ControlLoop again(site, *store_, plant, plant.GroupsOf(), LoopOptions{});
  ASSERT_TRUE(again.Resume().ok());
  now_ += std::chrono::seconds(10);
  Result<TickReport> r = again.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->four_cp_alert, "operator");
  EXPECT_EQ(r->running, (std::vector<int>{0, 0}));
  ASSERT_TRUE(store_->CancelFourCpAlert(id, "token 2 (ops)", now_).ok());
  now_ += std::chrono::minutes(2);
  r = again.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->four_cp_alert, "");
  EXPECT_EQ(r->running, (std::vector<int>{60, 40}));
}

// A target row names its miner: a restart takes a row whose name is that
// miner's address (or its index, as rows were written before they named
// addresses) and leaves one written for another fleet's miner.
TEST_F(ControlLoopTest, AResumeTakesOnlyTheTargetsWrittenForItsOwnMiners) {
  SteadyFleet fleet(site_);
  ASSERT_EQ(fleet.name(1), "10.0.0.1");
  const std::vector<TargetRow> rows = {{0, "0", "sleep", "confirmed", now_},
                                       {1, "10.0.0.1", "sleep", "confirmed", now_},
                                       {2, "10.9.9.9", "sleep", "confirmed", now_}};
  ASSERT_TRUE(store_->SaveTargets(rows, now_).ok());
  ControlLoop loop(site_, *store_, fleet, fleet.Groups(), LoopOptions{});
  ASSERT_TRUE(loop.Resume().ok());
  EXPECT_EQ(loop.records()[0].command, MinerRecord::Command::kSleep) << "an index, as before";
  EXPECT_EQ(loop.records()[1].command, MinerRecord::Command::kSleep) << "its address";
  EXPECT_EQ(loop.records()[2].command, MinerRecord::Command::kNone) << "another fleet's miner";
  // The row taken by its index is written again under the miner's name.
  std::map<std::int64_t, std::string> names;
  const Result<std::vector<TargetRow>> stored = store_->Targets();
  ASSERT_TRUE(stored.ok());
  for (const TargetRow& t : *stored) names[t.miner] = t.name;
  EXPECT_EQ(names[0], fleet.name(0));
  EXPECT_EQ(names[2], "10.9.9.9") << "another fleet's row is left as it was";
}

// A command's ramp is timed from when the batch went out (the loop's
// clock), not from the tick's start: on a fleet whose sweep and commands
// outlast the ramp, a miner still ramping down is not read as drifted.
TEST_F(ControlLoopTest, ACommandsRampIsTimedFromWhenItLeftNotFromTheTicksStart) {
  Plant plant(site_);
  LoopOptions o;
  o.clock = [this] { return now_ + std::chrono::seconds(50); };  // the sweep and the commands took 50 s
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), o);
  LoopSignals dear = Profitable();
  dear.price = UsdPerMegawattHour(5000);
  ASSERT_TRUE(loop.Tick(now_, dear).ok());
  ASSERT_EQ(loop.records()[0].command, MinerRecord::Command::kSleep);
  EXPECT_EQ(*loop.records()[0].commanded_at, now_ + std::chrono::seconds(50));
  EXPECT_EQ(*loop.FirstRampEnd(), now_ + std::chrono::seconds(50) + std::chrono::seconds(60));
  for (std::size_t i = 0; i < plant.size(); ++i) plant.SetAsleep(i, false);  // still ramping down, hashing
  ASSERT_TRUE(loop.Confirm(now_ + std::chrono::seconds(70)).ok());
  EXPECT_EQ(loop.records()[0].target, TargetState::kDispatched) << "20 s into a 60 s ramp: in flight, not drifted";
}

TEST_F(ControlLoopTest, TheMemorySavedEachTickIsResumedByANewLoop) {
  Plant plant(site_);
  {
    ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
    ASSERT_TRUE(loop.Resume().ok());  // nothing saved yet: fine
    Event("reduce-to", 150);
    ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());
  }
  ASSERT_TRUE(store_->LoadMemory()->has_value());
  ControlLoop again(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
  ASSERT_TRUE(again.Resume().ok());
  now_ += std::chrono::seconds(10);
  ASSERT_TRUE(again.Tick(now_, Profitable()).ok());
  EXPECT_LE(plant.SiteMeter()->value(), 150e3);
  // A memory that does not fit the site is refused by name.
  ASSERT_TRUE(store_->SaveMemory(R"({"miners":[]})", now_).ok());
  const Status s = again.Resume();
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_NE(s.message().find("the saved policy memory"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace mullet

namespace mullet {
namespace {

// A scheduler in memory: jobs by id with their partition and state.
class FakeScheduler : public Scheduler {
 public:
  void Add(const std::string& id, const std::string& partition, JobState state) {
    SchedulerJob j;
    j.id = id;
    j.partition = partition;
    j.state = state;
    jobs_[id] = j;
  }
  JobState state(const std::string& id) const { return jobs_.at(id).state; }
  void Finish(const std::string& id) { jobs_.erase(id); }
  int calls = 0;

  Result<std::vector<SchedulerNode>> Nodes() override { return std::vector<SchedulerNode>{}; }
  Result<SchedulerNode> Node(std::string_view) override { return Status::NotFound("no nodes"); }
  Result<std::vector<SchedulerJob>> Jobs() override {
    std::vector<SchedulerJob> out;
    for (const auto& [id, j] : jobs_) out.push_back(j);
    return out;
  }
  Result<SchedulerJob> Job(std::string_view id) override {
    const auto it = jobs_.find(std::string(id));
    if (it == jobs_.end()) return Status::NotFound("no job " + std::string(id));
    return it->second;
  }
  Status DrainNode(std::string_view, std::string_view) override { return Status::Ok(); }
  Status ResumeNode(std::string_view) override { return Status::Ok(); }
  Status SuspendJob(std::string_view id) override { return Set(id, JobState::kRunning, JobState::kSuspended); }
  Status ResumeJob(std::string_view id) override { return Set(id, JobState::kSuspended, JobState::kRunning); }
  Status RequeueJob(std::string_view) override { return Status::Ok(); }

 private:
  Status Set(std::string_view id, JobState from, JobState to) {
    ++calls;
    const auto it = jobs_.find(std::string(id));
    if (it == jobs_.end()) return Status::NotFound("no job " + std::string(id));
    if (it->second.state != from) return Status::InvalidArgument("job " + std::string(id) + " is not in that state");
    it->second.state = to;
    return Status::Ok();
  }
  std::map<std::string, SchedulerJob> jobs_;
};

// The small site with a batch queue: 64 GPUs at 700 W, a recurring 200
// GPU-hours a day worth 2 USD a GPU-hour, due in a week: it runs while power
// costs less than that (about 2,860 USD/MWh at PUE 1), waits above.
Site BatchSite() {
  Site s = SmallSite();
  BatchQueue q;
  q.gpus = 64;
  q.power_per_gpu = Watts(700);
  q.recurring = RecurringBatch{Hours(24), 200, Hours(168), 2.0};
  s.batch = q;
  s.cooling.pue_liquid = 1.0;
  return s;
}

TEST(ControlLoopBatchTest, BatchJobsAreSuspendedForAPriceSpikeAndOnlyThoseResumedAfter) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_loop_batch_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::unique_ptr<Store> store = std::move(OpenSqliteStore(dir / "mullet.db")).value();
  const Site site = BatchSite();
  Plant plant(site);
  FakeScheduler slurm;
  slurm.Add("101", "batch", JobState::kRunning);
  slurm.Add("102", "batch", JobState::kRunning);
  slurm.Add("103", "batch", JobState::kPending);
  slurm.Add("104", "batch", JobState::kSuspended);  // an operator's: never resumed by the loop
  slurm.Add("201", "inference", JobState::kRunning);  // another partition: firm work, never touched
  UtcTime now = At("2026-12-02T12:00:00Z");
  LoopSignals s;
  s.hashprice = UsdPerTerahashDay(0.05);
  {
    ControlLoop loop(site, *store, plant, plant.GroupsOf(), LoopOptions{});
    loop.SetBatchScheduler(&slurm, "batch");
    s.price = UsdPerMegawattHour(40);
    Result<TickReport> r = loop.Tick(now, s);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_GT(r->batch_gpus, 0);
    EXPECT_EQ(r->jobs_suspended, 0u);
    // A price spike: the batch work waits.
    now += std::chrono::seconds(10);
    s.price = UsdPerMegawattHour(4500);
    r = loop.Tick(now, s);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->batch_gpus, 0);
    EXPECT_EQ(r->batch_reason, "batch-defer-price");
    EXPECT_EQ(r->jobs_suspended, 2u);
    EXPECT_EQ(slurm.state("101"), JobState::kSuspended);
    EXPECT_EQ(slurm.state("102"), JobState::kSuspended);
    EXPECT_EQ(slurm.state("103"), JobState::kPending);
    EXPECT_EQ(slurm.state("201"), JobState::kRunning);
    EXPECT_TRUE(r->batch_error.empty()) << r->batch_error;
  }
  // A restart in the spike; job 102 ends meanwhile. The price falls: the new
  // loop resumes what the old one suspended, and no other.
  slurm.Finish("102");
  ControlLoop again(site, *store, plant, plant.GroupsOf(), LoopOptions{});
  ASSERT_TRUE(again.Resume().ok());
  again.SetBatchScheduler(&slurm, "batch");
  now += std::chrono::seconds(10);
  s.price = UsdPerMegawattHour(40);
  Result<TickReport> r = again.Tick(now, s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->batch_gpus, 0);
  EXPECT_EQ(r->jobs_resumed, 1u);
  EXPECT_EQ(slurm.state("101"), JobState::kRunning);
  EXPECT_EQ(slurm.state("104"), JobState::kSuspended) << "not the loop's to resume";
  EXPECT_TRUE(store->BatchSuspended()->empty());
  fs::remove_all(dir);
}

// Firm AI: SmallSite with a 20 kW lease ("inference", liquid, PUE 1) served
// by two nodes of 16 GPUs (700 W each at most), and an SLA that credits a
// quarter of the rent below 99 % availability.
Site FirmSite() {
  Site s = SmallSite();
  ColoLease l;
  l.name = "inference";
  l.contracted_it = Kilowatts(20);
  l.rate = UsdPerKilowattMonth(150);
  l.load_factor = 1.0;
  l.sla = {{0.9999, 0.10}, {0.99, 0.25}};
  s.leases.push_back(l);
  s.cooling.pue_liquid = 1.0;
  return s;
}

FakeGpuOptions SixteenGpus() {
  FakeGpuOptions o;
  o.gpus = 16;
  o.settle_time = Seconds(0);
  return o;
}

class ControlLoopGpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_loop_gpu_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(dir_ / "mullet.db")).value();
    for (FakeGpuNode* n : {&a_, &b_}) {
      for (int i = 0; i < 16; ++i) n->SetLoadDemand(i, Watts(650));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<ControlLoop> Loop(Plant& plant) {
    auto loop = std::make_unique<ControlLoop>(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
    EXPECT_TRUE(loop->Resume().ok());
    loop->SetFirmGpuNodes({{"inference", "node-a", &a_}, {"inference", "node-b", &b_}});
    return loop;
  }
  EventRow ReduceTo(double kw) {
    EventSpec spec;
    spec.type = "reduce-to";
    spec.kw = kw;
    bool created = false;
    return *store_->AddEvent(spec, "test", "gpu", "test", now_, &created);
  }
  Result<TickReport> Tick(ControlLoop& loop) {
    now_ += std::chrono::seconds(10);
    LoopSignals s;
    s.price = UsdPerMegawattHour(20);
    s.hashprice = UsdPerTerahashDay(0.05);
    return loop.Tick(now_, s);
  }
  static Watts Limit(FakeGpuNode& n, int i) { return *n.Read()->at(i).power_limit; }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  UtcTime now_ = At("2026-12-02T12:00:00Z");
  const Site site_ = FirmSite();
  FakeGpuNode a_{SixteenGpus()}, b_{SixteenGpus()};
};

TEST_F(ControlLoopGpuTest, FirmLoadAloneOverAnEventCapsTheTenantsGpusToFitAndCostsTheBreach) {
  Plant plant(site_);
  std::unique_ptr<ControlLoop> loop = Loop(plant);
  Result<TickReport> r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->sla_events.empty()) << "no limit is broken: firm AI is served in full";
  EXPECT_EQ(a_.set_calls() + b_.set_calls(), 0) << "nothing capped, nothing read or sent";

  ReduceTo(10);  // 10 kW against a 20 kW lease: firm load alone breaks it
  r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->sla_events.size(), 1u);
  const SlaEvent& e = r->sla_events[0];
  EXPECT_EQ(e.tenant, "inference");
  EXPECT_DOUBLE_EQ(e.demand_it.value(), 20e3);
  EXPECT_LT(e.served_it, e.demand_it);
  EXPECT_GT(e.served_it.value(), 32 * 200.0) << "the test wants a cap above the GPUs' floor";
  EXPECT_EQ(e.gpus_capped, 32u);
  EXPECT_EQ(r->gpus_capped, 32u);
  ASSERT_TRUE(e.cap.has_value());
  EXPECT_NEAR(e.cap->value(), e.served_it.value() / 32, 1.0);
  EXPECT_EQ(e.cap->value(), std::round(e.cap->value())) << "whole watts";
  EXPECT_LE(e.cap->value() * 32, e.served_it.value() + 1e-3);
  EXPECT_EQ(e.floor_short, Watts(0));
  Watts total{0};
  for (FakeGpuNode* n : {&a_, &b_}) {
    for (int i = 0; i < 16; ++i) {
      EXPECT_EQ(Limit(*n, i), *e.cap) << i;
      total += *n->Read()->at(i).power_draw;
    }
  }
  EXPECT_LE(total, e.served_it) << "the GPUs' draw fits what the policy serves";
  // Costed as the backtest costs a step: a quarter of ten seconds' rent.
  const double cost = LeaseShortfallUsd(site_.leases[0], e.demand_it, e.served_it, Hours(10.0 / 3600));
  EXPECT_GT(cost, 0);
  EXPECT_DOUBLE_EQ(e.cost_usd, cost);
  EXPECT_DOUBLE_EQ(e.cost_usd, 0.25 * 150 * 20 * (10.0 / 3600) / Hours(kAccountingMonth).count());
  EXPECT_EQ(store_->GpuCaps()->size(), 32u);

  const nlohmann::json tick = nlohmann::json::parse(store_->Ticks(1)->at(0).json);
  const nlohmann::json& sla = tick["sla_events"].at(0);
  EXPECT_EQ(sla["tenant"], "inference");
  EXPECT_EQ(sla["reason"], "firm-sla-breach");
  EXPECT_DOUBLE_EQ(sla["demand_kw"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(sla["served_kw"].get<double>(), e.served_it.kilowatts());
  EXPECT_EQ(sla["gpus_capped"], 32);
  EXPECT_DOUBLE_EQ(sla["cap_w"].get<double>(), e.cap->value());
  EXPECT_DOUBLE_EQ(sla["cost_usd"].get<double>(), cost);
  EXPECT_EQ(tick["gpus"]["capped"], 32);

  // The caps follow what the policy serves (the sleeping miners' draw, read
  // by the meter, leaves it less at the next tick); once that holds still, a
  // tick of the same event sends nothing again.
  r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(Limit(a_, 0).value(), r->sla_events.at(0).served_it.value() / 32, 1.0);
  const int sent = a_.set_calls() + b_.set_calls();
  r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(a_.set_calls() + b_.set_calls(), sent);
  EXPECT_EQ(r->gpus_capped, 32u);
  EXPECT_EQ(store_->GpuCaps()->at(0).before_w, 700) << "the limit before the loop's first cap, kept";
}

TEST_F(ControlLoopGpuTest, AnEventTooDeepForTheGpusFloorCapsAtTheFloorAndSaysWhatIsLeft) {
  Plant plant(site_);
  std::unique_ptr<ControlLoop> loop = Loop(plant);
  ReduceTo(3);
  Result<TickReport> r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->sla_events.size(), 1u);
  const SlaEvent& e = r->sla_events[0];
  EXPECT_EQ(e.cap, Watts(200)) << "clamped to the GPUs' min_limit";
  EXPECT_NEAR(e.floor_short.value(), 32 * 200 - e.served_it.value(), 1e-6);
  EXPECT_GT(e.floor_short.value(), 0);
  EXPECT_EQ(Limit(a_, 0), Watts(200));
}

TEST_F(ControlLoopGpuTest, CancellingRestoresOnlyTheGpusTheLoopCappedToTheirLimitBefore) {
  ASSERT_TRUE(a_.SetPowerLimit(3, Watts(220)).ok());  // an operator's cap, below the loop's
  ASSERT_TRUE(b_.SetPowerLimit(5, Watts(600)).ok());  // an operator's cap, above the loop's
  Plant plant(site_);
  std::unique_ptr<ControlLoop> loop = Loop(plant);
  const EventRow event = ReduceTo(10);
  Result<TickReport> r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->sla_events.size(), 1u);
  EXPECT_EQ(r->sla_events[0].gpus_capped, 31u) << "GPU 3 of node-a is below the loop's cap already";
  EXPECT_EQ(Limit(a_, 3), Watts(220));
  EXPECT_LT(Limit(b_, 5), Watts(600));
  const Watts cap = Limit(a_, 0);
  // The operator's 220 W leaves more for the rest: water-filled.
  EXPECT_NEAR(cap.value(), (r->sla_events[0].served_it.value() - 220) / 31, 1.0);
  EXPECT_GT(cap, Watts(r->sla_events[0].served_it.value() / 32)) << "more than an even share";

  ASSERT_TRUE(store_->CancelEvent(event.id, "test", now_).ok());
  r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->sla_events.empty());
  EXPECT_EQ(r->gpus_restored, 31u);
  EXPECT_EQ(r->gpus_capped, 0u);
  EXPECT_EQ(Limit(a_, 3), Watts(220)) << "the operator's cap stays";
  EXPECT_EQ(Limit(b_, 5), Watts(600)) << "restored to the operator's limit, not the default";
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(Limit(a_, i), i == 3 ? Watts(220) : Watts(700)) << i;
    EXPECT_EQ(Limit(b_, i), i == 5 ? Watts(600) : Watts(700)) << i;
  }
  EXPECT_TRUE(store_->GpuCaps()->empty());
  const int sent = a_.set_calls() + b_.set_calls();
  ASSERT_TRUE(Tick(*loop).ok());
  EXPECT_EQ(a_.set_calls() + b_.set_calls(), sent) << "nothing of the loop's left to restore";
}

TEST_F(ControlLoopGpuTest, ARestartInTheMiddleOfTheBreachStillRestoresTheCaps) {
  Plant plant(site_);
  EventRow event;
  {
    std::unique_ptr<ControlLoop> loop = Loop(plant);
    event = ReduceTo(10);
    Result<TickReport> r = Tick(*loop);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->gpus_capped, 32u);
  }
  EXPECT_LT(Limit(b_, 15), Watts(700));
  ASSERT_TRUE(store_->CancelEvent(event.id, "test", now_).ok());
  std::unique_ptr<ControlLoop> again = Loop(plant);
  Result<TickReport> r = Tick(*again);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->gpus_restored, 32u);
  for (FakeGpuNode* n : {&a_, &b_}) {
    for (int i = 0; i < 16; ++i) EXPECT_EQ(Limit(*n, i), Watts(700)) << i;
  }
}

TEST_F(ControlLoopGpuTest, AFailingGpuNodeNeitherStopsTheMinersNorTheOtherNodeAndIsRetried) {
  Plant plant(site_);
  std::unique_ptr<ControlLoop> loop = Loop(plant);
  ReduceTo(10);
  a_.FailNextCall(Status::IoError("`nvidia-smi` timed out after 10 s"));
  Result<TickReport> r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->slept, 0u) << "the miners are commanded all the same";
  EXPECT_NE(r->gpu_error.find("GPU node node-a: "), std::string::npos) << r->gpu_error;
  EXPECT_NE(r->gpu_error.find("timed out"), std::string::npos) << r->gpu_error;
  EXPECT_EQ(r->sla_events.at(0).gpus_capped, 16u) << "node-b is capped";
  EXPECT_EQ(Limit(a_, 0), Watts(700));
  EXPECT_LT(Limit(b_, 0), Watts(700));
  r = Tick(*loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->gpu_error.empty()) << r->gpu_error;
  EXPECT_EQ(r->gpus_capped, 32u) << "retried";
  EXPECT_LT(Limit(a_, 0), Watts(700));
}

// A node whose nvidia-smi reads but hangs on -pl (each call a deadline).
class HungCapNode : public GpuNode {
 public:
  explicit HungCapNode(FakeGpuNode& inner) : inner_(inner) {}
  Result<std::vector<GpuReading>> Read() override { return inner_.Read(); }
  Status SetPowerLimit(int, Watts) override {
    ++calls_;
    return Status::IoError("`nvidia-smi -pl` timed out after 10 s");
  }
  int calls() const { return calls_; }

 private:
  FakeGpuNode& inner_;
  int calls_ = 0;
};

TEST_F(ControlLoopGpuTest, ANodeHungOnItsCapsCostsOneCallATickNotOneAGpu) {
  Plant plant(site_);
  HungCapNode hung(a_);
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), LoopOptions{});
  loop.SetFirmGpuNodes({{"inference", "node-a", &hung}, {"inference", "node-b", &b_}});
  ReduceTo(10);
  Result<TickReport> r = Tick(loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(hung.calls(), 1) << "the node's other 15 GPUs wait for the next tick";
  EXPECT_NE(r->gpu_error.find("capping GPU 0 of node-a: "), std::string::npos) << r->gpu_error;
  EXPECT_EQ(r->sla_events.at(0).gpus_capped, 16u) << "node-b's";
  EXPECT_GT(r->slept, 0u);
  r = Tick(loop);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(hung.calls(), 2) << "tried again";
}

}  // namespace
}  // namespace mullet

namespace mullet {
namespace {

// The loop on its thread: a fleet gone silent and a meter that reads nothing
// are reported stale, loudly, while the loop keeps ticking.
TEST(LoopRunnerTest, ASilentFleetAndAMeterWithoutReadingsGoStaleLoudly) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_runner_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Site site = SmallSite();
  auto plant = std::make_unique<Plant>(site);
  Plant* p = plant.get();
  for (std::size_t i = 0; i < p->size(); ++i) p->SetSilent(i, true);
  p->SetMetered(false);
  LoopRunnerOptions o;
  o.loop.tick = Seconds(0.05);
  o.signals.price = UsdPerMegawattHour(20);
  o.signals.hashprice = UsdPerTerahashDay(0.05);
  o.sources["meter"].source = "test meter";
  LiveBoard board;
  std::ostringstream log;
  const std::vector<std::size_t> groups = p->GroupsOf();
  {
    LoopRunner runner(site, std::move(OpenSqliteStore(dir / "mullet.db")).value(), std::move(plant), groups, o, board,
                      log, [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); });
    ASSERT_TRUE(runner.Start().ok());
    for (int i = 0; i < 200 && board.Read().ticks < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    runner.Stop();
  }
  const LiveState s = board.Read();
  ASSERT_GE(s.ticks, 5u);
  EXPECT_EQ(s.tick_errors, 0u);
  EXPECT_TRUE(s.sources.at("fleet").stale);
  EXPECT_TRUE(s.sources.at("meter").stale);
  EXPECT_NE(log.str().find("FLEET SILENT"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("METER SILENT"), std::string::npos) << log.str();
  ASSERT_TRUE(s.last.has_value());
  EXPECT_EQ(s.last->silent, 100u);
  EXPECT_GT(s.last->expected_facility.value(), 300e3) << "silent miners count at their nameplate, not zero";
  fs::remove_all(dir);
}

// The loop on its thread with an operator's alert file: an alert in force
// now puts the miners to sleep, in the tick and the log; the file's health
// is a source of its own.
TEST(LoopRunnerTest, AnAlertInTheOperatorsFileIsActedOnAndSaid) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_runner_4cp_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Site site = SmallSite();
  FourCoincidentPeak cp;
  cp.rate_usd_per_kw_year = 50;
  cp.peaks = {At("2026-07-15T20:00:00Z")};
  cp.alert_rule.months = {};  // no alerts of the site file's own
  site.contract.four_cp = cp;
  const UtcTime now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::ofstream(dir / "alerts.csv") << "start_utc,end_utc\n"
                                    << FormatUtc(now - std::chrono::hours(1)) << ","
                                    << FormatUtc(now + std::chrono::hours(1)) << "\n";
  auto plant = std::make_unique<Plant>(site);
  Plant* p = plant.get();
  LoopRunnerOptions o;
  o.loop.tick = Seconds(0.05);
  o.signals.price = UsdPerMegawattHour(20);
  o.signals.hashprice = UsdPerTerahashDay(0.05);
  o.four_cp_alerts = std::make_shared<FourCpAlertFile>(dir / "alerts.csv", Seconds(0.05));
  LiveBoard board;
  std::ostringstream log;
  const std::vector<std::size_t> groups = p->GroupsOf();
  {
    LoopRunner runner(site, std::move(OpenSqliteStore(dir / "mullet.db")).value(), std::move(plant), groups, o, board,
                      log, [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); });
    ASSERT_TRUE(runner.Start().ok());
    for (int i = 0; i < 200 && board.Read().ticks < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    runner.Stop();
    for (std::size_t i = 0; i < p->size(); ++i) EXPECT_TRUE(p->asleep(i)) << i;  // the runner owns the plant
  }
  const LiveState s = board.Read();
  ASSERT_TRUE(s.last.has_value());
  EXPECT_EQ(s.last->four_cp_alert, "operator");
  EXPECT_EQ(s.last->running, (std::vector<int>{0, 0}));
  EXPECT_EQ(s.sources.at("four_cp_alerts").source, (dir / "alerts.csv").string());
  EXPECT_FALSE(s.sources.at("four_cp_alerts").stale);
  EXPECT_NE(log.str().find("4CP ALERT in force"), std::string::npos) << log.str();
  fs::remove_all(dir);
}

// A meter that stops reading is stale after three ticks. Named in
// safe_action_on, it calls for the safe action: under curtail the fleet
// sleeps, and the live state and the log say why. Not named, it is only
// said stale and the loop mines on its model.
TEST(LoopRunnerTest, AStaleMeterNamedForTheSafeActionCurtailsMiningAndIsSaid) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_runner_safe_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Site site = SmallSite();
  for (const bool named : {true, false}) {
    auto plant = std::make_unique<Plant>(site);
    plant->SetMetered(false);  // before the runner owns it: the meter never reads
    Plant* p = plant.get();
    LoopRunnerOptions o;
    o.loop.tick = Seconds(0.05);
    o.signals.price = UsdPerMegawattHour(20);
    o.signals.hashprice = UsdPerTerahashDay(0.05);
    o.sources["meter"].source = "modbus test";
    o.safe_action = SafeAction::kCurtail;
    o.safe_action_on = named ? std::set<std::string>{"price", "meter"} : std::set<std::string>{"price"};
    LiveBoard board;
    std::ostringstream log;
    const std::vector<std::size_t> groups = p->GroupsOf();
    {
      LoopRunner runner(site, std::move(OpenSqliteStore(dir / (named ? "a.db" : "b.db"))).value(), std::move(plant),
                        groups, o, board, log,
                        [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); });
      ASSERT_TRUE(runner.Start().ok());
      for (int i = 0; i < 1500 && board.Read().ticks < 6; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      runner.Stop();
    }
    const LiveState s = board.Read();
    ASSERT_GE(s.ticks, 6u) << "the runner did not tick six times in 30 s";
    ASSERT_TRUE(s.last.has_value());
    EXPECT_TRUE(s.sources.at("meter").stale);
    if (named) {
      EXPECT_EQ(s.last->running, (std::vector<int>{0, 0}));
      EXPECT_NE(s.safe_action.find("curtail: the meter is stale"), std::string::npos) << s.safe_action;
      EXPECT_NE(log.str().find("SAFE ACTION curtail: the meter is stale"), std::string::npos) << log.str();
      EXPECT_EQ(s.price_usd_per_mwh, kStalePriceUsdPerMwh);
    } else {
      EXPECT_EQ(s.last->running, (std::vector<int>{60, 40}));
      EXPECT_EQ(s.safe_action, "");
      EXPECT_NE(log.str().find("METER SILENT"), std::string::npos) << log.str();
      EXPECT_EQ(s.price_usd_per_mwh, 20);
    }
  }
  fs::remove_all(dir);
}

// The first confirm read after a tick's commands comes when their ramp ends
// (here at once: no ramp), not a whole confirm period later, so an event is
// confirmed as soon as the miners have done it.
TEST(LoopRunnerTest, TheFirstConfirmReadComesWhenTheRampEndsNotAPeriodLater) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_runner_ramp_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Site site = SmallSite();
  for (MinerGroup& g : site.miners) g.ramp_down = Seconds(0);
  auto plant = std::make_unique<Plant>(site);
  LoopRunnerOptions o;
  o.loop.tick = Seconds(60);   // one tick in this test
  o.confirm = Seconds(30);     // and a confirm period longer than it waits
  o.signals.price = UsdPerMegawattHour(5000);  // no miner pays: every one to sleep
  o.signals.hashprice = UsdPerTerahashDay(0.05);
  LiveBoard board;
  std::ostringstream log;
  const std::vector<std::size_t> groups = plant->GroupsOf();
  LoopRunner runner(site, std::move(OpenSqliteStore(dir / "mullet.db")).value(), std::move(plant), groups, o, board,
                    log, [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); });
  ASSERT_TRUE(runner.Start().ok());
  const auto began = std::chrono::steady_clock::now();
  std::size_t confirmed = 0;
  while (std::chrono::steady_clock::now() - began < std::chrono::seconds(20)) {
    const LiveState s = board.Read();
    confirmed = s.targets.contains("confirmed") ? s.targets.at("confirmed") : 0;
    if (confirmed == 100) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  runner.Stop();
  EXPECT_EQ(confirmed, 100u) << log.str();
  EXPECT_EQ(board.Read().ticks, 1u) << "confirmed by a confirm read, not by a second tick";
  fs::remove_all(dir);
}

// Between ticks the confirm read asks only for the miners whose command is
// in flight, confirms those it measured asleep, and leaves a silent one in
// flight (a second look, not a verdict); the store has the confirmed rows.
TEST_F(ControlLoopTest, AConfirmReadReadsOnlyTheCommandsInFlightAndConfirmsThemByMeasurement) {
  Plant plant(site_);
  LoopOptions o;
  o.max_commands = 10;
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), o);
  ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());
  EXPECT_EQ(loop.InFlight(), 0u);
  Result<ControlLoop::ConfirmReport> idle = loop.Confirm(now_);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->read, 0u) << "nothing in flight: nothing read";

  Event("reduce-to", 250);
  now_ += std::chrono::seconds(10);
  Result<TickReport> r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->slept, 10u);
  ASSERT_EQ(loop.InFlight(), 10u);
  std::vector<std::size_t> slept;
  for (std::size_t i = 0; i < plant.size(); ++i) {
    if (plant.asleep(i)) slept.push_back(i);
  }
  ASSERT_EQ(slept.size(), 10u);
  plant.SetSilent(slept.front(), true);

  Result<ControlLoop::ConfirmReport> c = loop.Confirm(now_ + std::chrono::seconds(1));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(plant.asked(), slept) << "only the ten in flight were read";
  EXPECT_EQ(c->read, 10u);
  EXPECT_EQ(c->answered, 9u);
  EXPECT_EQ(c->confirmed, 9u);
  EXPECT_EQ(c->in_flight, 1u) << "the silent one stays in flight";
  EXPECT_EQ(c->targets.at("confirmed"), 9u);
  EXPECT_EQ(c->targets.at("dispatched"), 1u);
  ASSERT_TRUE(c->site_meter.has_value());
  EXPECT_EQ(loop.InFlight(), 1u);

  Result<std::vector<TargetRow>> saved = store_->Targets();
  ASSERT_TRUE(saved.ok());
  std::size_t confirmed = 0;
  for (const TargetRow& t : *saved) confirmed += t.state == "confirmed" ? 1 : 0;
  EXPECT_EQ(confirmed, 9u) << "confirmations are stored as they are measured";
}

// A tick on the last sweep: nothing is read, the miners are counted as that
// sweep found them (a silent one stays silent), commands still go out, and
// no target moves until something is measured.
TEST_F(ControlLoopTest, ATickOnTheLastSweepReadsNothingAndStillCommands) {
  Plant plant(site_);
  LoopOptions o;
  o.max_commands = 10;
  ControlLoop loop(site_, *store_, plant, plant.GroupsOf(), o);
  plant.SetSilent(0, true);
  ASSERT_TRUE(loop.Tick(now_, Profitable()).ok());
  ASSERT_EQ(plant.sweeps(), 1);
  const std::size_t in_flight = loop.InFlight();
  plant.SetSilent(0, false);  // unseen until the next sweep
  Event("reduce-to", 250);
  now_ += std::chrono::seconds(2);
  Result<TickReport> r = loop.Tick(now_, Profitable(), /*sweep=*/false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(plant.sweeps(), 1) << "no sweep";
  EXPECT_FALSE(r->swept);
  EXPECT_EQ(r->silent, 1u) << "as the last sweep found it";
  EXPECT_EQ(r->answered, plant.size() - 1);
  EXPECT_EQ(r->slept, 10u) << "the event's commands left at once";
  EXPECT_EQ(loop.InFlight(), in_flight + 10) << "dispatched, not confirmed: nothing measured them";
  EXPECT_NE(TickJson(site_, *r).find("\"swept\":false"), std::string::npos);
  // Another, past every ramp: the ten count as asleep (in flight), not as
  // the last sweep saw them, so ten others are sent, not the same again.
  const int commands = plant.commands();
  now_ += std::chrono::seconds(600);
  r = loop.Tick(now_, Profitable(), /*sweep=*/false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(plant.commands(), commands + 10);
  EXPECT_EQ(loop.InFlight(), in_flight + 20) << "ten more, none sent twice";
  now_ += std::chrono::seconds(2);
  r = loop.Tick(now_, Profitable());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(plant.sweeps(), 2);
  EXPECT_TRUE(r->swept);
  EXPECT_EQ(r->silent, 0u);
  ASSERT_TRUE(r->targets.contains("confirmed"));
  EXPECT_GE(r->targets.at("confirmed"), 20u) << "the sweep measured the twenty asleep";
}

// A write through the API nudges the loop: it ticks at once instead of at its
// next turn (here an hour away), so an event acts within the second.
TEST(LoopRunnerTest, ANudgeTicksAtOnceSoAnEventDoesNotWaitForTheNextTick) {
  const fs::path dir = fs::temp_directory_path() / ("mullet_nudge_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Site site = SmallSite();
  auto plant = std::make_unique<Plant>(site);
  const Plant* seen = plant.get();  // owned by the runner below
  const std::vector<std::size_t> groups = plant->GroupsOf();
  int sweeps = 0;
  LoopRunnerOptions o;
  o.loop.tick = Seconds(3600);
  o.signals.price = UsdPerMegawattHour(20);
  o.signals.hashprice = UsdPerTerahashDay(0.05);
  LiveBoard board;
  std::ostringstream log;
  std::unique_ptr<Store> api_store = std::move(OpenSqliteStore(dir / "mullet.db")).value();
  {
    LoopRunner runner(site, std::move(OpenSqliteStore(dir / "mullet.db")).value(), std::move(plant), groups, o, board,
                      log, [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); });
    ASSERT_TRUE(runner.Start().ok());
    for (int i = 0; i < 200 && board.Read().ticks < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(board.Read().ticks, 1u) << "the first tick runs at once";
    EventSpec spec;
    spec.type = "reduce-to";
    spec.kw = 250;
    bool created = false;
    ASSERT_TRUE(api_store->AddEvent(spec, "api", "k1", "test", std::chrono::floor<std::chrono::seconds>(
                                                                       std::chrono::system_clock::now()),
                                    &created)
                    .ok());
    board.Nudge();
    for (int i = 0; i < 300 && board.Read().ticks < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    runner.Stop();
    sweeps = seen->sweeps();
  }
  board.Nudge();  // after Stop: nobody listens, nothing happens
  const LiveState s = board.Read();
  ASSERT_EQ(s.ticks, 2u) << "the nudge ticked once, an hour early";
  ASSERT_TRUE(s.last.has_value());
  ASSERT_TRUE(s.last->dr_limit.has_value());
  EXPECT_GT(s.last->slept, 0u) << "the event was acted on at the nudged tick";
  EXPECT_FALSE(s.last->swept) << "on the first tick's sweep, well within the period";
  EXPECT_EQ(sweeps, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mullet
