// Composite ops: written from primitives, so they need no backward of their own. Each composition
// is chosen to be stable in both directions (see the comments).
#include <cmath>
#include <numbers>

#include "autograd/ops.h"

namespace minidl {

Variable log_softmax(const Variable& x, int64_t axis) {
  // x - logsumexp(x): every term is finite for finite x, and the backward is
  // grad - softmax * sum(grad), with softmax = exp(x - lse) <= 1.
  return x - logsumexp(x, {axis}, true);
}

Variable softmax(const Variable& x, int64_t axis) { return exp(log_softmax(x, axis)); }

Variable gelu(const Variable& x, bool tanh_approximation) {
  if (tanh_approximation) {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const double k = std::sqrt(2.0 / std::numbers::pi);
    return 0.5 * x * (1.0 + tanh(k * (x + 0.044715 * x * x * x)));
  }
  // x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); at x = -1000 the factor is exactly 0 and the erf
  // derivative exp(-x^2/2) underflows to 0, so both directions stay finite.
  return 0.5 * x * (1.0 + erf(x * (1.0 / std::numbers::sqrt2)));
}

Variable square(const Variable& x) { return x * x; }

}  // namespace minidl
