#include "metrics/gaussian.h"

#include <cmath>
#include <vector>

#include "metrics/eigh.h"

namespace minidl::metrics {

namespace {

// Checks that a fit has a [D] mean and a [D, D] covariance and returns D.
int64_t check_gaussian(const GaussianFit& g, const char* op, const char* name) {
  MINIDL_CHECK(g.mean.defined() && g.covariance.defined(),
               op << ": " << name << " has an undefined mean or covariance");
  MINIDL_CHECK(g.mean.dim() == 1,
               op << ": " << name << "'s mean must be 1-d, got shape " << g.mean.shape());
  const int64_t d = g.mean.size(0);
  MINIDL_CHECK(g.covariance.shape() == (Shape{d, d}),
               op << ": " << name << "'s covariance has shape " << g.covariance.shape()
                  << " but its mean has " << d << " dimensions");
  return d;
}

// Eigenvalues of a covariance that must be positive definite, for inverses and log-determinants.
SymmetricEigen positive_definite_eigen(const Tensor& covariance, const char* op, const char* name) {
  SymmetricEigen e = eigh(covariance);
  const double smallest =
      e.eigenvalues.numel() > 0 ? e.eigenvalues.to_vector<double>().front() : 1.0;
  MINIDL_CHECK(smallest > 0.0, op << ": the covariance of " << name
                                  << " is not positive definite (smallest eigenvalue " << smallest
                                  << ")");
  return e;
}

}  // namespace

GaussianFit fit_gaussian(const Tensor& features) {
  MINIDL_CHECK(features.defined(), "fit_gaussian: undefined tensor");
  MINIDL_CHECK(
      features.dim() == 2,
      "fit_gaussian: features must be 2-d [samples, dimensions], got shape " << features.shape());
  const int64_t n = features.size(0);
  MINIDL_CHECK(n >= 2, "fit_gaussian: a covariance needs at least 2 samples, got " << n);
  const Tensor x = features.to(DType::Float64);
  const Tensor mu = mean(x, {0});
  const Tensor centred = x - mu;
  const Tensor covariance = matmul(centred.t(), centred) / static_cast<double>(n - 1);
  // X^T X from BLAS need not be bitwise symmetric; average it with its transpose so that the
  // eigensolver (which reads one triangle) and any later check see the same matrix.
  const Tensor symmetric = (covariance + covariance.t()) * 0.5;
  return {mu, symmetric, n};
}

double gaussian_kl_diagonal(const Tensor& mean0, const Tensor& variance0, const Tensor& mean1,
                            const Tensor& variance1, Unit unit) {
  for (const Tensor* t : {&mean0, &variance0, &mean1, &variance1}) {
    MINIDL_CHECK(t->defined(), "gaussian_kl_diagonal: undefined tensor");
    MINIDL_CHECK(t->shape() == mean0.shape(),
                 "gaussian_kl_diagonal: shapes differ: mean0 "
                     << mean0.shape() << ", variance0 " << variance0.shape() << ", mean1 "
                     << mean1.shape() << ", variance1 " << variance1.shape());
  }
  const std::vector<double> m0 = mean0.to_vector<double>(), v0 = variance0.to_vector<double>();
  const std::vector<double> m1 = mean1.to_vector<double>(), v1 = variance1.to_vector<double>();
  double sum = 0.0;
  for (size_t i = 0; i < m0.size(); ++i) {
    MINIDL_CHECK(v0[i] > 0.0 && v1[i] > 0.0 && std::isfinite(v0[i]) && std::isfinite(v1[i]),
                 "gaussian_kl_diagonal: variances must be positive and finite, got "
                     << v0[i] << " and " << v1[i] << " at index " << i);
    const double d = m0[i] - m1[i];
    sum += std::log(v1[i] / v0[i]) + (v0[i] + d * d) / v1[i] - 1.0;
  }
  return from_nats(0.5 * sum, unit);
}

double gaussian_kl(const GaussianFit& p0, const GaussianFit& p1, Unit unit) {
  const int64_t d = check_gaussian(p0, "gaussian_kl", "N0");
  MINIDL_CHECK(check_gaussian(p1, "gaussian_kl", "N1") == d,
               "gaussian_kl: N0 has " << d << " dimensions but N1 has " << p1.mean.size(0));
  const SymmetricEigen e0 = positive_definite_eigen(p0.covariance, "gaussian_kl", "N0");
  const SymmetricEigen e1 = positive_definite_eigen(p1.covariance, "gaussian_kl", "N1");
  const std::vector<double> l0 = e0.eigenvalues.to_vector<double>();
  const std::vector<double> l1 = e1.eigenvalues.to_vector<double>();
  double log_det0 = 0.0, log_det1 = 0.0;
  for (double v : l0) log_det0 += std::log(v);
  for (double v : l1) log_det1 += std::log(v);

  // In S1's eigenbasis V (S1 = V L V^T): tr(S1^-1 S0) = sum_j (V^T S0 V)_jj / l_j and
  // dmu^T S1^-1 dmu = sum_j (V^T dmu)_j^2 / l_j, so no explicit inverse is formed.
  const Tensor v = e1.eigenvectors;
  const Tensor rotated_s0 = matmul(matmul(v.t(), p0.covariance.to(DType::Float64)), v);
  const Tensor rotated_dmu = matmul(v.t(), p1.mean.to(DType::Float64) - p0.mean.to(DType::Float64));
  const std::vector<double> s = rotated_s0.to_vector<double>();
  const std::vector<double> m = rotated_dmu.to_vector<double>();
  double trace = 0.0, mahalanobis = 0.0;
  for (int64_t j = 0; j < d; ++j) {
    const auto jj = static_cast<size_t>(j);
    trace += s[jj * static_cast<size_t>(d) + jj] / l1[jj];
    mahalanobis += m[jj] * m[jj] / l1[jj];
  }
  return from_nats(0.5 * (trace + mahalanobis - static_cast<double>(d) + log_det1 - log_det0),
                   unit);
}

}  // namespace minidl::metrics
