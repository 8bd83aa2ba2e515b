// The Whatsminer API V3 driver against the emulated fleet on loopback (label
// integration): reads, writes with tokens, faults; and ClassifyReply alone.

#include "drivers/whatsminer/whatsminer_driver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "core/asic/catalog.h"
#include "emulate/fleet.h"

namespace mullet::whatsminer {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A clock the test moves: the emulator's ramps happen when the test says so.
std::atomic<long long> g_offset_s{0};
UtcTime TestClock() {
  return *ParseUtcTimestamp("2024-07-01T00:00:00Z") + std::chrono::seconds(g_offset_s.load());
}

// Its own 127.x block per process (third octet 7: apart from fleet_test's).
std::string FirstAddress() { return "127." + std::to_string(20 + getpid() % 200) + ".7.1"; }

MinerCommand Command(MinerCommandKind kind, Watts power = Watts(0)) {
  MinerCommand c;
  c.kind = kind;
  c.power = power;
  c.profile = kind == MinerCommandKind::kSetProfile ? "eco" : "";
  return c;
}

AsicModel M60S() { return AsicCatalog::BuiltIn().Find("M60S").value(); }

class WhatsminerLiveTest : public ::testing::Test {
 protected:
  void Start(FleetOptions o) {
    g_offset_s = 0;
    o.first_address = FirstAddress();
    if (o.families.empty()) o.families = {FirmwareFamily::kWhatsminerV3};
    o.models = {M60S()};
    Result<std::unique_ptr<EmulatedFleet>> f = EmulatedFleet::Start(io_, o, TestClock);
    ASSERT_TRUE(f.ok()) << f.status().message();
    fleet_ = std::move(f).value();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<tcp::endpoint> V3Endpoints() {
    std::vector<tcp::endpoint> eps;
    for (std::size_t i = 0; i < fleet_->size(); ++i) eps.push_back(fleet_->v3_endpoint(i).value());
    return eps;
  }
  // Runs `command` on every miner at once through one RpcClient.
  std::vector<CommandOutcome> RunAll(const WhatsminerV3Driver& driver, const MinerCommand& command,
                                     Seconds deadline = Seconds(5)) {
    asio::io_context io;
    RpcOptions ro;
    ro.deadline = deadline;
    ro.framing = driver.framing();
    RpcClient client(io, ro);
    const std::vector<tcp::endpoint> eps = V3Endpoints();
    std::vector<CommandOutcome> out(eps.size());
    for (std::size_t i = 0; i < eps.size(); ++i) {
      driver.Run(client, eps[i], command, [&out, i](CommandOutcome o) { out[i] = std::move(o); });
    }
    io.run();
    return out;
  }
  // Reads miner state on the fleet's own thread, where the miners live.
  template <typename F>
  auto OnFleet(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  asio::io_context io_;
  std::unique_ptr<EmulatedFleet> fleet_;
  std::thread thread_;
};

TEST_F(WhatsminerLiveTest, ReadsEveryMinersSummary) {
  FleetOptions o;
  o.miners = 4;
  Start(o);
  const auto reads = ReadStatusAll(V3Endpoints(), RpcOptions{});
  for (std::size_t i = 0; i < reads.size(); ++i) {
    ASSERT_EQ(reads[i].state, "ok") << i << " " << reads[i].error;
    const StatusReading& s = *reads[i].reading;
    EXPECT_NEAR(s.hashrate.value() / 186, 1.0, 0.1) << i;
    EXPECT_NEAR(s.power->value() / 3441, 1.0, 0.05) << i;
    EXPECT_DOUBLE_EQ(s.power_limit->value(), 3441) << i;
    EXPECT_GT(s.elapsed->count(), 3000) << i;
  }
}

TEST_F(WhatsminerLiveTest, SetPowerRetunesAndStopStartSleepsAndWakes) {
  FleetOptions o;
  o.miners = 3;
  Start(o);
  const WhatsminerV3Driver driver;
  auto set = RunAll(driver, Command(MinerCommandKind::kSetPower, Watts(2800.4)));
  for (std::size_t i = 0; i < set.size(); ++i) {
    ASSERT_EQ(set[i].state, "ok") << i << " " << set[i].step << " " << set[i].error;
    EXPECT_EQ(set[i].step, "set.miner.power_limit");
    EXPECT_DOUBLE_EQ(set[i].applied->value(), 2800) << i;
    EXPECT_DOUBLE_EQ(OnFleet([&] { return fleet_->miner(i).target_power().value(); }), 2800) << i;
  }
  g_offset_s = 120;  // past the retune
  for (const StatusResult& r : ReadStatusAll(V3Endpoints(), RpcOptions{})) {
    ASSERT_EQ(r.state, "ok") << r.error;
    EXPECT_DOUBLE_EQ(r.reading->power_limit->value(), 2800);
    EXPECT_NEAR(r.reading->power->value(), 2800, 2);
  }

  for (const CommandOutcome& c : RunAll(driver, Command(MinerCommandKind::kSleep))) {
    EXPECT_EQ(c.state, "ok") << c.step << " " << c.error;
  }
  g_offset_s = 400;  // past the ramp down
  for (const StatusResult& r : ReadStatusAll(V3Endpoints(), RpcOptions{})) {
    ASSERT_EQ(r.state, "ok") << r.error;
    EXPECT_LT(r.reading->hashrate.value(), 0.5);
    EXPECT_LT(r.reading->power->value(), 100);
  }
  // The read advanced each miner to the test clock.
  for (std::size_t i = 0; i < fleet_->size(); ++i) {
    EXPECT_EQ(OnFleet([&] { return fleet_->miner(i).state(); }), MinerState::kSleeping) << i;
  }

  for (const CommandOutcome& c : RunAll(driver, Command(MinerCommandKind::kWake))) {
    EXPECT_EQ(c.state, "ok") << c.step << " " << c.error;
  }
  g_offset_s = 1000;  // past the ramp up
  for (const StatusResult& r : ReadStatusAll(V3Endpoints(), RpcOptions{})) {
    ASSERT_EQ(r.state, "ok") << r.error;
    EXPECT_GT(r.reading->hashrate.value(), 140);
    EXPECT_TRUE(r.reading->tuned);
  }
}

TEST_F(WhatsminerLiveTest, WrongPasswordIsAnErrorStatusNamingTheCode) {
  FleetOptions o;
  o.miners = 2;
  o.v3_password = "s3cret";
  Start(o);
  for (const CommandOutcome& c :
       RunAll(WhatsminerV3Driver("super"), Command(MinerCommandKind::kSleep))) {
    EXPECT_EQ(c.state, "error-status");
    EXPECT_EQ(c.step, "set.miner.service");
    EXPECT_NE(c.error.find("code -4"), std::string::npos) << c.error;
  }
  EXPECT_EQ(OnFleet([&] { return fleet_->miner(0).state(); }), MinerState::kRunning);
  for (const CommandOutcome& c :
       RunAll(WhatsminerV3Driver("s3cret"), Command(MinerCommandKind::kSleep))) {
    EXPECT_EQ(c.state, "ok") << c.error;
  }
}

TEST_F(WhatsminerLiveTest, AHungMinerTimesOutWhileTheOthersAnswer) {
  FleetOptions o;
  o.miners = 12;
  o.seed = 3;
  o.hang_share = 0.3;
  Start(o);
  RpcOptions ro;
  ro.deadline = Seconds(1);
  const auto reads = ReadStatusAll(V3Endpoints(), ro);
  const auto writes = RunAll(WhatsminerV3Driver(), Command(MinerCommandKind::kSleep), Seconds(1));
  int hung = 0, healthy = 0;
  for (std::size_t i = 0; i < reads.size(); ++i) {
    if (fleet_->fault_name(i) == "hang") {
      ++hung;
      EXPECT_EQ(reads[i].state, "timeout") << i;
      // The deadline bounds the wait (a bound, not a speed measurement).
      EXPECT_LT(reads[i].elapsed.count(), 4.0) << i;
      EXPECT_EQ(writes[i].state, "timeout") << i;
      EXPECT_EQ(writes[i].step, "get.device.info") << i;
    } else {
      ++healthy;
      EXPECT_EQ(reads[i].state, "ok") << i << " " << reads[i].error;
      EXPECT_EQ(writes[i].state, "ok") << i << " " << writes[i].error;
    }
  }
  ASSERT_GT(hung, 0) << "seed 3 should hang some of 12 miners";
  ASSERT_GT(healthy, 0);
}

TEST_F(WhatsminerLiveTest, MalformedRepliesAreBadRepliesOrClosedFrames) {
  FleetOptions o;
  o.miners = 24;
  o.malformed_share = 1;
  Start(o);
  const auto reads = ReadStatusAll(V3Endpoints(), RpcOptions{});
  int broken = 0;
  for (std::size_t i = 0; i < reads.size(); ++i) {
    const std::string fault = fleet_->fault_name(i);
    // Quirks keyed on cgminer's "Msg" or on lists of objects find nothing in a
    // V3 summary and leave it whole (README.md).
    const bool breaks = fault == "malformed:trailing_comma" || fault == "malformed:truncated" ||
                        fault == "malformed:bare_inf_nan";
    if (fault == "malformed:missing_nul") {
      ++broken;
      EXPECT_EQ(reads[i].state, "closed") << i << " " << reads[i].error;
    } else if (breaks) {
      ++broken;
      EXPECT_EQ(reads[i].state, "bad-reply") << i << " " << fault;
      EXPECT_EQ(reads[i].error, "reply is not JSON") << i;
    } else {
      EXPECT_EQ(reads[i].state, "ok") << i << " " << fault << " " << reads[i].error;
    }
  }
  EXPECT_GT(broken, 3);
}

TEST_F(WhatsminerLiveTest, OnlyWhatsminersListenOnTheV3Port) {
  FleetOptions o;
  o.miners = 2;
  o.families = {FirmwareFamily::kWhatsminerV3, FirmwareFamily::kBmminer};
  Start(o);
  ASSERT_TRUE(fleet_->v3_endpoint(0).has_value());
  EXPECT_EQ(fleet_->v3_endpoint(0)->port(), 4433);
  EXPECT_EQ(fleet_->v3_endpoint(0)->address(), fleet_->endpoint(0).address());
  EXPECT_FALSE(fleet_->v3_endpoint(1).has_value());
  // Profiles are unsupported and end without a request: nothing listens here.
  asio::io_context io;
  RpcOptions ro;
  ro.framing = RpcFraming::kLengthPrefixedLe32;
  RpcClient client(io, ro);
  CommandOutcome out;
  WhatsminerV3Driver().Run(client, tcp::endpoint(fleet_->endpoint(1).address(), 4433),
                           Command(MinerCommandKind::kSetProfile),
                           [&out](CommandOutcome c) { out = std::move(c); });
  io.run();
  EXPECT_EQ(out.state, "unsupported");
}

// A blocking client for the raw-socket tests, with a receive timeout so that a
// server that never answers fails the test instead of hanging it.
tcp::socket Connect(asio::io_context& io, const tcp::endpoint& at) {
  tcp::socket s(io);
  s.connect(at);
  const timeval five{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
  return s;
}
nlohmann::json ReadFrame(tcp::socket& s) {
  std::string prefix(4, '\0');
  asio::read(s, asio::buffer(prefix));
  const auto* b = reinterpret_cast<const unsigned char*>(prefix.data());
  std::string body(b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::size_t>(b[3]) << 24, '\0');
  asio::read(s, asio::buffer(body));
  return nlohmann::json::parse(body);
}

TEST_F(WhatsminerLiveTest, OneConnectionCarriesManyFramesAndHeartbeats) {
  FleetOptions o;
  o.miners = 1;
  Start(o);
  asio::io_context io;
  tcp::socket s = Connect(io, *fleet_->v3_endpoint(0));
  // Two requests and two heartbeats (empty frames) in one write.
  const std::string out = EncodeFrame("") + EncodeRead("get.device.info", "salt") +
                          EncodeFrame("") + EncodeRead("get.miner.status", "summary");
  asio::write(s, asio::buffer(out));
  const nlohmann::json salt = ReadFrame(s);
  EXPECT_EQ(salt["desc"], "get.device.info");
  EXPECT_EQ(salt["msg"]["salt"], fleet_->v3_auth(0).salt);
  EXPECT_EQ(ReadFrame(s)["desc"], "get.miner.status");
  asio::write(s, asio::buffer(EncodeRead("get.nothing")));
  EXPECT_EQ(ReadFrame(s)["code"], -2);
}

TEST_F(WhatsminerLiveTest, AFrameAboveTheLimitIsAnsweredThenClosed) {
  FleetOptions o;
  o.miners = 1;
  Start(o);
  asio::io_context io;
  tcp::socket s = Connect(io, *fleet_->v3_endpoint(0));
  asio::write(s, asio::buffer(std::string("\x00\x00\x02\x00{\"cmd\"", 10)));  // declares 128 KiB
  EXPECT_EQ(ReadFrame(s)["code"], -5);
  char byte;
  boost::system::error_code ec;
  s.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST(WhatsminerClassifyTest, NamesEachWayARequestCanEnd) {
  RpcReply r;
  r.outcome = RpcOutcome::kReply;
  r.bytes = R"({"code":0,"when":5,"msg":"ok","desc":"set.miner.service"})";
  Verdict v = ClassifyReply(r);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.reply.when, 5);
  r.bytes = R"({"code":-2,"msg":"invalid command"})";
  v = ClassifyReply(r);
  EXPECT_EQ(v.state, "error-status");
  EXPECT_EQ(v.error, "code -2 (invalid command): invalid command");
  r.bytes = "{\"code\":0,}";
  EXPECT_EQ(ClassifyReply(r).state, "bad-reply");
  r.outcome = RpcOutcome::kTimeout;
  EXPECT_EQ(ClassifyReply(r).state, "timeout");
  r.outcome = RpcOutcome::kClosedEarly;
  r.error = "the peer closed inside a length-prefixed frame (12 bytes)";
  EXPECT_EQ(ClassifyReply(r).state, "closed");
  r.outcome = RpcOutcome::kOtherError;
  r.error = "host unreachable";
  EXPECT_EQ(ClassifyReply(r).state, "error");
}

}  // namespace
}  // namespace mullet::whatsminer
