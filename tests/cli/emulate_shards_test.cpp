// The shard supervisor of `mullet emulate` (cli/emulate_shards.h), with
// children that stand in for emulator processes.

#include "cli/emulate_shards.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace mullet {
namespace {

std::vector<ShardPlan> TwoShards() {
  std::vector<ShardPlan> shards(2);
  shards[1].first_index = 1;
  return shards;
}

// One shard ends on its own (its --duration-s ran out); the other, stopped by
// the parent's SIGTERM before it has a handler, dies of the signal. That is
// the stop the parent asked for: exit 0, not 143 (issue 9).
TEST(RunShardsTest, AShardStoppedAfterAnotherEndedIsNotAFailure) {
  std::vector<std::string> listings;
  const int code = RunShards(
      TwoShards(),
      [](const ShardPlan& s, int fd) {
        signal(SIGTERM, SIG_DFL);
        const std::string line = "{\"shard\":" + std::to_string(s.first_index) + "}\n";
        if (write(fd, line.data(), line.size()) < 0) return 9;
        close(fd);
        if (s.first_index == 0) {
          usleep(100 * 1000);  // the other listens by now
          return 0;
        }
        while (true) pause();
      },
      [&](const std::vector<std::string>& lines) { listings = lines; });
  EXPECT_EQ(code, 0);
  EXPECT_EQ(listings, (std::vector<std::string>{"{\"shard\":0}", "{\"shard\":1}"}));
}

TEST(RunShardsTest, AShardThatFailsOnItsOwnGivesItsCode) {
  const int code = RunShards(
      TwoShards(),
      [](const ShardPlan& s, int fd) {
        signal(SIGTERM, SIG_DFL);
        if (write(fd, "{}\n", 3) < 0) return 9;
        close(fd);
        if (s.first_index == 0) {
          usleep(100 * 1000);
          return 3;
        }
        while (true) pause();
      },
      [](const std::vector<std::string>&) {});
  EXPECT_EQ(code, 3);
}

}  // namespace
}  // namespace mullet
