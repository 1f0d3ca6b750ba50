// Turning a tensor of non-negative weights (histogram counts or probabilities) into a discrete
// probability distribution in float64, and the additive smoothing that keeps KL finite. The
// estimators in divergence.h and mutual_information.h start here, so
// they accept counts and probabilities alike and reject bad weights with the same messages.
#pragma once

#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace minidl::metrics {

// The weights (any shape, any dtype) in row-major order divided by their sum, in float64.
// Throws "<op>: <name> ..." when a weight is negative or not finite, or when they sum to 0.
std::vector<double> normalized_weights(const Tensor& weights, std::string_view op,
                                       std::string_view name);

// Additive smoothing of a distribution p over n outcomes: p_i' = (p_i + epsilon) / (1 + n epsilon),
// i.e. epsilon is added to every probability and the result renormalised. epsilon = 0 returns p
// unchanged. epsilon is a probability, not a pseudo-count, so its effect does not depend on how
// many samples made the histogram.
std::vector<double> smoothed(std::vector<double> p, double epsilon, std::string_view op);

}  // namespace minidl::metrics
