// Counter-based random numbers for the planner: Philox4x32-10 (Salmon, Moraes,
// Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11; the
// Random123 library).
//
// A counter-based generator is a keyed bijection of a 128-bit counter: the
// n-th number of a stream is a pure function of (key, n), with no state
// carried from draw to draw. So path 4711's numbers are the same whether one
// thread, sixteen threads, another process or another shard of a cluster job
// draws them, and in whatever order: results are identical for a seed
// whatever the worker count (serve-and-plan-notes.md §5).
//
// Layout (Random123's advice: the key selects the run, the counter the draw):
//   key     = the seed (64 bits, low word first)
//   counter = {block index, stream id, path id low word, path id high word}
// Distinct (path, stream, block) are distinct counters under one key, and the
// cipher is a bijection, so no two draws of a run share a block.
//
// Thread safety: values. Every const member is safe for concurrent use by
// multiple threads; the sequential draws (Uniform(), Normal(), StudentT())
// move a stream's own cursor, so give each thread its own RandomStream.

#ifndef MULLET_PLAN_RANDOM_H_
#define MULLET_PLAN_RANDOM_H_

#include <array>
#include <cstdint>

namespace mullet {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

// The Philox4x32 block cipher with 10 rounds: four 32-bit words of output
// for a counter and a key. Bit-exact with Random123's philox4x32_10.
constexpr PhiloxCounter Philox4x32_10(PhiloxCounter ctr, PhiloxKey key) {
  // Random123 philox.h: PHILOX_M4x32_0/1 and the Weyl key increments
  // PHILOX_W32_0/1 (golden ratio and sqrt(3) - 1, in 32 bits).
  constexpr std::uint32_t kM0 = 0xD2511F53;
  constexpr std::uint32_t kM1 = 0xCD9E8D57;
  constexpr std::uint32_t kW0 = 0x9E3779B9;
  constexpr std::uint32_t kW1 = 0xBB67AE85;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kW0;
      key[1] += kW1;
    }
    const std::uint64_t p0 = std::uint64_t{kM0} * ctr[0];
    const std::uint64_t p1 = std::uint64_t{kM1} * ctr[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
    const auto lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
    const auto lo1 = static_cast<std::uint32_t>(p1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

// Maps 64 random bits to a double in the open interval (0, 1) with 53 bits:
// k / 2^53 for k = bits >> 11, except k = 0, which becomes 2^-54. Never 0 or
// 1, so log(u) and the inverse CDF of u are always finite.
double OpenUnitInterval(std::uint64_t bits);

// A Student-t draw with `dof` degrees of freedom from two uniforms in (0, 1),
// by index: Bailey's polar method (Math. Comp. 62 (1994) 779-781) with the
// point drawn uniformly in the unit disk instead of by rejection. Such a
// point has W = r^2 uniform on (0, 1) and a uniform angle, so
// T = cos(2 pi u2) sqrt(dof (u1^(-2/dof) - 1)) is Student-t exactly, two
// uniforms a draw, and a model can take draw t from UniformAt(2t),
// UniformAt(2t + 1). REQUIRES: dof > 0, u1 and u2 in (0, 1).
double StudentTFromUniforms(double u1, double u2, double dof);

// One stream of draws: (seed, path id, stream id). Give each model of a path
// (BTC price, hashrate, power price...) its own stream id, so adding draws to
// one model never shifts another's.
//
// Thread safety: a stream keeps its last block and its last pair of normals
// (draws in order share them: two uniforms or two normals a block), so even
// its const methods are for one thread at a time.
class RandomStream {
 public:
  // Blocks per stream and per kind of draw: uniforms use blocks [0, 2^31),
  // normals [2^31, 2^32), so UniformAt(i) and NormalAt(j) never share bits.
  static constexpr std::uint64_t kBlocksPerKind = std::uint64_t{1} << 31;

  RandomStream(std::uint64_t seed, std::uint64_t path_id, std::uint32_t stream_id);

  // The raw block at `index`. REQUIRES: index < 2^32.
  PhiloxCounter BlockAt(std::uint64_t index) const;

  // The i-th uniform of the stream, in (0, 1): the i-th 64-bit word of the
  // uniform blocks. REQUIRES: i < 2^32.
  double UniformAt(std::uint64_t i) const;

  // The i-th standard normal of the stream, by Box-Muller on the two
  // uniforms of normal block i / 2 (cosine for even i, sine for odd).
  // REQUIRES: i < 2^32.
  double NormalAt(std::uint64_t i) const;

  // Sequential draws: Uniform() returns UniformAt(0), UniformAt(1), ...;
  // Normal() returns NormalAt(0), NormalAt(1), ... (separate cursors).
  double Uniform();
  double Normal();

  // A Student-t draw with `dof` degrees of freedom by Bailey's polar method
  // (Math. Comp. 62 (1994) 779-781), from the uniform cursor: on average
  // 4/pi pairs of uniforms per draw. Fat-tailed returns and jumps.
  // REQUIRES: dof > 0.
  double StudentT(double dof);

  std::uint64_t uniforms_used() const { return next_uniform_; }
  std::uint64_t normals_used() const { return next_normal_; }

 private:
  PhiloxKey key_;
  std::uint32_t stream_id_;
  std::uint32_t path_lo_;
  std::uint32_t path_hi_;
  std::uint64_t next_uniform_ = 0;
  std::uint64_t next_normal_ = 0;
  // The last block made (index; none: ~0) and the last normal pair's radius
  // and angle (its block index; none: ~0). They change no draw.
  mutable std::uint64_t block_index_ = ~std::uint64_t{0};
  mutable PhiloxCounter block_{};
  mutable std::uint64_t pair_index_ = ~std::uint64_t{0};
  mutable double radius_ = 0, angle_ = 0;
};

}  // namespace mullet

#endif  // MULLET_PLAN_RANDOM_H_
