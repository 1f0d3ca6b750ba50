// Reductions over any set of axes, with keepdim. An empty axis list reduces over every axis.
// Float32 sums accumulate in float64. Results do not depend on the thread count: every output
// element is accumulated in a fixed order, and long reductions are split into fixed-size blocks
// (not one block per thread) that are combined in block order.
#pragma once

#include <vector>

#include "tensor/core.h"

namespace minidl {

using Axes = std::vector<int64_t>;

Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
Tensor max(const Tensor& x, const Axes& axes = {}, bool keepdim = false);  // NaN propagates
Tensor min(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
// log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max, so it never overflows;
// an all -inf slice gives -inf, as PyTorch.
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdim = false);
// Variance with Bessel's correction by default (correction = 1), two-pass for stability.
Tensor var(const Tensor& x, const Axes& axes = {}, int64_t correction = 1, bool keepdim = false);
// Index (int64) of the first maximum / minimum along one axis.
Tensor argmax(const Tensor& x, int64_t axis, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t axis, bool keepdim = false);

// Sums `x` down to `shape`, the inverse of broadcasting `shape` up to x's shape: leading axes are
// summed away and axes where shape has 1 are summed with keepdim. Used for gradients of broadcast
// inputs.
Tensor sum_to(const Tensor& x, const Shape& shape);

}  // namespace minidl
