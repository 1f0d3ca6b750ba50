#include "metrics/mode_metrics.h"

#include <cmath>
#include <limits>
#include <vector>

#include "metrics/divergence.h"

namespace minidl::metrics {

ModeMetrics mode_metrics(const Tensor& points, const GaussianMixture2d& mixture,
                         const ModeMetricsOptions& options) {
  MINIDL_CHECK(points.defined() && points.dim() == 2 && points.size(1) == 2 && points.size(0) >= 1,
               "mode_metrics: points must be [N, 2] with N >= 1, got "
                   << (points.defined() ? points.shape() : Shape{}));
  MINIDL_CHECK(is_floating(points.dtype()),
               "mode_metrics: points must be float32 or float64, got " << points.dtype());
  MINIDL_CHECK(mixture.centres.defined() && mixture.centres.dim() == 2 &&
                   mixture.centres.size(1) == 2 && mixture.centres.size(0) >= 1,
               "mode_metrics: centres must be [K, 2] with K >= 1, got "
                   << (mixture.centres.defined() ? mixture.centres.shape() : Shape{}));
  MINIDL_CHECK(std::isfinite(mixture.std) && mixture.std > 0.0,
               "mode_metrics: std must be positive, got " << mixture.std);
  MINIDL_CHECK(
      options.quality_radius_in_std > 0.0,
      "mode_metrics: quality radius must be positive, got " << options.quality_radius_in_std);
  MINIDL_CHECK(options.min_fraction >= 0.0 && options.min_fraction <= 1.0,
               "mode_metrics: min_fraction must be in [0, 1], got " << options.min_fraction);

  const int64_t n = points.size(0), k = mixture.centres.size(0);
  const std::vector<double> p = points.to_vector<double>();
  const std::vector<double> c = mixture.centres.to_vector<double>();
  const double radius = options.quality_radius_in_std * mixture.std;
  const double radius_squared = radius * radius;

  std::vector<double> counts(static_cast<size_t>(k), 0.0);
  int64_t high_quality = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = p[static_cast<size_t>(2 * i)], y = p[static_cast<size_t>(2 * i + 1)];
    double best = std::numeric_limits<double>::infinity();
    int64_t nearest = -1;
    for (int64_t m = 0; m < k; ++m) {
      const double dx = x - c[static_cast<size_t>(2 * m)],
                   dy = y - c[static_cast<size_t>(2 * m + 1)];
      const double d2 = dx * dx + dy * dy;
      if (d2 < best) {  // false for NaN, so a NaN point has no nearest mode
        best = d2;
        nearest = m;
      }
    }
    if (nearest >= 0 && best <= radius_squared) {
      counts[static_cast<size_t>(nearest)] += 1.0;
      ++high_quality;
    }
  }

  ModeMetrics result;
  result.mode_counts = from_vector(counts, {k});
  result.high_quality = high_quality;
  result.high_quality_fraction = static_cast<double>(high_quality) / static_cast<double>(n);
  const double base = static_cast<double>(
      options.coverage_rule == CoverageRule::FractionOfHighQuality ? high_quality : n);
  for (double count : counts) {
    // count / base rather than count >= min_fraction * base, which can round above an integer.
    if (count > 0.0 && count / base >= options.min_fraction) ++result.modes_covered;
  }
  result.kl_from_uniform = high_quality > 0
                               ? kl_divergence(result.mode_counts, ones_like(result.mode_counts))
                               : std::numeric_limits<double>::quiet_NaN();
  return result;
}

}  // namespace minidl::metrics
