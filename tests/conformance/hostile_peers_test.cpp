// The hostile-peer suite: peers that lie, nest, overflow, hang or send
// types nobody expects, mixed among good emulated miners on real loopback
// sockets. Whatever they send: no crash, every good miner commanded within
// the deadline and left as the command says, every hostile peer named with
// the step it broke, and nothing a hostile peer's session changed left
// changed (ATM back on, the session released).

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "conformance/scripted_peer.h"
#include "drivers/miner/fleet_control.h"
#include "drivers/transport/rpc_client.h"
#include "drivers/whatsminer/whatsminer_driver.h"
#include "emulate/fleet.h"

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;
using testing::LuxOk;
using testing::Nested;
using testing::ScriptedPeer;

UtcTime FixedClock() { return *ParseUtcTimestamp("2024-07-01T00:00:00Z"); }
std::string Block() { return "127." + std::to_string(20 + getpid() % 200) + ".140."; }

// A LuxOS miner that is correct in every step but `bad_step`, where it says
// `bad_reply`.
ScriptedPeer::Script LuxosExceptAt(std::string bad_step, std::string bad_reply) {
  return [bad_step, bad_reply](const std::string& command, const std::string&) -> std::string {
    if (command == bad_step) return bad_reply;
    if (command == "logon") return LuxOk({{"SESSION", {{{"SessionID", "hostile1"}}}}});
    if (command == "atm") return LuxOk({{"ATM", {{{"Enabled", true}}}}});
    if (command == "profiles") {
      return LuxOk({{"PROFILES", {{{"Profile Name", "eco"}, {"Watts", 2600}}, {{"Profile Name", "turbo"}, {"Watts", 3600}}}}});
    }
    return LuxOk();
  };
}

class HostilePeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions o;
    o.miners = 60;
    o.first_address = Block() + "1";
    o.families = {FirmwareFamily::kLuxos};
    Result<std::unique_ptr<EmulatedFleet>> f = EmulatedFleet::Start(io_, o, FixedClock);
    ASSERT_TRUE(f.ok()) << f.status().message();
    fleet_ = std::move(f).value();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    thread_.join();
  }
  // The good miners, then the hostile peers, interleaved every 10th place.
  std::vector<tcp::endpoint> Mixed(const std::vector<ScriptedPeer*>& hostile) const {
    std::vector<tcp::endpoint> eps;
    std::size_t h = 0;
    for (std::size_t i = 0; i < fleet_->size(); ++i) {
      eps.push_back(fleet_->endpoint(i));
      if (i % 10 == 9 && h < hostile.size()) eps.push_back(hostile[h++]->endpoint());
    }
    for (; h < hostile.size(); ++h) eps.push_back(hostile[h]->endpoint());
    return eps;
  }
  const ControlResult& At(const std::vector<ControlResult>& r, const tcp::endpoint& e) const {
    for (const ControlResult& c : r) {
      if (c.at == e) return c;
    }
    ADD_FAILURE() << "no result for " << e;
    return r.front();
  }
  void ExpectGoodMinersDone(const std::vector<ControlResult>& r, const std::string& profile) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the io thread idles
    for (std::size_t i = 0; i < fleet_->size(); ++i) {
      const ControlResult& c = At(r, fleet_->endpoint(i));
      EXPECT_EQ(c.outcome.state, "ok") << i << ": " << c.outcome.step << ": " << c.outcome.error;
      EmulatedMiner& m = fleet_->miner(i);
      EXPECT_EQ(m.active_profile(), profile) << i;
      EXPECT_TRUE(m.atm_enabled()) << i;
      EXPECT_FALSE(m.ActiveSession(FixedClock()).has_value()) << i << ": session left open";
    }
  }

  asio::io_context io_;
  std::unique_ptr<EmulatedFleet> fleet_;
  std::thread thread_;
};

