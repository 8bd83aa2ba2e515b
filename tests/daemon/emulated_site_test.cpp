// ShareOut: N miners shared over the site's groups in proportion, every
// group with units getting one while N allows, the total exactly N.

#include "daemon/emulated_site.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

namespace mullet {
namespace {

TEST(ShareOutTest, SharesInProportionWithTheTotalExact) {
  EXPECT_EQ(ShareOut(1000, {600, 400}), (std::vector<int>{600, 400}));
  EXPECT_EQ(ShareOut(200, {600, 400}), (std::vector<int>{120, 80}));
  EXPECT_EQ(ShareOut(10, {5000, 4000, 4000, 3000, 2500}), (std::vector<int>{2, 2, 2, 2, 2}));
  EXPECT_EQ(ShareOut(3, {1000, 1, 1}), (std::vector<int>{1, 1, 1})) << "every group is seen";
  EXPECT_EQ(ShareOut(2, {1000, 1, 1}), (std::vector<int>{1, 1, 0}));
  EXPECT_EQ(ShareOut(5, {0, 10}), (std::vector<int>{0, 5}));
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<int> counts(1 + rng() % 6);
    for (int& c : counts) c = static_cast<int>(rng() % 5000);
    if (std::accumulate(counts.begin(), counts.end(), 0) == 0) continue;
    const std::size_t n = 1 + rng() % 3000;
    const std::vector<int> out = ShareOut(n, counts);
    EXPECT_EQ(static_cast<std::size_t>(std::accumulate(out.begin(), out.end(), 0)), n);
    for (std::size_t g = 0; g < counts.size(); ++g) {
      EXPECT_GE(out[g], 0);
      if (counts[g] == 0) {
        EXPECT_EQ(out[g], 0);
      }
    }
  }
}

}  // namespace
}  // namespace mullet
