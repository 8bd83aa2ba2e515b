#include "data/price_refresh.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/text/untrusted_text.h"
#include "data/history.h"
#include "data/staged_file.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr int kPageDays = 1000;  // Bitstamp's most candles per call

struct Candle {
  Date day;
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

std::string Number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::int64_t UnixOf(Date d) {
  return std::chrono::duration_cast<std::chrono::seconds>(UtcTime(d).time_since_epoch()).count();
}

// A candle's field: Bitstamp sends numbers as JSON strings; plain JSON
// numbers are accepted too.
Result<double> CandleNumber(const nlohmann::json& candle, const char* key, const std::string& where) {
  if (!candle.contains(key)) return Status::DataError(where + ": no '" + key + "'");
  const nlohmann::json& v = candle[key];
  double out = 0;
  if (v.is_number()) {
    out = v.get<double>();
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
      return Status::DataError(where + ": '" + key + "' is not a number: '" + PeerText(s, 40) + "'");
    }
  } else {
    return Status::DataError(where + ": '" + key + "' is not a number");
  }
  if (!std::isfinite(out)) return Status::DataError(where + ": '" + key + "' is not finite");
  return out;
}

// One page of candles [first, last], checked candle by candle; stops (without
// error) where the exchange's candles end before `last`.
Status ReadPage(const ExchangeSource& ex, Date first, Date last, std::vector<Candle>& out, int& calls) {
  HttpCall call;
  call.target = "/api/v2/ohlc/" + ex.pair + "/?step=86400&limit=" + std::to_string(kPageDays) +
                "&start=" + std::to_string(UnixOf(first)) + "&end=" + std::to_string(UnixOf(last)) +
                "&exclude_current_candle=true";
  const std::string where = ex.peer.host + ": " + FormatDate(first) + " to " + FormatDate(last);
  ++calls;
  Result<HttpReply> reply = CallHttp(ex.peer, call);
  if (!reply.ok()) return Status::IoError(where + ": " + reply.status().message());
  if (reply->status != 200) {
    return Status::IoError(where + ": HTTP " + std::to_string(reply->status) + ": " + PeerText(reply->body));
  }
  const nlohmann::json j = CheckJsonDepth(reply->body).ok() ? nlohmann::json::parse(reply->body, nullptr, /*allow_exceptions=*/false) : nlohmann::json(nlohmann::json::value_t::discarded);
  if (j.is_discarded() || !j.is_object() || !j.contains("data") || !j["data"].is_object() ||
      !j["data"].contains("ohlc") || !j["data"]["ohlc"].is_array()) {
    return Status::DataError(where + ": the reply is not {\"data\": {\"ohlc\": [...]}}: " + PeerText(reply->body));
  }
  Date expect = first;
  for (const nlohmann::json& c : j["data"]["ohlc"]) {
    const std::string at = where + ": candle " + std::to_string(&c - &j["data"]["ohlc"][0]);
    if (!c.is_object()) return Status::DataError(at + ": not an object");
    Result<double> ts = CandleNumber(c, "timestamp", at);
    if (!ts.ok()) return ts.status();
    if (*ts < 0 || *ts > 1e11 || std::fmod(*ts, 86400.0) != 0) {
      return Status::DataError(at + ": timestamp " + Number(*ts) + " is not a UTC midnight");
    }
    Candle k;
    k.day = std::chrono::floor<std::chrono::days>(UtcTime(std::chrono::seconds(static_cast<std::int64_t>(*ts))));
    const std::string day_at = where + ": " + FormatDate(k.day);
    if (k.day < expect) continue;  // a day before the range, or one already read: not ours
    if (k.day > last) break;
    if (k.day > expect) {
      return Status::DataError(where + ": the exchange has no candle for " + FormatDate(expect) +
                               " but has one for " + FormatDate(k.day) + ": nothing replaced");
    }
    double* fields[] = {&k.open, &k.high, &k.low, &k.close, &k.volume};
    const char* keys[] = {"open", "high", "low", "close", "volume"};
    for (int i = 0; i < 5; ++i) {
      Result<double> v = CandleNumber(c, keys[i], day_at);
      if (!v.ok()) return v.status();
      *fields[i] = *v;
    }
    if (!(k.low > 0) || k.high > 1e9 || k.low > std::min(k.open, k.close) || k.high < std::max(k.open, k.close) ||
        !(k.volume >= 0)) {
      return Status::DataError(day_at + ": the candle is not a day of prices (open " + Number(k.open) + ", high " +
                               Number(k.high) + ", low " + Number(k.low) + ", close " + Number(k.close) +
                               ", volume " + Number(k.volume) + ")");
    }
    out.push_back(k);
    expect = k.day + std::chrono::days(1);
  }
  return Status::Ok();
}

}  // namespace

