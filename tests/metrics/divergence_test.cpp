// Entropy, cross-entropy, KL and JS of discrete distributions, and the histograms they are computed
// on. Expected values are closed forms, hand computations, or numbers computed independently with
// /usr/bin/python3 (math / decimal) and pasted as literals where marked.
#include "metrics/divergence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "metrics/histogram.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor f64(std::initializer_list<double> values) { return tensor(values, DType::Float64); }

// Runs `fn`, expecting a minidl::Error whose message contains `fragment`.
template <typename Fn>
void expect_error(Fn&& fn, const std::string& fragment) {
  try {
    fn();
    FAIL() << "expected an error containing \"" << fragment << "\"";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Entropy, UniformOverNIsLogN) {
  for (int64_t n : {1, 2, 3, 10, 256}) {
    // n terms of rounding error ~1e-16 each.
    EXPECT_NEAR(entropy(ones({n})), std::log(static_cast<double>(n)), 1e-13) << n;
    EXPECT_NEAR(entropy(ones({n}), Unit::Bits), std::log2(static_cast<double>(n)), 1e-13) << n;
  }
}

TEST(Entropy, PointMassIsZeroAndZeroBinsContributeNothing) {
  EXPECT_EQ(entropy(f64({0, 0, 7, 0})), 0.0);
  // Two equal outcomes among zeros: exactly 1 bit.
  EXPECT_NEAR(entropy(f64({0, 3, 0, 3, 0}), Unit::Bits), 1.0, 1e-15);
}

TEST(Entropy, CountsAndProbabilitiesGiveTheSameValue) {
  // -(0.1 ln 0.1 + 0.2 ln 0.2 + 0.3 ln 0.3 + 0.4 ln 0.4), computed with python3 math.
  const double expected = 1.2798542258336676;
  EXPECT_NEAR(entropy(f64({1, 2, 3, 4})), expected, 1e-14);
  EXPECT_NEAR(entropy(tensor({0.1, 0.2, 0.3, 0.4}, DType::Float64)), expected, 1e-14);
  const std::vector<int64_t> counts{10, 20, 30, 40};
  EXPECT_NEAR(entropy(from_vector(counts)), expected, 1e-14);
}

TEST(KlDivergence, TwoBernoullis) {
  // KL(Bern(0.3) || Bern(0.6)) = 0.3 ln(0.3/0.6) + 0.7 ln(0.7/0.4), python3: 0.18378689738681217.
  const double expected = 0.18378689738681217;
  EXPECT_NEAR(kl_divergence(f64({0.7, 0.3}), f64({0.4, 0.6})), expected, 1e-15);
  EXPECT_NEAR(kl_divergence(f64({0.7, 0.3}), f64({0.4, 0.6}), Unit::Bits),
              expected / std::numbers::ln2, 1e-15);
  // Not symmetric: KL(Bern(0.6) || Bern(0.3)) = 0.6 ln 2 + 0.4 ln(4/7).
  EXPECT_NEAR(kl_divergence(f64({0.4, 0.6}), f64({0.7, 0.3})),
              0.6 * std::log(2.0) + 0.4 * std::log(4.0 / 7.0), 1e-15);
}

TEST(KlDivergence, OfADistributionWithItselfIsZero) {
  Generator gen(3);
  const Tensor p = uniform({1000}, 0.0, 1.0, DType::Float32, gen);
  EXPECT_EQ(kl_divergence(p, p), 0.0);
  // The same distribution given as other weights: equal up to the rounding of the scaling.
  EXPECT_NEAR(kl_divergence(p, p * 5.0), 0.0, 1e-14);
}

TEST(KlDivergence, TermsWithZeroPContributeNothing) {
  // P = (1/2, 1/2, 0), Q = (1/4, 1/4, 1/2): KL = ln 2, whatever Q puts on the third outcome.
  EXPECT_NEAR(kl_divergence(f64({1, 1, 0}), f64({1, 1, 2})), std::log(2.0), 1e-15);
  EXPECT_NEAR(kl_divergence(f64({1, 1, 0}), f64({1, 1, 0})), 0.0, 1e-15);
}

TEST(KlDivergence, MassWhereQIsZeroIsInfiniteUnlessSmoothed) {
  const Tensor p = f64({0.5, 0.5}), q = f64({1.0, 0.0});
  EXPECT_EQ(kl_divergence(p, q), kInf);
  EXPECT_EQ(kl_divergence(p, q, Unit::Bits), kInf);
  EXPECT_EQ(cross_entropy(p, q), kInf);
  // Smoothed by hand: p' = (0.5 + e, 0.5 + e) / (1 + 2e) = (1/2, 1/2) and
  // q' = (1 + e, e) / (1 + 2e), with e = 0.01.
  const double e = 0.01, z = 1.0 + 2.0 * e;
  const double q0 = (1.0 + e) / z, q1 = e / z;
  const double expected = 0.5 * std::log(0.5 / q0) + 0.5 * std::log(0.5 / q1);
  EXPECT_NEAR(kl_divergence(p, q, Unit::Nats, e), expected, 1e-14);
  EXPECT_NEAR(cross_entropy(p, q, Unit::Nats, e), -0.5 * std::log(q0) - 0.5 * std::log(q1), 1e-14);
}

TEST(KlDivergence, CrossEntropyIsEntropyPlusKl) {
  const Tensor p = f64({0.1, 0.6, 0.3}), q = f64({0.3, 0.3, 0.4});
  EXPECT_NEAR(cross_entropy(p, q), entropy(p) + kl_divergence(p, q), 1e-14);
  EXPECT_NEAR(cross_entropy(p, q),
              -(0.1 * std::log(0.3) + 0.6 * std::log(0.3) + 0.3 * std::log(0.4)), 1e-14);
}

TEST(JsDivergence, SymmetricBoundedAndKnownValues) {
  // P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4); python3 math: 0.21576155433883565.
  const Tensor p = f64({1, 0}), q = f64({0.5, 0.5});
  EXPECT_NEAR(js_divergence(p, q), 0.21576155433883565, 1e-15);
  EXPECT_EQ(js_divergence(p, q), js_divergence(q, p));
  // Disjoint supports reach the bound: ln 2 nats, 1 bit. KL would be infinite here.
  EXPECT_NEAR(js_divergence(f64({1, 1, 0, 0}), f64({0, 0, 2, 5})), std::log(2.0), 1e-15);
  EXPECT_NEAR(js_divergence(f64({1, 0}), f64({0, 1}), Unit::Bits), 1.0, 1e-15);
  EXPECT_EQ(js_divergence(q, q), 0.0);

  Generator gen(11);
  for (int trial = 0; trial < 20; ++trial) {
    // Sparse random distributions: about half the bins empty, so supports partly disjoint.
    const Tensor a = relu(uniform({50}, -1.0, 1.0, DType::Float64, gen));
    const Tensor b = relu(uniform({50}, -1.0, 1.0, DType::Float64, gen));
    const double ab = js_divergence(a, b), ba = js_divergence(b, a);
    EXPECT_NEAR(ab, ba, 1e-15);
    EXPECT_GE(ab, 0.0);
    EXPECT_LE(ab, std::log(2.0));
  }
}

TEST(JsDivergence, EpsilonSmoothsBothDistributionsAsForKl) {
  // Disjoint P = (1, 0) and Q = (0, 1) with e = 1/4, by hand: P' = (1 + e, e) / (1 + 2e) = (5/6,
  // 1/6), Q' = (1/6, 5/6), M = (1/2, 1/2), so JS = KL(P' || M) = ln 2 - H(5/6, 1/6).
  const double h = -(5.0 / 6 * std::log(5.0 / 6) + 1.0 / 6 * std::log(1.0 / 6));
  EXPECT_NEAR(js_divergence(f64({1, 0}), f64({0, 1}), Unit::Nats, 0.25), std::log(2.0) - h, 1e-15);
  EXPECT_NEAR(js_divergence(f64({1, 0}), f64({0, 1}), Unit::Bits, 0.25),
              1.0 - h / std::numbers::ln2, 1e-15);

  // Three bins, partly overlapping supports, e = 0.1. numpy (/usr/bin/python3): normalise,
  // (p + e) / (1 + 3e), then 0.5 KL(P'||M) + 0.5 KL(Q'||M) -> 0.20414288353155247; unsmoothed
  // 0.42458556383748447.
  const Tensor p = f64({1, 2, 0}), q = f64({0, 1, 3});
  EXPECT_NEAR(js_divergence(p, q, Unit::Nats, 0.1), 0.20414288353155247, 1e-15);
  EXPECT_NEAR(js_divergence(p, q), 0.42458556383748447, 1e-15);
  // The convexity bound of the header: smoothing can only lower JS, at least by 1 / (1 + n e).
  EXPECT_LE(js_divergence(p, q, Unit::Nats, 0.1), js_divergence(p, q) / 1.3);
  EXPECT_EQ(js_divergence(p, q, Unit::Nats, 0.1), js_divergence(q, p, Unit::Nats, 0.1));
  // JS of the smoothed pair is JS of the distributions smoothed by hand (no second smoothing).
  const double e = 0.1, z = 1.0 + 3.0 * e;
  const Tensor p_smoothed = f64({(1.0 / 3 + e) / z, (2.0 / 3 + e) / z, e / z});
  const Tensor q_smoothed = f64({e / z, (0.25 + e) / z, (0.75 + e) / z});
  EXPECT_NEAR(js_divergence(p, q, Unit::Nats, e), js_divergence(p_smoothed, q_smoothed), 1e-15);
  expect_error([&] { js_divergence(p, q, Unit::Nats, -1.0); },
               "js_divergence: smoothing epsilon must be finite and >= 0, got -1");
}

TEST(KlDivergence, BadInputsAreErrorsNamingTheProblem) {
  expect_error(
      [] {
        kl_divergence(f64({1, 2}), f64({1, 2, 3}));
      },
      "kl_divergence: P has shape [2]");
  expect_error([] { kl_divergence(f64({1, -1}), f64({1, 1})); }, "P has weight -1 at index 1");
  expect_error([] { kl_divergence(f64({1, 1}), f64({0, 0})); }, "Q sums to 0");
  expect_error([] { entropy(f64({1, std::nan("")})); }, "entropy: P has weight nan");
  expect_error(
      [] {
        kl_divergence(f64({1, 1}), f64({1, 1}), Unit::Nats, -0.1);
      },
      "epsilon must be finite and >= 0");
}

TEST(Histogram, FollowsNumpyBinEdges) {
  // numpy.histogram([0, .25, .5, .75, 1], bins=4, range=(0, 1)) -> [1, 1, 1, 2]: bins are
  // half-open except the last, which also takes the upper edge.
  const Tensor h = histogram(f64({0, 0.25, 0.5, 0.75, 1.0}), {.count = 4, .low = 0.0, .high = 1.0});
  EXPECT_EQ(h.dtype(), DType::Float64);
  EXPECT_EQ(h.to_vector<double>(), (std::vector<double>{1, 1, 1, 2}));
  const Tensor shifted = histogram(f64({-3, -1, -1, 2}), {.count = 5, .low = -3.0, .high = 2.0});
  EXPECT_EQ(shifted.to_vector<double>(), (std::vector<double>{1, 0, 2, 0, 1}));
}

TEST(Histogram, EveryEightBitLevelGetsItsOwnBin) {
  std::vector<float> levels;
  for (int k = 0; k < 256; ++k) levels.push_back(static_cast<float>(k) / 255.0f);
  const Tensor h = histogram(from_vector(levels), {.count = 256});
  EXPECT_EQ(h.to_vector<double>(), std::vector<double>(256, 1.0));
  // uint8 pixels with a [0, 256) style range also work: any dtype is read as double.
  std::vector<uint8_t> bytes{0, 0, 255, 128};
  const Tensor hb = histogram(from_vector(bytes), {.count = 2, .low = 0.0, .high = 255.0});
  EXPECT_EQ(hb.to_vector<double>(), (std::vector<double>{2, 2}));
}

TEST(Histogram, ValuesOutsideTheRangeAreErrors) {
  expect_error(
      [] {
        histogram(f64({0.5, 1.5}));
      },
      "histogram: value 1.5 at element 1 is outside the bin range [0, 1]");
  expect_error([] { histogram(f64({std::nan("")})); }, "value nan at element 0");
  expect_error([] { histogram(f64({0.5}), {.count = 0}); }, "number of bins must be at least 1");
  expect_error([] { histogram(f64({0.5}), {.count = 4, .low = 1.0, .high = 1.0}); },
               "must be finite with low < high");
}

// Float64 accumulation: KL between histograms of 10^7 samples each, over 1000 bins, accurate to
// 1e-9. Bin k holds 10000 + (2k - 999) samples in P and the reverse in Q (counts 9001..10999, each
// total exactly 10^7). Expected values computed exactly with python3's decimal module (40 digits):
//   KL(P || uniform) = 0.001668336442925170068567349152292887469726
//   KL(P || Q)       = 0.006680050750836825730513767230513026407145
TEST(KlDivergence, TenMillionSampleHistogramsAreAccurateToOneNano) {
  const int64_t bins = 1000;
  std::vector<float> p_values, q_values;
  p_values.reserve(10'000'000);
  q_values.reserve(10'000'000);
  for (int64_t k = 0; k < bins; ++k) {
    const float centre = static_cast<float>((static_cast<double>(k) + 0.5) / bins);
    p_values.insert(p_values.end(), static_cast<size_t>(10000 + (2 * k - 999)), centre);
    q_values.insert(q_values.end(), static_cast<size_t>(10000 + (2 * (bins - 1 - k) - 999)),
                    centre);
  }
  ASSERT_EQ(p_values.size(), 10'000'000u);
  ASSERT_EQ(q_values.size(), 10'000'000u);
  const Tensor hp = histogram(from_vector(p_values), {.count = bins});
  const Tensor hq = histogram(from_vector(q_values), {.count = bins});
  EXPECT_EQ(sum(hp).item(), 1e7);
  EXPECT_NEAR(kl_divergence(hp, ones({bins})), 0.001668336442925170068567349152292887469726, 1e-9);
  EXPECT_NEAR(kl_divergence(hp, hq), 0.006680050750836825730513767230513026407145, 1e-9);

  // A lopsided pair where float32 arithmetic would already be off by 3e-8 (numpy float32 gives
  // 0.6931454362): 9,999,999 samples in one bin and 1 in the other, against uniform. Exact value
  // from python3 decimal: p ln 2p + q ln 2q with p = 1 - 1e-7, q = 1e-7.
  std::vector<float> lopsided(10'000'000, 0.0f);
  lopsided.back() = 1.0f;
  const Tensor h2 = histogram(from_vector(lopsided), {.count = 2});
  EXPECT_EQ(h2.to_vector<double>(), (std::vector<double>{9'999'999, 1}));
  EXPECT_NEAR(kl_divergence(h2, ones({2})), 0.6931454687503852135854199755391582895206, 1e-9);
}
