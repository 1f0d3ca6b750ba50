#include "metrics/matching.h"

#include <bit>
#include <cmath>
#include <limits>

namespace minidl::metrics {

CodeMatching best_code_matching(const Tensor& joint) {
  MINIDL_CHECK(joint.defined() && joint.dim() == 2,
               "best_code_matching: the joint table must be 2-d [codes, classes], got shape "
                   << (joint.defined() ? shape_str(joint.shape()) : std::string("undefined")));
  const int64_t codes = joint.size(0), classes = joint.size(1);
  MINIDL_CHECK(codes >= 1 && codes <= classes && classes <= 20,
               "best_code_matching: needs 1 <= codes <= classes <= 20, got "
                   << codes << " codes and " << classes << " classes");
  const std::vector<double> w = joint.to_vector<double>();
  double total = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    MINIDL_CHECK(std::isfinite(w[i]) && w[i] >= 0.0,
                 "best_code_matching: weight " << w[i] << " at [" << int64_t(i) / classes << ", "
                                               << int64_t(i) % classes
                                               << "] is not a finite non-negative number");
    total += w[i];
  }
  MINIDL_CHECK(total > 0.0, "best_code_matching: the joint table is all zeros");

  // best[mask]: the largest weight of matching codes 0 .. popcount(mask) - 1 to the classes in
  // mask; choice[mask]: the class the last of those codes takes.
  const size_t states = size_t(1) << classes;
  std::vector<double> best(states, -std::numeric_limits<double>::infinity());
  std::vector<int8_t> choice(states, -1);
  best[0] = 0.0;
  for (size_t mask = 1; mask < states; ++mask) {
    const int64_t code = std::popcount(mask) - 1;
    if (code >= codes) continue;
    for (int64_t c = 0; c < classes; ++c) {
      const size_t bit = size_t(1) << c;
      if (!(mask & bit) || best[mask ^ bit] == -std::numeric_limits<double>::infinity()) continue;
      const double value = best[mask ^ bit] + w[size_t(code * classes + c)];
      if (value > best[mask]) {
        best[mask] = value;
        choice[mask] = int8_t(c);
      }
    }
  }
  size_t final_mask = 0;
  for (size_t mask = 0; mask < states; ++mask) {
    if (std::popcount(mask) == codes && (final_mask == 0 || best[mask] > best[final_mask])) {
      final_mask = mask;
    }
  }
  CodeMatching result;
  result.assignment.assign(size_t(codes), -1);
  result.accuracy = best[final_mask] / total;
  for (size_t mask = final_mask; mask != 0;) {
    const int64_t code = std::popcount(mask) - 1;
    result.assignment[size_t(code)] = choice[mask];
    mask ^= size_t(1) << choice[mask];
  }
  return result;
}

}  // namespace minidl::metrics
