// Projected halving dates. A halving date is a forecast, not a constant:
// blocks remaining x mean block interval, and the interval shrinks when the
// network hashrate runs ahead of the difficulty (economics.md §1.1).

#ifndef MULLET_CORE_CHAIN_HALVING_H_
#define MULLET_CORE_CHAIN_HALVING_H_

#include <cstdint>

#include "core/chain/difficulty.h"
#include "core/chain/subsidy.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

struct HalvingProjection {
  BlockHeight height = 0;  // height of the next halving
  std::int64_t blocks_remaining = 0;
  Seconds mean_block_interval{0};  // the interval the projection assumed
  Seconds time_remaining{0};
  UtcTime date;  // now + time_remaining
};

// Projects the next halving after `height`, reached at `now`, when
// `hashrate` mines at `difficulty` from now on. REQUIRES: hashrate > 0.
HalvingProjection ProjectNextHalving(BlockHeight height, UtcTime now, double difficulty,
                                     TerahashPerSecond hashrate,
                                     HashFactor factor = HashFactor::kShorthand);

}  // namespace mullet

#endif  // MULLET_CORE_CHAIN_HALVING_H_
