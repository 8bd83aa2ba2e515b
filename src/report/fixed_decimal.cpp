#include "report/fixed_decimal.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <cstdint>

namespace mullet {

std::string_view FixedDecimal(float v, int decimals, FixedDecimalBuffer& out) {
  assert(decimals >= 0 && decimals <= kMaxFixedDecimals);
  static constexpr double kScale[kMaxFixedDecimals + 1] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  static constexpr std::uint64_t kUnit[kMaxFixedDecimals + 1] = {1,     10,     100,    1000,
                                                                 10000, 100000, 1000000};
  // |v| x 10^d is exact in a double: a float's 24 significant bits times at
  // most 10^6 (= 2^6 x 15625, 14 more bits) fit in 53. So rounding that
  // product to an integer (the default mode: to nearest, ties to even) rounds
  // the float's exact decimal value, as printf does. Beyond 2^53 (or not
  // finite) fmt writes it.
  const double scaled = std::fabs(static_cast<double>(v)) * kScale[decimals];
  if (!(scaled < 9007199254740992.0)) {
    const auto end = fmt::format_to_n(out.data(), out.size(), "{:.{}f}", v, decimals).out;
    return {out.data(), static_cast<std::size_t>(end - out.data())};
  }
  const auto units = static_cast<std::uint64_t>(std::nearbyint(scaled));
  std::uint64_t whole = units / kUnit[decimals];
  std::uint64_t frac = units % kUnit[decimals];
  // Digits right to left from the buffer's end.
  char* const end = out.data() + out.size();
  char* p = end;
  for (int i = 0; i < decimals; ++i) {
    *--p = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  if (decimals > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (std::signbit(v)) *--p = '-';
  return {p, static_cast<std::size_t>(end - p)};
}

}  // namespace mullet
