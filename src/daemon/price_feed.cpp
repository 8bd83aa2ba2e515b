#include "daemon/price_feed.h"

#include <algorithm>
#include <cmath>

#include "data/http_call.h"

namespace mullet {

bool PriceStale(const std::optional<PriceReading>& r, UtcTime now, Seconds max_age) {
  if (!r) return true;
  const UtcTime end = r->start + r->interval;
  return now > end && Seconds(static_cast<double>((now - end).count())) > max_age;
}

std::string PriceStaleWhy(const std::optional<PriceReading>& r) {
  return r ? "the last price is for " + FormatUtc(r->start) + "; nothing newer" : "no price at or before now";
}

Result<std::unique_ptr<PriceFeed>> PriceFeed::Create(PriceFeedOptions options) {
  if (options.csv.empty() == options.url.empty()) {
    return Status::InvalidArgument("a price feed reads a file or a URL: give one");
  }
  std::unique_ptr<PriceFeed> feed(new PriceFeed(std::move(options)));
  if (!feed->o_.url.empty()) {
    Result<HttpUrl> url = ParseHttpUrl(feed->o_.url, "--price-url");
    if (!url.ok()) return url.status();
    feed->url_ = *url;
    feed->name_ = ShownUrl(*url);
  } else {
    feed->name_ = feed->o_.csv.string();
  }
  return feed;
}

Result<HourlyPrices> PriceFeed::Read() const {
  if (!url_) return LoadHourlyPrices(o_.csv, o_.point);
  const HttpPeer peer{url_->host, url_->port, url_->tls, {}, o_.timeout, o_.max_bytes};
  HttpCall call;
  call.target = url_->target;
  call.extra_headers = {{"Accept", "text/csv, text/plain, */*"}};
  Result<HttpReply> reply = CallHttp(peer, call);
  if (!reply.ok()) return reply.status();
  if (reply->status < 200 || reply->status > 299) {
    return Status::IoError("HTTP " + std::to_string(reply->status) + ": " + PeerText(reply->body));
  }
  return ParseHourlyPrices(name_, std::move(reply->body), o_.point);
}

void PriceFeed::Poll(UtcTime now) {
  if (read_at_ && Seconds(static_cast<double>((now - *read_at_).count())) < o_.poll) return;
  read_at_ = now;
  Result<HourlyPrices> read = Read();
  if (!read.ok()) {
    // Every message names the source once: the file's full path (a CSV
    // message names a file by its last component) or the URL (a message
    // about the body names it already, with the line).
    error_ = read.status().message();
    if (url_) {
      if (!error_.starts_with(name_)) error_ = "GET " + name_ + ": " + error_;
    } else if (error_.find(name_) == std::string::npos) {
      error_ = name_ + ": " + error_;
    }
    return;
  }
  if (read->hours.empty()) {
    error_ = name_ + ": no prices";
    return;
  }
  // A price no market sets is a broken feed, not a signal (ERCOT's cap is
  // 5,000 USD/MWh; the ERCOT feed takes the same bound).
  const std::vector<UsdPerMegawattHour>& column = read->prices.front();
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (std::abs(column[i].value()) > kMaxFeedPriceUsdPerMwh) {
      error_ = name_ + ": " + FormatUtc(read->hours[i]) + ": a price beyond +/-100000 USD/MWh";
      return;
    }
  }
  starts_ = std::move(read->hours);
  prices_ = std::move(read->prices.front());
  interval_ = read->interval;
  good_at_ = now;
  error_.clear();
}

std::optional<PriceReading> PriceFeed::At(UtcTime now) const {
  const auto after = std::upper_bound(starts_.begin(), starts_.end(), now);
  if (after == starts_.begin()) return std::nullopt;
  const std::size_t i = static_cast<std::size_t>(after - starts_.begin()) - 1;
  return PriceReading{prices_[i], starts_[i], interval_};
}

bool PriceFeed::Stale(UtcTime now) const {
  return !error_.empty() || PriceStale(At(now), now, o_.max_age);
}

SourceHealth PriceFeed::Health(UtcTime now) const {
  SourceHealth h;
  h.source = name_ + " (" + o_.point + ")";
  h.read_at = good_at_;
  h.stale = Stale(now);
  if (!error_.empty()) {
    h.error = error_;
  } else if (h.stale) {
    h.error = PriceStaleWhy(At(now));
  }
  return h;
}

}  // namespace mullet
