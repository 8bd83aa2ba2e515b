// Brings the daily BTC price of a data directory up to date from an
// exchange's public OHLC endpoint over HTTPS: Bitstamp's
// `/api/v2/ohlc/{pair}/?step=86400` (UTC days, no key needed), the exchange
// the shared history was built from. Complete UTC days after each file's last
// row, before `today`, go to btc_price_daily.csv (the close, source
// "bitstamp_close") and, where the directory has it,
// btc_ohlcv_daily_bitstamp.csv.
//
// The exchange is a peer: every reply is bounded (4 MiB), every call has a
// deadline, each candle is checked (a UTC midnight, the next day, positive
// prices with low <= open, close <= high, volume >= 0), and nothing is
// written unless every page passed and both files load.

#ifndef MULLET_DATA_PRICE_REFRESH_H_
#define MULLET_DATA_PRICE_REFRESH_H_

#include <filesystem>
#include <optional>
#include <string>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "data/http_call.h"

namespace mullet {

struct ExchangeSource {
  ExchangeSource() {
    peer.host = "www.bitstamp.net";
    peer.port = "443";
    peer.tls = true;
  }
  HttpPeer peer;
  std::string pair = "btcusd";
};

struct PriceRefresh {
  int calls = 0;
  int price_days_added = 0;
  int ohlcv_days_added = 0;
  std::optional<Date> last_day;  // the last day written
  // Set when the exchange had no candle for days before `today` at the end of
  // the range (it lags): the first such day.
  std::optional<Date> missing_from;
};

// Adds the days the two files lack, up to the day before `today` (UTC). A
// candle missing inside the range, or one that fails its checks, is an error
// naming the day; the exchange lacking the last days is not (missing_from).
Result<PriceRefresh> RefreshBtcPrice(const ExchangeSource& exchange, const std::filesystem::path& dir, Date today);

// "https://host[:port]" (no path) into the peer's host and port.
Status ParseExchangeUrl(const std::string& url, HttpPeer& peer);

}  // namespace mullet

#endif  // MULLET_DATA_PRICE_REFRESH_H_
