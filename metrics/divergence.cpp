#include "metrics/divergence.h"

#include <cmath>
#include <limits>
#include <vector>

#include "metrics/distribution.h"

namespace minidl::metrics {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Normalised (and, for epsilon > 0, smoothed) P and Q of equal shape.
struct Pair {
  std::vector<double> p, q;
};

Pair distributions(const Tensor& p, const Tensor& q, double epsilon, const char* op) {
  MINIDL_CHECK(p.defined() && q.defined(), op << ": undefined tensor");
  MINIDL_CHECK(p.shape() == q.shape(),
               op << ": P has shape " << p.shape() << " but Q has shape " << q.shape());
  return {smoothed(normalized_weights(p, op, "P"), epsilon, op),
          smoothed(normalized_weights(q, op, "Q"), epsilon, op)};
}

// sum_i p_i log(p_i / q_i) in nats, with the conventions in the header.
double kl_nats(const std::vector<double>& p, const std::vector<double>& q) {
  double sum = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0.0) continue;
    if (q[i] == 0.0) return kInfinity;
    // log(p / q) rather than log p - log q: one rounding instead of a cancellation when p ~ q.
    sum += p[i] * std::log(p[i] / q[i]);
  }
  return sum;
}

}  // namespace

double entropy(const Tensor& p_weights, Unit unit) {
  const std::vector<double> p = normalized_weights(p_weights, "entropy", "P");
  double sum = 0.0;
  for (double v : p) {
    if (v > 0.0) sum -= v * std::log(v);
  }
  return from_nats(sum, unit);
}

double cross_entropy(const Tensor& p_weights, const Tensor& q_weights, Unit unit, double epsilon) {
  const auto [p, q] = distributions(p_weights, q_weights, epsilon, "cross_entropy");
  double sum = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0.0) continue;
    if (q[i] == 0.0) return from_nats(kInfinity, unit);
    sum -= p[i] * std::log(q[i]);
  }
  return from_nats(sum, unit);
}

double kl_divergence(const Tensor& p_weights, const Tensor& q_weights, Unit unit, double epsilon) {
  const auto [p, q] = distributions(p_weights, q_weights, epsilon, "kl_divergence");
  return from_nats(kl_nats(p, q), unit);
}

double js_divergence(const Tensor& p_weights, const Tensor& q_weights, Unit unit, double epsilon) {
  const auto [p, q] = distributions(p_weights, q_weights, epsilon, "js_divergence");
  std::vector<double> m(p.size());
  for (size_t i = 0; i < p.size(); ++i) m[i] = 0.5 * (p[i] + q[i]);
  return from_nats(0.5 * kl_nats(p, m) + 0.5 * kl_nats(q, m), unit);
}

}  // namespace minidl::metrics
