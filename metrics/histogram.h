// Histograms: counting values into equal-width bins over a range. The counts are the discrete
// distributions that entropy, KL and mutual information are computed on (divergence.h,
// mutual_information.h).
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace minidl::metrics {

// `count` equal-width bins covering [low, high]. Bin i holds [low + i w, low + (i + 1) w) with
// w = (high - low) / count, and the last bin also holds `high`, as numpy.histogram. The default
// suits pixel intensities in [0, 1]: with 256 bins, the 8-bit level k / 255 lands in bin k.
struct Bins {
  int64_t count = 256;
  double low = 0.0;
  double high = 1.0;
};

// The bin a value falls into, for values already checked to lie in [low, high].
int64_t bin_index(double value, const Bins& bins);

// Counts of every element of `values` (any shape, any dtype) in `bins`, as a float64 tensor of
// shape [bins.count]. A value outside [low, high], or NaN, is an error rather than silently
// dropped: a histogram that loses mass would change every entropy computed from it.
Tensor histogram(const Tensor& values, const Bins& bins = {});

// Counts of the pairs (x[i], y[i]) over the elements of two same-shaped tensors, as a float64
// tensor of shape [bins_x.count, bins_y.count]: entry [a, b] counts the i with x[i] in bin a and
// y[i] in bin b. The joint distribution that mutual information is computed on.
Tensor joint_histogram(const Tensor& x, const Tensor& y, const Bins& bins_x = {},
                       const Bins& bins_y = {});

}  // namespace minidl::metrics
