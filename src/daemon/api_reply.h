// The API's replies, shared by the files of ApiHandler (api_handler.cpp is
// their home): JSON bodies, errors from a Status, and the small readings of a
// request every route makes. Internal to the daemon's API.

#ifndef MULLET_DAEMON_API_REPLY_H_
#define MULLET_DAEMON_API_REPLY_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "daemon/api.h"
#include "storage/store.h"

namespace mullet::api_reply {

// Keys in the order written: "id" first, as a person reads an object.
using json = nlohmann::ordered_json;

inline constexpr std::size_t kMaxListed = 1000;

std::string Dump(const json& j);
ApiReply Reply(int status, const json& body);
ApiReply Error(int status, const std::string& message);
// 400 for bad input, 404, 409, else 500; the status's message as the error.
ApiReply ErrorOf(const Status& s);
json TimeOrNull(const std::optional<UtcTime>& t);
// ?limit=N: 1..kMaxListed, 100 when absent.
Result<std::size_t> Limit(std::string_view query);
// A positive row id from a path's last segment.
Result<std::int64_t> IdIn(std::string_view text);
// "token 3 (ops-laptop)": who a write was, for the audit log.
std::string Who(const TokenInfo& t);
// The source id a POST is stored under: its Idempotency-Key, so that a retry
// is the same row; without one, a fresh id, so each POST is its own.
Result<std::string> SourceIdOf(const ApiRequest& request);
// None when `method` is one of `methods`; else the 405 naming it and `path`.
std::optional<ApiReply> OnlyMethods(std::string_view method, std::initializer_list<const char*> methods,
                                    std::string_view path);

}  // namespace mullet::api_reply

#endif  // MULLET_DAEMON_API_REPLY_H_
