#include "core/chain/subsidy.h"

#include <cassert>
#include <limits>

namespace mullet {

Sats BlockSubsidy(BlockHeight height) {
  assert(height >= 0);
  const int halvings = HalvingsAt(height);
  // Bitcoin Core: "Force block reward to zero when right shift is undefined."
  if (halvings >= 64) return Sats(0);
  return Sats(kInitialSubsidy.value() >> halvings);
}

Sats IssuedBefore(BlockHeight end_height) {
  assert(end_height >= 0);
  std::int64_t total = 0;
  for (int era = 0; era < 64; ++era) {
    const BlockHeight start = HalvingHeight(era);
    if (start >= end_height) break;
    const BlockHeight blocks = std::min(end_height, HalvingHeight(era + 1)) - start;
    total += blocks * BlockSubsidy(start).value();
  }
  return Sats(total);
}

Sats TotalIssuance() { return IssuedBefore(HalvingHeight(64)); }

}  // namespace mullet
