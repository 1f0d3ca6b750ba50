#include "nn/optim/clip.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/tensor.h"

namespace minidl::optim {

double clip_grad_norm_(const std::vector<Variable>& params, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  MINIDL_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be positive, got " << norm_type);
  NoGradGuard no_grad;
  const bool infinity_norm = std::isinf(norm_type);
  // sum |g|^p over every gradient (or max |g|), accumulated in float64.
  double accumulated = 0.0;
  bool any = false;
  for (const Variable& p : params) {
    const Variable& g = p.grad();
    if (!g.defined()) continue;
    any = true;
    Tensor magnitude = abs(g.data().to(DType::Float64));
    if (infinity_norm) {
      const double largest = magnitude.numel() > 0 ? max(magnitude).item() : 0.0;
      if (std::isnan(largest) || largest > accumulated) accumulated = largest;
    } else if (norm_type == 2.0) {
      accumulated += sum(mul(magnitude, magnitude)).item();
    } else {
      accumulated += sum(pow(magnitude, norm_type)).item();
    }
  }
  if (!any) return 0.0;
  const double total = infinity_norm      ? accumulated
                       : norm_type == 2.0 ? std::sqrt(accumulated)
                                          : std::pow(accumulated, 1.0 / norm_type);
  MINIDL_CHECK(
      !error_if_nonfinite || std::isfinite(total),
      "clip_grad_norm_: the total norm of order " << norm_type << " of the gradients is " << total);
  const double coefficient = max_norm / (total + 1e-6);
  if (coefficient >= 1.0) return total;  // NaN fails this test and scales, as PyTorch
  for (const Variable& p : params) {
    const Variable& g = p.grad();
    if (!g.defined()) continue;
    Variable handle = p;  // shares p's gradient slot
    handle.set_grad(Variable(mul(g.data(), coefficient)));
  }
  return total;
}

}  // namespace minidl::optim
