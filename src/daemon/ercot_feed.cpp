#include "daemon/ercot_feed.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "daemon/http_url.h"
#include "data/ercot_import.h"
#include "data/http_call.h"

namespace mullet {
namespace {

using json = nlohmann::json;

// ERCOT's public-API application id (its documentation's client_id; also
// the scope).
constexpr const char* kErcotClientId = "fec253ea-0d06-4272-a5e6-b478baeecd70";
constexpr int kPageSize = 1000;
constexpr int kMaxPages = 50;
constexpr std::chrono::minutes kInterval{15};

// The Central Prevailing Time calendar day of `t` (CST is UTC-6; CDT
// UTC-5 from the second Sunday of March to the first Sunday of November).
Date CentralDay(UtcTime t) {
  // Central is UTC-6 or UTC-5; the day at UTC-5 and at UTC-6 differ only
  // in the hour around midnight, where the exact rule is found by trying
  // hour ending 24 of the earlier day.
  const Date at6 = std::chrono::floor<std::chrono::days>(t - std::chrono::hours(6));
  const Date at5 = std::chrono::floor<std::chrono::days>(t - std::chrono::hours(5));
  if (at6 == at5) return at6;
  // `t` is between 05:00 and 06:00 UTC: the later day if that day's first
  // hour (hour ending 1) starts at or before t.
  Result<UtcTime> first = CentralHourEndingToUtc(at5, 1, false);
  return first.ok() && *first <= t ? at5 : at6;
}

std::string DateText(Date d) {
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

Result<ErcotPage> ParseErcotSppPage(std::string_view body, std::string_view point) {
  if (Status depth = CheckJsonDepth(body, 8); !depth.ok()) return Status::DataError("ERCOT reply " + depth.message());
  const json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::DataError("ERCOT reply: expected a JSON object");
  ErcotPage page;
  if (const auto meta = j.find("_meta"); meta != j.end() && meta->is_object()) {
    if (const auto tp = meta->find("totalPages"); tp != meta->end()) {
      if (!tp->is_number_integer() || tp->get<long long>() < 0 || tp->get<long long>() > 1'000'000) {
        return Status::DataError("ERCOT reply: _meta.totalPages: expected a page count");
      }
      page.total_pages = static_cast<int>(tp->get<long long>());
    }
  }
  const auto fields = j.find("fields");
  const auto data = j.find("data");
  if (fields == j.end() || !fields->is_array()) return Status::DataError("ERCOT reply: fields: expected an array");
  if (data == j.end() || !data->is_array()) return Status::DataError("ERCOT reply: data: expected an array");
  int col_date = -1, col_hour = -1, col_interval = -1, col_point = -1, col_price = -1, col_dst = -1;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const json& f = (*fields)[i];
    const std::string name = f.is_object() && f.contains("name") && f["name"].is_string() ? f["name"].get<std::string>() : "";
    int* col = name == "deliveryDate"           ? &col_date
               : name == "deliveryHour"         ? &col_hour
               : name == "deliveryInterval"     ? &col_interval
               : name == "settlementPoint"      ? &col_point
               : name == "settlementPointPrice" ? &col_price
               : name == "DSTFlag"              ? &col_dst
                                                : nullptr;
    if (col) *col = static_cast<int>(i);
  }
  for (const auto& [name, col] : {std::pair<const char*, int>{"deliveryDate", col_date}, {"deliveryHour", col_hour},
                                  {"deliveryInterval", col_interval}, {"settlementPoint", col_point},
                                  {"settlementPointPrice", col_price}}) {
    if (col < 0) return Status::DataError(std::string("ERCOT reply: fields: no ") + name);
  }
  const std::size_t width = fields->size();
  for (std::size_t r = 0; r < data->size(); ++r) {
    const json& row = (*data)[r];
    const std::string where = "ERCOT reply: data[" + std::to_string(r) + "]";
    if (!row.is_array() || row.size() != width) return Status::DataError(where + ": expected " + std::to_string(width) + " values");
    if (!row[col_point].is_string()) return Status::DataError(where + ": settlementPoint: expected text");
    if (row[col_point].get<std::string>() != point) continue;
    if (!row[col_date].is_string()) return Status::DataError(where + ": deliveryDate: expected a date");
    Result<Date> day = ParseDate(row[col_date].get<std::string>());
    if (!day.ok()) return Status::DataError(where + ": deliveryDate: " + day.status().message());
    if (!row[col_hour].is_number_integer() || !row[col_interval].is_number_integer()) {
      return Status::DataError(where + ": deliveryHour and deliveryInterval: expected whole numbers");
    }
    const long long hour = row[col_hour].get<long long>(), interval = row[col_interval].get<long long>();
    if (hour < 1 || hour > 24 || interval < 1 || interval > 4) {
      return Status::DataError(where + ": hour 1-24 and interval 1-4 expected");
    }
    if (!row[col_price].is_number() || !std::isfinite(row[col_price].get<double>()) ||
        std::abs(row[col_price].get<double>()) > 100'000) {
      return Status::DataError(where + ": settlementPointPrice: expected a price in USD/MWh");
    }
    bool repeated = false;
    if (col_dst >= 0) {
      const json& d = row[col_dst];
      if (d.is_boolean()) {
        repeated = d.get<bool>();
      } else if (d.is_string()) {
        repeated = d.get<std::string>() == "Y" || d.get<std::string>() == "true";
      } else if (!d.is_null()) {
        return Status::DataError(where + ": DSTFlag: expected true or false");
      }
    }
    Result<UtcTime> start = CentralHourEndingToUtc(*day, static_cast<int>(hour), repeated);
    if (!start.ok()) return Status::DataError(where + ": " + start.status().message());
    page.prices.emplace_back(*start + kInterval * (interval - 1), row[col_price].get<double>());
  }
  return page;
}

Result<std::unique_ptr<ErcotFeed>> ErcotFeed::Create(ErcotFeedOptions options) {
  if (options.username.empty() || options.password.empty() || options.subscription_key.empty()) {
    return Status::InvalidArgument(
        "--ercot-credentials: the file needs username, password and subscription_key (developer.ercot.com)");
  }
  std::unique_ptr<ErcotFeed> feed(new ErcotFeed(std::move(options)));
  Result<HttpUrl> api = ParseHttpUrl(feed->o_.api_url, "--ercot-api");
  if (!api.ok()) return api.status();
  Result<HttpUrl> token = ParseHttpUrl(feed->o_.token_url, "--ercot-token-url");
  if (!token.ok()) return token.status();
  feed->api_ = {api->tls, api->host, api->port, api->path};
  // The token URL has its own path (the B2C policy), kept whole.
  feed->token_url_ = {token->tls, token->host, token->port, token->path};
  return feed;
}

Status ErcotFeed::Authenticate() {
  if (!token_.empty() && std::chrono::steady_clock::now() < token_until_) return Status::Ok();
  HttpPeer peer{token_url_.host, token_url_.port, token_url_.tls, {}, o_.timeout, 1 << 20};
  HttpCall call;
  call.method = "POST";
  call.target = token_url_.path.empty() ? "/" : token_url_.path;
  call.content_type = "application/x-www-form-urlencoded";
  call.body = "username=" + FormEncode(o_.username) + "&password=" + FormEncode(o_.password) +
              "&grant_type=password&scope=" + FormEncode(std::string("openid ") + kErcotClientId + " offline_access") +
              "&client_id=" + kErcotClientId + "&response_type=id_token";
  Result<HttpReply> reply = CallHttp(peer, call);
  if (!reply.ok()) return Status::IoError("ERCOT token: " + reply.status().message());
  if (reply->status != 200) {
    return Status::IoError("ERCOT token: HTTP " + std::to_string(reply->status) + ": " + PeerText(reply->body));
  }
  const json j = json::parse(reply->body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("id_token") || !j["id_token"].is_string() ||
      j["id_token"].get<std::string>().empty()) {
    return Status::DataError("ERCOT token: no id_token in the reply");
  }
  token_ = j["id_token"].get<std::string>();
  token_until_ = std::chrono::steady_clock::now() + std::chrono::minutes(55);  // it lasts an hour
  return Status::Ok();
}

void ErcotFeed::Poll(UtcTime now) {
  if (next_allowed_ && now < *next_allowed_) return;
  if (tried_at_ && Seconds(static_cast<double>((now - *tried_at_).count())) < o_.poll) return;
  tried_at_ = now;
  const Status s = PollNow(now);
  if (s.ok()) {
    good_at_ = now;
    error_.clear();
    throttled_ = 0;
    next_allowed_.reset();
  } else {
    error_ = s.message();
  }
}

Status ErcotFeed::PollNow(UtcTime now) {
  if (Status s = Authenticate(); !s.ok()) return s;
  const Date today = CentralDay(now);
  const std::string from = DateText(today - std::chrono::days(1)), to = DateText(today);
  std::map<UtcTime, double> got;
  for (int page = 1, pages = 1; page <= pages && page <= kMaxPages; ++page) {
    HttpPeer peer{api_.host, api_.port, api_.tls, {}, o_.timeout, 4 << 20};
    HttpCall call;
    call.target = api_.path + "/api/public-reports/np6-905-cd/spp_node_zone_hub?deliveryDateFrom=" + from +
                  "&deliveryDateTo=" + to + "&settlementPoint=" + FormEncode(o_.point) +
                  "&page=" + std::to_string(page) + "&size=" + std::to_string(kPageSize);
    call.authorization = "Bearer " + token_;
    call.extra_headers = {{"Ocp-Apim-Subscription-Key", o_.subscription_key}};
    Result<HttpReply> reply = CallHttp(peer, call);
    if (!reply.ok()) return Status::IoError("ERCOT API: " + reply.status().message());
    if (reply->status == 429) {
      // Throttled: back off 30 s, doubling to 15 minutes, plus up to a
      // quarter more at random so that many daemons do not retry together.
      const double base = std::min(900.0, 30.0 * std::pow(2.0, throttled_++));
      const double jitter = std::uniform_real_distribution<double>(0, base / 4)(rng_);
      next_allowed_ = now + std::chrono::seconds(static_cast<std::int64_t>(base + jitter));
      return Status::IoError("ERCOT API: throttled (429); next try at " + FormatUtc(*next_allowed_));
    }
    if (reply->status == 401) {
      token_.clear();
      return Status::IoError("ERCOT API: refused (401): " + PeerText(reply->body));
    }
    if (reply->status != 200) {
      return Status::IoError("ERCOT API: HTTP " + std::to_string(reply->status) + ": " + PeerText(reply->body));
    }
    Result<ErcotPage> parsed = ParseErcotSppPage(reply->body, o_.point);
    if (!parsed.ok()) return parsed.status();
    for (const auto& [t, price] : parsed->prices) got[t] = price;
    pages = parsed->total_pages;
  }
  if (got.empty()) return Status::DataError("ERCOT API: no prices for " + o_.point + " from " + from + " to " + to);
  for (const auto& [t, price] : got) prices_[t] = price;
  // Three days are plenty: the price in force is the newest.
  while (!prices_.empty() && prices_.begin()->first < now - std::chrono::hours(72)) prices_.erase(prices_.begin());
  return Status::Ok();
}

std::optional<PriceReading> ErcotFeed::At(UtcTime now) const {
  auto it = prices_.upper_bound(now);
  if (it == prices_.begin()) return std::nullopt;
  --it;
  return PriceReading{UsdPerMegawattHour(it->second), it->first, kInterval};
}

bool ErcotFeed::Stale(UtcTime now) const {
  return PriceStale(At(now), now, o_.max_age);
}

SourceHealth ErcotFeed::Health(UtcTime now) const {
  SourceHealth h;
  h.source = "ERCOT public API, real-time SPP " + o_.point;
  h.read_at = good_at_;
  h.stale = Stale(now);
  h.error = error_;
  if (h.error.empty() && h.stale) h.error = PriceStaleWhy(At(now));
  return h;
}

}  // namespace mullet
