#include "daemon/price_feed.h"

#include <algorithm>

#include "data/history.h"

namespace mullet {

bool PriceStale(const std::optional<PriceReading>& r, UtcTime now, Seconds max_age) {
  if (!r) return true;
  const UtcTime end = r->start + r->interval;
  return now > end && Seconds(static_cast<double>((now - end).count())) > max_age;
}

std::string PriceStaleWhy(const std::optional<PriceReading>& r) {
  return r ? "the last price is for " + FormatUtc(r->start) + "; nothing newer" : "no price at or before now";
}

void PriceFeed::Poll(UtcTime now) {
  if (read_at_ && Seconds(static_cast<double>((now - *read_at_).count())) < o_.poll) return;
  read_at_ = now;
  Result<HourlyPrices> read = LoadHourlyPrices(o_.csv, o_.point);
  if (!read.ok()) {
    error_ = read.status().message();
    if (error_.find(o_.csv.string()) == std::string::npos) error_ = o_.csv.string() + ": " + error_;
    return;
  }
  if (read->hours.empty()) {
    error_ = o_.csv.string() + ": no prices";
    return;
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
  h.source = o_.csv.string() + " (" + o_.point + ")";
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
