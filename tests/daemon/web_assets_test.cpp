// The dashboard's files as the daemon serves them: each with its type and
// caching, / as the page, and no path that reaches beyond the table.

#include "daemon/web_assets.h"

#include <gtest/gtest.h>

#include <string>

namespace mullet {
namespace {

constexpr WebAsset kTable[] = {
    {"/index.html", "<!doctype html><title>mullet</title>"},
    {"/assets/index-AbC123.js", "console.log(1)"},
    {"/assets/index-AbC123.css", "body{}"},
};

std::string Header(const ApiReply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(WebAssetsTest, ServesThePageAtTheRootRevalidatedWithItsPolicy) {
  const ApiReply r = WebAssetReply("/", kTable);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html><title>mullet</title>");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(Header(r, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(WebAssetReply("/index.html", kTable).body, r.body);
}

TEST(WebAssetsTest, HashedAssetsAreKeptForGoodWithTheirType) {
  const ApiReply js = WebAssetReply("/assets/index-AbC123.js", kTable);
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(WebAssetReply("/assets/index-AbC123.css", kTable).content_type,
            "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeOf("/x.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeOf("/x.bin"), "application/octet-stream");
}

TEST(WebAssetsTest, NoPathReachesBeyondTheTable) {
  for (const char* path :
       {"/../../etc/passwd", "/assets/../../../etc/passwd", "/assets/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd", "/assets//index-AbC123.js",
        "/assets/./index-AbC123.js", "/ASSETS/index-AbC123.js", "/index.html/", "/etc/passwd",
        "/assets/index-AbC123.js\\..\\..", "/web/src/main.ts", "/package.json"}) {
    const ApiReply r = WebAssetReply(path, kTable);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body, "not found\n") << path;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-store") << path;
  }
}

TEST(WebAssetsTest, WithoutADashboardTheRootSaysItWasNotBuilt) {
  const ApiReply r = WebAssetReply("/", {});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("dashboard was not built"), std::string::npos) << r.body;
  EXPECT_EQ(WebAssetReply("/assets/index-AbC123.js", {}).body, "not found\n");
}

}  // namespace
}  // namespace mullet
