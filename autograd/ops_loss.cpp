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

namespace {

// PyTorch's bound on p (1 - p) in the gradient: the float nearest 1e-12, as its kernel stores it.
constexpr double kProbabilityProductFloor = double(1e-12f);

// log(x) clamped to >= -100 without NaN gradients: where log(x) < -100 (x = 0 included) the log is
// taken of 1 instead and replaced by the constant -100, so no 0 * inf appears in the backward.
Variable clamped_log(const Variable& x) {
  const Tensor keep = gt(log(x.data()), -100.0);
  return where(keep, log(where(keep, x, 1.0)), -100.0);
}

Tensor clamped_log(const Tensor& x) { return maximum(log(x), -100.0); }

}  // namespace

Variable elementwise_binary_cross_entropy(const Variable& probs, const Variable& targets) {
  const Tensor& p = probs.data();
  const Tensor& t = targets.data();
  Tensor value = -(t * clamped_log(p) + (1.0 - t) * clamped_log(1.0 - p));
  return record("elementwise_binary_cross_entropy", std::move(value), {probs, targets},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  const Variable& p = in[0];
                  const Variable& t = in[1];
                  Variable dp;
                  if (in.needs_grad(0)) {
                    dp = grad * (p - t) / clamp(p * (1.0 - p), kProbabilityProductFloor, {});
                  }
                  Variable dt = in.needs_grad(1) ? grad * (clamped_log(1.0 - p) - clamped_log(p))
                                                 : Variable();
                  return Grads{dp, dt};
                });
}

}  // namespace minidl
