// The libmodbus driver against the Boost.Asio meter over loopback: two
// independent implementations of Modbus TCP checking each other, plus a meter
// that never answers (the deadline) and a port nobody listens on.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <mutex>
#include <functional>
#include <thread>

#include "core/asic/catalog.h"
#include "drivers/modbus/power_meter.h"
#include "emulate/miner.h"
#include "emulate/modbus_meter.h"
#include "emulate/test_miners.h"

namespace mullet::modbus {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using testing_miners::At;

// A meter server on 127.0.0.1, a free port, running on its own thread.
class MeterThread {
 public:
  explicit MeterThread(std::vector<MeterFeeder> feeders, ModbusMeterOptions options = {}) {
    Result<std::unique_ptr<ModbusMeterServer>> s =
        ModbusMeterServer::Start(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                 MeterRegisterMap(std::move(feeders)), options);
    EXPECT_TRUE(s.ok()) << s.status().message();
    if (s.ok()) server_ = std::move(s).value();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~MeterThread() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_->endpoint().port(); }

 private:
  asio::io_context io_;
  std::unique_ptr<ModbusMeterServer> server_;
  std::thread thread_;
};

PowerMeterOptions Options(std::uint16_t port, std::vector<MeterChannel> channels,
                          double timeout_s = 2) {
  PowerMeterOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.timeout = Seconds(timeout_s);
  o.channels = std::move(channels);
  return o;
}

MeterChannel Channel(int address, RegisterType type, WordOrder order = WordOrder::kAbcd,
                     double scale = 1, RegisterFunction function = RegisterFunction::kHolding,
                     int unit = 1) {
  MeterChannel c;
  c.unit_id = unit;
  c.function = function;
  c.address = address;
  c.format = {type, order, scale, 0};
  return c;
}

TEST(PowerMeterLiveTest, ReadsTheFeederPowerAndFollowsIt) {
  std::atomic<double> watts{12345.5};
  MeterThread meter({{"feeder", [&] { return watts.load(); }, {}, 240}});
  Result<PowerMeter> m =
      PowerMeter::Create(Options(meter.port(), {Channel(0, RegisterType::kFloat32)}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  Result<Watts> first = m->Read(0);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_DOUBLE_EQ(first->value(), 12345.5);
  watts = 70000.25;
  Result<Watts> second = m->Read(0);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_DOUBLE_EQ(second->value(), 70000.25);
}

TEST(PowerMeterLiveTest, EveryLayoutOfTheMapDecodesToTheSamePower) {
  MeterThread meter(
      {{"a", [] { return 1000.0; }, {}, 240}, {"b", [] { return 48210.0; }, {}, 240}});
  // Feeder b's block starts at 16: float ABCD, float CDAB, int32, uint16 in
  // 100 W, and the input-register table, in one connection.
  Result<PowerMeter> m = PowerMeter::Create(Options(
      meter.port(),
      {Channel(16, RegisterType::kFloat32), Channel(18, RegisterType::kFloat32, WordOrder::kCdab),
       Channel(20, RegisterType::kInt32), Channel(22, RegisterType::kUint16, WordOrder::kAbcd, 100),
       Channel(16, RegisterType::kFloat32, WordOrder::kAbcd, 1, RegisterFunction::kInput),
       Channel(0, RegisterType::kFloat32)}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  Result<std::vector<Watts>> all = m->ReadAll();
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 6u);
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR((*all)[i].value(), 48210.0, i == 3 ? 50.0 : 1e-9) << "channel " << i;
  EXPECT_DOUBLE_EQ((*all)[5].value(), 1000.0);
}

TEST(PowerMeterLiveTest, ARegisterOutsideTheMapIsAnErrorNamingIt) {
  MeterThread meter({{"feeder", [] { return 1.0; }, {}, 240}});
  Result<PowerMeter> m =
      PowerMeter::Create(Options(meter.port(), {Channel(16, RegisterType::kFloat32)}));
  ASSERT_TRUE(m.ok());
  Result<Watts> r = m->Read(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(meter.port())), std::string::npos) << msg;
  EXPECT_NE(msg.find("unit 1 holding register 16"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Illegal data address"), std::string::npos) << msg;
}

TEST(PowerMeterLiveTest, AnotherUnitIdIsRefusedByTheMeter) {
  MeterThread meter({{"feeder", [] { return 1.0; }, {}, 240}});
  Result<PowerMeter> m = PowerMeter::Create(Options(
      meter.port(),
      {Channel(0, RegisterType::kFloat32, WordOrder::kAbcd, 1, RegisterFunction::kHolding, 2)}));
  ASSERT_TRUE(m.ok());
  Result<Watts> r = m->Read(0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unit 2"), std::string::npos) << r.status().message();
}

TEST(PowerMeterLiveTest, AMeterThatNeverAnswersTimesOutWithinTheDeadline) {
  // Accepts, reads the request and holds the connection without a reply,
  // until the driver gives up and closes it.
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::thread silent([&] {
    tcp::socket s = acceptor.accept();
    std::array<char, 64> buf;
    boost::system::error_code ec;
    while (!ec) s.read_some(asio::buffer(buf), ec);
  });
  constexpr double kDeadlineS = 0.5;
  Result<PowerMeter> m = PowerMeter::Create(
      Options(acceptor.local_endpoint().port(), {Channel(0, RegisterType::kFloat32)}, kDeadlineS));
  ASSERT_TRUE(m.ok());
  const auto start = std::chrono::steady_clock::now();
  Result<Watts> r = m->Read(0);
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  silent.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  // A correctness bound, not a speed figure: the call waited for the meter,
  // and returned well before an unbounded wait would have.
  EXPECT_GE(elapsed_s, 0.8 * kDeadlineS);
  EXPECT_LT(elapsed_s, 3 * kDeadlineS);
}

TEST(PowerMeterLiveTest, NobodyListeningIsAConnectError) {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed: the port is free again, and nothing listens on it
  Result<PowerMeter> m = PowerMeter::Create(Options(port, {Channel(0, RegisterType::kFloat32)}));
  ASSERT_TRUE(m.ok());
  Result<Watts> r = m->Read(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("connect: Connection refused"), std::string::npos)
      << r.status().message();
}

// The server side of the deadline: a client that sends nothing, or half a
// request, is dropped after request_limit; one that sends a bad frame at once.
TEST(PowerMeterLiveTest, TheMeterDropsIdleHalfSentAndBadClients) {
  ModbusMeterOptions o;
  o.request_limit = Seconds(0.2);
  MeterThread meter({{"feeder", [] { return 1.0; }, {}, 240}}, o);
  const std::string half("\x00\x01\x00\x00\x00\x06\x01", 7);
  const std::string bad("\x00\x01\x00\x07\x00\x06\x01\x03\x00\x00\x00\x02", 12);
  for (const std::string& sent : {std::string(), half, bad}) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), meter.port()));
    if (!sent.empty()) asio::write(s, asio::buffer(sent));
    // If the meter never closes, the read fails after 5 s instead of hanging.
    const timeval give_up{5, 0};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &give_up, sizeof give_up);
    std::array<char, 16> buf;
    boost::system::error_code ec;
    // Blocks until the meter closes: end of file, never a reply.
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    EXPECT_EQ(ec, asio::error::eof) << sent.size() << " bytes sent: " << ec.message();
    EXPECT_EQ(n, 0u);
  }
}

// Finding 10 of the hostile-peer probe: 64 idle connections locked every
// other client out of the emulated meter for request_limit (30 s). At the
// limit the least recently active connection now makes room.
TEST(PowerMeterLiveTest, IdleConnectionsCannotLockTheMeterOut) {
  ModbusMeterOptions o;
  o.request_limit = Seconds(30);
  o.max_connections = 8;
  MeterThread meter({{"feeder", [] { return 1.5e6; }, {}, 240}}, o);
  asio::io_context io;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 20; ++i) {
    idle.emplace_back(io);
    idle.back().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), meter.port()));
  }
  Result<PowerMeter> m = PowerMeter::Create(Options(meter.port(), {Channel(0, RegisterType::kFloat32)}));
  ASSERT_TRUE(m.ok());
  const auto start = std::chrono::steady_clock::now();
  Result<Watts> r = m->Read(0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->value(), 1.5e6);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Finding 9 of the hostile-peer probe: libmodbus took a reply from another
