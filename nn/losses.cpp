#include "nn/losses.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autograd/ops.h"
#include "tensor/tensor.h"

namespace minidl::nn {

std::ostream& operator<<(std::ostream& os, Reduction reduction) {
  switch (reduction) {
    case Reduction::None:
      return os << "none";
    case Reduction::Mean:
      return os << "mean";
    case Reduction::Sum:
      return os << "sum";
    case Reduction::BatchMean:
      return os << "batchmean";
  }
  return os << "unknown";
}

namespace {

// The per-element losses combined as `reduction` asks. BatchMean (sum / batch size, the first
// axis) is what a divergence per sample means; the other losses refuse it, as PyTorch does.
Variable reduce(const Variable& loss, Reduction reduction, const char* op,
                bool batch_mean_allowed = false) {
  switch (reduction) {
    case Reduction::None:
      return loss;
    case Reduction::Mean:
      return mean(loss);
    case Reduction::Sum:
      return sum(loss);
    case Reduction::BatchMean:
      if (!batch_mean_allowed) break;
      return sum(loss) * (1.0 / double(std::max<int64_t>(loss.dim() == 0 ? 1 : loss.size(0), 1)));
  }
  MINIDL_FAIL(op << ": Reduction::BatchMean is only meaningful for the KL divergences; use Mean "
                    "or Sum");
}

void check_floating(const Variable& v, const char* op, const char* what) {
  MINIDL_CHECK(v.defined(), op << ": " << what << " is undefined");
  MINIDL_CHECK(is_floating(v.dtype()),
               op << ": " << what << " must be float32 or float64, got " << v.dtype());
}

// Two operands compared elementwise: same shape and dtype.
void check_pair(const Variable& a, const Variable& b, const char* op, const char* a_name,
                const char* b_name) {
  check_floating(a, op, a_name);
  check_floating(b, op, b_name);
  MINIDL_CHECK(a.shape() == b.shape(), op << ": " << a_name << " of shape " << shape_str(a.shape())
                                          << " and " << b_name << " of shape "
                                          << shape_str(b.shape()) << " differ");
  MINIDL_CHECK(a.dtype() == b.dtype(), op << ": " << a_name << " is " << a.dtype() << " but "
                                          << b_name << " is " << b.dtype());
}

// Checks [N, C] scores against int64 class indices [N], every index in [0, C).
void check_classification(const Variable& scores, const Tensor& targets, const char* op,
                          const char* scores_name) {
  check_floating(scores, op, scores_name);
  MINIDL_CHECK(scores.dim() == 2, op << ": " << scores_name << " must be [N, C], got shape "
                                     << shape_str(scores.shape()));
  MINIDL_CHECK(targets.defined(), op << ": targets are undefined");
  MINIDL_CHECK(targets.dtype() == DType::Int64,
               op << ": targets must be int64 class indices, got " << targets.dtype());
  MINIDL_CHECK(targets.shape() == Shape{scores.size(0)},
               op << ": targets of shape " << shape_str(targets.shape()) << " do not match "
                  << scores_name << " of shape " << shape_str(scores.shape()));
  const int64_t classes = scores.size(1);
  const Tensor t = targets.contiguous();
  const int64_t* values = t.data<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    MINIDL_CHECK(values[i] >= 0 && values[i] < classes, op << ": target " << values[i]
                                                           << " is out of range for " << classes
                                                           << " classes (at index " << i << ")");
  }
}

// -log_probs[i, targets[i]] for every row i, as [N].
Variable picked_negative_log_likelihood(const Variable& log_probs, const Tensor& targets) {
  const int64_t n = log_probs.size(0);
  return -reshape(gather(log_probs, 1, targets.reshape({n, 1})), {n});
}

}  // namespace

Variable nll_loss(const Variable& log_probs, const Tensor& targets, Reduction reduction) {
  check_classification(log_probs, targets, "nll_loss", "log_probs");
  return reduce(picked_negative_log_likelihood(log_probs, targets), reduction, "nll_loss");
}

Variable cross_entropy(const Variable& logits, const Tensor& targets, Reduction reduction,
                       double label_smoothing) {
  check_classification(logits, targets, "cross_entropy", "logits");
  MINIDL_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0,
               "cross_entropy: label_smoothing must be in [0, 1], got " << label_smoothing);
  // Shifting each row by its maximum (a constant, so gradients are unchanged) first keeps float32
  // precision for large logits: log_softmax(x) = x - logsumexp(x) subtracts two numbers near
  // max(x), losing about ulp(max |x|) (6e-5 at 1000), whereas the shifted row has maximum 0.
  Variable shifted = logits - Variable(max(logits.data(), {1}, /*keepdim=*/true));
  Variable log_probs = log_softmax(shifted, 1);
  Variable loss = picked_negative_log_likelihood(log_probs, targets);
  if (label_smoothing > 0.0) {
    Variable uniform_term = -mean(log_probs, {1});  // cross-entropy against the uniform e / C
    loss = (1.0 - label_smoothing) * loss + label_smoothing * uniform_term;
  }
  return reduce(loss, reduction, "cross_entropy");
}

