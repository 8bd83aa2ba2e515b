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
