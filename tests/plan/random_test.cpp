#include "plan/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "plan/calibration.h"

namespace mullet {
namespace {

// Random123's published known-answer vectors for Philox4x32-10 (its
// tests/kat_vectors, lines "philox4x32 10 <ctr x4> <key x2> <out x4>"), as
// quoted by TensorFlow's stateful_random_ops_test.py testPhilox4x32, which
// cites DEShawResearch/Random123-Boost libs/random/test/test_philox.cpp
// lines 50-52. The third counter and key are the hex digits of pi.
TEST(PhiloxTest, MatchesRandom123KnownAnswers) {
  EXPECT_EQ(Philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(
      Philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
      (PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(
      Philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
      (PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(PhiloxTest, IsAConstantExpression) {
  static_assert(Philox4x32_10({0, 0, 0, 0}, {0, 0})[0] == 0x6627e8d5);
  SUCCEED();
}

TEST(PhiloxTest, StreamBlocksAreTheCipherOfTheDocumentedLayout) {
  // key = seed (low word first); counter = {block, stream, path lo, path hi}.
  const RandomStream stream(0x0123456789abcdefULL, 0xfedcba9876543210ULL, 7);
  EXPECT_EQ(stream.BlockAt(5),
            Philox4x32_10({5, 7, 0x76543210, 0xfedcba98}, {0x89abcdef, 0x01234567}));
}

TEST(OpenUnitIntervalTest, NeverZeroOrOneAndUses53Bits) {
  EXPECT_EQ(OpenUnitInterval(0), std::ldexp(1.0, -54));
  EXPECT_GT(OpenUnitInterval(0), 0.0);
  EXPECT_LT(OpenUnitInterval(~std::uint64_t{0}), 1.0);
  EXPECT_EQ(OpenUnitInterval(~std::uint64_t{0}), 1.0 - std::ldexp(1.0, -53));
  // The lowest bit of the 53 taken changes the value; the 11 dropped do not.
  EXPECT_EQ(OpenUnitInterval(std::uint64_t{1} << 11), std::ldexp(1.0, -53));
  EXPECT_EQ(OpenUnitInterval((std::uint64_t{1} << 11) | 0x7ff), std::ldexp(1.0, -53));
  EXPECT_EQ(OpenUnitInterval(std::uint64_t{1} << 63), 0.5);
}

TEST(RandomStreamTest, SameKeyGivesSameNumbersInAnyOrder) {
  RandomStream forward(42, 4711, 3);
  std::vector<double> in_order;
  for (int i = 0; i < 1000; ++i) in_order.push_back(forward.Uniform());
  // Another "worker" reads the same draws backwards, by index.
  const RandomStream other(42, 4711, 3);
  for (int i = 999; i >= 0; --i) {
    ASSERT_EQ(other.UniformAt(static_cast<std::uint64_t>(i)), in_order[static_cast<std::size_t>(i)])
        << "draw " << i;
  }
  EXPECT_EQ(forward.uniforms_used(), 1000u);

  RandomStream normals(42, 4711, 3);
  std::vector<double> z;
  for (int i = 0; i < 101; ++i) z.push_back(normals.Normal());
  EXPECT_EQ(other.NormalAt(100), z[100]);
  EXPECT_EQ(other.NormalAt(7), z[7]);
}

// What one path computes from its own streams: a few hundred draws folded
// into one number, so that any difference in any draw shows.
double PathResult(std::uint64_t seed, std::uint64_t path) {
  RandomStream price(seed, path, 0);
  RandomStream hashrate(seed, path, 1);
  double x = 0;
  for (int day = 0; day < 200; ++day) x = 0.9 * x + price.Normal() + 0.1 * hashrate.StudentT(4.0);
  return x;
}

TEST(RandomStreamTest, PathsAreIdenticalWhateverTheThreadCount) {
  const std::uint64_t seed = 20261203;
  const int paths = 64;
  std::vector<double> one_thread(paths);
  for (int p = 0; p < paths; ++p) one_thread[p] = PathResult(seed, static_cast<std::uint64_t>(p));
  for (const int workers : {2, 3, 5}) {
    // Worker w takes paths w, w + workers, ... from the last down: another
    // split and another order than the single thread's.
    std::vector<double> threaded(paths);
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w) {
      pool.emplace_back([&, w] {
        for (int p = paths - 1 - w; p >= 0; p -= workers) {
          threaded[static_cast<std::size_t>(p)] = PathResult(seed, static_cast<std::uint64_t>(p));
        }
      });
    }
    for (std::thread& t : pool) t.join();
    for (int p = 0; p < paths; ++p) {
      ASSERT_EQ(threaded[static_cast<std::size_t>(p)], one_thread[static_cast<std::size_t>(p)])
          << "path " << p << " with " << workers << " workers";
    }
  }
  EXPECT_NE(one_thread[0], one_thread[1]);
}

TEST(RandomStreamTest, DifferentSeedPathOrStreamGiveDifferentNumbers) {
  const RandomStream base(1, 2, 3);
  const RandomStream seed(2, 2, 3);
  const RandomStream path(1, 3, 3);
  const RandomStream stream(1, 2, 4);
  const RandomStream high_path(1, 2 + (std::uint64_t{1} << 32), 3);  // path's high word counts
  const RandomStream high_seed(1 + (std::uint64_t{1} << 32), 2, 3);  // so does the seed's
  for (const RandomStream* other : {&seed, &path, &stream, &high_path, &high_seed}) {
    int equal = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) equal += base.UniformAt(i) == other->UniformAt(i);
    EXPECT_EQ(equal, 0);
  }
}

TEST(RandomStreamTest, StreamsAreUncorrelated) {
  // Correlation of 1e5 pairs: standard error 1/sqrt(n) = 0.0032.
  const RandomStream a(7, 0, 0);
  const RandomStream b(7, 0, 1);
  const RandomStream c(7, 1, 0);
  const int n = 100'000;
  double ab = 0, ac = 0;
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::uint64_t>(i);
    ab += a.NormalAt(k) * b.NormalAt(k);
    ac += a.NormalAt(k) * c.NormalAt(k);
  }
  EXPECT_LT(std::abs(ab / n), 0.015);
  EXPECT_LT(std::abs(ac / n), 0.015);
}

TEST(RandomStreamTest, UniformsAndNormalsUseDisjointBlocks) {
  const RandomStream s(9, 9, 9);
  std::set<std::uint32_t> uniform_words;
  for (std::uint64_t b = 0; b < 64; ++b) {
    for (const std::uint32_t w : s.BlockAt(b)) uniform_words.insert(w);
  }
  for (std::uint64_t b = 0; b < 64; ++b) {
    for (const std::uint32_t w : s.BlockAt(RandomStream::kBlocksPerKind + b)) {
      EXPECT_EQ(uniform_words.count(w), 0u);
    }
  }
}

// Moments over 1e6 draws, with tolerances of about five standard errors:
// a correct generator passes (false alarm ~1e-6); a biased one (say, a
// uniform on [0, 1) with the top bit stuck, or a normal built from one
// uniform) fails by orders of magnitude.
TEST(RandomStreamTest, UniformMomentsOverAMillionDraws) {
  RandomStream s(20261203, 5, 0);
  const int n = 1'000'000;
  double sum = 0, sum2 = 0;
  int below_tenth = 0;
  double lowest = 1, highest = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.Uniform();
    sum += u;
    sum2 += u * u;
    below_tenth += u < 0.1;
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 1.5e-3);                     // se 0.289 / 1000
  EXPECT_NEAR(var, 1.0 / 12.0, 4.5e-4);               // se sqrt(1/180) / 1000 = 7.5e-5
  EXPECT_NEAR(below_tenth / double(n), 0.1, 1.5e-3);  // se 3e-4
  EXPECT_GT(lowest, 0.0);
  EXPECT_LT(highest, 1.0);
  EXPECT_LT(lowest, 1e-4);  // the whole interval is reached
  EXPECT_GT(highest, 1 - 1e-4);
}

TEST(RandomStreamTest, NormalMomentsOverAMillionDraws) {
  RandomStream s(20261203, 5, 1);
  const int n = 1'000'000;
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  int beyond_196 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = s.Normal();
    ASSERT_TRUE(std::isfinite(z));
    m1 += z;
    m2 += z * z;
    m3 += z * z * z;
    m4 += z * z * z * z;
    beyond_196 += std::abs(z) > 1.959963984540054;
  }
  m1 /= n;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  EXPECT_NEAR(m1, 0.0, 5e-3);                         // se 1e-3
  EXPECT_NEAR(m2, 1.0, 7e-3);                         // se sqrt(2) e-3
  EXPECT_NEAR(m3, 0.0, 1.3e-2);                       // se sqrt(15) e-3
  EXPECT_NEAR(m4, 3.0, 5e-2);                         // se sqrt(96) e-3
  EXPECT_NEAR(beyond_196 / double(n), 0.05, 1.1e-3);  // se 2.2e-4
}

TEST(RandomStreamTest, StudentTHasFatTailsOfTheRightSize) {
  // t with 5 degrees of freedom: variance 5/3; P(|T| > 2.5706) = 0.05
  // (the two-sided 5 % critical value); a normal would give 0.0102.
  RandomStream s(3, 3, 3);
  const int n = 1'000'000;
  double m2 = 0;
  int beyond = 0;
  for (int i = 0; i < n; ++i) {
    const double t = s.StudentT(5.0);
    m2 += t * t;
    beyond += std::abs(t) > 2.570581835636314;
  }
  EXPECT_NEAR(m2 / n, 5.0 / 3.0, 0.05);  // se ~ 0.01 (fourth moment of t5 is 25)
  EXPECT_NEAR(beyond / double(n), 0.05, 1.1e-3);
  // Two uniforms per attempt, accepted with probability pi/4.
  EXPECT_NEAR(static_cast<double>(s.uniforms_used()) / n, 8 / 3.141592653589793, 0.01);
}

TEST(RandomStreamTest, StudentTWithManyDegreesIsNearlyNormal) {
  RandomStream s(4, 4, 4);
  const int n = 400'000;
  int beyond = 0;
  for (int i = 0; i < n; ++i) beyond += std::abs(s.StudentT(1000.0)) > 1.959963984540054;
  EXPECT_NEAR(beyond / double(n), 0.05, 2e-3);  // t(1000) two-sided: 0.0503
}

TEST(StudentTFromUniformsTest, HasTheTDistribution) {
  // nu = 6: variance nu / (nu - 2) = 1.5, excess kurtosis 6 / (nu - 4) = 3.
  const RandomStream stream(1, 0, 77);
  std::vector<double> t;
  for (std::uint64_t i = 0; i < 400'000; ++i) {
    t.push_back(StudentTFromUniforms(stream.UniformAt(2 * i), stream.UniformAt(2 * i + 1), 6));
  }
  const Result<Moments> m = MomentsOf(t);
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(m->mean, 0, 0.01);
  EXPECT_NEAR(m->stdev * m->stdev, 1.5, 0.02);
  // The sample kurtosis of a t with 6 dof converges slowly (its eighth
  // moment is infinite): 3 +- 1.
  EXPECT_NEAR(m->excess_kurtosis, 3, 1);
  // The median of |t_6| is 0.7176 (t tables: P(T < 0.7176) = 0.75).
  int below = 0;
  for (const double v : t) below += std::fabs(v) < 0.7176 ? 1 : 0;
  EXPECT_NEAR(below / 400'000.0, 0.5, 0.004);
}

}  // namespace
}  // namespace mullet
