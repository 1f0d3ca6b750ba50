// The 2-D Gaussian mixtures of the standard mode-collapse benchmarks, and a sampler of them:
//   - ring8: 8 Gaussians of std 0.02 evenly spaced on a circle of radius 2, the first at (2, 0)
//     (the "8 Gaussians" of the unrolled-GAN paper, Metz et al., 2017, and of
//     docs/benchmarks.md);
//   - grid25: 25 Gaussians of std 0.05 centred at {-4, -2, 0, 2, 4}^2, the 5x5 grid of VEEGAN
//     (Srivastava et al., 2017) and of most later papers (means (-4 + 2i, -4 + 2j), variance
//     0.0025). Neighbouring centres are 2 apart, 40 std: the modes do not overlap.
// Mode metrics for generated points are in mode_metrics.h.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace minidl::metrics {

// An equal-weight mixture of isotropic 2-D Gaussians sharing one standard deviation.
struct GaussianMixture2d {
  Tensor centres;  // [K, 2] float64
  double std = 0.0;
};

GaussianMixture2d ring8(double radius = 2.0, double std = 0.02);
GaussianMixture2d grid25(double spacing = 2.0, double std = 0.05);

// n points [n, 2] in `dtype` from the mixture: for each point a mode chosen uniformly, then the
// mode's centre plus std times two standard normals. Draws are serial, in row-major order, so one
// seed gives one set of points.
Tensor sample_mixture(const GaussianMixture2d& mixture, int64_t n, Generator& generator,
                      DType dtype = DType::Float32);

}  // namespace minidl::metrics
