// `mullet data refresh-bitcoin`'s engine against a fake Bitcoin Core node: a
// JSON-RPC server on loopback serving a chain defined here (a block every
// 600 s from the data directory's last epoch, three compact targets, fees by
// height), so the expected rows are computed from that definition, not from
// the code under test.

#include "data/bitcoin_refresh.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/chain/difficulty.h"
#include "core/chain/subsidy.h"
#include "data/history.h"

namespace mullet {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

constexpr int kH0 = 2016 * 436;  // the data directory's last epoch starts here
const UtcTime kT0 = *ParseUtcTimestamp("2025-01-12T00:00:00Z");
constexpr int kTip = kH0 + 2 * 2016 + 50;
constexpr std::uint32_t kBits[] = {0x1702905c, 0x17028c61, 0x170283f5};

UtcTime TimeOf(int h) { return kT0 + std::chrono::seconds(600LL * (h - kH0)); }
// The epoch of height h counted from kH0 (floor division: heights below kH0,
// which the client's search visits, are in earlier epochs).
int EpochOf(int h) { return h >= kH0 ? (h - kH0) / 2016 : -1 - (kH0 - h - 1) / 2016; }
std::uint32_t BitsOf(int h) { return kBits[((EpochOf(h) % 3) + 3) % 3]; }
double DifficultyOf(int h) { return *DifficultyFromBits(BitsOf(h)); }
double FeeSats(int h) { return (h % 1000) * 1000.0; }

// One request per connection, as the client makes them.
class FakeNode {
 public:
  explicit FakeNode(std::string password, bool lie = false) : password_(std::move(password)), lie_(lie) {
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeNode() {
    stop_ = true;
    beast::error_code ec;
    asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  RpcEndpoint Endpoint(const std::string& user_password) const {
    RpcEndpoint e;
    e.port = std::to_string(acceptor_.local_endpoint().port());
    e.user_password = user_password;
    e.timeout = std::chrono::milliseconds(5000);
    return e;
  }
  int calls() const { return calls_; }

 private:
  void Serve() {
    while (!stop_) {
      asio::ip::tcp::socket s(io_);
      beast::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stop_) return;
      beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(s, buf, req, ec);
      if (ec) continue;
      ++calls_;
      http::response<http::string_body> res{http::status::ok, 11};
      const std::string auth(req[http::field::authorization]);
      if (auth != "Basic " + Base64("u:" + password_)) {
        res.result(http::status::unauthorized);
      } else {
        res.body() = Reply(nlohmann::json::parse(req.body())).dump();
      }
      res.prepare_payload();
      http::write(s, res, ec);
    }
  }
  static std::string Base64(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
      const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                         (i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) << 8 : 0) |
                         (i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0);
      out += t[(n >> 18) & 63];
      out += t[(n >> 12) & 63];
      out += i + 1 < in.size() ? t[(n >> 6) & 63] : '=';
      out += i + 2 < in.size() ? t[n & 63] : '=';
    }
    return out;
  }
  nlohmann::json Reply(const nlohmann::json& call) const {
    const std::string m = call["method"];
    const nlohmann::json& p = call["params"];
    nlohmann::json result;
    if (m == "getblockcount") {
      result = kTip;
    } else if (m == "getblockhash") {
      result = "hash" + std::to_string(p[0].get<int>());
    } else if (m == "getblockheader") {
      const int h = std::stoi(p[0].get<std::string>().substr(4));
      char bits[16];
      std::snprintf(bits, sizeof bits, "%08x", BitsOf(h));
      result = {{"height", h},
                {"time", TimeOf(h).time_since_epoch().count()},
                {"bits", bits},
                {"difficulty", lie_ ? DifficultyOf(h) * 2 : DifficultyOf(h)}};
    } else if (m == "getblockstats") {
      const int h = p[0].get<int>();
      result = {{"time", TimeOf(h).time_since_epoch().count()},
                {"subsidy", BlockSubsidy(h).value()},
                {"totalfee", FeeSats(h)}};
    } else {
      return {{"result", nullptr}, {"error", {{"code", -32601}, {"message", "Method not found"}}}, {"id", call["id"]}};
    }
    return {{"result", result}, {"error", nullptr}, {"id", call["id"]}};
  }

  std::string password_;
  bool lie_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
};

class BitcoinRefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_btc_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    const double d = DifficultyOf(kH0);
    const std::int64_t duration = 2016 * 600;
    char bits[16];
    std::snprintf(bits, sizeof bits, "0x%08x", BitsOf(kH0));
    std::ofstream(dir_ / data_files::kDifficultyEpochs)
        << "epoch_start_height,epoch_start_utc,epoch_end_utc,epoch_duration_s,bits_hex,difficulty,"
           "implied_hashrate_h_per_s,block_subsidy_btc_at_start\n"
        << kH0 << "," << FormatUtc(TimeOf(kH0)) << "," << FormatUtc(TimeOf(kH0 + 2016)) << "," << duration << ","
        << bits << "," << std::to_string(d) << "," << 2016 * d * 4294967296.0 / duration << ",3.125\n";
    // The tip is on 2025-02-09 (kTip - kH0 = 4082 blocks of 600 s = 28.35 days).
    std::ofstream(dir_ / data_files::kNetworkDaily) << "date,block_count,subsidy_btc,hashrate_h_per_s\n"
                                                       "2025-02-05,144,450,8e20\n";
    std::ofstream(dir_ / data_files::kFeesDaily) << "date,fees_btc,source\n2025-02-04,5.5,test\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(BitcoinRefreshTest, AddsCompleteEpochsAndDaysAsTheChainDefinesThem) {
  FakeNode node("secret");
  Result<BitcoinRefresh> r = RefreshBitcoinHistory(node.Endpoint("u:secret"), dir_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->tip_height, kTip);
  EXPECT_EQ(r->epochs_added, 1);  // kH0 + 2016 ends at kH0 + 4032 <= tip; the next is incomplete
  EXPECT_EQ(r->network_days_added, 3);  // 02-06 .. 02-08; 02-09 is the tip's day
  EXPECT_EQ(r->fee_days_added, 4);      // 02-05 .. 02-08
  EXPECT_EQ(FormatDate(*r->last_day), "2025-02-08");

  const Result<DifficultyEpochs> loaded = LoadDifficultyEpochs(dir_ / data_files::kDifficultyEpochs);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const DifficultyEpochs& e = *loaded;
  ASSERT_EQ(e.epochs.size(), 2u);
  EXPECT_EQ(e.epochs[1].start_height, static_cast<BlockHeight>(kH0 + 2016));
  EXPECT_EQ(e.epochs[1].start, TimeOf(kH0 + 2016));
  EXPECT_EQ(e.epochs[1].end, TimeOf(kH0 + 4032));
  EXPECT_EQ(e.epochs[1].bits, BitsOf(kH0 + 2016));

  // Days: 144 blocks (a block every 600 s from midnight); fees by height.
  const Result<NetworkDaily> n_loaded = LoadNetworkDaily(dir_ / data_files::kNetworkDaily);
  const Result<FeesDaily> f_loaded = LoadFeesDaily(dir_ / data_files::kFeesDaily);
  ASSERT_TRUE(n_loaded.ok()) << n_loaded.status().message();
  ASSERT_TRUE(f_loaded.ok()) << f_loaded.status().message();
  const NetworkDaily& n = *n_loaded;
  const FeesDaily& f = *f_loaded;
  ASSERT_EQ(n.days.size(), 4u);
  ASSERT_EQ(f.days.size(), 5u);
  for (const NetworkDay& day : std::vector<NetworkDay>(n.days.begin() + 1, n.days.end())) {
    EXPECT_EQ(day.block_count, 144) << FormatDate(day.date);
    EXPECT_DOUBLE_EQ(day.subsidy.value(), 144 * 3.125);
    const int first = kH0 + static_cast<int>((UtcTime(day.date) - kT0).count() / 600);
    double work = 0;
    for (int h = first; h < first + 144; ++h) work += DifficultyOf(h) * 4294967296.0;
    EXPECT_NEAR(day.hashrate.value() * 1e12, work / 86400, 1e-9 * work / 86400) << FormatDate(day.date);
  }
  for (const FeeDay& day : std::vector<FeeDay>(f.days.begin() + 1, f.days.end())) {
    const int first = kH0 + static_cast<int>((UtcTime(day.date) - kT0).count() / 600);
    double sats = 0;
    for (int h = first; h < first + 144; ++h) sats += FeeSats(h);
    EXPECT_NEAR(day.fees.value(), sats / 1e8, 1e-12) << FormatDate(day.date);
    EXPECT_EQ(day.source, "bitcoin-core");
  }
  // Again: nothing more to add.
  Result<BitcoinRefresh> again = RefreshBitcoinHistory(node.Endpoint("u:secret"), dir_);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->epochs_added + again->network_days_added + again->fee_days_added, 0);
}

std::string Read(const fs::path& f) {
  std::ifstream in(f);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(BitcoinRefreshTest, ARefusedOrLyingNodeChangesNothing) {
  const std::string before = Read(dir_ / data_files::kDifficultyEpochs);
  const std::string network_before = Read(dir_ / data_files::kNetworkDaily);
  const std::string fees_before = Read(dir_ / data_files::kFeesDaily);
  FakeNode node("secret");
  Result<BitcoinRefresh> refused = RefreshBitcoinHistory(node.Endpoint("u:wrong"), dir_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("refused the credentials (401)"), std::string::npos)
      << refused.status().message();

  FakeNode liar("secret", /*lie=*/true);  // difficulties that disagree with the bits
  Result<BitcoinRefresh> lied = RefreshBitcoinHistory(liar.Endpoint("u:secret"), dir_);
  ASSERT_FALSE(lied.ok());
  EXPECT_NE(lied.status().message().find("does not load, nothing replaced"), std::string::npos)
      << lied.status().message();
  // None of the three files changed (their days were fine: all or nothing).
  EXPECT_EQ(Read(dir_ / data_files::kDifficultyEpochs), before);
  EXPECT_EQ(Read(dir_ / data_files::kNetworkDaily), network_before);
  EXPECT_EQ(Read(dir_ / data_files::kFeesDaily), fees_before);
  for (const auto& entry : fs::directory_iterator(dir_)) {  // no staged file left behind
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }

  // A node that takes the connection and never answers: the call's deadline
  // ends it (the calls were once synchronous, and a deadline on a
  // synchronous Beast read never fires).
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  RpcEndpoint hung;
  hung.port = std::to_string(silent.local_endpoint().port());
  hung.timeout = std::chrono::milliseconds(300);
  Result<BitcoinRefresh> waited = RefreshBitcoinHistory(hung, dir_);
  ASSERT_FALSE(waited.ok());
  EXPECT_NE(waited.status().message().find("getblockcount: no reply: no answer in time"), std::string::npos)
      << waited.status().message();

  RpcEndpoint nobody;
  nobody.port = "1";
  nobody.timeout = std::chrono::milliseconds(500);
  Result<BitcoinRefresh> down = RefreshBitcoinHistory(nobody, dir_);
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.status().message().find("bitcoin node 127.0.0.1:1: getblockcount: cannot connect"),
            std::string::npos)
      << down.status().message();
}

}  // namespace
}  // namespace mullet
