// How well a discrete code matches the classes it should stand for, when nothing fixes which code
// value means which class (InfoGAN's categorical code, a clustering): the one-to-one assignment of
// code values to classes that agrees with the most samples, and the accuracy under it.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace minidl::metrics {

struct CodeMatching {
  // assignment[code] = the class that code value is matched to; distinct for distinct codes.
  std::vector<int64_t> assignment;
  // The share of samples whose class is the one their code is matched to, in [0, 1].
  double accuracy = 0.0;
};

// The best one-to-one matching of the rows of `joint` [codes, classes] (counts, or probabilities:
// any non-negative weights) to its columns, codes <= classes <= 20: the assignment that maximises
// the matched weight, found exactly by dynamic programming over subsets of classes (2^classes
// states, so 10 classes take about ten thousand steps). Among equally good assignments the result
// is deterministic.
CodeMatching best_code_matching(const Tensor& joint);

}  // namespace minidl::metrics
