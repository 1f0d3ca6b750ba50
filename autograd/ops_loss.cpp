// Fused loss primitives: ops with a one-pass forward kernel, where composing the loss from smaller
// ops made the measured difference (the VAE's Bernoulli term: see tensor/loss_kernels.h). Their
// backward functions are still written with Variable ops, so they differentiate twice.
#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/tensor.h"

namespace minidl {

Variable elementwise_binary_cross_entropy_with_logits(const Variable& logits,
                                                      const Variable& targets) {
  return record("elementwise_binary_cross_entropy_with_logits",
                elementwise_binary_cross_entropy_with_logits(logits.data(), targets.data()),
                {logits, targets}, [](const Variable& grad, const Inputs& in, const Variable&) {
                  // d/dx = sigmoid(x) - t and d/dt = -x, for max(x, 0) - x t + log1p(exp(-|x|)).
                  Variable dx = in.needs_grad(0) ? grad * sigmoid_minus(in[0], in[1]) : Variable();
                  Variable dt = in.needs_grad(1) ? -(grad * in[0]) : Variable();
                  return Grads{dx, dt};
                });
}

Variable sigmoid_minus(const Variable& logits, const Variable& targets) {
  return record("sigmoid_minus", sigmoid_minus(logits.data(), targets.data()), {logits, targets},
                [](const Variable& grad, const Inputs& in, const Variable& out) {
                  // sigmoid' = s (1 - s), with s = out + t rebuilt from the output and the target,
                  // both connected to the graph.
                  Variable dx;
                  if (in.needs_grad(0)) {
                    Variable s = out + in[1];
                    dx = grad * (s * (1.0 - s));
                  }
                  Variable dt = in.needs_grad(1) ? -grad : Variable();
                  return Grads{dx, dt};
                });
}

}  // namespace minidl
