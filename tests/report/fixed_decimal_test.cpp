// FixedDecimal against fmt's "{:.Nf}", which timeseries.csv used before: the
// same text for every float tried, ties and signs included.

#include "report/fixed_decimal.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace mullet {
namespace {

std::string Ours(float v, int decimals) {
  FixedDecimalBuffer buffer;
  return std::string(FixedDecimal(v, decimals, buffer));
}

std::string Fmt(float v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

TEST(FixedDecimal, WritesPlainValues) {
  EXPECT_EQ(Ours(18.21f, 2), "18.21");
  EXPECT_EQ(Ours(0.f, 3), "0.000");
  EXPECT_EQ(Ours(-4.5f, 1), "-4.5");
  EXPECT_EQ(Ours(1234567.f, 0), "1234567");
  EXPECT_EQ(Ours(0.1f, 4), "0.1000");
}

TEST(FixedDecimal, RoundsTheFloatsExactValueHalfToEven) {
  // 0.125 and 0.375 are exact in binary: ties, to even as printf does.
  EXPECT_EQ(Ours(0.125f, 2), "0.12");
  EXPECT_EQ(Ours(0.375f, 2), "0.38");
  EXPECT_EQ(Ours(2.5f, 0), "2");
  EXPECT_EQ(Ours(3.5f, 0), "4");
  // 1.005f is 1.00499999523..., below the tie.
  EXPECT_EQ(Ours(1.005f, 2), "1.00");
}

TEST(FixedDecimal, KeepsTheSignOfNegativesThatRoundToZero) {
  EXPECT_EQ(Ours(-0.f, 2), "-0.00");
  EXPECT_EQ(Ours(-0.001f, 2), "-0.00");
  EXPECT_EQ(Ours(-0.001f, 2), Fmt(-0.001f, 2));
}

TEST(FixedDecimal, HandsHugeAndNonFiniteValuesToFmt) {
  for (float v : {std::numeric_limits<float>::max(), -3e30f, 1e16f,
                  std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::quiet_NaN()}) {
    for (int d = 0; d <= kMaxFixedDecimals; ++d) EXPECT_EQ(Ours(v, d), Fmt(v, d)) << v << " " << d;
  }
}

TEST(FixedDecimal, MatchesFmtOnAMillionRandomFloats) {
  std::mt19937_64 rng(7);
  int compared = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    // Random bit patterns below 2^40 in magnitude (all exponents, all
    // mantissas), and values on a 1/1024 grid (many exact ties).
    float v;
    if (i % 2 == 0) {
      v = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
      if (!std::isfinite(v) || std::fabs(v) > 1e12f) continue;
    } else {
      v = static_cast<float>(static_cast<std::int64_t>(rng() % 20'000'000) - 10'000'000) / 1024.0f;
    }
    const int d = static_cast<int>(rng() % (kMaxFixedDecimals + 1));
    ASSERT_EQ(Ours(v, d), Fmt(v, d)) << "bits 0x" << std::hex << std::bit_cast<std::uint32_t>(v)
                                     << std::dec << " decimals " << d;
    ++compared;
  }
  EXPECT_GT(compared, 700'000);
}

}  // namespace
}  // namespace mullet
