// A float in fixed notation, as printf's "%.Nf" and fmt's "{:.Nf}" write it,
// without their general machinery: timeseries.csv writes about half a
// million such numbers for a 4-year run, and the formatting was most of its
// cost.

#ifndef MULLET_REPORT_FIXED_DECIMAL_H_
#define MULLET_REPORT_FIXED_DECIMAL_H_

#include <array>
#include <string_view>

namespace mullet {

// Room for any float with up to kMaxFixedDecimals digits after the point.
using FixedDecimalBuffer = std::array<char, 64>;
inline constexpr int kMaxFixedDecimals = 6;

// `v` with `decimals` digits after the point (0 to kMaxFixedDecimals), in
// `out`: the exact value of the float rounded half to even, a '-' on every
// negative value (so "-0.00" for -0.001, as printf does), "nan", "inf" and
// "-inf" as fmt writes them. The same text as fmt::format("{:.{}f}", v,
// decimals) for every float (tests/report/fixed_decimal_test.cpp).
std::string_view FixedDecimal(float v, int decimals, FixedDecimalBuffer& out);

}  // namespace mullet

#endif  // MULLET_REPORT_FIXED_DECIMAL_H_
