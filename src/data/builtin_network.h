// The built-in network snapshot `mullet econ` uses when it is given neither
// network flags nor --at/--data: the last day every series in ../shared/data
// covers (difficulty epochs end 2025-01-12T20:01Z, so the last whole UTC day
// inside an epoch is 2025-01-11).
//
// Derived from the data, not typed in by hand: these are the figures of
//   mullet econ --at 2025-01-11 --data ../shared/data --json
// and tests/data/builtin_network_test.cpp fails if they drift from it.

#ifndef MULLET_DATA_BUILTIN_NETWORK_H_
#define MULLET_DATA_BUILTIN_NETWORK_H_

#include "core/chain/subsidy.h"

namespace mullet::builtin_network {

inline constexpr const char* kDate = "2025-01-11";
inline constexpr double kDifficulty = 109782075598905.1875;      // epoch from height 876960
inline constexpr BlockHeight kHeight = 878855;                   // end of the day, interpolated
inline constexpr double kPriceUsd = 94568.0;                     // BTC close that day
inline constexpr double kFeesBtcPerBlock = 0.04797786835714285;  // 7-day trailing mean

}  // namespace mullet::builtin_network

#endif  // MULLET_DATA_BUILTIN_NETWORK_H_
