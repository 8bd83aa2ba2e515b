#include "plan/random.h"

#include <cassert>
#include <cmath>
#include <numbers>

namespace mullet {
namespace {

std::uint64_t Word(const PhiloxCounter& block, int half) {
  return (std::uint64_t{block[2 * half + 1]} << 32) | block[2 * half];
}

}  // namespace

double StudentTFromUniforms(double u1, double u2, double dof) {
  assert(dof > 0);
  return std::cos(2 * std::numbers::pi * u2) * std::sqrt(dof * (std::pow(u1, -2 / dof) - 1));
}

double OpenUnitInterval(std::uint64_t bits) {
  // The top 53 bits: k / 2^53 is exact for every k < 2^53, so the result is
  // uniform on the grid {1, ..., 2^53 - 1} / 2^53 and below 1. Adding half a
  // step instead (k + 0.5) / 2^53 would round to 1.0 for the largest k, since
  // doubles just below 1 are 2^-53 apart.
  const std::uint64_t k = bits >> 11;
  constexpr double kStep = 1.0 / 9007199254740992.0;  // 2^-53
  if (k == 0) return kStep / 2;
  return static_cast<double>(k) * kStep;
}

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t path_id, std::uint32_t stream_id)
    : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
      stream_id_(stream_id),
      path_lo_(static_cast<std::uint32_t>(path_id)),
      path_hi_(static_cast<std::uint32_t>(path_id >> 32)) {}

PhiloxCounter RandomStream::BlockAt(std::uint64_t index) const {
  assert(index < 2 * kBlocksPerKind);
  if (index != block_index_) {
    block_ = Philox4x32_10({static_cast<std::uint32_t>(index), stream_id_, path_lo_, path_hi_}, key_);
    block_index_ = index;
  }
  return block_;
}

double RandomStream::UniformAt(std::uint64_t i) const {
  assert(i / 2 < kBlocksPerKind);
  return OpenUnitInterval(Word(BlockAt(i / 2), static_cast<int>(i % 2)));
}

double RandomStream::NormalAt(std::uint64_t i) const {
  assert(i / 2 < kBlocksPerKind);
  // Box-Muller rather than an inverse CDF: exact in closed form (no rational
  // approximation to get right), and with u1 >= 2^-54 the radius is at most
  // sqrt(2 * 54 * ln 2) = 8.65, so every draw is finite. Two normals per
  // block, so random access costs one block per pair.
  if (i / 2 != pair_index_) {
    const PhiloxCounter block = BlockAt(kBlocksPerKind + i / 2);
    const double u1 = OpenUnitInterval(Word(block, 0));
    const double u2 = OpenUnitInterval(Word(block, 1));
    radius_ = std::sqrt(-2.0 * std::log(u1));
    angle_ = 2.0 * std::numbers::pi * u2;
    pair_index_ = i / 2;
  }
  return i % 2 == 0 ? radius_ * std::cos(angle_) : radius_ * std::sin(angle_);
}

double RandomStream::Uniform() { return UniformAt(next_uniform_++); }

double RandomStream::Normal() { return NormalAt(next_normal_++); }

double RandomStream::StudentT(double dof) {
  assert(dof > 0);
  // Bailey's polar method: (u, v) uniform in the unit disc, w = u^2 + v^2;
  // then u * sqrt(dof * (w^(-2/dof) - 1) / w) is Student-t with dof degrees
  // of freedom (as u * sqrt(-2 ln w / w) is normal in Marsaglia's polar
  // method, its limit as dof grows).
  while (true) {
    const double u = 2.0 * Uniform() - 1.0;
    const double v = 2.0 * Uniform() - 1.0;
    const double w = u * u + v * v;
    if (w >= 1.0 || w == 0.0) continue;
    return u * std::sqrt(dof * (std::pow(w, -2.0 / dof) - 1.0) / w);
  }
}

}  // namespace mullet
