// libFuzzer entry point for the daemon's API (fuzz/README.md): the bytes are
// one request, "METHOD TARGET\nAUTHORIZATION\nIDEMPOTENCY-KEY\nBODY", handed
// to ApiHandler over a store in memory that holds one operator token
// ("mlt_fuzz" is not it: the fuzzer must find the routes' answers to
// strangers, and the token line "op" stands for the real one). Every reply
// must be a known status with a JSON body (text for /metrics and /healthz);
// ParseEventBody and ParseFourCpAlertBody must refuse with InvalidArgument or
// give an event or alert inside their stated bounds; nothing may throw.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "daemon/api.h"
#include "storage/sqlite_store.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

std::string_view Line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  return line;
}

struct World {
  std::unique_ptr<mullet::Store> store;
  std::string token;
  std::unique_ptr<mullet::ApiHandler> handler;
};

World& TheWorld() {
  static World* w = [] {
    auto* world = new World;
    world->store = std::move(mullet::OpenSqliteStore(":memory:")).value();
    const mullet::UtcTime now = *mullet::ParseUtcTimestamp("2026-12-02T15:00:00Z");
    world->token = *world->store->CreateToken(mullet::Role::kOperator, "fuzz", "fuzz", now);
    mullet::SiteView site;
    site.name = "fuzz";
    site.interconnect_w = 1e6;
    site.started = now;
    world->handler = std::make_unique<mullet::ApiHandler>(*world->store, site, [now] { return now; });
    return world;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view first = Line(rest);
  const std::string_view auth = Line(rest);
  const std::string_view key = Line(rest);
  const std::string_view body = rest;

  const mullet::UtcTime now = *mullet::ParseUtcTimestamp("2026-12-02T15:00:00Z");
  const mullet::Result<mullet::EventSpec> spec = mullet::ParseEventBody(body, now);
  if (!spec.ok()) {
    Require(spec.status().code() == mullet::StatusCode::kInvalidArgument);
  } else {
    Require(spec->type == "reduce-to" || spec->type == "reduce-by");
    Require(std::isfinite(spec->kw) && spec->kw >= 0 && spec->kw <= 1e7);
    Require(spec->type == "reduce-to" || spec->kw > 0);
    Require(spec->ramp_s >= 0 && spec->ramp_s <= 86400);
    Require(!spec->end || *spec->end > now);
    Require(!(spec->start && spec->end) || *spec->end > *spec->start);
  }

  const mullet::Result<mullet::FourCpAlertRow> alert = mullet::ParseFourCpAlertBody(body, now);
  if (!alert.ok()) {
    Require(alert.status().code() == mullet::StatusCode::kInvalidArgument);
  } else {
    Require(!alert->end || *alert->end > now);
    Require(!(alert->start && alert->end) || *alert->end > *alert->start);
  }

  World& w = TheWorld();
  mullet::ApiRequest request;
  const std::size_t space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  request.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  request.authorization = auth == "op" ? "Bearer " + w.token : std::string(auth);
  request.idempotency_key = std::string(key);
  request.body = std::string(body);
  const mullet::ApiReply reply = w.handler->Handle(request);
  static const std::set<int> kKnown = {200, 201, 400, 401, 403, 404, 405, 409};
  Require(kKnown.contains(reply.status));
  if (reply.content_type == "application/json") {
    Require(!nlohmann::json::parse(reply.body, nullptr, false).is_discarded());
  }
  return 0;
}
