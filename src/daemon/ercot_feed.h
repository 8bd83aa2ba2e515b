// The power price from ERCOT's Public Data API (developer.ercot.com): the
// real-time settlement point prices of report NP6-905-CD
// (/api/public-reports/np6-905-cd/spp_node_zone_hub), every 15 minutes for
// each hub, zone and node. Each poll (at most every 5 minutes: ERCOT's terms
// allow three times a report's frequency) reads yesterday and today in
// Central time for one settlement point, page after page, and keeps the
// prices by their UTC interval start (a repeated hour told by DSTFlag).
//
// Every call carries the subscription key (Ocp-Apim-Subscription-Key) and an
// ID token from ERCOT's Azure B2C password grant; the token lasts an hour and
// is kept 55 minutes. A 429 (throttled) backs off, doubling to 15 minutes,
// with jitter. Stale like any price source (price_feed.h).

#ifndef MULLET_DAEMON_ERCOT_FEED_H_
#define MULLET_DAEMON_ERCOT_FEED_H_

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/price_feed.h"

namespace mullet {

struct ErcotFeedOptions {
  std::string api_url = "https://api.ercot.com";
  std::string token_url =
      "https://ercotb2c.b2clogin.com/ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token";
  std::string username, password, subscription_key;
  std::string point = "HB_WEST";  // settlementPoint
  Seconds poll{300};
  Seconds max_age{1800};  // after the last interval ends
  std::chrono::milliseconds timeout{10000};
  std::uint64_t seed = 0;  // the jitter's
};

// One page of the report: its prices for `point` by UTC interval start, and
// the page count (`_meta.totalPages`, 1 when absent). The columns are found
// by name in `fields` (deliveryDate, deliveryHour, deliveryInterval,
// settlementPoint, settlementPointPrice, DSTFlag). DataError naming the row
// and field for anything else. Pure.
struct ErcotPage {
  std::vector<std::pair<UtcTime, double>> prices;
  int total_pages = 1;
};
Result<ErcotPage> ParseErcotSppPage(std::string_view body, std::string_view point);

class ErcotFeed : public LivePrice {
 public:
  // InvalidArgument for a URL that is not http(s)://HOST[:PORT][/PATH] or
  // missing credentials.
  static Result<std::unique_ptr<ErcotFeed>> Create(ErcotFeedOptions options);

  void Poll(UtcTime now) override;
  std::optional<PriceReading> At(UtcTime now) const override;
  bool Stale(UtcTime now) const override;
  SourceHealth Health(UtcTime now) const override;

 private:
  explicit ErcotFeed(ErcotFeedOptions o) : o_(std::move(o)), rng_(o_.seed) {}
  Status PollNow(UtcTime now);
  Status Authenticate();

  struct Url {
    bool tls = false;
    std::string host, port, path;
  };
  ErcotFeedOptions o_;
  Url api_, token_url_;
  std::string token_;
  std::chrono::steady_clock::time_point token_until_{};
  std::optional<UtcTime> tried_at_, good_at_;
  std::optional<UtcTime> next_allowed_;  // backing off after a 429
  int throttled_ = 0;
  std::string error_;
  std::map<UtcTime, double> prices_;
  std::mt19937_64 rng_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_ERCOT_FEED_H_
