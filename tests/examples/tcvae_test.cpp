// beta-TCVAE's batch estimate of the KL term's parts (examples/vae/vae_model.h
// decompose_kl_terms): gradcheck in float64, the closed form of a linear Gaussian encoder, and the
// stratified estimator's smaller bias on small batches of a large data set.
//
// Linear Gaussian encoder: x ~ N(0, I), q(z | x) = N(A x, s^2 I), so q(z) = N(0, S) with
// S = A A^T + s^2 I, and I(x; z) = 1/2 (log det S - D log s^2), TC = 1/2 (sum_d log S_dd -
// log det S), DWKL = 1/2 sum_d (S_dd - 1 - log S_dd).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/autograd.h"
#include "examples/vae/vae_model.h"

using namespace minidl;
using namespace minidl::examples;

namespace {

struct LinearGaussian {
  Tensor mean, logvar, z;
  double mi, tc, dw;
};

// N points, A = [[1.5, 0], [0.9, 0.6]], posterior standard deviation s, one z per point.
LinearGaussian linear_gaussian(int64_t N, Generator& gen, double s = 0.5) {
  const double s2 = s * s;
  const Tensor x = randn({N, 2}, DType::Float64, gen);
  const Tensor a = tensor({{1.5, 0.0}, {0.9, 0.6}}, DType::Float64);
  LinearGaussian g;
  g.mean = matmul(x, a.t());
  g.logvar = full({N, 2}, std::log(s2), DType::Float64);
  g.z = add(g.mean, mul(randn({N, 2}, DType::Float64, gen), s));
  const double s00 = 2.25 + s2, s11 = 1.17 + s2, s01 = 1.35, det = s00 * s11 - s01 * s01;
  g.mi = 0.5 * (std::log(det) - 2.0 * std::log(s2));
  g.tc = 0.5 * (std::log(s00) + std::log(s11) - std::log(det));
  g.dw = 0.5 * (s00 - 1.0 - std::log(s00)) + 0.5 * (s11 - 1.0 - std::log(s11));
  return g;
}

double value(const Variable& v) { return v.item(); }

}  // namespace

TEST(TcVae, KlTermsPassGradcheckWithBothEstimators) {
  Generator gen(1);
  Variable mu(normal({5, 3}, 0, 1, DType::Float64, gen), true);
  Variable logvar(uniform({5, 3}, -1, 0.5, DType::Float64, gen), true);
  Variable z(normal({5, 3}, 0, 1, DType::Float64, gen), true);
  for (TcEstimator estimator : {TcEstimator::MinibatchWeighted, TcEstimator::MinibatchStratified}) {
    auto f = [&](const std::vector<Variable>& in) {
      const KlTerms t = decompose_kl_terms(in[2], {in[0], in[1]}, estimator, 40);
      return t.index_code_mi + t.total_correlation * 2.0 + t.dimension_wise_kl * 3.0;
    };
    GradcheckResult result = gradcheck(f, {mu, logvar, z}, {.name = "beta-TCVAE KL terms"});
    EXPECT_TRUE(result.passed) << result.message;
  }
}

TEST(TcVae, TheWholeDataSetAsTheBatchRecoversTheClosedForm) {
  Generator gen(5);
  const LinearGaussian g = linear_gaussian(1500, gen);
  const KlTerms t = decompose_kl_terms(Variable(g.z), {Variable(g.mean), Variable(g.logvar)});
  // Finite-sample tolerances, as metrics::decompose_kl's test: 1,500 points' covariance differs
  // from S by a few per cent.
  EXPECT_NEAR(value(t.index_code_mi), g.mi, 0.08);
  EXPECT_NEAR(value(t.total_correlation), g.tc, 0.05);
  EXPECT_NEAR(value(t.dimension_wise_kl), g.dw, 0.08);
  // The three parts telescope to mean_i [log q(z_i | x_i) - log p(z_i)].
  const Tensor d = sub(g.z, g.mean);
  double direct = 0;
  for (int64_t i = 0; i < 1500; ++i) {
    for (int64_t k = 0; k < 2; ++k) {
      const double e = d.data<double>()[i * 2 + k], zz = g.z.data<double>()[i * 2 + k];
      direct += -0.5 * (std::log(0.25) + e * e / 0.25) + 0.5 * zz * zz;  // s^2 = 0.25
    }
  }
  EXPECT_NEAR(value(t.index_code_mi) + value(t.total_correlation) + value(t.dimension_wise_kl),
              direct / 1500, 1e-10);
}

// Batches of 64 from 4,000 points of an encoder with narrow posteriors (s = 0.05: I(x; z) = 5.9
// nats). Weighting every batch point alike caps the estimate of I(x; z) at log 64 = 4.16 nats
// (a draw's own posterior holds 1/64 of q(z)); the stratified weights give it 1/4000 and reach
// past the cap, towards the truth.
TEST(TcVae, StratifiedEstimatorIsNotCappedByTheBatchSize) {
  Generator gen(7);
  const LinearGaussian g = linear_gaussian(4000, gen, 0.05);
  double weighted = 0, stratified = 0;
  const int batches = 30;
  for (int b = 0; b < batches; ++b) {
    const Tensor rows = randperm(4000, gen).narrow(0, 0, 64).contiguous();
    const Variable z(index_select(g.z, 0, rows));
    const Vae::Posterior q{Variable(index_select(g.mean, 0, rows)),
                           Variable(index_select(g.logvar, 0, rows))};
    weighted += value(decompose_kl_terms(z, q, TcEstimator::MinibatchWeighted).index_code_mi);
    stratified +=
        value(decompose_kl_terms(z, q, TcEstimator::MinibatchStratified, 4000).index_code_mi);
  }
  weighted /= batches;
  stratified /= batches;
  std::printf("I(x; z) = %.3f nats; batch estimates: weighted %.3f, stratified %.3f\n", g.mi,
              weighted, stratified);
  EXPECT_LE(weighted, std::log(64.0) + 1e-9);
  EXPECT_GT(stratified, std::log(64.0) + 0.5);
  EXPECT_LT(std::abs(stratified - g.mi), std::abs(weighted - g.mi));
}

TEST(TcVae, BadShapesAndTooSmallDataSetsAreErrors) {
  const Variable z(zeros({4, 2}, DType::Float64));
  const Vae::Posterior q{Variable(zeros({4, 2}, DType::Float64)),
                         Variable(zeros({4, 3}, DType::Float64))};
  EXPECT_THROW(decompose_kl_terms(z, q), Error);
  const Vae::Posterior ok{Variable(zeros({4, 2}, DType::Float64)),
                          Variable(zeros({4, 2}, DType::Float64))};
  EXPECT_THROW(decompose_kl_terms(z, ok, TcEstimator::MinibatchStratified, 3), Error);
}
