#include "metrics/mutual_information.h"

#include <cmath>
#include <vector>

#include "metrics/distribution.h"

namespace minidl::metrics {

namespace {

// The normalised joint table with its marginals and entropies (in nats), computed once.
struct JointTable {
  int64_t rows = 0, columns = 0;
  std::vector<double> p;         // p(x, y), row-major
  std::vector<double> p_x, p_y;  // marginals
  double h_x = 0.0, h_y = 0.0, h_xy = 0.0;
  double h_x_given_y = 0.0;
  double mi = 0.0;
};

double plogp_sum(const std::vector<double>& p) {
  double sum = 0.0;
  for (double v : p) {
    if (v > 0.0) sum -= v * std::log(v);
  }
  return sum;
}

JointTable analyse(const Tensor& joint, const char* op) {
  MINIDL_CHECK(joint.defined(), op << ": undefined tensor");
  MINIDL_CHECK(joint.dim() == 2,
               op << ": the joint histogram must be 2-d [bins of X, bins of Y], got shape "
                  << joint.shape());
  JointTable t;
  t.rows = joint.size(0);
  t.columns = joint.size(1);
  t.p = normalized_weights(joint, op, "the joint histogram");
  t.p_x.assign(static_cast<size_t>(t.rows), 0.0);
  t.p_y.assign(static_cast<size_t>(t.columns), 0.0);
  for (int64_t a = 0; a < t.rows; ++a) {
    for (int64_t b = 0; b < t.columns; ++b) {
      const double v = t.p[static_cast<size_t>(a * t.columns + b)];
      t.p_x[static_cast<size_t>(a)] += v;
      t.p_y[static_cast<size_t>(b)] += v;
    }
  }
  t.h_x = plogp_sum(t.p_x);
  t.h_y = plogp_sum(t.p_y);
  t.h_xy = plogp_sum(t.p);
  // I(X; Y) and H(X | Y) are summed term by term rather than as differences of entropies, which
  // would subtract numbers of order log(bins) to get a result that may be 1e-6 of them
  // (independent variables), or exactly 0 (X a function of Y: every term is then log 1 = 0).
  for (int64_t a = 0; a < t.rows; ++a) {
    for (int64_t b = 0; b < t.columns; ++b) {
      const double v = t.p[static_cast<size_t>(a * t.columns + b)];
      if (v > 0.0) {
        const double px = t.p_x[static_cast<size_t>(a)], py = t.p_y[static_cast<size_t>(b)];
        t.mi += v * std::log(v / (px * py));
        t.h_x_given_y -= v * std::log(v / py);
      }
    }
  }
  return t;
}

double normalize(const JointTable& t, MiNormalization normalization) {
  if (t.h_x == 0.0 && t.h_y == 0.0) return 1.0;  // both constant: each determines the other
  const double scale = normalization == MiNormalization::Arithmetic ? 0.5 * (t.h_x + t.h_y)
                                                                    : std::sqrt(t.h_x * t.h_y);
  return scale > 0.0 ? t.mi / scale : 0.0;  // one constant variable: I = 0
}

}  // namespace

double joint_entropy(const Tensor& joint, Unit unit) {
  return from_nats(analyse(joint, "joint_entropy").h_xy, unit);
}

double conditional_entropy(const Tensor& joint, Unit unit) {
  const JointTable t = analyse(joint, "conditional_entropy");
  return from_nats(t.h_x_given_y, unit);
}

double mutual_information(const Tensor& joint, Unit unit) {
  return from_nats(analyse(joint, "mutual_information").mi, unit);
}

double normalized_mutual_information(const Tensor& joint, MiNormalization normalization) {
  return normalize(analyse(joint, "normalized_mutual_information"), normalization);
}

MutualInformation mutual_information_summary(const Tensor& joint, Unit unit) {
  const JointTable t = analyse(joint, "mutual_information_summary");
  return {from_nats(t.h_x, unit),  from_nats(t.h_y, unit),
          from_nats(t.h_xy, unit), from_nats(t.h_x_given_y, unit),
          from_nats(t.mi, unit),   normalize(t, MiNormalization::Arithmetic)};
}

}  // namespace minidl::metrics