// unit id (a gateway answering for the meter beside it) as this meter's. A
// meter that answers as another unit, for another request or another
// function, or with too few bytes is refused now, by name.
TEST(PowerMeterLiveTest, AReplyFromAnotherUnitRequestOrFunctionIsRefused) {
  struct Case {
    const char* name;
    std::function<void(std::array<std::uint8_t, 12>&, std::vector<std::uint8_t>&)> lie;
    const char* expect;
  };
  const Case cases[] = {
      {"unit", [](auto&, auto& reply) { reply[6] = 7; }, "a reply from unit id 7, asked 1: refused"},
      {"transaction", [](auto&, auto& reply) { reply[1] ^= 0x55; }, "a reply to another request"},
      {"function", [](auto&, auto& reply) { reply[7] = 0x04; }, "a reply for function 4, asked 3"},
      {"short", [](auto&, auto& reply) {
         reply[8] = 2;
         reply.resize(11);
         reply[5] = 5;
       }, "short reply"},
  };
  for (const Case& c : cases) {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::thread liar([&] {
      tcp::socket s(io);
      acceptor.accept(s);
      std::array<std::uint8_t, 12> req{};
      asio::read(s, asio::buffer(req));
      // A true reply of two registers holding float32 1.0, then the lie.
      std::vector<std::uint8_t> reply = {req[0], req[1], 0, 0, 0, 7, req[6], req[7], 4, 0x3f, 0x80, 0, 0};
      c.lie(req, reply);
      boost::system::error_code ec;
      asio::write(s, asio::buffer(reply), ec);
      std::array<char, 1> rest;
      s.read_some(asio::buffer(rest), ec);  // until the client closes
    });
    Result<PowerMeter> m =
        PowerMeter::Create(Options(acceptor.local_endpoint().port(), {Channel(0, RegisterType::kFloat32)}, 1));
    ASSERT_TRUE(m.ok());
    Result<Watts> r = m->Read(0);
    liar.join();
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError) << c.name;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << c.name << ": " << r.status().message();
  }
}

