// Mode-collapse metrics of generated 2-D points against a Gaussian mixture (mixture2d.h), as in
// VEEGAN (Srivastava et al., 2017) and the gan2d monitors:
//   - a point is high-quality (HQ) when it lies within 3 std (Euclidean distance) of its nearest
//     centre; for a perfect sampler that is a fraction 1 - exp(-9/2) = 98.89% (the distance of a
//     2-D isotropic Gaussian point from its centre is Rayleigh-distributed), not the 1-D 99.73%;
//   - a mode is covered when enough HQ points fall to it (see CoverageRule);
//   - KL(histogram of HQ points over modes || uniform over modes), in nats: 0 when every mode gets
//     the same share, log K when all HQ points sit at one mode.
#pragma once

#include <cstdint>

#include "metrics/mixture2d.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// What a mode's HQ count is compared against to decide whether it is covered.
enum class CoverageRule {
  // count >= min_fraction * (number of HQ points), and count >= 1. The default: "a mode counts as
  // covered when at least 1% of high-quality samples fall to it". It
  // judges coverage separately from quality: a generator whose HQ points are few but spread over
  // every mode still covers them all.
  FractionOfHighQuality,
  // count >= min_fraction * (number of all points), and count >= 1. The rule used for the PyTorch
  // figures in docs/benchmarks.md (W4): "at least 1% of all samples are HQ at it". Stricter
  // whenever some points are not HQ, so compare against those figures with this rule.
  FractionOfAll,
};

struct ModeMetricsOptions {
  double quality_radius_in_std = 3.0;
  double min_fraction = 0.01;
  CoverageRule coverage_rule = CoverageRule::FractionOfHighQuality;
};

struct ModeMetrics {
  Tensor mode_counts;                  // float64 [K]: HQ points whose nearest centre is mode k
  int64_t high_quality = 0;            // number of HQ points
  double high_quality_fraction = 0.0;  // high_quality / N
  int64_t modes_covered = 0;
  // KL(mode_counts || uniform) in nats; NaN when there is no HQ point (no histogram to compare).
  double kl_from_uniform = 0.0;
};

// points [N, 2] (float32 or float64), N >= 1. Points that are NaN or infinite are never HQ.
ModeMetrics mode_metrics(const Tensor& points, const GaussianMixture2d& mixture,
                         const ModeMetricsOptions& options = {});

}  // namespace minidl::metrics