TEST_F(HostilePeersTest, LyingLuxosRepliesAreNamedAndTheirSessionsReleased) {
  const std::string at = Block() + "200";
  // Finding 1: ATM's Enabled as a string, ATM as a number (both once aborted
  // the whole command); then a reply nested 60,000 levels deep (finding 2's
  // shape) where the profile is set, after ATM was switched off.
  ScriptedPeer text_bool(at, LuxosExceptAt("atm", LuxOk({{"ATM", {{{"Enabled", "true"}}}}})));
  ScriptedPeer number_atm(at, LuxosExceptAt("atm", LuxOk({{"ATM", {5}}})));
  ScriptedPeer deep(at, LuxosExceptAt("profileset", Nested(60000)));
  ScriptedPeer not_json(at, LuxosExceptAt("atm", "\x1b]0;owned\x07{\"ATM\":"));
  ScriptedPeer hung(at, LuxosExceptAt("atm", testing::kHang));
  const std::vector<ScriptedPeer*> hostile{&text_bool, &number_atm, &deep, &not_json, &hung};

  RpcOptions options;
  options.deadline = Seconds(1.0);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<ControlResult> r = CommandFleetWith(
      DriverForFamily("luxminer"), Mixed(hostile), {.kind = MinerCommandKind::kSetProfile, .profile = "turbo"}, options);
  // Every peer's steps run at once: the hung one costs its own deadlines only.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ExpectGoodMinersDone(r, "turbo");

  for (ScriptedPeer* p : {&text_bool, &number_atm, &not_json}) {
    const ControlResult& c = At(r, p->endpoint());
    EXPECT_EQ(c.outcome.state, "bad-reply") << c.outcome.error;
    EXPECT_EQ(c.outcome.step, "atm") << c.outcome.error;
    EXPECT_FALSE(p->Received("atmset hostile1,enabled=false")) << "nothing is switched on a reply it cannot read";
    EXPECT_FALSE(p->Received("profileset hostile1,turbo"));
    EXPECT_TRUE(p->Received("logoff hostile1")) << "the session is released";
  }
  EXPECT_NE(At(r, text_bool.endpoint()).outcome.error.find("ATM[0].Enabled is not true or false"), std::string::npos);

  const ControlResult& d = At(r, deep.endpoint());
  EXPECT_EQ(d.outcome.state, "bad-reply");
  EXPECT_EQ(d.outcome.step, "profileset");
  EXPECT_NE(d.outcome.error.find("nests deeper than 64"), std::string::npos) << d.outcome.error;
  const std::vector<std::string> steps = deep.commands();
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[steps.size() - 2], "atmset hostile1,enabled=true") << "ATM is put back on";
  EXPECT_EQ(steps.back(), "logoff hostile1");

  const ControlResult& h = At(r, hung.endpoint());
  EXPECT_EQ(h.outcome.state, "timeout") << h.outcome.error;
  EXPECT_EQ(h.outcome.step, "atm");
}

TEST_F(HostilePeersTest, ImplausibleProfilesAreRefusedNotApplied) {
  const std::string at = Block() + "201";
  ScriptedPeer negative(at, LuxosExceptAt("profiles", LuxOk({{"PROFILES", {{{"Profile Name", "x"}, {"Watts", -5e300}}}}})));
  ScriptedPeer comma(at, LuxosExceptAt("profiles", LuxOk({{"PROFILES", {{{"Profile Name", "a,enabled=true"}, {"Watts", 3000}}}}})));
  const std::vector<ScriptedPeer*> hostile{&negative, &comma};
  RpcOptions options;
  options.deadline = Seconds(1.0);
  const std::vector<ControlResult> r = CommandFleetWith(
      DriverForFamily("luxminer"), Mixed(hostile), {.kind = MinerCommandKind::kSetPower, .power = Watts(3000)}, options);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (std::size_t i = 0; i < fleet_->size(); ++i) {
    EXPECT_EQ(At(r, fleet_->endpoint(i)).outcome.state, "ok") << i << ": " << At(r, fleet_->endpoint(i)).outcome.error;
  }
  const ControlResult& n = At(r, negative.endpoint());
  EXPECT_EQ(n.outcome.state, "bad-reply");
  EXPECT_EQ(n.outcome.step, "profiles");
  EXPECT_NE(n.outcome.error.find("is not a miner's power"), std::string::npos) << n.outcome.error;
  EXPECT_FALSE(n.outcome.applied.has_value());
  EXPECT_TRUE(negative.Received("logoff hostile1"));
  EXPECT_NE(At(r, comma.endpoint()).outcome.error.find("cannot be sent back"), std::string::npos);
  EXPECT_FALSE(comma.Received("profileset hostile1,a,enabled=true"));
}

