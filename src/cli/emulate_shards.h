// A fleet larger than one process may listen for: every emulated miner holds
// a listening socket, and the hard limit on file descriptors (20,000 on many
// hosts, raised only by root's configuration) caps one process. `mullet
// emulate` then runs the fleet as shards: child processes, each a contiguous
// slice of miners and addresses, started by fork() before any thread exists.
// The parent merges their listings into one, forwards SIGINT/SIGTERM, and
// stops them all when one fails, so the user sees one fleet.

#ifndef MULLET_CLI_EMULATE_SHARDS_H_
#define MULLET_CLI_EMULATE_SHARDS_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/status/result.h"

namespace mullet {

struct ShardPlan {
  std::size_t first_index = 0;  // of the whole fleet's miners
  std::size_t miners = 0;
  std::string first_address;    // its first miner's address
};

// Slices `miners` into shards of at most `per_shard`. InvalidArgument when the
// addresses run past 127.255.255.255 or `first_address` is not IPv4.
Result<std::vector<ShardPlan>> PlanShards(std::size_t miners, const std::string& first_address,
                                          std::size_t per_shard);

// The IPv4 address `k` after `address` ("127.1.0.255" + 1 = "127.1.1.0").
Result<std::string> NthAddress(const std::string& address, std::size_t k);

// Forks one child per shard. A child runs `child(shard, listing_fd)`, which
// writes its listing (one line) to `listing_fd` once it listens and returns its
// exit code when it stops. The parent reads every child's line and passes them
// to `merged` in shard order, then waits: SIGINT/SIGTERM go to every child,
// and a child that exits early stops the others. Returns 0 when all stopped
// cleanly, else the first failing child's code.
int RunShards(const std::vector<ShardPlan>& shards, const std::function<int(const ShardPlan&, int)>& child,
              const std::function<void(const std::vector<std::string>&)>& merged);

}  // namespace mullet

#endif  // MULLET_CLI_EMULATE_SHARDS_H_
