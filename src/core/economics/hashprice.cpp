#include "core/economics/hashprice.h"

#include <cassert>

namespace mullet {

BtcPerTerahashDay ExpectedBtcPerTerahashDay(const NetworkConditions& net) {
  assert(net.difficulty > 0);
  constexpr long double kTerahashDay = 86400.0L * 1e12L;  // hashes of 1 TH/s in a day
  const long double blocks_per_th_day = kTerahashDay / HashesPerBlock(net.difficulty, net.factor);
  return BtcPerTerahashDay(static_cast<double>(blocks_per_th_day * net.reward_per_block().value()));
}

UsdPerTerahashDay Hashprice(const NetworkConditions& net) {
  return HashpriceOf(ExpectedBtcPerTerahashDay(net), net.price);
}

}  // namespace mullet
