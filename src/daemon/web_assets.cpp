// The dashboard's files as the daemon serves them (web_assets.h).

#include "daemon/web_assets.h"

#include <array>
#include <utility>

namespace mullet {
namespace {

// The page may load only from its own origin; it has no inline script or
// style; nothing may frame it. uPlot sizes its canvas through the CSSOM,
// which style-src does not govern.
constexpr std::string_view kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "
    "'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

}  // namespace

std::string_view ContentTypeOf(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

ApiReply WebAssetReply(std::string_view path, std::span<const WebAsset> assets) {
  if (path == "/" || path == "/index.html") path = "/index.html";
  ApiReply reply;
  reply.headers = {{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}};
  for (const WebAsset& a : assets) {
    if (a.path != path) continue;
    reply.status = 200;
    reply.content_type = std::string(ContentTypeOf(path));
    reply.body = std::string(a.body);
    // Vite names every file under /assets/ by a hash of its content: a
    // new build is a new name, so a browser may keep these for good. The
    // page itself names them, so it is checked with the daemon every time.
    const bool hashed = path.starts_with("/assets/");
    reply.headers.emplace_back("Cache-Control",
                               hashed ? "public, max-age=31536000, immutable" : "no-cache");
    if (path.ends_with(".html")) {
      reply.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
      reply.headers.emplace_back("X-Frame-Options", "DENY");
    }
    return reply;
  }
  reply.status = 404;
  reply.content_type = "text/plain; charset=utf-8";
  reply.headers.emplace_back("Cache-Control", "no-store");
  reply.body =
      assets.empty() && path == "/index.html"
          ? "The dashboard was not built into this mullet: npm was not found when it was built "
            "(install nodejs and npm, then build again; web/README.md). The API is at /api/v1/.\n"
          : "not found\n";
  return reply;
}

}  // namespace mullet