TEST(PowerMeterLiveTest, BadOptionsNameTheField) {
  EXPECT_FALSE(PowerMeter::Create(Options(502, {})).ok());
  EXPECT_FALSE(PowerMeter::Create(Options(502, {Channel(0, RegisterType::kFloat32)}, 0)).ok());
  Result<PowerMeter> unit = PowerMeter::Create(Options(
      502,
      {Channel(0, RegisterType::kFloat32, WordOrder::kAbcd, 1, RegisterFunction::kHolding, 250)}));
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.status().message().find("unit id"), std::string::npos) << unit.status().message();
  EXPECT_FALSE(PowerMeter::Create(Options(502, {Channel(65535, RegisterType::kFloat32)})).ok());
  EXPECT_TRUE(PowerMeter::Create(Options(502, {Channel(65535, RegisterType::kUint16)})).ok());
}

// Real miners behind the meter on a clock the test drives: the meter reads
// their true draw, and follows their ramp down after Sleep.
TEST(PowerMeterLiveTest, ReportsTheSumOfRealMinersAndFollowsTheirRampDown) {
  const AsicCatalog catalog = AsicCatalog::BuiltIn();
  std::mutex mu;  // the miners are touched by the meter's thread and this one
  std::atomic<int> clock_s{0};
  std::vector<EmulatedMiner> miners;
  for (const char* name : {"S19j Pro", "S21", "S19 XP"}) {
    MinerOptions o;
    o.model = *catalog.Find(name);
    o.family = FirmwareFamily::kBmminer;  // ramps down in 30 s
    o.id = name;
    o.seed = miners.size() + 1;
    o.start = At(0);
    Result<EmulatedMiner> m = EmulatedMiner::Create(o);
    ASSERT_TRUE(m.ok()) << m.status().message();
    miners.push_back(std::move(m).value());
  }
  auto total = [&] {  // as the emulator wires it: advance to now, then sum
    std::lock_guard lock(mu);
    double w = 0;
    for (EmulatedMiner& m : miners) {
      m.AdvanceTo(At(clock_s));
      w += m.power().value();
    }
    return w;
  };
  MeterThread meter({{"miners", total, {}, 240}});
  Result<PowerMeter> pm =
      PowerMeter::Create(Options(meter.port(), {Channel(0, RegisterType::kFloat32)}));
  ASSERT_TRUE(pm.ok());

  clock_s = 5;
  Result<Watts> full = pm->Read(0);
  ASSERT_TRUE(full.ok()) << full.status().message();
  EXPECT_NEAR(full->value(), total(), 0.01);
  EXPECT_GT(full->value(), 0.9 * (3050 + 3500 + 3010));  // nameplates: all three hashing

  {
    std::lock_guard lock(mu);
    for (EmulatedMiner& m : miners) m.Sleep(At(10));
  }
  const double asleep_w = 3 * 25;
  const double down_s = miners[0].ramps().down.count();
  clock_s = 10 + static_cast<int>(down_s / 2);
  Result<Watts> half = pm->Read(0);
  ASSERT_TRUE(half.ok()) << half.status().message();
  EXPECT_LT(half->value(), full->value());
  EXPECT_GT(half->value(), asleep_w);
  EXPECT_NEAR(half->value(), (full->value() + asleep_w) / 2, 0.01 * full->value());  // linear ramp

  clock_s = 10 + static_cast<int>(down_s) + 1;
  Result<Watts> asleep = pm->Read(0);
  ASSERT_TRUE(asleep.ok()) << asleep.status().message();
  EXPECT_NEAR(asleep->value(), asleep_w, 0.01);
}

}  // namespace
}  // namespace mullet::modbus
