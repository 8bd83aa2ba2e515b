// How a cgminer-family reply writes its numbers, shared by the two readers of
// a `summary`: the JSON one (reply.cpp) and the byte scanner of summary_scan.h,
// so that both take a value, and a hashrate key, by the same rule.
// Internal to src/drivers/cgminer. Pure; thread safety: free functions.

#ifndef MULLET_DRIVERS_CGMINER_REPLY_NUMBERS_H_
#define MULLET_DRIVERS_CGMINER_REPLY_NUMBERS_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace mullet::cgminer::internal {

// The unit prefixes of a hashrate key ("GHS 5s"), in the order they are looked for.
inline constexpr char kRatePrefixes[] = {'G', 'M', 'T', 'K'};

// TH/s per unit of a "<K|M|G|T>HS ..." key's value; nullopt for another letter.
std::optional<double> ThPerUnit(char prefix);

// The whole of `s`, spaces around it aside, as a finite number ("GHS 5s":"7903.729"
// on bmminer); nullopt otherwise.
std::optional<double> ParseDouble(std::string_view s);

// `x` as an integer when it is one and fits (|x| < 9.2e18); nullopt otherwise.
std::optional<std::int64_t> WholeNumber(double x);

// cgminer names the short window after its log interval ("MHS 5s" by default,
// api.c): TH/s per unit when `key` is "<K|M|G|T>HS <digits>s", else nullopt.
std::optional<double> LogIntervalRateUnit(std::string_view key);

}  // namespace mullet::cgminer::internal

#endif  // MULLET_DRIVERS_CGMINER_REPLY_NUMBERS_H_
