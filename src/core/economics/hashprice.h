// Expected mining revenue per unit of hashrate: BTC and sats per TH/s per day,
// and hashprice in USD (economics.md §1.3). Luxor's definition: the expected
// value of 1 TH/s per day, FPPS style, from subsidy, fees and difficulty.

#ifndef MULLET_CORE_ECONOMICS_HASHPRICE_H_
#define MULLET_CORE_ECONOMICS_HASHPRICE_H_

#include "core/chain/difficulty.h"
#include "core/units/units.h"

namespace mullet {

// What the network pays and how hard it is to earn, at one moment.
struct NetworkConditions {
  double difficulty = 0;  // dimensionless; REQUIRES: > 0
  Sats subsidy{0};        // per block, exact (BlockSubsidy(height))
  Btc fees_per_block{0};  // mean transaction fees per block
  UsdPerBtc price{0};     // BTC price
  HashFactor factor = HashFactor::kShorthand;

  Btc reward_per_block() const { return ToBtc(subsidy) + fees_per_block; }
};

// 86400 * 1e12 * reward / (D * factor): BTC a 1 TH/s machine expects per day.
BtcPerTerahashDay ExpectedBtcPerTerahashDay(const NetworkConditions& net);

// Hashprice in USD: ExpectedBtcPerTerahashDay x BTC price.
UsdPerTerahashDay Hashprice(const NetworkConditions& net);

}  // namespace mullet

#endif  // MULLET_CORE_ECONOMICS_HASHPRICE_H_
