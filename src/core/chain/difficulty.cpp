#include "core/chain/difficulty.h"

#include <cassert>
#include <cmath>
#include <string>

namespace mullet {

long double HashesPerDifficultyUnit(HashFactor factor) {
  switch (factor) {
    case HashFactor::kShorthand:
      return 4294967296.0L;  // 2^32
    case HashFactor::kExact:
      return 281474976710656.0L / 65535.0L;  // 2^48 / 65535
  }
  assert(false && "unknown HashFactor");
  return 0;
}

long double HashesPerBlock(double difficulty, HashFactor factor) {
  assert(difficulty > 0);
  return static_cast<long double>(difficulty) * HashesPerDifficultyUnit(factor);
}

TerahashPerSecond ImpliedNetworkHashrate(double difficulty, HashFactor factor, Seconds interval) {
  const long double h_per_s = HashesPerBlock(difficulty, factor) / interval.count();
  return HashesPerSecond(static_cast<double>(h_per_s));
}

double DifficultyForHashrate(TerahashPerSecond hashrate, HashFactor factor, Seconds interval) {
  const long double hashes =
      static_cast<long double>(hashrate.hashes_per_second()) * interval.count();
  return static_cast<double>(hashes / HashesPerDifficultyUnit(factor));
}

Seconds MeanBlockInterval(double difficulty, TerahashPerSecond hashrate, HashFactor factor) {
  assert(hashrate.value() > 0);
  return Seconds(static_cast<double>(HashesPerBlock(difficulty, factor) /
                                     static_cast<long double>(hashrate.hashes_per_second())));
}

Result<double> DifficultyFromBits(std::uint32_t bits) {
  const int exponent = static_cast<int>(bits >> 24);
  const std::uint32_t mantissa = bits & 0x00ffffff;
  if (mantissa == 0 || (mantissa & 0x00800000) != 0) {
    return Status::InvalidArgument("nBits has a zero or negative mantissa");
  }
  // Bitcoin Core rpc/blockchain.cpp GetDifficulty: shift in base 256 from 29.
  long double d = 65535.0L / static_cast<long double>(mantissa);
  d *= std::pow(256.0L, 29 - exponent);
  return static_cast<double>(d);
}

}  // namespace mullet
