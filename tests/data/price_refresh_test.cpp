// `mullet data refresh-price`'s engine against a fake exchange over real TLS
// (tests/data/fake_https.h): Bitstamp's OHLC reply shape, candles defined by
// a formula of the day here, so the expected rows come from that definition,
// not from the code under test.

#include "data/price_refresh.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "data/fake_https.h"
#include "data/history.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using testing::FakeHttps;
using testing::FakeReply;

const Date kEpoch = *ParseDate("2020-01-01");
double CloseOf(Date d) { return 40000 + 10.0 * (d - kEpoch).count(); }

// What the fake exchange does wrong, if anything.
struct Fault {
  std::optional<Date> hole;       // no candle for this day
  std::optional<Date> inverted;   // high below low on this day
  std::optional<Date> text_price; // close "abc" on this day
  std::optional<Date> last_day;   // the exchange's last candle (it lags)
};

std::string Query(const std::string& target, const std::string& key) {
  const std::size_t at = target.find(key + "=");
  if (at == std::string::npos) return "";
  const std::size_t end = target.find('&', at);
  return target.substr(at + key.size() + 1, end == std::string::npos ? std::string::npos : end - at - key.size() - 1);
}

FakeReply Bitstamp(const std::string& target, const Fault& fault) {
  if (target.rfind("/api/v2/ohlc/btcusd/", 0) != 0) return {404, "{\"code\": \"404\"}"};
  const long long start = std::stoll(Query(target, "start"));
  const long long end = std::stoll(Query(target, "end"));
  const int limit = std::stoi(Query(target, "limit"));
  nlohmann::json ohlc = nlohmann::json::array();
  for (long long t = start; t <= end && static_cast<int>(ohlc.size()) < limit; t += 86400) {
    const Date d = std::chrono::floor<std::chrono::days>(UtcTime(std::chrono::seconds(t)));
    if (fault.last_day && d > *fault.last_day) break;
    if (fault.hole && d == *fault.hole) continue;
    const double close = CloseOf(d);
    nlohmann::json c = {{"timestamp", std::to_string(t)},         {"open", std::to_string(close - 5)},
                        {"high", std::to_string(close + 20)},      {"low", std::to_string(close - 25)},
                        {"close", std::to_string(close)},          {"volume", "1234.5"}};
    if (fault.inverted && d == *fault.inverted) c["high"] = std::to_string(close - 100);
    if (fault.text_price && d == *fault.text_price) c["close"] = "abc";
    ohlc.push_back(c);
  }
  return {200, nlohmann::json{{"data", {{"pair", "BTC/USD"}, {"ohlc", ohlc}}}}.dump()};
}

std::string Read(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PriceRefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_price_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / data_files::kPriceDaily) << "date,close_usd,source\n2025-06-01,104000,bitstamp_close\n"
                                                     "2025-06-02,105000.5,coingecko_next_day_00utc\n";
    std::ofstream(dir_ / data_files::kOhlcvDaily) << "date,open_usd,high_usd,low_usd,close_usd,volume_btc\n"
                                                     "2025-05-31,1,3,1,2,10\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  ExchangeSource Source(const FakeHttps& fake) const {
    ExchangeSource ex;
    ex.peer.host = "localhost";
    ex.peer.port = fake.port();
    ex.peer.ca_file = fake.ca_file();
    ex.peer.timeout = std::chrono::milliseconds(3000);
    return ex;
  }
  fs::path dir_;
};

TEST_F(PriceRefreshTest, AddsEachFilesMissingDaysUpToYesterdayInPagesOf1000) {
  FakeHttps fake(dir_, [](const std::string& t) { return Bitstamp(t, {}); });
  const Date today = *ParseDate("2028-06-01");
  Result<PriceRefresh> r = RefreshBtcPrice(Source(fake), dir_, today);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // 2025-06-01 .. 2028-05-31 for the OHLC file: 1096 days, two pages.
  const Date first_ohlcv = *ParseDate("2025-06-01");
  const Date yesterday = *ParseDate("2028-05-31");
  EXPECT_EQ(r->ohlcv_days_added, (yesterday - first_ohlcv).count() + 1);
  EXPECT_EQ(r->price_days_added, (yesterday - *ParseDate("2025-06-03")).count() + 1);
  EXPECT_EQ(r->calls, 2);
  ASSERT_TRUE(r->last_day.has_value());
  EXPECT_EQ(*r->last_day, yesterday);
  EXPECT_FALSE(r->missing_from.has_value());

  Result<PriceDaily> prices = LoadPriceDaily(dir_ / data_files::kPriceDaily);
  ASSERT_TRUE(prices.ok()) << prices.status().message();
  ASSERT_EQ(prices->days.size(), 2u + r->price_days_added);
  EXPECT_EQ(prices->days[1].source, "coingecko_next_day_00utc");  // kept
  for (std::size_t i = 2; i < prices->days.size(); ++i) {
    EXPECT_DOUBLE_EQ(prices->days[i].close.value(), CloseOf(prices->days[i].date)) << FormatDate(prices->days[i].date);
    EXPECT_EQ(prices->days[i].source, "bitstamp_close");
  }
  EXPECT_EQ(prices->days.back().date, yesterday);
  Result<OhlcvDaily> ohlcv = LoadOhlcvDaily(dir_ / data_files::kOhlcvDaily);
  ASSERT_TRUE(ohlcv.ok()) << ohlcv.status().message();
  const OhlcvDay& d = ohlcv->days[1];
  EXPECT_EQ(d.date, first_ohlcv);
  EXPECT_DOUBLE_EQ(d.open.value(), CloseOf(first_ohlcv) - 5);
  EXPECT_DOUBLE_EQ(d.high.value(), CloseOf(first_ohlcv) + 20);
  EXPECT_DOUBLE_EQ(d.low.value(), CloseOf(first_ohlcv) - 25);
  EXPECT_DOUBLE_EQ(d.volume.value(), 1234.5);

  // Again the same day: nothing to ask, nothing changed.
  const std::string before = Read(dir_ / data_files::kPriceDaily);
  Result<PriceRefresh> again = RefreshBtcPrice(Source(fake), dir_, today);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->calls, 0);
  EXPECT_EQ(again->price_days_added + again->ohlcv_days_added, 0);
  EXPECT_EQ(Read(dir_ / data_files::kPriceDaily), before);
}

