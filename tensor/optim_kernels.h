// Fused optimizer updates: one pass over a parameter, its gradient and its optimizer state per
// step, instead of the five to eight temporary tensors the update formulas would allocate if
// written with elementwise ops. minidl::optim (nn/optim/) calls these; the formulas are PyTorch's
// (torch.optim.Adam / AdamW / SGD, single-tensor path), evaluated in the parameter's dtype.
//
// param and the state tensors are updated in place and must be contiguous with param's shape and
// dtype; grad may be any view of that shape (a non-contiguous one is copied first). Large tensors
// are split across threads with a static schedule, so results do not depend on the thread count.
#pragma once

#include <cstdint>

#include "tensor/core.h"

namespace minidl {

struct AdamUpdate {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  // AdamW: decay the parameter by (1 - lr * weight_decay) before the update, instead of adding
  // weight_decay * param to the gradient (Adam's L2 penalty).
  bool decoupled_weight_decay = false;
  int64_t step = 1;  // the step being taken, counting from 1 (for the bias corrections)
};

// With g = grad (+ weight_decay * param unless decoupled):
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   param -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
// eps is added after bias-correcting v, as PyTorch does.
void adam_update_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq, const AdamUpdate& options);

struct SGDUpdate {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  // The first step with momentum starts the buffer at d = grad (+ weight_decay * param), without
  // dampening, as PyTorch does; later steps blend it in.
  bool first_step = false;
};

// With d = grad + weight_decay * param:
//   momentum == 0: param -= lr d
//   otherwise:     buf = first_step ? d : momentum buf + (1 - dampening) d
//                  param -= lr (nesterov ? d + momentum buf : buf)
// momentum_buffer is unused (and may be undefined) when momentum is 0.
void sgd_update_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                 const SGDUpdate& options);

}  // namespace minidl
