// The symmetric eigensolver, Gaussian fits, closed-form Gaussian KL and the Fréchet distance.
#include "metrics/gaussian.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "metrics/eigh.h"
#include "metrics/frechet.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

double max_abs_difference(const Tensor& a, const Tensor& b) {
  return max(abs(a.to(DType::Float64) - b.to(DType::Float64))).item();
}

// A random symmetric positive definite [d, d] matrix A A^T / d + floor I.
Tensor random_spd(int64_t d, Generator& gen, double floor = 0.1) {
  const Tensor a = randn({d, d}, DType::Float64, gen);
  Tensor identity = zeros({d, d}, DType::Float64);
  for (int64_t i = 0; i < d; ++i) identity.select(0, i).narrow(0, i, 1).fill_(floor);
  return matmul(a, a.t()) / static_cast<double>(d) + identity;
}

Tensor diagonal_matrix(const std::vector<double>& diagonal) {
  const auto d = static_cast<int64_t>(diagonal.size());
  Tensor m = zeros({d, d}, DType::Float64);
  for (int64_t i = 0; i < d; ++i) {
    m.select(0, i).narrow(0, i, 1).fill_(diagonal[static_cast<size_t>(i)]);
  }
  return m;
}

}  // namespace

TEST(Eigh, TwoByTwoByHand) {
  // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1)/sqrt 2 and (1, 1)/sqrt 2.
  const SymmetricEigen e = eigh(tensor({{2, 1}, {1, 2}}, DType::Float64));
  const std::vector<double> l = e.eigenvalues.to_vector<double>();
  EXPECT_NEAR(l[0], 1.0, 1e-15);
  EXPECT_NEAR(l[1], 3.0, 1e-15);
  const double r = 1.0 / std::sqrt(2.0);
  const std::vector<double> v = e.eigenvectors.to_vector<double>();  // row-major, columns = vectors
  EXPECT_NEAR(std::abs(v[0]), r, 1e-15);
  EXPECT_NEAR(v[0], -v[2], 1e-15);  // first column is +-(1, -1)/sqrt 2
  EXPECT_NEAR(v[1], v[3], 1e-15);   // second column is +-(1, 1)/sqrt 2
}

TEST(Eigh, ReconstructsARandomSymmetricMatrix) {
  Generator gen(1);
  const Tensor a = randn({40, 40}, DType::Float64, gen);
  const Tensor s = a + a.t();
  const SymmetricEigen e = eigh(s);
  const Tensor v = e.eigenvectors;
  const Tensor rebuilt = matmul(v * e.eigenvalues, v.t());
  EXPECT_LT(max_abs_difference(rebuilt, s), 1e-12);
  Tensor identity = zeros({40, 40}, DType::Float64);
  for (int64_t i = 0; i < 40; ++i) identity.select(0, i).narrow(0, i, 1).fill_(1.0);
  EXPECT_LT(max_abs_difference(matmul(v.t(), v), identity), 1e-13);
  const std::vector<double> l = e.eigenvalues.to_vector<double>();
  for (size_t i = 1; i < l.size(); ++i) EXPECT_LE(l[i - 1], l[i]);
}

TEST(Eigh, SquareRootOfAPsdMatrixSquaresBack) {
  Generator gen(2);
  const Tensor s = random_spd(30, gen);
  const Tensor root = sqrtm_psd(s);
  EXPECT_LT(max_abs_difference(matmul(root, root), s), 1e-12);
  EXPECT_LT(max_abs_difference(root, root.t()), 1e-14);
  EXPECT_THROW(sqrtm_psd(tensor({{1, 0}, {0, -1}}, DType::Float64)), Error);
  EXPECT_THROW(eigh(zeros({2, 3}, DType::Float64)), Error);
}

