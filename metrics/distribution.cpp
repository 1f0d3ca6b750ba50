#include "metrics/distribution.h"

#include <cmath>

namespace minidl::metrics {

std::vector<double> normalized_weights(const Tensor& weights, std::string_view op,
                                       std::string_view name) {
  MINIDL_CHECK(weights.defined(), op << ": " << name << " is an undefined tensor");
  MINIDL_CHECK(weights.numel() > 0, op << ": " << name << " is empty");
  std::vector<double> p = weights.to_vector<double>();
  double total = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    MINIDL_CHECK(std::isfinite(p[i]) && p[i] >= 0.0,
                 op << ": " << name << " has weight " << p[i] << " at index " << i
                    << " (weights must be finite and non-negative)");
    total += p[i];
  }
  MINIDL_CHECK(total > 0.0, op << ": " << name << " sums to 0, so it is not a distribution");
  for (double& v : p) v /= total;
  return p;
}

std::vector<double> smoothed(std::vector<double> p, double epsilon, std::string_view op) {
  MINIDL_CHECK(std::isfinite(epsilon) && epsilon >= 0.0,
               op << ": smoothing epsilon must be finite and >= 0, got " << epsilon);
  if (epsilon == 0.0) return p;
  const double total = 1.0 + static_cast<double>(p.size()) * epsilon;
  for (double& v : p) v = (v + epsilon) / total;
  return p;
}

}  // namespace minidl::metrics