// Whatsminer API V3 (length-prefixed JSON on 4433): hostile peers among 30
// good emulated miners, for a write (salt, then the signed command) and a read.
TEST(HostileV3PeersTest, LyingV3PeersAreNamedAndTheGoodMinersCommanded) {
  asio::io_context fleet_io;
  FleetOptions o;
  o.miners = 30;
  o.first_address = Block() + "150";
  o.families = {FirmwareFamily::kWhatsminerV3};
  Result<std::unique_ptr<EmulatedFleet>> f = EmulatedFleet::Start(fleet_io, o, FixedClock);
  ASSERT_TRUE(f.ok()) << f.status().message();
  std::thread fleet_thread([&fleet_io] { fleet_io.run(); });
  const std::string at = Block() + "203";
  const auto salt_then = [](std::string bad_salt_reply) {
    return [bad_salt_reply](const std::string& cmd, const std::string&) -> std::string {
      if (cmd == "get.device.info") return bad_salt_reply;
      return R"({"code":0,"when":1719792000,"msg":"ok","desc":")" + cmd + "\"}";
    };
  };
  ScriptedPeer deep(at, salt_then(R"({"code":0,"msg":)" + Nested(60000) + "}"), true);
  ScriptedPeer huge_length(at, salt_then(testing::kRaw + std::string("\xff\xff\xff\x7f{\"code\":0}")), true);
  ScriptedPeer salt_type(at, salt_then(R"({"code":0,"when":1,"msg":{"salt":5}})"), true);
  ScriptedPeer hung(at, salt_then(testing::kHang), true);
  std::vector<tcp::endpoint> eps;
  for (std::size_t i = 0; i < (*f)->size(); ++i) eps.push_back((*f)->v3_endpoint(i).value());
  const std::vector<ScriptedPeer*> hostile{&deep, &huge_length, &salt_type, &hung};
  for (ScriptedPeer* p : hostile) eps.push_back(p->endpoint());
  RpcOptions options;
  options.deadline = Seconds(1.0);
  const std::vector<ControlResult> r = CommandFleetWith(
      whatsminer::WhatsminerV3Driver("super"), eps, {.kind = MinerCommandKind::kSetPower, .power = Watts(3000)},
      options);
  for (std::size_t i = 0; i < (*f)->size(); ++i) {
    EXPECT_EQ(r[i].outcome.state, "ok") << i << ": " << r[i].outcome.step << ": " << r[i].outcome.error;
  }
  const std::size_t n = (*f)->size();
  EXPECT_EQ(r[n].outcome.state, "bad-reply") << r[n].outcome.error;
  EXPECT_NE(r[n].outcome.error.find("nests deeper than 64"), std::string::npos) << r[n].outcome.error;
  EXPECT_NE(r[n + 1].outcome.state, "ok");
  EXPECT_NE(r[n + 1].outcome.error.find("frame length 2147483647 above"), std::string::npos) << r[n + 1].outcome.error;
  EXPECT_EQ(r[n + 2].outcome.state, "bad-reply") << r[n + 2].outcome.error;
  EXPECT_NE(r[n + 2].outcome.error.find("msg.salt"), std::string::npos) << r[n + 2].outcome.error;
  EXPECT_EQ(r[n + 3].outcome.state, "timeout") << r[n + 3].outcome.error;
  for (std::size_t k = 0; k < hostile.size(); ++k) {
    EXPECT_EQ(r[n + k].outcome.step, "get.device.info") << k;
    EXPECT_FALSE(hostile[k]->Received("set.miner.power_limit")) << k;
  }
  // Reads too: the hostile peers named, the good ones read.
  const std::vector<whatsminer::StatusResult> reads = whatsminer::ReadStatusAll(eps, options);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(reads[i].state, "ok") << i << ": " << reads[i].error;
  for (std::size_t k = 0; k < hostile.size(); ++k) EXPECT_NE(reads[n + k].state, "ok") << k;
  fleet_io.stop();
  fleet_thread.join();
}

