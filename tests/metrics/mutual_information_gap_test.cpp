// The mutual information gap on synthetic encoders whose answer is known: each factor in its own
// dimension (gap 1), each factor copied into two dimensions (gap 0), and the information of a
// dimension that separates every value of a factor (exactly H(v), up to the Monte Carlo error).
#include "metrics/mutual_information_gap.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace minidl;
using namespace minidl::metrics;

namespace {

constexpr int64_t kPoints = 1200;

// Two uniform factors with 4 and 3 values over kPoints points, and an encoder whose dimension
// means are `spacing` x the factor value named by `carries` (-1: standard normal noise), with
// posterior standard deviation `sigma`.
struct Synthetic {
  Tensor mean, logvar, factors;
};

Synthetic encoder(const std::vector<int>& carries, double spacing, double sigma, uint64_t seed) {
  Generator gen(seed);
  const int64_t D = int64_t(carries.size());
  const Tensor f0 = randint(0, 4, {kPoints}, gen), f1 = randint(0, 3, {kPoints}, gen);
  const Tensor noise = randn({kPoints, D}, DType::Float64, gen);
  Synthetic s;
  s.factors = Tensor::empty({kPoints, 2}, DType::Int64);
  s.mean = Tensor::empty({kPoints, D}, DType::Float64);
  s.logvar = full({kPoints, D}, 2 * std::log(sigma), DType::Float64);
  for (int64_t n = 0; n < kPoints; ++n) {
    const int64_t values[2] = {f0.data<int64_t>()[n], f1.data<int64_t>()[n]};
    s.factors.data<int64_t>()[n * 2] = values[0];
    s.factors.data<int64_t>()[n * 2 + 1] = values[1];
    for (int64_t j = 0; j < D; ++j) {
      const int c = carries[size_t(j)];
      s.mean.data<double>()[n * D + j] =
          c < 0 ? noise.data<double>()[n * D + j] : spacing * double(values[c]);
    }
  }
  return s;
}

}  // namespace

TEST(MutualInformationGap, OneFactorPerDimensionGivesAGapNearOne) {
  // z0 carries factor 0, z1 factor 1, z2 nothing; means 4 apart with sd 0.1: every value apart.
  const Synthetic s = encoder({0, 1, -1}, 4.0, 0.1, 1);
  Generator gen(2);
  const MutualInformationGap mig = mutual_information_gap(s.mean, s.logvar, s.factors, gen);
  ASSERT_EQ(mig.mutual_information.size(), 2u);
  EXPECT_EQ(mig.top_latent, (std::vector<int64_t>{0, 1}));
  // I(z0; v0) = H(v0) (about log 4) and I(z1; v1) = H(v1) (about log 3); the rest about 0.
  EXPECT_NEAR(mig.factor_entropy[0], std::log(4.0), 0.01);
  EXPECT_NEAR(mig.factor_entropy[1], std::log(3.0), 0.01);
  EXPECT_NEAR(mig.mutual_information[0][0], mig.factor_entropy[0], 0.02);
  EXPECT_NEAR(mig.mutual_information[1][1], mig.factor_entropy[1], 0.02);
  // The rest about 0: the estimator's upward bias for a dimension independent of the factor
  // (each conditional mixture has a quarter or a third of the points, so its narrow posteriors
  // cover its draws more sparsely) is a few hundredths of a nat at 1,200 points.
  for (auto [k, j] : {std::pair{0, 1}, {0, 2}, {1, 0}, {1, 2}}) {
    EXPECT_GE(mig.mutual_information[size_t(k)][size_t(j)], -0.01) << k << ", " << j;
    EXPECT_LT(mig.mutual_information[size_t(k)][size_t(j)], 0.05) << k << ", " << j;
  }
  EXPECT_GT(mig.mean, 0.95);
  EXPECT_LE(mig.mean, 1.01);
}

TEST(MutualInformationGap, AFactorCopiedIntoTwoDimensionsGivesAGapNearZero) {
  // z0 and z1 both carry factor 0; z2 and z3 both carry factor 1.
  const Synthetic s = encoder({0, 0, 1, 1}, 4.0, 0.1, 3);
  Generator gen(4);
  const MutualInformationGap mig = mutual_information_gap(s.mean, s.logvar, s.factors, gen);
  EXPECT_NEAR(mig.mutual_information[0][0], mig.mutual_information[0][1], 0.03);
  EXPECT_NEAR(mig.mutual_information[0][0], mig.factor_entropy[0], 0.02);
  EXPECT_LT(mig.mean, 0.03);
}

// Posteriors wider than the spacing of the values: the dimension carries part of the factor.
// For two values at means 0 and 1 with sd 1, I(z; v) is the mutual information of a binary
// variable and an equal mixture of N(0, 1) and N(1, 1): 0.1114 nats, computed by numerical
// integration (the same mixture's entropy minus a Gaussian's).
TEST(MutualInformationGap, PartialInformationMatchesTheMixtureIntegral) {
  Generator gen(5);
  const int64_t N = 3000;
  Tensor factors = Tensor::empty({N, 1}, DType::Int64);
  Tensor mean = Tensor::empty({N, 1}, DType::Float64);
  for (int64_t n = 0; n < N; ++n) {
    factors.data<int64_t>()[n] = n % 2;
    mean.data<double>()[n] = double(n % 2);
  }
  // The integral: I = h(0.5 N(0,1) + 0.5 N(1,1)) - h(N(0,1)), by the midpoint rule.
  double mixture_entropy = 0;
  const double step = 1e-3;
  for (double z = -12; z < 13; z += step) {
    const double x = z + step / 2;
    const double p =
        0.5 * (std::exp(-0.5 * x * x) + std::exp(-0.5 * (x - 1) * (x - 1))) / std::sqrt(2 * M_PI);
    mixture_entropy -= p * std::log(p) * step;
  }
  const double expected = mixture_entropy - 0.5 * std::log(2 * M_PI * M_E);
  EXPECT_NEAR(expected, 0.1114, 5e-4);
  const MutualInformationGap mig =
      mutual_information_gap(mean, zeros({N, 1}, DType::Float64), factors, gen, 4);
  EXPECT_NEAR(mig.mutual_information[0][0], expected, 0.015);
  // One dimension: the gap is I / H(v).
  EXPECT_NEAR(mig.gap[0], mig.mutual_information[0][0] / std::log(2.0), 1e-12);
}

TEST(MutualInformationGap, BadShapesAndValuesAreOneLineErrors) {
  Generator gen(6);
  const Tensor mean = zeros({10, 2}, DType::Float64), logvar = zeros({10, 2}, DType::Float64);
  EXPECT_THROW(mutual_information_gap(mean, logvar, zeros({9, 1}, DType::Int64), gen), Error);
  EXPECT_THROW(mutual_information_gap(mean, zeros({10, 3}, DType::Float64),
                                      zeros({10, 1}, DType::Int64), gen),
               Error);
  EXPECT_THROW(mutual_information_gap(mean, logvar, full({10, 1}, -1, DType::Int64), gen), Error);
}
