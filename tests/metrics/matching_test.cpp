// The best one-to-one matching of code values to classes, on hand-made joint counts.
#include "metrics/matching.h"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/mutual_information.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

// [10, 10] counts where code c always produces class permutation[c].
Tensor permutation_counts(const std::vector<int64_t>& permutation, double count) {
  Tensor joint = zeros({10, 10}, DType::Float64);
  for (int64_t c = 0; c < 10; ++c) joint.data<double>()[c * 10 + permutation[size_t(c)]] = count;
  return joint;
}

}  // namespace

TEST(BestCodeMatching, APermutationIsMatchedExactlyAndCarriesLog10Nats) {
  const std::vector<int64_t> permutation = {3, 7, 0, 9, 1, 4, 8, 2, 6, 5};
  const Tensor joint = permutation_counts(permutation, 1000.0);
  const CodeMatching m = best_code_matching(joint);
  EXPECT_EQ(m.assignment, permutation);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0);
  EXPECT_NEAR(mutual_information(joint), std::log(10.0), 1e-12);
}

TEST(BestCodeMatching, FindsTheAssignmentAGreedyChoiceMisses) {
  // Greedy on the largest cell takes (0, 0) = 5 and is left with (1, 1) = 0: total 5 of 13.
  // The best matching is (0, 1) + (1, 0) = 4 + 4 = 8 of 13.
  const Tensor joint = tensor({{5.0, 4.0}, {4.0, 0.0}}, DType::Float64);
  const CodeMatching m = best_code_matching(joint);
  EXPECT_EQ(m.assignment, (std::vector<int64_t>{1, 0}));
  EXPECT_DOUBLE_EQ(m.accuracy, 8.0 / 13.0);
}

TEST(BestCodeMatching, NoisyCodesAndFewerCodesThanClasses) {
  // Code c gives class (c + 1) mod 3 with weight 6 and each other class with weight 2: 18 of 30.
  Tensor joint = full({3, 3}, 2.0, DType::Float64);
  for (int64_t c = 0; c < 3; ++c) joint.data<double>()[c * 3 + (c + 1) % 3] = 6.0;
  CodeMatching m = best_code_matching(joint);
  EXPECT_EQ(m.assignment, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_DOUBLE_EQ(m.accuracy, 18.0 / 30.0);
  // Two codes over four classes: each code takes a different class.
  m = best_code_matching(tensor({{0.0, 3.0, 1.0, 0.0}, {0.0, 2.0, 0.0, 1.0}}, DType::Float64));
  EXPECT_EQ(m.assignment, (std::vector<int64_t>{1, 3}));
  EXPECT_DOUBLE_EQ(m.accuracy, 4.0 / 7.0);
}

TEST(BestCodeMatching, ErrorsSayWhatIsWrong) {
  EXPECT_THROW(best_code_matching(zeros({3})), Error);
  try {
    best_code_matching(zeros({4, 3}, DType::Float64));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "best_code_matching: needs 1 <= codes <= classes <= 20, got 4 codes and 3 classes");
  }
  try {
    best_code_matching(tensor({{1.0, -1.0}, {0.0, 1.0}}, DType::Float64));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "best_code_matching: weight -1 at [0, 1] is not a finite non-negative number");
  }
  EXPECT_THROW(best_code_matching(zeros({2, 2}, DType::Float64)), Error);
}
