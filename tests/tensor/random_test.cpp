// The random generator: reference outputs of splitmix64 / xoshiro256**, reproducibility by seed,
// state save and restore, thread-count independence, and the distributions' moments and ranges.
#include <algorithm>
#include <cmath>
#include <set>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::values;

TEST(Random, MatchesReferenceStreams) {
  // splitmix64 seeded with 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ... (Vigna's
  // reference splitmix64.c); manual_seed(0) makes those the xoshiro state words.
  Generator gen(0);
  Generator::State s = gen.state();
  EXPECT_EQ(s[0], 0xe220a8397b1dcdafULL);
  EXPECT_EQ(s[1], 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(s[2], 0x06c45d188009454fULL);
  EXPECT_EQ(s[3], 0xf88bb8a8724c81ecULL);
  // xoshiro256** from state {1, 2, 3, 4}: outputs from a Python transcription of the reference
  // xoshiro256starstar.c (the first is rotl(2 * 5, 7) * 9 = 11520 by hand).
  gen.set_state({1, 2, 3, 4, 0, 0});
  EXPECT_EQ(gen.next_u64(), 0x2d00ULL);
  EXPECT_EQ(gen.next_u64(), 0x0ULL);
  EXPECT_EQ(gen.next_u64(), 0x5a007080ULL);
  EXPECT_EQ(gen.next_u64(), 0x10e0000000009d80ULL);
}

TEST(Random, SameSeedSameNumbers) {
  Generator a(42), b(42), c(43);
  Tensor x = randn({100}, DType::Float32, a);
  EXPECT_TRUE(test::bit_identical(x, randn({100}, DType::Float32, b)));
  EXPECT_FALSE(test::bit_identical(x, randn({100}, DType::Float32, c)));
  manual_seed(5);
  Tensor first = rand({10});
  manual_seed(5);
  EXPECT_TRUE(test::bit_identical(first, rand({10})));
  EXPECT_FALSE(test::bit_identical(first, rand({10})));
}

TEST(Random, StateRoundTripIncludesTheCachedNormal) {
  Generator gen(9);
  gen.normal();  // leaves the second Box-Muller value cached
  Generator::State saved = gen.state();
  EXPECT_EQ(saved[4], 1u);
  std::vector<double> expected{gen.normal(), gen.normal(), gen.uniform()};
  Generator other(123);
  other.set_state(saved);
  EXPECT_EQ((std::vector<double>{other.normal(), other.normal(), other.uniform()}), expected);
}

TEST(Random, SameNumbersWhateverTheThreadCount) {
  Tensor one, two;
  {
    test::ScopedThreads threads(1);
    Generator gen(3);
    one = normal({100000}, 0, 1, DType::Float64, gen);
  }
  {
    test::ScopedThreads threads(2);
    Generator gen(3);
    two = normal({100000}, 0, 1, DType::Float64, gen);
  }
  EXPECT_TRUE(test::bit_identical(one, two));
}

TEST(Random, UniformRangeAndMoments) {
  Generator gen(1);
  const int64_t n = 200000;
  Tensor u = uniform({n}, -2, 6, DType::Float64, gen);
  EXPECT_GE(min(u).item(), -2);
  EXPECT_LT(max(u).item(), 6);
  // Mean 2, variance 64 / 12; 5 standard errors of tolerance.
  EXPECT_NEAR(mean(u).item(), 2.0, 5 * std::sqrt(64.0 / 12 / n));
  EXPECT_NEAR(var(u).item(), 64.0 / 12, 0.05);
  Tensor r = rand({1000}, DType::Float32, gen);
  EXPECT_GE(min(r).item(), 0);
  EXPECT_LT(max(r).item(), 1);
}

TEST(Random, NormalMoments) {
  Generator gen(2);
  const int64_t n = 200000;
  Tensor x = normal({n}, 3, 0.5, DType::Float64, gen);
  EXPECT_NEAR(mean(x).item(), 3.0, 5 * 0.5 / std::sqrt(double(n)));
  EXPECT_NEAR(std::sqrt(var(x).item()), 0.5, 0.005);
  // About 68.27% within one standard deviation.
  double inside = mean(lt(abs(x - 3.0), 0.5)).item();
  EXPECT_NEAR(inside, 0.6827, 0.005);
  Tensor f = randn({4, 5}, DType::Float32, gen);
  EXPECT_EQ(f.shape(), (Shape{4, 5}));
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(normal({3}, 1, 0, DType::Float32, gen).to_vector<float>(),
            (std::vector<float>{1, 1, 1}));
}

TEST(Random, Bernoulli) {
  Generator gen(4);
  Tensor b = bernoulli({100000}, 0.3, DType::Float32, gen);
  std::vector<double> v = values(b);
  EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](double x) { return x == 0 || x == 1; }));
  EXPECT_NEAR(mean(b).item(), 0.3, 5 * std::sqrt(0.3 * 0.7 / 100000));
  EXPECT_EQ(values(bernoulli({5}, 0.0, DType::Float32, gen)), std::vector<double>(5, 0.0));
  EXPECT_EQ(values(bernoulli({5}, 1.0, DType::Float32, gen)), std::vector<double>(5, 1.0));
  Tensor p = tensor({0, 1, 0, 1}, DType::Float64);
  Tensor drawn = bernoulli(p, gen);
  EXPECT_EQ(drawn.dtype(), DType::Float64);
  EXPECT_EQ(values(drawn), (std::vector<double>{0, 1, 0, 1}));
  Tensor half = bernoulli(full({2, 50000}, 0.5), gen);
  EXPECT_EQ(half.shape(), (Shape{2, 50000}));
  EXPECT_NEAR(mean(half).item(), 0.5, 0.01);
}

TEST(Random, RandintCoversTheRangeUniformly) {
  Generator gen(5);
  Tensor r = randint(-3, 4, {70000}, gen);
  EXPECT_EQ(r.dtype(), DType::Int64);
  std::vector<int64_t> v = r.to_vector<int64_t>();
  std::vector<int64_t> counts(7, 0);
  for (int64_t x : v) {
    ASSERT_GE(x, -3);
    ASSERT_LT(x, 4);
    ++counts[size_t(x + 3)];
  }
  for (int64_t c : counts) EXPECT_NEAR(double(c), 10000.0, 500.0);  // 5 sigma is about 480
}

TEST(Random, RandpermIsAPermutation) {
  Generator gen(6), again(6);
  Tensor p = randperm(1000, gen);
  std::vector<int64_t> v = p.to_vector<int64_t>();
  std::vector<int64_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) EXPECT_EQ(sorted[size_t(i)], i);
  EXPECT_NE(v, sorted);
  EXPECT_EQ(randperm(1000, again).to_vector<int64_t>(), v);
  EXPECT_EQ(randperm(0, gen).numel(), 0);
  EXPECT_EQ(randperm(1, gen).to_vector<int64_t>(), (std::vector<int64_t>{0}));
  // Every arrangement of 3 elements appears.
  std::set<std::vector<int64_t>> seen;
  for (int i = 0; i < 200; ++i) seen.insert(randperm(3, gen).to_vector<int64_t>());
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Random, EmptyAndZeroDimensional) {
  Generator gen(8);
  EXPECT_EQ(rand({0, 3}, DType::Float32, gen).shape(), (Shape{0, 3}));
  Tensor s = randn({}, DType::Float64, gen);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_TRUE(std::isfinite(s.item()));
}

}  // namespace
}  // namespace minidl
