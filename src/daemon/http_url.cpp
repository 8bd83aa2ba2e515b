#include "daemon/http_url.h"

#include <cctype>
#include <charconv>

#include "core/text/untrusted_text.h"

namespace mullet {

Result<HttpUrl> ParseHttpUrl(const std::string& url, std::string_view flag) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(std::string(flag) + ": " + why + ", got " + Quoted(url));
  };
  HttpUrl u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    return bad("expected http(s)://HOST[:PORT][/PATH]");
  }
  rest = rest.substr(0, rest.find('#'));
  const std::size_t end = rest.find_first_of("/?");
  const std::string authority = rest.substr(0, end);
  if (authority.find('@') != std::string::npos) {
    // Not echoed: user info is a password.
    return Status::InvalidArgument(std::string(flag) + ": user info (USER:PASSWORD@) is not taken in a URL");
  }
  if (authority.empty()) return bad("expected http(s)://HOST[:PORT][/PATH]");
  const std::string path_and_query = end == std::string::npos ? "" : rest.substr(end);
  u.target = path_and_query.starts_with("/") ? path_and_query : "/" + path_and_query;
  u.path = path_and_query.substr(0, path_and_query.find('?'));
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  const std::size_t colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  u.port = colon == std::string::npos ? (u.tls ? "443" : "80") : authority.substr(colon + 1);
  int p = 0;
  const auto r = std::from_chars(u.port.data(), u.port.data() + u.port.size(), p);
  if (u.host.empty() || r.ec != std::errc() || r.ptr != u.port.data() + u.port.size() || p < 1 || p > 65535) {
    return bad("bad host or port");
  }
  return u;
}

std::string ShownUrl(const HttpUrl& u) {
  const bool default_port = u.port == (u.tls ? "443" : "80");
  return std::string(u.tls ? "https://" : "http://") + u.host + (default_port ? "" : ":" + u.port) +
         u.target.substr(0, u.target.find('?'));
}

std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace mullet
