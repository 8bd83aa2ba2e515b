#include "data/builtin_network.h"

#include <gtest/gtest.h>

#include "data/network_state.h"

namespace mullet {
namespace {

// The built-in snapshot must be what the data says on its date: it is a
// parameter derived from ../shared/data, not a number typed in by hand.
TEST(BuiltinNetworkTest, MatchesTheHistoryOnItsDate) {
  Result<NetworkHistory> h = NetworkHistory::Load(MULLET_SHARED_DATA);
  ASSERT_TRUE(h.ok()) << h.status().message();
  Result<NetworkState> s = h->At(*ParseDate(builtin_network::kDate));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->difficulty, builtin_network::kDifficulty);
  EXPECT_EQ(s->height, builtin_network::kHeight);
  EXPECT_EQ(s->price.value(), builtin_network::kPriceUsd);
  EXPECT_NEAR(s->fees_per_block.value(), builtin_network::kFeesBtcPerBlock, 1e-12);
}

}  // namespace
}  // namespace mullet
