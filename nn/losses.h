// Loss functions, with PyTorch's semantics (torch.nn.functional), each written so that both its
// value and its gradient stay finite at extreme inputs (logits of +-1000, probabilities of exactly
// 0 and 1). All but two are composed from autograd ops and need no backward of their own; the
// exceptions are primitives whose backward is written in Variable ops, so they too differentiate
// twice: binary_cross_entropy_with_logits (one fused pass, the VAE's hot loss) and
// binary_cross_entropy (for PyTorch's gradient at saturated predictions). The trick each one uses
// is in its comment here and in docs/nn.md's losses table.
//
// Shapes must match exactly where a loss compares two tensors (PyTorch would broadcast with a
// warning; here a mismatch is an error that names both shapes).
#pragma once

#include <ostream>

#include "autograd/variable.h"

namespace minidl::nn {

// How the per-element losses are combined, in every loss alike: None keeps them (the input's
// shape), Mean averages over every element, Sum adds them up. BatchMean (the KL divergences only:
// kl_div and the Gaussian KLs) is the sum divided by the batch size (the first axis), the KL
// divergence per sample.
enum class Reduction { None, Mean, Sum, BatchMean };
std::ostream& operator<<(std::ostream& os, Reduction reduction);

// Classification from logits [N, C] and int64 class indices [N]: -log_softmax(logits)[target].
// log_softmax is x - logsumexp(x), finite for any finite logits, with the gradient
// softmax - one_hot. With label_smoothing e the target distribution is (1 - e) one_hot + e / C,
// so the loss is (1 - e) * nll + e * mean over classes of -log_softmax.
Variable cross_entropy(const Variable& logits, const Tensor& targets,
                       Reduction reduction = Reduction::Mean, double label_smoothing = 0.0);

// Negative log-likelihood from log-probabilities [N, C] and int64 class indices [N].
Variable nll_loss(const Variable& log_probs, const Tensor& targets,
                  Reduction reduction = Reduction::Mean);

// -[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))] from logits x, computed without sigmoid as
//   max(x, 0) - x t + log1p(exp(-|x|))
// which never exponentiates a positive number and keeps tiny losses exact (2e-9 at x = 20,
// t = 1, where 1 - sigmoid(x) would round to 0 in float32). One fused differentiable primitive
// (elementwise_binary_cross_entropy_with_logits, autograd/ops_loss.cpp: a one-pass kernel) whose
// backward is grad * sigmoid_minus(x, t) for the logits and -grad * x for the targets, written
// in Variable ops: the gradient is exactly sigmoid(x) - t everywhere, x = 0 included, and it
// differentiates again (sigmoid_minus has its own backward, s (1 - s)). targets may require grad.
Variable binary_cross_entropy_with_logits(const Variable& logits, const Variable& targets,
                                          Reduction reduction = Reduction::Mean);

// -[t log p + (1 - t) log(1 - p)] from probabilities p in [0, 1], each log clamped to >= -100 as
// PyTorch does, so p = 0 or 1 gives a finite loss. The gradient for p is PyTorch's,
// (p - t) / max(p (1 - p), 1e-12): a saturated wrong prediction (p = 0 with t = 1) gets a large
// learning signal, not none. One primitive (elementwise_binary_cross_entropy, ops_loss.cpp).
// Prefer binary_cross_entropy_with_logits: it loses no precision to the sigmoid.
Variable binary_cross_entropy(const Variable& probs, const Variable& targets,
                              Reduction reduction = Reduction::Mean);

Variable mse_loss(const Variable& input, const Variable& target,
                  Reduction reduction = Reduction::Mean);
// |input - target|; the gradient at a tie is 0, as PyTorch.
Variable l1_loss(const Variable& input, const Variable& target,
                 Reduction reduction = Reduction::Mean);

// The negative log-likelihood of target under N(input, var), as torch.nn.functional.
// gaussian_nll_loss: pointwise 0.5 (log v + (input - target)^2 / v), plus 0.5 log(2 pi) when
// `full`, with v = max(var, eps). As PyTorch, the clamp changes the value only: the gradient for
// var is that of the formula at v, as if var had been v. input, target and var have one shape
// (PyTorch's broadcast of a shorter var is not offered); a negative variance is an error. The
// continuous codes of InfoGAN use it with var = exp(logvar) from the Q head.
Variable gaussian_nll_loss(const Variable& input, const Variable& target, const Variable& var,
                           bool full = false, double eps = 1e-6,
                           Reduction reduction = Reduction::Mean);

// KL(target || model) with input = the model's log-probabilities, as torch.nn.functional.kl_div:
// pointwise target * (log target - input), with 0 where target = 0 (0 log 0 = 0); with log_target
// the target is given as log-probabilities and the pointwise loss is exp(target) (target - input).
// Reduction::BatchMean gives the KL divergence per sample (sum / N); Mean averages over every
// element, as PyTorch's "mean", which is not a KL divergence.
Variable kl_div(const Variable& input_log_probs, const Variable& target,
                Reduction reduction = Reduction::Mean, bool log_target = false);

// KL(N(mu, diag(exp(logvar))) || N(0, I)), the VAE's latent loss, in closed form per element:
//   0.5 * (exp(logvar) + mu^2 - 1 - logvar)
// as torch.distributions.kl_divergence gives it, then reduced: None keeps the input's shape, Sum is
// the total, BatchMean the KL per sample of [N, D] latents (the sum over the latent axis averaged
// over the batch), Mean the element mean. Finite for any finite mu and for logvar up to about 88
// (float32) / 709 (float64), beyond which the variance itself overflows.
Variable gaussian_kl_standard_normal(const Variable& mu, const Variable& logvar,
                                     Reduction reduction = Reduction::Mean);

// KL(N(mu1, diag(exp(logvar1))) || N(mu2, diag(exp(logvar2)))) in closed form, per element:
//   0.5 * (logvar2 - logvar1 + exp(logvar1 - logvar2) + (mu1 - mu2)^2 exp(-logvar2) - 1)
// The variance ratio is exp of a difference, so two large log-variances do not overflow.
// All four inputs must have the same shape; reduction as gaussian_kl_standard_normal.
Variable gaussian_kl(const Variable& mu1, const Variable& logvar1, const Variable& mu2,
                     const Variable& logvar2, Reduction reduction = Reduction::Mean);

}  // namespace minidl::nn
