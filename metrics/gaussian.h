// Gaussians for continuous data: fitting one (mean and covariance) to a set of feature vectors,
// and the closed-form KL divergence between two Gaussians, diagonal or full-covariance. The
// Fréchet distance between fitted Gaussians is in frechet.h. All in float64.
#pragma once

#include "metrics/units.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// A Gaussian N(mean, covariance) over D dimensions.
struct GaussianFit {
  Tensor mean;          // [D] float64
  Tensor covariance;    // [D, D] float64, symmetric positive semi-definite
  int64_t samples = 0;  // how many vectors the fit came from (0 if given directly)
};

// The sample mean and the unbiased sample covariance (divided by N - 1, as numpy.cov) of the rows
// of `features` [N, D], N >= 2. Computed in float64 with the mean subtracted first (a one-pass
// E[x x^T] - mu mu^T loses the digits that matter when the mean is large).
GaussianFit fit_gaussian(const Tensor& features);

// KL(N(mu0, diag(var0)) || N(mu1, diag(var1))) =
//   1/2 sum_i [ log(var1_i / var0_i) + (var0_i + (mu0_i - mu1_i)^2) / var1_i - 1 ].
// The four tensors have one shape (any); every variance must be positive.
double gaussian_kl_diagonal(const Tensor& mean0, const Tensor& variance0, const Tensor& mean1,
                            const Tensor& variance1, Unit unit = Unit::Nats);

// KL(N0 || N1) for full covariances, D dimensions:
//   1/2 [ tr(S1^-1 S0) + (mu1 - mu0)^T S1^-1 (mu1 - mu0) - D + log det S1 - log det S0 ].
// Both covariances must be positive definite. S1's inverse and both log-determinants come from
// symmetric eigen-decompositions (eigh.h).
double gaussian_kl(const GaussianFit& p0, const GaussianFit& p1, Unit unit = Unit::Nats);

}  // namespace minidl::metrics
