// Gradient clipping by norm, as torch.nn.utils.clip_grad_norm_.
#pragma once

#include <vector>

#include "autograd/variable.h"

namespace minidl::optim {

// Scales the gradients of `params` so that their combined norm is at most max_norm, as
// torch.nn.utils.clip_grad_norm_: the norm of all gradients together (as one vector, p-norm of
// norm_type, or the max-abs norm for infinity) is computed in float64; when
// c = max_norm / (total + 1e-6) is below 1, every gradient is replaced by a copy scaled by c
// (gradients may share storage between parameters, so they are never scaled in place). Returns
// the total norm before clipping. Parameters without a gradient are skipped. A NaN or infinite
// total scales every gradient to NaN as in PyTorch, or throws with error_if_nonfinite.
double clip_grad_norm_(const std::vector<Variable>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

}  // namespace minidl::optim
