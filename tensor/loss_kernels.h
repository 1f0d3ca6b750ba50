// Fused elementwise kernels for losses: one pass over the data where a loss written as a chain of
// ops would make six or seven. The VAE's Bernoulli reconstruction term runs over every pixel of
// every batch, forward and backward, and its composed form cost more than a third of an epoch
// outside GEMM (profile in the README). autograd/ wraps these as differentiable primitives.
#pragma once

#include "tensor/core.h"

namespace minidl {

// Elementwise binary cross-entropy of logits x against targets t (float32 / float64, shapes
// broadcast): max(x, 0) - x t + log1p(exp(-|x|)), which never takes exp of a positive number, so
// logits of +-1000 give finite values (0 for a confident right answer, 1000 for a wrong one).
Tensor elementwise_binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets);

// sigmoid(x) - t, the derivative of the loss above with respect to x, computed stably at both ends.
Tensor sigmoid_minus(const Tensor& logits, const Tensor& targets);

}  // namespace minidl
