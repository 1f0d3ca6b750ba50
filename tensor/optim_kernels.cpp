#include "tensor/optim_kernels.h"

#include <cmath>

#include "tensor/threading.h"

namespace minidl {

namespace {

void check_state(const char* op, const char* what, const Tensor& param, const Tensor& state) {
  MINIDL_CHECK(state.defined(), op << ": " << what << " is undefined");
  MINIDL_CHECK(state.shape() == param.shape() && state.dtype() == param.dtype(),
               op << ": " << what << " " << state.dtype() << state.shape()
                  << " does not match the parameter " << param.dtype() << param.shape());
  MINIDL_CHECK(state.is_contiguous(), op << ": " << what << " must be contiguous");
}

// The gradient as a contiguous tensor of the parameter's shape and dtype. Gradients from the
// engine are contiguous in practice, so this copies only in unusual cases.
Tensor contiguous_grad(const char* op, const Tensor& param, const Tensor& grad) {
  MINIDL_CHECK(param.defined() && grad.defined(), op << ": undefined parameter or gradient");
  MINIDL_CHECK(param.is_contiguous(), op << ": the parameter must be contiguous");
  MINIDL_CHECK(grad.shape() == param.shape() && grad.dtype() == param.dtype(),
               op << ": gradient " << grad.dtype() << grad.shape()
                  << " does not match the parameter " << param.dtype() << param.shape());
  return grad.contiguous();
}

}  // namespace

void adam_update_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq, const AdamUpdate& options) {
  const Tensor g_contiguous = contiguous_grad("adam_update_", param, grad);
  check_state("adam_update_", "exp_avg", param, exp_avg);
  check_state("adam_update_", "exp_avg_sq", param, exp_avg_sq);
  MINIDL_CHECK(options.step >= 1, "adam_update_: step must count from 1, got " << options.step);

  const double bias_correction1 = 1.0 - std::pow(options.beta1, double(options.step));
  const double bias_correction2 = 1.0 - std::pow(options.beta2, double(options.step));
  const int64_t n = param.numel();
  dispatch_floating(param.dtype(), "adam_update_", [&]<typename T>() {
    T* p = param.data<T>();
    const T* g = g_contiguous.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    // Scalars in the parameter's dtype, as PyTorch's float32 kernels use them.
    const T beta1 = T(options.beta1), beta2 = T(options.beta2);
    const T one_minus_beta1 = T(1.0 - options.beta1), one_minus_beta2 = T(1.0 - options.beta2);
    const T step_size = T(options.lr / bias_correction1);
    const T bias_correction2_sqrt = T(std::sqrt(bias_correction2));
    const T eps = T(options.eps);
    const bool decoupled = options.decoupled_weight_decay;
    // Adam's L2 penalty only when asked for: adding 0 * p would turn an infinite p into NaN.
    const bool l2 = !decoupled && options.weight_decay != 0.0;
    const T weight_decay = T(options.weight_decay);
    const T decay = decoupled ? T(1.0 - options.lr * options.weight_decay) : T(1);
#pragma omp parallel for schedule(static) if (should_parallelize(n))
    for (int64_t i = 0; i < n; ++i) {
      const T gi = l2 ? g[i] + weight_decay * p[i] : g[i];
      const T mi = beta1 * m[i] + one_minus_beta1 * gi;
      const T vi = beta2 * v[i] + one_minus_beta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const T denom = std::sqrt(vi) / bias_correction2_sqrt + eps;
      p[i] = p[i] * decay - step_size * (mi / denom);
    }
  });
}

void sgd_update_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                 const SGDUpdate& options) {
  const Tensor g_contiguous = contiguous_grad("sgd_update_", param, grad);
  const bool use_momentum = options.momentum != 0.0;
  if (use_momentum) check_state("sgd_update_", "momentum_buffer", param, momentum_buffer);
  MINIDL_CHECK(!options.nesterov || (use_momentum && options.dampening == 0.0),
               "sgd_update_: nesterov needs momentum > 0 and dampening 0, got momentum "
                   << options.momentum << " and dampening " << options.dampening);

  const int64_t n = param.numel();
  dispatch_floating(param.dtype(), "sgd_update_", [&]<typename T>() {
    T* p = param.data<T>();
    const T* g = g_contiguous.data<T>();
    const T lr = T(options.lr), weight_decay = T(options.weight_decay);
    const bool decay = options.weight_decay != 0.0;
    if (!use_momentum) {
#pragma omp parallel for schedule(static) if (should_parallelize(n))
      for (int64_t i = 0; i < n; ++i) p[i] -= lr * (decay ? g[i] + weight_decay * p[i] : g[i]);
      return;
    }
    T* buf = momentum_buffer.data<T>();
    const T momentum = T(options.momentum), blend = T(1.0 - options.dampening);
    const bool first = options.first_step, nesterov = options.nesterov;
#pragma omp parallel for schedule(static) if (should_parallelize(n))
    for (int64_t i = 0; i < n; ++i) {
      const T d = decay ? g[i] + weight_decay * p[i] : g[i];
      const T b = first ? d : momentum * buf[i] + blend * d;
      buf[i] = b;
      p[i] -= lr * (nesterov ? d + momentum * b : b);
    }
  });
}

}  // namespace minidl
