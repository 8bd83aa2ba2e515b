// A fake of ERCOT's Public Data API for tests, from its published shapes
// (developer.ercot.com; report NP6-905-CD): a token endpoint (the Azure B2C
// password grant, form-encoded, answering an id_token), and
// /api/public-reports/np6-905-cd/spp_node_zone_hub answering `_meta`,
// `fields` and a list-of-lists `data`, paged by page and size; 401 without
// the subscription key or a token, 429 {"error_key":"throttled"} when told.
// Served by fake_http_server.h.

#ifndef MULLET_TESTS_DAEMON_FAKE_ERCOT_H_
#define MULLET_TESTS_DAEMON_FAKE_ERCOT_H_

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/fake_http_server.h"

namespace mullet::testing_ercot {

class FakeErcot : public testing_http::FakeHttpServer {
 public:
  FakeErcot() { Start(); }
  ~FakeErcot() override { Stop(); }
  std::string token_url() const { return base() + "/b2c/token"; }

  // Rows: [deliveryDate, deliveryHour, deliveryInterval, settlementPoint,
  // settlementPointType, settlementPointPrice, DSTFlag].
  void SetRows(nlohmann::json rows) {
    std::lock_guard<std::mutex> lock(mu_);
    rows_ = std::move(rows);
  }
  void ThrottleNext(int n) { throttle_ = n; }
  // The most rows a page holds, whatever `size` asks (the API caps it too).
  void SetMaxPageSize(int n) { max_page_ = n; }
  int tokens_issued() const { return tokens_; }
  int data_requests() const { return requests_; }

 private:
  static int QueryInt(const std::string& target, const std::string& key, int fallback) {
    const std::size_t at = target.find(key + "=");
    if (at == std::string::npos) return fallback;
    return std::atoi(target.c_str() + at + key.size() + 1);
  }

  Response Handle(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/b2c/token" && req.method() == boost::beast::http::verb::post) {
      const std::string& b = req.body();
      if (b.find("username=u%40site.com") == std::string::npos || b.find("password=pw") == std::string::npos ||
          b.find("grant_type=password") == std::string::npos) {
        return Json(400, {{"error", "invalid_grant"}});
      }
      ++tokens_;
      return Json(200, {{"access_token", "a"}, {"id_token", "idtok-" + std::to_string(tokens_.load())},
                        {"token_type", "Bearer"}, {"expires_in", "3600"}});
    }
    if (path != "/api/public-reports/np6-905-cd/spp_node_zone_hub") return Json(404, {{"message", "Resource not found"}});
    if (std::string(req["Ocp-Apim-Subscription-Key"]) != "key-1") {
      return Json(401, {{"statusCode", 401}, {"message", "Access denied due to missing subscription key."}});
    }
    if (std::string(req[boost::beast::http::field::authorization]).rfind("Bearer idtok-", 0) != 0) {
      return Json(401, {{"statusCode", 401}, {"message", "Unauthorized"}});
    }
    ++requests_;
    if (throttle_ > 0) {
      --throttle_;
      return Json(429, {{"error_key", "throttled"}});
    }
    const int page = QueryInt(target, "page", 1), size = std::min(max_page_.load(), QueryInt(target, "size", 1000));
    const int total = static_cast<int>(rows_.size());
    const int pages = std::max(1, (total + size - 1) / size);
    nlohmann::json data = nlohmann::json::array();
    for (int i = (page - 1) * size; i < std::min(total, page * size); ++i) data.push_back(rows_[i]);
    nlohmann::json fields = nlohmann::json::array();
    for (const char* name : {"deliveryDate", "deliveryHour", "deliveryInterval", "settlementPoint",
                             "settlementPointType", "settlementPointPrice", "DSTFlag"}) {
      fields.push_back({{"name", name}, {"label", name}});
    }
    return Json(200, {{"_meta", {{"totalRecords", total}, {"pageSize", size}, {"totalPages", pages},
                                 {"currentPage", page}}},
                      {"report", {{"reportEMILID", "NP6-905-CD"}}},
                      {"fields", fields},
                      {"data", data}});
  }

  std::mutex mu_;
  nlohmann::json rows_ = nlohmann::json::array();
  std::atomic<int> throttle_{0};
  std::atomic<int> max_page_{1000};
  std::atomic<int> tokens_{0};
  std::atomic<int> requests_{0};
};

}  // namespace mullet::testing_ercot

#endif  // MULLET_TESTS_DAEMON_FAKE_ERCOT_H_