// Braiins OS+ (one step, `pause` or `resume`, on the cgminer framing):
// hostile peers among 40 good emulated miners, for a sleep and a wake.
TEST(HostileBraiinsPeersTest, LyingPeersAreNamedAndTheGoodMinersPausedAndResumed) {
  asio::io_context fleet_io;
  FleetOptions o;
  o.miners = 40;
  o.first_address = Block() + "100";
  o.families = {FirmwareFamily::kBraiins};
  Result<std::unique_ptr<EmulatedFleet>> f = EmulatedFleet::Start(fleet_io, o, FixedClock);
  ASSERT_TRUE(f.ok()) << f.status().message();
  std::thread fleet_thread([&fleet_io] { fleet_io.run(); });
  const std::string at = Block() + "204";
  const auto always = [](std::string reply) {
    return [reply](const std::string&, const std::string&) { return reply; };
  };
  ScriptedPeer deep(at, always(Nested(60000)));
  ScriptedPeer status_type(at, always(R"({"STATUS":5,"PAUSE":[{"Paused":true}]})"));
  ScriptedPeer screen(at, always(R"({"STATUS":[{"STATUS":"E","Code":14,"Msg":"\u001b]0;owned\u0007\r\nFAKE 127.0.0.1 ok"}]})"));
  ScriptedPeer huge(at, always(R"({"STATUS":[{"STATUS":"S","Msg":")" + std::string(1 << 20, 'x') + "\"}]}"));
  ScriptedPeer hung(at, always(testing::kHang));
  ScriptedPeer silent(at, always(""));
  const std::vector<ScriptedPeer*> hostile{&deep, &status_type, &screen, &huge, &hung, &silent};
  std::vector<tcp::endpoint> eps;
  for (std::size_t i = 0; i < (*f)->size(); ++i) eps.push_back((*f)->endpoint(i));
  for (ScriptedPeer* p : hostile) eps.push_back(p->endpoint());
  RpcOptions options;
  options.deadline = Seconds(1.0);
  const std::size_t n = (*f)->size();
  for (MinerCommandKind kind : {MinerCommandKind::kSleep, MinerCommandKind::kWake}) {
    const std::string verb = kind == MinerCommandKind::kSleep ? "pause" : "resume";
    const auto start = std::chrono::steady_clock::now();
    const std::vector<ControlResult> r = CommandFleetWith(DriverForFamily("bosminer"), eps, {.kind = kind}, options);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << verb;
    ASSERT_EQ(r.size(), n + hostile.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(r[i].outcome.state, "ok") << verb << " " << i << ": " << r[i].outcome.error;
      EXPECT_EQ((*f)->miner(i).sleep_requested(), kind == MinerCommandKind::kSleep) << verb << " " << i;
    }
    for (std::size_t k = 0; k < hostile.size(); ++k) {
      EXPECT_EQ(r[n + k].outcome.step, verb) << k;
      EXPECT_NE(r[n + k].outcome.state, "ok") << k;
      EXPECT_TRUE(hostile[k]->Received(verb)) << k;
    }
    EXPECT_EQ(r[n].outcome.state, "bad-reply");
    EXPECT_NE(r[n].outcome.error.find("nests deeper than 64"), std::string::npos) << r[n].outcome.error;
    EXPECT_EQ(r[n + 1].outcome.state, "bad-reply");
    EXPECT_NE(r[n + 1].outcome.error.find("STATUS is not a string: '5'"), std::string::npos) << r[n + 1].outcome.error;
    // The miner's words come back escaped: nothing a terminal would act on.
    const std::string& said = r[n + 2].outcome.error;
    EXPECT_EQ(r[n + 2].outcome.state, "error-status") << said;
    EXPECT_EQ(said.find_first_of("\x1b\x07\r\n"), std::string::npos) << said;
    EXPECT_NE(said.find("Code 14: \\x1b]0;owned\\x07\\r\\nFAKE"), std::string::npos) << said;
    EXPECT_EQ(r[n + 3].outcome.state, "error") << r[n + 3].outcome.error;
    EXPECT_EQ(r[n + 4].outcome.state, "timeout") << r[n + 4].outcome.error;
    EXPECT_EQ(r[n + 5].outcome.state, "closed") << r[n + 5].outcome.error;
  }
  fleet_io.stop();
  fleet_thread.join();
}

// The barrier at the transport: a reader that throws hurts its own device
// only; the others finish and the thrower is named.
TEST(TransportBarrierTest, AReaderThatThrowsIsCaughtAndNamed) {
  const std::string at = Block() + "202";
  ScriptedPeer a(at, [](const std::string&, const std::string&) { return LuxOk(); });
  ScriptedPeer b(at, [](const std::string&, const std::string&) { return LuxOk(); });
  asio::io_context io;
  RpcOptions options;
  options.max_in_flight = 1;  // a slot a throwing reader once kept for good
  RpcClient client(io, options);
  int finished = 0;
  client.Send(a.endpoint(), "{\"command\":\"summary\"}", [](RpcReply) { throw std::runtime_error("type_error 302"); });
  client.Send(b.endpoint(), "{\"command\":\"summary\"}", [&finished](RpcReply r) {
    EXPECT_EQ(r.outcome, RpcOutcome::kReply);
    ++finished;
  });
  EXPECT_NO_THROW(io.run());
  EXPECT_EQ(finished, 1);
  ASSERT_EQ(client.failures().size(), 1u);
  EXPECT_EQ(client.failures()[0].at, a.endpoint());
  EXPECT_EQ(client.FailureAt(a.endpoint()), "reading its reply failed: type_error 302");
  EXPECT_EQ(client.in_flight(), 0u);
}

}  // namespace
}  // namespace mullet
