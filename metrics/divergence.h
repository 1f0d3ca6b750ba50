// Entropy, cross-entropy, KL divergence and Jensen-Shannon divergence of discrete distributions.
// P and Q are tensors of non-negative weights of the same shape (histogram counts or
// probabilities; each is divided by its own sum first), so a histogram from histogram.h can be
// passed directly. Everything is accumulated in float64 and returned in nats or bits.
//
// Conventions, from the limits of t log t (Cover and Thomas, "Elements of Information Theory",
// section 2.3):
//   - a term with p_i = 0 contributes 0 (0 log 0 = 0 log(0/q) = 0), whatever q_i is;
//   - a term with p_i > 0 and q_i = 0 makes H(P, Q) and KL(P || Q) +infinity: P puts mass where
//     Q says it is impossible. Pass epsilon > 0 to smooth instead: P and Q each become
//     (p_i + epsilon) / (1 + n epsilon) (see smoothed() in distribution.h). That keeps the result
//     finite; when Q has no zero where P has mass, the change vanishes as epsilon -> 0, and is
//     small while epsilon is small next to every q_i.
#pragma once

#include "metrics/units.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// H(P) = -sum_i p_i log p_i. Between 0 (one outcome) and log n (uniform over n outcomes).
double entropy(const Tensor& p, Unit unit = Unit::Nats);

// H(P, Q) = -sum_i p_i log q_i = H(P) + KL(P || Q).
double cross_entropy(const Tensor& p, const Tensor& q, Unit unit = Unit::Nats,
                     double epsilon = 0.0);

// KL(P || Q) = sum_i p_i log(p_i / q_i) >= 0, 0 exactly when P = Q. Not symmetric.
double kl_divergence(const Tensor& p, const Tensor& q, Unit unit = Unit::Nats,
                     double epsilon = 0.0);

// JS(P, Q) = KL(P || M) / 2 + KL(Q || M) / 2 with M = (P + Q) / 2. Symmetric, always finite (M is
// positive wherever P or Q is, so it needs no smoothing), and at most log 2 (1 bit), reached when
// P and Q have disjoint supports. epsilon > 0 smooths P and Q exactly as for kl_divergence before
// M is formed, so that JS and KL can be reported on the same smoothed histograms. Smoothing mixes
// both with the uniform distribution U: P' = (1 - t) P + t U with t = n epsilon / (1 + n epsilon),
// so by the joint convexity of JS it can only lower it: JS(P', Q') <= JS(P, Q) / (1 + n epsilon).
double js_divergence(const Tensor& p, const Tensor& q, Unit unit = Unit::Nats,
                     double epsilon = 0.0);

}  // namespace minidl::metrics
