// Fused elementwise kernels: one pass over the data where the same formula written as a chain of
// ops would make several, at the hot spots the profiles found. The VAE's Bernoulli reconstruction
// term runs over every pixel of every batch, forward and backward, and its composed form took more
// than a third of an epoch outside GEMM; every ReLU layer's backward made a mask and then a select.
// autograd/ wraps these as differentiable primitives.
#pragma once

#include "tensor/core.h"

namespace minidl {

// Elementwise binary cross-entropy of logits x against targets t (float32 / float64, shapes
// broadcast): max(x, 0) - x t + log1p(exp(-|x|)), which never takes exp of a positive number, so
// logits of +-1000 give finite values (0 for a confident right answer, 1000 for a wrong one).
Tensor elementwise_binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets);

// sigmoid(x) - t, the derivative of the loss above with respect to x, computed stably at both ends.
Tensor sigmoid_minus(const Tensor& logits, const Tensor& targets);

// The gradient of leaky_relu (relu when negative_slope is 0): grad where x > 0, else
// grad * negative_slope (exactly 0 for relu, even where grad is infinite). Shapes broadcast.
Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope);

}  // namespace minidl
