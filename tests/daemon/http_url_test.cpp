// A base URL split for the daemon's HTTP clients: the path without its
// query for a client that appends to it, the path and query as written for
// a GET of the URL itself, and the URL as shown without its query.

#include "daemon/http_url.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

TEST(HttpUrlTest, ThePathTheTargetAndTheShownUrl) {
  Result<HttpUrl> u = ParseHttpUrl("https://prices.example.com/feeds/hb_west.csv?key=s3cret#top", "--price-url");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "prices.example.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->path, "/feeds/hb_west.csv");
  EXPECT_EQ(u->target, "/feeds/hb_west.csv?key=s3cret");
  EXPECT_EQ(ShownUrl(*u), "https://prices.example.com/feeds/hb_west.csv");

  u = ParseHttpUrl("http://127.0.0.1:8081/vtn/", "--openadr-vtn");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path, "/vtn") << "a base path loses its trailing slash";
  EXPECT_EQ(u->target, "/vtn/");
  EXPECT_EQ(ShownUrl(*u), "http://127.0.0.1:8081/vtn/");

  u = ParseHttpUrl("http://host?token=1", "--price-url");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "host");
  EXPECT_EQ(u->path, "");
  EXPECT_EQ(u->target, "/?token=1");
  EXPECT_EQ(ShownUrl(*u), "http://host/");
}

TEST(HttpUrlTest, BadUrlsAreRefusedAndAPasswordIsNotEchoed) {
  EXPECT_FALSE(ParseHttpUrl("ftp://host/x", "--price-url").ok());
  EXPECT_FALSE(ParseHttpUrl("http://:80/x", "--price-url").ok());
  EXPECT_FALSE(ParseHttpUrl("http://host:99999/x", "--price-url").ok());
  const Result<HttpUrl> user = ParseHttpUrl("https://me:hunter2@host/x", "--price-url");
  ASSERT_FALSE(user.ok());
  EXPECT_NE(user.status().message().find("--price-url"), std::string::npos);
  EXPECT_EQ(user.status().message().find("hunter2"), std::string::npos) << user.status().message();
}

}  // namespace
}  // namespace mullet
