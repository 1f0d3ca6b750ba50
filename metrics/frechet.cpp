#include "metrics/frechet.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "metrics/eigh.h"

namespace minidl::metrics {

namespace {

double trace(const Tensor& square) {
  const int64_t n = square.size(0);
  const std::vector<double> v = square.to_vector<double>();
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += v[static_cast<size_t>(i * n + i)];
  return sum;
}

void check_fit(const GaussianFit& g, const char* name) {
  MINIDL_CHECK(g.mean.defined() && g.covariance.defined(),
               "frechet_distance: " << name << " has an undefined mean or covariance");
  MINIDL_CHECK(g.mean.dim() == 1 && g.covariance.shape() == (Shape{g.mean.size(0), g.mean.size(0)}),
               "frechet_distance: " << name << " has mean shape " << g.mean.shape()
                                    << " and covariance shape " << g.covariance.shape()
                                    << " (need [D] and [D, D])");
}

}  // namespace

double frechet_distance(const GaussianFit& a, const GaussianFit& b) {
  check_fit(a, "the first Gaussian");
  check_fit(b, "the second Gaussian");
  MINIDL_CHECK(a.mean.size(0) == b.mean.size(0),
               "frechet_distance: feature dimensions differ: " << a.mean.size(0) << " and "
                                                               << b.mean.size(0));
  const Tensor s1 = a.covariance.to(DType::Float64), s2 = b.covariance.to(DType::Float64);
  const Tensor diff = a.mean.to(DType::Float64) - b.mean.to(DType::Float64);
  const double mean_term = sum(diff * diff).item();

  const Tensor root_s1 = sqrtm_psd(s1);
  const Tensor m = matmul(matmul(root_s1, s2), root_s1);
  // M is symmetric in exact arithmetic; symmetrise away the rounding before eigh reads a triangle.
  const Tensor symmetric_m = (m + m.t()) * 0.5;
  double trace_sqrt = 0.0;
  for (double lambda : eigh(symmetric_m).eigenvalues.to_vector<double>()) {
    trace_sqrt += std::sqrt(std::max(lambda, 0.0));
  }
  return std::max(mean_term + trace(s1) + trace(s2) - 2.0 * trace_sqrt, 0.0);
}

double frechet_distance(const Tensor& features_a, const Tensor& features_b) {
  MINIDL_CHECK(features_a.defined() && features_b.defined(), "frechet_distance: undefined tensor");
  MINIDL_CHECK(
      features_a.dim() == 2 && features_b.dim() == 2 && features_a.size(1) == features_b.size(1),
      "frechet_distance: feature sets must be [N, D] with one D, got "
          << features_a.shape() << " and " << features_b.shape());
  return frechet_distance(fit_gaussian(features_a), fit_gaussian(features_b));
}

}  // namespace minidl::metrics
