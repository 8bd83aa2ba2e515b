// Block subsidy and issuance: Bitcoin's consensus rules, in exact satoshis.
//
// Source: Bitcoin Core src/validation.cpp GetBlockSubsidy and
// src/consensus/amount.h (economics.md §1.1).

#ifndef MULLET_CORE_CHAIN_SUBSIDY_H_
#define MULLET_CORE_CHAIN_SUBSIDY_H_

#include <cstdint>

#include "core/units/units.h"

namespace mullet {

using BlockHeight = std::int64_t;

inline constexpr BlockHeight kHalvingInterval = 210'000;
inline constexpr Sats kInitialSubsidy{50 * kSatsPerBtc};

// Number of halvings that have happened at `height`. REQUIRES: height >= 0.
constexpr int HalvingsAt(BlockHeight height) { return static_cast<int>(height / kHalvingInterval); }

// Height of the first block of halving era `n` (n = 4 gives 840000).
constexpr BlockHeight HalvingHeight(int n) { return kHalvingInterval * n; }

// Height of the next halving strictly after `height`.
constexpr BlockHeight NextHalvingHeight(BlockHeight height) {
  return HalvingHeight(HalvingsAt(height) + 1);
}

// New coins in the block at `height`: (50 BTC in sats) >> halvings, 0 from the
// 64th halving on (a shift by >= 64 is undefined behaviour in C++).
// REQUIRES: height >= 0.
Sats BlockSubsidy(BlockHeight height);

// Sum of BlockSubsidy(h) for 0 <= h < end_height, in closed form per era.
Sats IssuedBefore(BlockHeight end_height);

// Every coin that will ever be issued: 2,099,999,997,690,000 sat.
Sats TotalIssuance();

}  // namespace mullet

#endif  // MULLET_CORE_CHAIN_SUBSIDY_H_
