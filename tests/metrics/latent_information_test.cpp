// The VAE KL decomposition on a linear Gaussian encoder, where every term is known in closed form:
// x ~ N(0, I), q(z | x) = N(A x, s^2 I), so the aggregate posterior is N(0, S) with
// S = A A^T + s^2 I, and
//   I(x; z) = 1/2 (log det S - D log s^2)
//   TC      = 1/2 (sum_d log S_dd - log det S)
//   DWKL    = 1/2 sum_d (S_dd - 1 - log S_dd)
// (the three add up to the KL term 1/2 sum_d (s^2 + (A A^T)_dd - 1 - log s^2)).
#include "metrics/latent_information.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

struct Encoded {
  Tensor mean, logvar;
};

// N points of the 2-d linear Gaussian encoder with A = [[a00, a01], [a10, a11]] and s = `sigma`.
Encoded linear_encoder(int64_t N, double a00, double a01, double a10, double a11, double sigma,
                       Generator& gen) {
  const Tensor x = randn({N, 2}, DType::Float64, gen);
  const Tensor a = tensor({{a00, a01}, {a10, a11}}, DType::Float64);
  return {matmul(x, a.t()), full({N, 2}, 2.0 * std::log(sigma), DType::Float64)};
}

}  // namespace

TEST(DecomposeKl, LinearGaussianEncoderWithCorrelatedLatents) {
  Generator gen(5);
  const double s2 = 0.25;  // sigma = 0.5
  const Encoded e = linear_encoder(2000, 1.5, 0.0, 0.9, 0.6, 0.5, gen);
  // S = [[2.25 + s2, 1.35], [1.35, 1.17 + s2]].
  const double s00 = 2.25 + s2, s11 = 1.17 + s2, s01 = 1.35, det = s00 * s11 - s01 * s01;
  const double mi = 0.5 * (std::log(det) - 2.0 * std::log(s2));
  const double tc = 0.5 * (std::log(s00) + std::log(s11) - std::log(det));
  const double dw = 0.5 * (s00 - 1.0 - std::log(s00)) + 0.5 * (s11 - 1.0 - std::log(s11));
  const KlDecomposition k = decompose_kl(e.mean, e.logvar, gen, 2);
  // Finite-sample tolerances: the 2,000 points' covariance differs from S by a few per cent.
  EXPECT_NEAR(k.index_code_mi, mi, 0.08);
  EXPECT_NEAR(k.total_correlation, tc, 0.05);
  EXPECT_NEAR(k.dimension_wise_kl, dw, 0.08);
  // The sum check: the three parts add up to the closed-form KL term within the Monte Carlo error.
  EXPECT_NEAR(k.index_code_mi + k.total_correlation + k.dimension_wise_kl, k.kl,
              4.0 * k.standard_error);
  EXPECT_GT(k.standard_error, 0.0);
  EXPECT_EQ(k.active_units, 2);
}

TEST(DecomposeKl, IndependentLatentsHaveNoTotalCorrelation) {
  Generator gen(6);
  const Encoded e = linear_encoder(1500, 1.2, 0.0, 0.0, 0.7, 0.6, gen);
  const KlDecomposition k = decompose_kl(e.mean, e.logvar, gen);
  EXPECT_NEAR(k.total_correlation, 0.0, 0.03);
  const double s00 = 1.44 + 0.36, s11 = 0.49 + 0.36;
  EXPECT_NEAR(k.index_code_mi, 0.5 * (std::log(s00 * s11) - 2.0 * std::log(0.36)), 0.08);
}

TEST(DecomposeKl, AnEncoderThatIgnoresItsInputCarriesNoInformation) {
  // q(z | x) = N(0, I) for every x: the KL term and all three parts are 0, no unit is active.
  Generator gen(7);
  const KlDecomposition k =
      decompose_kl(zeros({500, 3}, DType::Float64), zeros({500, 3}, DType::Float64), gen);
  EXPECT_DOUBLE_EQ(k.kl, 0.0);
  EXPECT_NEAR(k.index_code_mi, 0.0, 1e-12);
  EXPECT_NEAR(k.total_correlation, 0.0, 1e-12);
  EXPECT_NEAR(k.dimension_wise_kl, 0.0, 1e-12);
  EXPECT_EQ(k.active_units, 0);
}

TEST(DecomposeKl, CountsActiveUnitsByTheVarianceOfTheMean) {
  // Dimension 0's mean varies with variance 1, dimension 1's with variance 1e-4: one active unit.
  Generator gen(8);
  const Tensor noise = randn({1000, 2}, DType::Float64, gen);
  const Tensor scale = tensor({1.0, 0.01}, DType::Float64);
  const KlDecomposition k = decompose_kl(noise * scale, zeros({1000, 2}, DType::Float64), gen);
  EXPECT_EQ(k.active_units, 1);
  ASSERT_EQ(k.mean_variance.size(), 2u);
  EXPECT_NEAR(k.mean_variance[0], 1.0, 0.1);
  EXPECT_NEAR(k.mean_variance[1], 1e-4, 2e-5);
}

TEST(DecomposeKl, BadInputGivesOneLineErrors) {
  Generator gen(9);
  try {
    decompose_kl(zeros({4, 2}), zeros({4, 3}), gen);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "decompose_kl: mean and logvar must be [N, D] of one shape, got [4, 2] and [4, 3]");
  }
  Tensor logvar = zeros({3, 2}, DType::Float64);
  logvar.data<double>()[3] = std::nan("");
  try {
    decompose_kl(zeros({3, 2}, DType::Float64), logvar, gen);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "decompose_kl: mean 0 or logvar nan at point 1, dimension 1 is not finite");
  }
}