Variable binary_cross_entropy_with_logits(const Variable& logits, const Variable& targets,
                                          Reduction reduction) {
  const char* op = "binary_cross_entropy_with_logits";
  check_pair(logits, targets, op, "logits", "targets");
  // One fused primitive (autograd/ops_loss.cpp) rather than the composition
  // where(x >= 0, x, 0) - x t + softplus(-where(x >= 0, x, -x)): the same stable formula, whose
  // gradient is sigmoid(x) - t at every x, in one pass over the pixels instead of seven.
  Variable loss = elementwise_binary_cross_entropy_with_logits(logits, targets);
  return reduce(loss, reduction, op);
}

Variable binary_cross_entropy(const Variable& probs, const Variable& targets, Reduction reduction) {
  const char* op = "binary_cross_entropy";
  check_pair(probs, targets, op, "probs", "targets");
  if (probs.numel() > 0) {
    const double low = min(probs.data()).item(), high = max(probs.data()).item();
    MINIDL_CHECK(low >= 0.0 && high <= 1.0,
                 op << ": probs must be in [0, 1], got values in [" << low << ", " << high << "]");
  }
  return reduce(elementwise_binary_cross_entropy(probs, targets), reduction, op);
}

Variable mse_loss(const Variable& input, const Variable& target, Reduction reduction) {
  check_pair(input, target, "mse_loss", "input", "target");
  Variable difference = input - target;
  return reduce(difference * difference, reduction, "mse_loss");
}

Variable l1_loss(const Variable& input, const Variable& target, Reduction reduction) {
  check_pair(input, target, "l1_loss", "input", "target");
  return reduce(abs(input - target), reduction, "l1_loss");
}

Variable gaussian_nll_loss(const Variable& input, const Variable& target, const Variable& var,
                           bool full, double eps, Reduction reduction) {
  const char* op = "gaussian_nll_loss";
  check_pair(input, target, op, "input", "target");
  check_pair(input, var, op, "input", "var");
  MINIDL_CHECK(var.numel() == 0 || min(var.data()).item() >= 0.0,
               op << ": var has a negative entry (" << min(var.data()).item() << ")");
  // v = max(var, eps) in value, var's own gradient: a constant offset where the clamp bites.
  Variable v = var;
  if (var.numel() > 0 && min(var.data()).item() < eps) {
    v = var + Variable(sub(maximum(var.data(), eps), var.data()));
  }
  Variable difference = input - target;
  Variable loss = (log(v) + difference * difference / v) * 0.5;
  if (full) loss = loss + 0.5 * std::log(2.0 * std::numbers::pi);
  return reduce(loss, reduction, op);
}

Variable kl_div(const Variable& input_log_probs, const Variable& target, Reduction reduction,
                bool log_target) {
  check_pair(input_log_probs, target, "kl_div", "input", "target");
  Variable pointwise;
  if (log_target) {
    pointwise = exp(target) * (target - input_log_probs);
  } else {
    // xlogy(t, t) - t * input: 0 log 0 is 0, and the log is taken of 1 there so its gradient
    // stays finite. Negative targets give NaN, as in PyTorch.
    const Tensor nonzero = ne(target.data(), 0.0);
    Variable t_log_t = where(nonzero, target * log(where(nonzero, target, 1.0)), 0.0);
    pointwise = t_log_t - target * input_log_probs;
  }
  return reduce(pointwise, reduction, "kl_div", /*batch_mean_allowed=*/true);
}

Variable gaussian_kl_standard_normal(const Variable& mu, const Variable& logvar,
                                     Reduction reduction) {
  const char* op = "gaussian_kl_standard_normal";
  check_pair(mu, logvar, op, "mu", "logvar");
  return reduce(0.5 * (exp(logvar) + mu * mu - 1.0 - logvar), reduction, op,
                /*batch_mean_allowed=*/true);
}

Variable gaussian_kl(const Variable& mu1, const Variable& logvar1, const Variable& mu2,
                     const Variable& logvar2, Reduction reduction) {
  const char* op = "gaussian_kl";
  check_pair(mu1, logvar1, op, "mu1", "logvar1");
  check_pair(mu1, mu2, op, "mu1", "mu2");
  check_pair(mu2, logvar2, op, "mu2", "logvar2");
  Variable difference = mu1 - mu2;
  Variable per_element =
      logvar2 - logvar1 + exp(logvar1 - logvar2) + difference * difference * exp(-logvar2) - 1.0;
  return reduce(0.5 * per_element, reduction, op, /*batch_mean_allowed=*/true);
}

}  // namespace minidl::nn
