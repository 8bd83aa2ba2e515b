// One HTTP/1.1 request to a peer that is not trusted to answer well: a
// deadline on every step (resolve, connect, TLS handshake, send, reply), a
// bounded reply, and a Status naming the step that failed. Over TLS the
// peer's certificate is verified against the system's CA store (or a given
// CA file) and the host name. Used by `mullet data` for the Bitcoin node's
// JSON-RPC and an exchange's OHLC endpoint.

#ifndef MULLET_DATA_HTTP_CALL_H_
#define MULLET_DATA_HTTP_CALL_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/status/result.h"

namespace mullet {

struct HttpPeer {
  std::string host;
  std::string port;
  bool tls = false;
  std::filesystem::path ca_file;  // TLS: empty = the system's CA store
  std::chrono::milliseconds timeout{10000};  // each step's deadline
  std::size_t max_reply_bytes = 1 << 20;
};

struct HttpCall {
  std::string method = "GET";  // GET or POST
  std::string target = "/";    // path and query
  std::string body;
  std::string content_type;
  std::string authorization;   // the header's value, if any
  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. an API key
};

struct HttpReply {
  int status = 0;
  std::string body;
};

// IoError for a peer that cannot be reached, does not finish a step in time,
// fails verification, or sends more than max_reply_bytes or no HTTP.
Result<HttpReply> CallHttp(const HttpPeer& peer, const HttpCall& call);

// At most `n` characters of a peer's text for an error message, with control
// characters and bytes outside printable ASCII shown as '?'.
std::string PeerText(std::string_view text, std::size_t n = 120);

}  // namespace mullet

#endif  // MULLET_DATA_HTTP_CALL_H_
