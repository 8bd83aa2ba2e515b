#include "core/chain/halving.h"

#include <cmath>

namespace mullet {

HalvingProjection ProjectNextHalving(BlockHeight height, UtcTime now, double difficulty,
                                     TerahashPerSecond hashrate, HashFactor factor) {
  HalvingProjection p;
  p.height = NextHalvingHeight(height);
  p.blocks_remaining = p.height - height;
  p.mean_block_interval = MeanBlockInterval(difficulty, hashrate, factor);
  p.time_remaining = p.mean_block_interval * static_cast<double>(p.blocks_remaining);
  p.date = now + std::chrono::seconds(std::llround(p.time_remaining.count()));
  return p;
}

}  // namespace mullet