TEST_F(PriceRefreshTest, AnExchangeThatLagsGivesWhatItHasAndSaysFromWhen) {
  Fault f;
  f.last_day = *ParseDate("2025-06-10");
  FakeHttps fake(dir_, [f](const std::string& t) { return Bitstamp(t, f); });
  Result<PriceRefresh> r = RefreshBtcPrice(Source(fake), dir_, *ParseDate("2025-06-20"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r->last_day, *ParseDate("2025-06-10"));
  ASSERT_TRUE(r->missing_from.has_value());
  EXPECT_EQ(*r->missing_from, *ParseDate("2025-06-11"));
  EXPECT_EQ(r->price_days_added, 8);   // 06-03 .. 06-10
  EXPECT_EQ(r->ohlcv_days_added, 10);  // 06-01 .. 06-10
}

TEST_F(PriceRefreshTest, ALyingOrBrokenExchangeChangesNothing) {
  const std::string price_before = Read(dir_ / data_files::kPriceDaily);
  const std::string ohlcv_before = Read(dir_ / data_files::kOhlcvDaily);
  const Date today = *ParseDate("2025-09-01");
  struct Case {
    const char* name;
    std::function<FakeReply(const std::string&)> handler;
    const char* expect;
  };
  Fault hole, inverted, text;
  hole.hole = *ParseDate("2025-07-04");
  inverted.inverted = *ParseDate("2025-08-15");
  text.text_price = *ParseDate("2025-06-20");
  const Case cases[] = {
      {"hole", [hole](const std::string& t) { return Bitstamp(t, hole); },
       "no candle for 2025-07-04 but has one for 2025-07-05"},
      {"inverted", [inverted](const std::string& t) { return Bitstamp(t, inverted); },
       "2025-08-15: the candle is not a day of prices"},
      {"text", [text](const std::string& t) { return Bitstamp(t, text); }, "'close' is not a number: 'abc'"},
      {"not json", [](const std::string&) { return FakeReply{200, "<html>\x1b[31m maintenance"}; },
       "the reply is not {\"data\": {\"ohlc\": [...]}}: <html>?[31m maintenance"},
      {"rate limited", [](const std::string&) { return FakeReply{429, "slow down"}; }, "HTTP 429: slow down"},
      {"too big", [](const std::string&) { return FakeReply{200, std::string(5 << 20, ' ')}; }, "bytes"},
      {"hung", [](const std::string&) { return FakeReply{200, "", /*hang=*/true}; }, "no answer in time"},
  };
  for (const Case& c : cases) {
    FakeHttps fake(dir_, c.handler);
    ExchangeSource ex = Source(fake);
    ex.peer.timeout = std::chrono::milliseconds(500);
    ex.peer.max_reply_bytes = 4 << 20;
    Result<PriceRefresh> r = RefreshBtcPrice(ex, dir_, today);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << c.name << ": " << r.status().message();
    EXPECT_EQ(Read(dir_ / data_files::kPriceDaily), price_before) << c.name;
    EXPECT_EQ(Read(dir_ / data_files::kOhlcvDaily), ohlcv_before) << c.name;
  }
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST_F(PriceRefreshTest, ACertificateNotTrustedOrForAnotherHostIsRefused) {
  FakeHttps fake(dir_, [](const std::string& t) { return Bitstamp(t, {}); });
  ExchangeSource untrusted = Source(fake);
  untrusted.peer.ca_file.clear();  // the system's store does not know the fake
  Result<PriceRefresh> r = RefreshBtcPrice(untrusted, dir_, *ParseDate("2025-07-01"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("TLS handshake failed"), std::string::npos) << r.status().message();

  ExchangeSource other_host = Source(fake);
  other_host.peer.host = "127.0.0.1";  // the certificate names localhost only
  r = RefreshBtcPrice(other_host, dir_, *ParseDate("2025-07-01"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("TLS handshake failed"), std::string::npos) << r.status().message();
  EXPECT_EQ(fake.requests(), 0);  // no request left before the peer was verified
}

TEST(ParseExchangeUrl, TakesHttpsHostAndPortOnly) {
  HttpPeer p;
  ASSERT_TRUE(ParseExchangeUrl("https://www.bitstamp.net", p).ok());
  EXPECT_EQ(p.host, "www.bitstamp.net");
  EXPECT_EQ(p.port, "443");
  ASSERT_TRUE(ParseExchangeUrl("https://localhost:8443/", p).ok());
  EXPECT_EQ(p.port, "8443");
  for (const char* bad : {"http://www.bitstamp.net", "https://", "https://h/api", "https://h:99999",
                          "https://user@h", "https://h:x"}) {
    EXPECT_FALSE(ParseExchangeUrl(bad, p).ok()) << bad;
  }
}

}  // namespace
}  // namespace mullet
