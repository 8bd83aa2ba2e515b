// The two small pieces of HTTP the daemon's clients (the OpenADR VEN, the
// ERCOT feed) share: a base URL split for data/http_call.h, and a value
// encoded for a form body or a query string.

#ifndef MULLET_DAEMON_HTTP_URL_H_
#define MULLET_DAEMON_HTTP_URL_H_

#include <string>
#include <string_view>

#include "core/status/result.h"

namespace mullet {

struct HttpUrl {
  bool tls = false;
  std::string host;
  std::string port;    // "80" or "443" when the URL gives none
  std::string path;    // "" or "/prefix", without a trailing slash or the query
  std::string target;  // the path and query as written ("/" when none): what a GET of the URL asks
};

// "http(s)://HOST[:PORT][/PATH][?QUERY]" (a #fragment is dropped).
// InvalidArgument naming `flag` otherwise (no user info, a port 1-65535).
Result<HttpUrl> ParseHttpUrl(const std::string& url, std::string_view flag);

// The URL without its query (which may carry a key), for logs and the API:
// "https://prices.example.com/hb_west.csv".
std::string ShownUrl(const HttpUrl& url);

// application/x-www-form-urlencoded (RFC 3986 unreserved kept, the rest %XX).
std::string FormEncode(std::string_view s);

}  // namespace mullet

#endif  // MULLET_DAEMON_HTTP_URL_H_