TEST(FitGaussian, MeanAndUnbiasedCovariance) {
  // The corners of a square of side 2 around (1, 1): variance (4 * 1) / (4 - 1) per axis, no
  // correlation.
  const GaussianFit g = fit_gaussian(tensor({{0, 0}, {2, 0}, {0, 2}, {2, 2}}));
  EXPECT_EQ(g.samples, 4);
  EXPECT_EQ(g.mean.to_vector<double>(), (std::vector<double>{1, 1}));
  const std::vector<double> c = g.covariance.to_vector<double>();
  EXPECT_NEAR(c[0], 4.0 / 3.0, 1e-15);
  EXPECT_NEAR(c[1], 0.0, 1e-15);
  EXPECT_NEAR(c[3], 4.0 / 3.0, 1e-15);
  // A large common offset must not cost the covariance its digits (the mean is removed first).
  const GaussianFit shifted =
      fit_gaussian(tensor({{0, 0}, {2, 0}, {0, 2}, {2, 2}}, DType::Float64) + 1e8);
  EXPECT_NEAR(shifted.covariance.to_vector<double>()[0], 4.0 / 3.0, 1e-7);
  EXPECT_THROW(fit_gaussian(zeros({1, 3})), Error);
}

TEST(GaussianKl, DiagonalAgainstTheFormula) {
  // KL(N(0, 1) || N(1, 4)) = 1/2 (ln 4 + (1 + 1) / 4 - 1), by hand.
  EXPECT_NEAR(gaussian_kl_diagonal(tensor({0}), tensor({1}), tensor({1}), tensor({4})),
              0.5 * (std::log(4.0) + 0.5 - 1.0), 1e-15);
  // Dimensions add: the same pair twice plus an identical pair.
  EXPECT_NEAR(gaussian_kl_diagonal(tensor({0, 0, 3}), tensor({1, 1, 2}), tensor({1, 1, 3}),
                                   tensor({4, 4, 2})),
              std::log(4.0) + 0.5 - 1.0, 1e-15);
  EXPECT_EQ(gaussian_kl_diagonal(tensor({1, 2}), tensor({3, 4}), tensor({1, 2}), tensor({3, 4})),
            0.0);
  EXPECT_THROW(gaussian_kl_diagonal(tensor({0}), tensor({0}), tensor({0}), tensor({1})), Error);
}

TEST(GaussianKl, FullCovarianceAgainstTheFormula) {
  // mu0 = (0.5, -1), S0 = [[2, 0.6], [0.6, 1]]; mu1 = (-0.5, 0.25), S1 = [[1, -0.3], [-0.3, 0.5]].
  // 1/2 (tr(S1^-1 S0) + dmu^T S1^-1 dmu - 2 + ln det S1 - ln det S0) with numpy.linalg.inv and
  // slogdet (/usr/bin/python3): 2.7855113560254203.
  const GaussianFit n0{tensor({0.5, -1.0}, DType::Float64),
                       tensor({{2.0, 0.6}, {0.6, 1.0}}, DType::Float64)};
  const GaussianFit n1{tensor({-0.5, 0.25}, DType::Float64),
                       tensor({{1.0, -0.3}, {-0.3, 0.5}}, DType::Float64)};
  EXPECT_NEAR(gaussian_kl(n0, n1), 2.7855113560254203, 1e-13);
  EXPECT_NEAR(gaussian_kl(n0, n0), 0.0, 1e-14);
  // With diagonal covariances it is the diagonal formula.
  const GaussianFit d0{tensor({0, 0, 3}, DType::Float64), diagonal_matrix({1, 1, 2})};
  const GaussianFit d1{tensor({1, 1, 3}, DType::Float64), diagonal_matrix({4, 4, 2})};
  EXPECT_NEAR(gaussian_kl(d0, d1), std::log(4.0) + 0.5 - 1.0, 1e-14);
  const GaussianFit singular{tensor({0, 0}, DType::Float64), diagonal_matrix({1, 0})};
  EXPECT_THROW(gaussian_kl(n0, singular), Error);
}

