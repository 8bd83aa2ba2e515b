// The dashboard's files (web/), as `mullet serve` serves them at / from the
// same origin as the API. They are built by npm when mullet is built and
// embedded in the binary (cmake/embed_web.cmake), so the daemon serves them
// offline, from anywhere, with no directory to find; a build without npm
// embeds none and / says so.
//
// A file is found by its exact path in the embedded table: nothing is read
// from disk, so no path (../, %2e%2e, //) can reach beyond the table.
// Safe for concurrent use by multiple threads (the table is constant).

#ifndef MULLET_DAEMON_WEB_ASSETS_H_
#define MULLET_DAEMON_WEB_ASSETS_H_

#include <optional>
#include <span>
#include <string_view>

#include "daemon/api.h"

namespace mullet {

// Every embedded file; empty when the dashboard was not built
// (web_assets_data.cpp, generated).
std::span<const WebAsset> EmbeddedWebAssets();

// "text/html; charset=utf-8" for ".html", ...; "application/octet-stream"
// for an extension it does not know.
std::string_view ContentTypeOf(std::string_view path);

// The reply to a GET or HEAD of `path` (no query) outside /api/: the file,
// with its type, its caching (hashed assets kept a year, the page revalidated
// every time) and the page's security headers; "/" is /index.html. A 404
// for anything else, which says so when the dashboard was not built at all.
// Pure of sockets; `assets` is the table (EmbeddedWebAssets() in the daemon).
ApiReply WebAssetReply(std::string_view path, std::span<const WebAsset> assets);

}  // namespace mullet

#endif  // MULLET_DAEMON_WEB_ASSETS_H_
