// A fake OpenADR 3 VTN for tests, built from the specification's OpenAPI
// document (grid-coordination/openadr3-specification 3.1.1): POST
// /auth/token (client credentials, form-encoded), GET /programs, GET
// /events?programID&skip&limit (limit at most 50, as the specification
// bounds it), POST /reports; bearer tokens checked on each, 401 otherwise.
// Served by fake_http_server.h.

#ifndef MULLET_TESTS_DAEMON_FAKE_VTN_H_
#define MULLET_TESTS_DAEMON_FAKE_VTN_H_

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/fake_http_server.h"

namespace mullet::testing_vtn {

class FakeVtn : public testing_http::FakeHttpServer {
 public:
  FakeVtn() { Start(); }
  ~FakeVtn() override { Stop(); }
  std::string url() const { return base() + "/oadr3"; }

  void SetEvents(nlohmann::json events) {
    std::lock_guard<std::mutex> lock(mu_);
    events_ = std::move(events);
  }
  // Every token issued so far stops working (the VEN must fetch another).
  void RevokeTokens() {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  std::vector<nlohmann::json> reports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }
  int tokens_issued() const { return tokens_issued_; }
  int event_requests() const { return event_requests_; }

 private:
  static Response Problem(int status, const std::string& title) {
    // The specification's `problem` (RFC 7807) shape.
    return Json(status, {{"type", "about:blank"}, {"title", title}, {"status", status}});
  }
  static std::string Query(const std::string& target, const std::string& key) {
    const std::size_t q = target.find('?');
    if (q == std::string::npos) return "";
    std::string rest = target.substr(q + 1);
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      const std::string pair = rest.substr(0, amp);
      const std::size_t eq = pair.find('=');
      if (pair.substr(0, eq) == key && eq != std::string::npos) return pair.substr(eq + 1);
      if (amp == std::string::npos) break;
      rest = rest.substr(amp + 1);
    }
    return "";
  }

  Response Handle(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/oadr3/auth/token" && req.method() == boost::beast::http::verb::post) {
      const std::string body = req.body();
      if (body.find("grant_type=client_credentials") == std::string::npos ||
          body.find("client_id=ven-1") == std::string::npos ||
          body.find("client_secret=s%26cret") == std::string::npos) {
        return Problem(401, "bad client credentials");
      }
      ++tokens_issued_;
      return Json(200, {{"access_token", "tok-" + std::to_string(generation_) + "-" + std::to_string(tokens_issued_)},
                        {"token_type", "Bearer"},
                        {"expires_in", 3600}});
    }
    const std::string auth(req[boost::beast::http::field::authorization]);
    if (auth.rfind("Bearer tok-" + std::to_string(generation_) + "-", 0) != 0) return Problem(401, "unauthorized");
    if (path == "/oadr3/programs" && req.method() == boost::beast::http::verb::get) {
      return Json(200, nlohmann::json::array({
                           {{"id", "program-7"}, {"programName", "other"}, {"objectType", "PROGRAM"}},
                           {{"id", "program-9"}, {"programName", "ercot-ers"}, {"objectType", "PROGRAM"}},
                       }));
    }
    if (path == "/oadr3/events" && req.method() == boost::beast::http::verb::get) {
      ++event_requests_;
      const std::string program = Query(target, "programID");
      const int skip = Query(target, "skip").empty() ? 0 : std::stoi(Query(target, "skip"));
      int limit = Query(target, "limit").empty() ? 50 : std::stoi(Query(target, "limit"));
      if (limit > 50 || limit < 0 || skip < 0) return Problem(400, "limit must be 0 to 50");
      nlohmann::json page = nlohmann::json::array();
      int seen = 0;
      for (const nlohmann::json& e : events_) {
        if (!program.empty() && e.value("programID", "") != program) continue;
        if (seen++ < skip) continue;
        if (static_cast<int>(page.size()) >= limit) break;
        page.push_back(e);
      }
      return Json(200, page);
    }
    if (path == "/oadr3/reports" && req.method() == boost::beast::http::verb::post) {
      nlohmann::json r = nlohmann::json::parse(req.body(), nullptr, false);
      if (r.is_discarded() || !r.contains("eventID") || !r.contains("clientName") || !r.contains("resources")) {
        return Problem(400, "a report needs eventID, clientName and resources");
      }
      reports_.push_back(r);
      r["id"] = "report-" + std::to_string(reports_.size());
      r["objectType"] = "REPORT";
      return Json(201, r);
    }
    return Problem(404, "no route " + path);
  }

  mutable std::mutex mu_;
  nlohmann::json events_ = nlohmann::json::array();
  std::vector<nlohmann::json> reports_;
  int generation_ = 0;
  std::atomic<int> tokens_issued_{0};
  std::atomic<int> event_requests_{0};
};

}  // namespace mullet::testing_vtn

#endif  // MULLET_TESTS_DAEMON_FAKE_VTN_H_
