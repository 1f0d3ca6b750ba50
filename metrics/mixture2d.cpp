#include "metrics/mixture2d.h"

#include <cmath>
#include <numbers>
#include <vector>

namespace minidl::metrics {

namespace {

void check_std(double std, const char* op) {
  MINIDL_CHECK(std::isfinite(std) && std > 0.0, op << ": std must be positive, got " << std);
}

}  // namespace

GaussianMixture2d ring8(double radius, double std) {
  check_std(std, "ring8");
  MINIDL_CHECK(std::isfinite(radius) && radius > 0.0,
               "ring8: radius must be positive, got " << radius);
  std::vector<double> centres;
  for (int k = 0; k < 8; ++k) {
    const double angle = 2.0 * std::numbers::pi * k / 8.0;
    centres.push_back(radius * std::cos(angle));
    centres.push_back(radius * std::sin(angle));
  }
  return {from_vector(centres, {8, 2}), std};
}

GaussianMixture2d grid25(double spacing, double std) {
  check_std(std, "grid25");
  MINIDL_CHECK(std::isfinite(spacing) && spacing > 0.0,
               "grid25: spacing must be positive, got " << spacing);
  std::vector<double> centres;
  for (int i = -2; i <= 2; ++i) {
    for (int j = -2; j <= 2; ++j) {
      centres.push_back(spacing * i);
      centres.push_back(spacing * j);
    }
  }
  return {from_vector(centres, {25, 2}), std};
}

Tensor sample_mixture(const GaussianMixture2d& mixture, int64_t n, Generator& generator,
                      DType dtype) {
  MINIDL_CHECK(mixture.centres.defined() && mixture.centres.dim() == 2 &&
                   mixture.centres.size(1) == 2 && mixture.centres.size(0) >= 1,
               "sample_mixture: centres must be [K, 2] with K >= 1, got "
                   << (mixture.centres.defined() ? mixture.centres.shape() : Shape{}));
  check_std(mixture.std, "sample_mixture");
  MINIDL_CHECK(n >= 0, "sample_mixture: number of points must be >= 0, got " << n);
  MINIDL_CHECK(is_floating(dtype), "sample_mixture: dtype " << dtype << " is not floating point");
  const int64_t k = mixture.centres.size(0);
  const std::vector<double> c = mixture.centres.to_vector<double>();
  std::vector<double> points(static_cast<size_t>(2 * n));
  for (int64_t i = 0; i < n; ++i) {
    // floor(u K) with u uniform in [0, 1) is uniform over 0..K-1 (to 2^-53).
    const auto mode = static_cast<size_t>(generator.uniform() * static_cast<double>(k));
    const double dx = generator.normal(), dy = generator.normal();
    points[static_cast<size_t>(2 * i)] = c[2 * mode] + mixture.std * dx;
    points[static_cast<size_t>(2 * i + 1)] = c[2 * mode + 1] + mixture.std * dy;
  }
  return from_vector(points, {n, 2}).to(dtype);
}

}  // namespace minidl::metrics
