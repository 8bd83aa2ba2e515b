// The chain's clock: when each difficulty epoch and each halving arrives, and
// what difficulty each epoch mines at, given a path of network hashrate.
//
// Blocks arrive at their expected times (stochastic arrival can come later):
// at difficulty D and network hashrate H a block takes D * 2^32 / H seconds
// (core/chain/difficulty.h), so an epoch of 2016 blocks takes
// 2016 * 600 s * D / (the difficulty H implies). The hashrate is piecewise
// constant per day, and the clock integrates work across day boundaries, so
// a hashrate that moves inside an epoch moves its end exactly. At each
// multiple of 2016 blocks the difficulty retargets as Bitcoin Core's
// CalculateNextWorkRequired does: D * (2016 * 600 s) / timespan, the
// timespan clamped to [1/4, 4] times the target; D never falls below 1 (the
// proof-of-work limit). The target's compact (nBits) rounding is ignored:
// it moves D by under 2^-15 relative. Halvings fall at multiples of 210,000
// (core/chain/subsidy.h); an epoch that straddles one splits its blocks.
//
// Pure; safe for concurrent use.

#ifndef MULLET_PLAN_CHAIN_CLOCK_H_
#define MULLET_PLAN_CHAIN_CLOCK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/chain/difficulty.h"
#include "core/chain/subsidy.h"
#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

// Which blocks' times the retarget measures.
enum class RetargetSpan {
  // Bitcoin Core: from the epoch's first block to its last, 2015 intervals
  // set against a target of 2016 (the known off-by-one); so at constant
  // hashrate the difficulty settles 2016/2015 above the hashrate's implied
  // difficulty, and blocks come every 600.3 s.
  kConsensus,
  // All 2016 intervals, from the previous epoch's last block: at constant
  // hashrate the difficulty holds exactly. The textbook model.
  kFullEpoch,
};

struct ChainStart {
  BlockHeight height = 0;  // the next block to be found; REQUIRES: >= 0
  double difficulty = 0;   // of the epoch `height` is in; REQUIRES: > 0
  UtcTime time;            // when the search for `height` begins
  // The part of the current epoch's retarget timespan already spent at `time`
  // (by the chosen RetargetSpan). Unset: the epoch's blocks before `height`
  // took 600 s each. Ignored when `height` begins an epoch.
  std::optional<Seconds> epoch_elapsed;
};

struct ChainClockOptions {
  HashFactor factor = HashFactor::kShorthand;  // hashes per difficulty unit
  RetargetSpan retarget = RetargetSpan::kConsensus;
};

// The blocks of one subsidy inside an epoch.
struct SubsidyRun {
  BlockHeight first_height = 0;
  std::int64_t blocks = 0;
  Sats subsidy_per_block{0};
  Seconds start{0};  // since ChainStart::time: when the search for its first block begins
};

// One difficulty epoch (the first may be partial: it begins at the start's height).
struct ChainEpoch {
  BlockHeight first_height = 0;
  BlockHeight end_height = 0;  // one past the last block
  double difficulty = 0;       // what this epoch mines at
  double next_difficulty = 0;  // the retarget at its end
  Seconds start{0};            // since ChainStart::time
  Seconds end{0};              // since ChainStart::time: its last block is found
  UtcTime start_time;          // the same, to whole seconds
  UtcTime end_time;
  std::array<SubsidyRun, 2> runs;  // one, or two where a halving splits it
  int run_count = 0;

  std::span<const SubsidyRun> subsidy_runs() const {
    return std::span<const SubsidyRun>(runs.data(), static_cast<std::size_t>(run_count));
  }
  std::int64_t blocks() const { return end_height - first_height; }
  Sats subsidy() const;  // every block's subsidy, summed
};

// Epochs from `start` until the first one that ends at or after
// start.time + horizon. `daily_hashrate[d]` is the network hashrate over day d
// after start.time; past the last day the last value holds. Fails on a
// difficulty or hashrate that is not positive and finite, an empty hashrate
// path, a negative height or a horizon that is negative or not finite.
Result<std::vector<ChainEpoch>> RunChainClock(const ChainStart& start,
                                              std::span<const TerahashPerSecond> daily_hashrate,
                                              Seconds horizon,
                                              const ChainClockOptions& options = {});

}  // namespace mullet

#endif  // MULLET_PLAN_CHAIN_CLOCK_H_
