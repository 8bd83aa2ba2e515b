// Difficulty, hashes per block and network hashrate (economics.md §1.2).
//
// Expected hashes to find one block are exactly D * 2^48 / 65535
// (= 2^256 / (target + 1)); the industry shorthand D * 2^32 is low by
// 1.5259e-5 and is what Luxor, Coin Metrics and most calculators use, so it is
// the default here. Difficulty is a dimensionless double; products are kept in
// long double so that D * 2^32 (~4e23 for D = 100 T) keeps a relative error
// far below 1e-12.

#ifndef MULLET_CORE_CHAIN_DIFFICULTY_H_
#define MULLET_CORE_CHAIN_DIFFICULTY_H_

#include <cstdint>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

// Which factor turns difficulty into expected hashes per block.
enum class HashFactor {
  kShorthand,  // 2^32 = 4,294,967,296 (industry convention, default)
  kExact,      // 2^48 / 65535 = 4,295,032,833.000015...
};

// Target spacing between blocks (consensus: 10 minutes).
inline constexpr Seconds kTargetBlockInterval{600.0};
inline constexpr std::int64_t kBlocksPerEpoch = 2016;

// The multiplier itself.
long double HashesPerDifficultyUnit(HashFactor factor);

// Expected hashes to find one block at difficulty `d`. REQUIRES: d > 0.
long double HashesPerBlock(double difficulty, HashFactor factor = HashFactor::kShorthand);

// Network hashrate implied by a difficulty when blocks arrive every
// `interval`: D * factor / interval.
TerahashPerSecond ImpliedNetworkHashrate(double difficulty,
                                         HashFactor factor = HashFactor::kShorthand,
                                         Seconds interval = kTargetBlockInterval);

// The inverse: difficulty at which `hashrate` finds blocks every `interval`.
double DifficultyForHashrate(TerahashPerSecond hashrate, HashFactor factor = HashFactor::kShorthand,
                             Seconds interval = kTargetBlockInterval);

// Mean time between blocks when `hashrate` mines at `difficulty`.
Seconds MeanBlockInterval(double difficulty, TerahashPerSecond hashrate,
                          HashFactor factor = HashFactor::kShorthand);

// Difficulty from a header's compact nBits, as Bitcoin Core's GetDifficulty:
// 0x0000ffff / mantissa, scaled by 256^(29 - exponent). Fails on a zero or
// negative (sign bit set) mantissa.
Result<double> DifficultyFromBits(std::uint32_t bits);

}  // namespace mullet

#endif  // MULLET_CORE_CHAIN_DIFFICULTY_H_
