#include "drivers/transport/address_range.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

std::string At(const Result<std::vector<boost::asio::ip::tcp::endpoint>>& r, size_t i) {
  return r->at(i).address().to_string() + ":" + std::to_string(r->at(i).port());
}

TEST(AddressRangeTest, DashRangeCrossesOctets) {
  const auto r = ParseAddressRange("127.1.0.254-127.1.1.2", 4028);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ(At(r, 0), "127.1.0.254:4028");
  EXPECT_EQ(At(r, 4), "127.1.1.2:4028");
}

TEST(AddressRangeTest, CidrSkipsNetworkAndBroadcast) {
  const auto r = ParseAddressRange("10.0.0.0/30", 4433);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(At(r, 0), "10.0.0.1:4433");
  EXPECT_EQ(At(r, 1), "10.0.0.2:4433");
  EXPECT_EQ(ParseAddressRange("10.0.0.7/32", 4028)->size(), 1u);
  EXPECT_EQ(ParseAddressRange("127.0.0.0/16", 4028)->size(), 65534u);
}

TEST(AddressRangeTest, CommaListsAndSingles) {
  const auto r = ParseAddressRange("127.0.0.5,127.0.0.9-127.0.0.10", 4028);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(At(r, 2), "127.0.0.10:4028");
}

TEST(AddressRangeTest, BadInputIsNamed) {
  EXPECT_NE(ParseAddressRange("127.0.0.300", 4028).status().message().find("127.0.0.300"), std::string::npos);
  EXPECT_FALSE(ParseAddressRange("127.0.0.9-127.0.0.1", 4028).ok());
  EXPECT_FALSE(ParseAddressRange("10.0.0.0/33", 4028).ok());
  EXPECT_FALSE(ParseAddressRange("127.0.0.1,,127.0.0.2", 4028).ok());
  EXPECT_FALSE(ParseAddressRange("", 4028).ok());
  EXPECT_NE(ParseAddressRange("10.0.0.0/8", 4028, 1000).status().message().find("more than 1000"),
            std::string::npos);
}

}  // namespace
}  // namespace mullet