Status ParseExchangeUrl(const std::string& url, HttpPeer& peer) {
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0) return Status::InvalidArgument("expected https://HOST[:PORT], got '" + url + "'");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos || rest.find('@') != std::string::npos) {
    return Status::InvalidArgument("expected https://HOST[:PORT] with no path, got '" + url + "'");
  }
  const std::size_t colon = rest.rfind(':');
  peer.tls = true;
  peer.host = rest.substr(0, colon);
  peer.port = colon == std::string::npos ? "443" : rest.substr(colon + 1);
  int port = 0;
  const auto r = std::from_chars(peer.port.data(), peer.port.data() + peer.port.size(), port);
  if (peer.host.empty() || r.ec != std::errc() || r.ptr != peer.port.data() + peer.port.size() || port < 1 ||
      port > 65535) {
    return Status::InvalidArgument("expected https://HOST[:PORT], got '" + url + "'");
  }
  return Status::Ok();
}

Result<PriceRefresh> RefreshBtcPrice(const ExchangeSource& exchange, const fs::path& dir, Date today) {
  const fs::path price_file = dir / data_files::kPriceDaily;
  const fs::path ohlcv_file = dir / data_files::kOhlcvDaily;
  Result<PriceDaily> prices = LoadPriceDaily(price_file);
  if (!prices.ok()) return prices.status();
  std::error_code ec;
  const bool has_ohlcv = fs::exists(ohlcv_file, ec);
  std::optional<OhlcvDaily> ohlcv;
  if (has_ohlcv) {
    Result<OhlcvDaily> o = LoadOhlcvDaily(ohlcv_file);
    if (!o.ok()) return o.status();
    ohlcv = std::move(o).value();
  }
  if (prices->days.empty() || (ohlcv && ohlcv->days.empty())) {
    return Status::DataError("the data directory's price files must hold at least one row each to refresh from");
  }
  const Date price_from = prices->days.back().date + std::chrono::days(1);
  const Date ohlcv_from = ohlcv ? ohlcv->days.back().date + std::chrono::days(1) : price_from;
  const Date from = std::min(price_from, ohlcv_from);
  PriceRefresh r;
  std::vector<Candle> candles;
  for (Date first = from; first < today;) {
    const Date last = std::min(first + std::chrono::days(kPageDays - 1), today - std::chrono::days(1));
    const std::size_t before = candles.size();
    if (Status s = ReadPage(exchange, first, last, candles, r.calls); !s.ok()) return s;
    const Date next = candles.empty() ? from : candles.back().day + std::chrono::days(1);
    if (next <= last || candles.size() == before) {  // the exchange's days end here
      if (next < today) r.missing_from = next;
      break;
    }
    first = next;
  }
  std::string price_rows, ohlcv_rows;
  for (const Candle& k : candles) {
    if (k.day >= price_from) {
      price_rows += FormatDate(k.day) + "," + Number(k.close) + ",bitstamp_close\n";
      ++r.price_days_added;
    }
    if (ohlcv && k.day >= ohlcv_from) {
      ohlcv_rows += FormatDate(k.day) + "," + Number(k.open) + "," + Number(k.high) + "," + Number(k.low) + "," +
                    Number(k.close) + "," + Number(k.volume) + "\n";
      ++r.ohlcv_days_added;
    }
    r.last_day = k.day;
  }
  // Both files checked by their loaders before either replaces its original.
  std::vector<StagedFile> staged;
  if (Status s = StageAppendedChecked(price_file, price_rows, LoadPriceDaily, staged); !s.ok()) return s;
  if (Status s = StageAppendedChecked(ohlcv_file, ohlcv_rows, LoadOhlcvDaily, staged); !s.ok()) return s;
  if (Status s = CommitAll(staged); !s.ok()) return s;
  return r;
}

}  // namespace mullet
