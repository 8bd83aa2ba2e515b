// The power price the control loop acts on, from CSV in the schema of the
// data loaders (`timestamp_utc`, `<point>_usd_per_mwh`: data/history.h):
// a file read again every `poll`, so a process that appends prices (a
// market-data job, an ISO download) feeds the loop, or a URL fetched (GET)
// every `poll`, its body parsed by the same code as the file. The price in
// force at `now` is the row of the latest interval that began at or before
// `now`.
//
// Its watchdog: the feed is stale when no interval covers `now`, or the one
// that does ended more than `max_age` ago, or the last read failed (the file
// cannot be read; the GET failed, was not 2xx, or its body was over
// `max_bytes` or not the schema), the last good prices being kept; the loop
// then takes the configured safe action (loop_runner.h) and says so in the
// log, the API and the metrics.

#ifndef MULLET_DAEMON_PRICE_FEED_H_
#define MULLET_DAEMON_PRICE_FEED_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"
#include "daemon/http_url.h"
#include "daemon/live_state.h"
#include "data/history.h"

namespace mullet {

// A feed with a price beyond +/- this (USD/MWh) fails its read.
inline constexpr double kMaxFeedPriceUsdPerMwh = 100'000;

struct PriceFeedOptions {
  std::filesystem::path csv;  // a file, or
  std::string url;            // http(s)://HOST[:PORT]/PATH[?QUERY]; the query is never shown
  std::string point;      // the column without "_usd_per_mwh", e.g. "hb_west"
  Seconds poll{60};       // read again after this long
  Seconds max_age{900};   // past the end of the last interval, stale
  std::chrono::milliseconds timeout{10000};  // a GET: each step's deadline
  std::size_t max_bytes = 8 << 20;           // a GET: a longer reply is refused
};

struct PriceReading {
  UsdPerMegawattHour price{0};
  UtcTime start;              // the interval's start
  std::chrono::seconds interval{3600};
};

// A price source's watchdog, one rule for every source: stale when no
// interval is in force at `now`, or the one in force ended more than
// `max_age` ago; `why` says which.
bool PriceStale(const std::optional<PriceReading>& in_force, UtcTime now, Seconds max_age);
std::string PriceStaleWhy(const std::optional<PriceReading>& in_force);

// Where the loop's power price comes from: a CSV feed (below) or the ERCOT
// public API (ercot_feed.h).
class LivePrice {
 public:
  virtual ~LivePrice() = default;
  // Reads the source when its poll is due; a failure keeps the last good
  // prices and is reported by Health.
  virtual void Poll(UtcTime now) = 0;
  // The price in force at `now` from the last good read; none before one.
  virtual std::optional<PriceReading> At(UtcTime now) const = 0;
  virtual bool Stale(UtcTime now) const = 0;
  virtual SourceHealth Health(UtcTime now) const = 0;
};

class PriceFeed : public LivePrice {
 public:
  // InvalidArgument unless exactly one of `csv` and `url` is given, or for
  // a URL that is not http(s)://HOST[:PORT][/PATH][?QUERY].
  static Result<std::unique_ptr<PriceFeed>> Create(PriceFeedOptions options);

  // Reads the file or fetches the URL when `poll` has passed since the last
  // read (at once the first time).
  void Poll(UtcTime now) override;
  std::optional<PriceReading> At(UtcTime now) const override;
  bool Stale(UtcTime now) const override;
  SourceHealth Health(UtcTime now) const override;

 private:
  explicit PriceFeed(PriceFeedOptions options) : o_(std::move(options)) {}
  // The file's or the URL's prices for o_.point.
  Result<HourlyPrices> Read() const;

  PriceFeedOptions o_;
  std::optional<HttpUrl> url_;
  std::string name_;  // the file, or the URL without its query
  std::optional<UtcTime> read_at_;  // the last attempt
  std::optional<UtcTime> good_at_;  // the last read that worked
  std::string error_;
  std::vector<UtcTime> starts_;
  std::vector<UsdPerMegawattHour> prices_;
  std::chrono::seconds interval_{3600};
};

}  // namespace mullet

#endif  // MULLET_DAEMON_PRICE_FEED_H_