TEST(FrechetDistance, IdenticalFeatureSetsGiveZero) {
  Generator gen(3);
  const Tensor features = randn({500, 32}, DType::Float32, gen);
  EXPECT_NEAR(frechet_distance(features, features), 0.0, 1e-9);
}

TEST(FrechetDistance, ShiftedCopiesGiveTheSquaredShift) {
  Generator gen(4);
  const Tensor features = matmul(randn({400, 16}, DType::Float64, gen),
                                 randn({16, 16}, DType::Float64, gen));  // correlated features
  const Tensor shift = uniform({16}, -1.0, 1.0, DType::Float64, gen);
  const double expected = sum(shift * shift).item();
  EXPECT_NEAR(frechet_distance(features, features + shift), expected, 1e-9 * (1.0 + expected));
}

TEST(FrechetDistance, TwoByTwoClosedForm) {
  // For 2x2 matrices whose product has non-negative eigenvalues l1, l2:
  // tr((S1 S2)^{1/2}) = sqrt(l1) + sqrt(l2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
  // S1 and S2 below do not commute, so no shortcut through a shared eigenbasis applies.
  const double a11 = 2.0, a12 = 0.6, a22 = 1.0, b11 = 1.0, b12 = -0.3, b22 = 0.5;
  const double tr_product = a11 * b11 + 2.0 * a12 * b12 + a22 * b22;
  const double det_a = a11 * a22 - a12 * a12, det_b = b11 * b22 - b12 * b12;
  const double trace_sqrt = std::sqrt(tr_product + 2.0 * std::sqrt(det_a * det_b));
  const double dmu2 = 1.0 * 1.0 + 1.25 * 1.25;
  const double expected = dmu2 + (a11 + a22) + (b11 + b22) - 2.0 * trace_sqrt;
  const GaussianFit g1{tensor({0.5, -1.0}, DType::Float64),
                       tensor({{a11, a12}, {a12, a22}}, DType::Float64)};
  const GaussianFit g2{tensor({-0.5, 0.25}, DType::Float64),
                       tensor({{b11, b12}, {b12, b22}}, DType::Float64)};
  EXPECT_NEAR(frechet_distance(g1, g2), expected, 1e-13);
  EXPECT_NEAR(frechet_distance(g2, g1), expected, 1e-13);
}

TEST(FrechetDistance, SharedEigenbasisInHighDimensions) {
  // S1 = R D1 R^T and S2 = R D2 R^T commute, so (S1 S2)^{1/2} = R sqrt(D1 D2) R^T and
  // d^2 = |dmu|^2 + sum_i (sqrt(d1_i) - sqrt(d2_i))^2: an independent closed form in 64-d.
  Generator gen(5);
  const int64_t d = 64;
  const Tensor r = eigh(random_spd(d, gen)).eigenvectors;  // a random rotation
  const Tensor d1 = uniform({d}, 0.1, 3.0, DType::Float64, gen);
  const Tensor d2 = uniform({d}, 0.1, 3.0, DType::Float64, gen);
  const Tensor mu1 = randn({d}, DType::Float64, gen), mu2 = randn({d}, DType::Float64, gen);
  const GaussianFit g1{mu1, matmul(r * d1, r.t())}, g2{mu2, matmul(r * d2, r.t())};
  const Tensor root_gap = sqrt(d1) - sqrt(d2);
  const double expected = sum(square(mu1 - mu2)).item() + sum(square(root_gap)).item();
  EXPECT_NEAR(frechet_distance(g1, g2), expected, 1e-10 * expected);
  EXPECT_NEAR(frechet_distance(g2, g1), expected, 1e-10 * expected);
}

TEST(FrechetDistance, MismatchedDimensionsAreErrors) {
  EXPECT_THROW(frechet_distance(zeros({10, 3}), zeros({10, 4})), Error);
  EXPECT_THROW(frechet_distance(zeros({10}), zeros({10})), Error);
}
