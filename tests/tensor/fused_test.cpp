#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tensor/tensor.h"

namespace minidl {
namespace {

// Expected values by hand: max(x, 0) - x t + log(1 + exp(-|x|)) and sigmoid(x) - t.
TEST(FusedKernels, BinaryCrossEntropyWithLogitsValues) {
  Tensor x = from_vector<double>({0.0, 2.0, -3.0, 1000.0, -1000.0, 1000.0}, {6});
  Tensor t = from_vector<double>({0.5, 0.25, 1.0, 1.0, 0.0, 0.0}, {6});
  std::vector<double> got = elementwise_binary_cross_entropy_with_logits(x, t).to_vector<double>();
  EXPECT_NEAR(got[0], std::log(2.0), 1e-15);
  EXPECT_NEAR(got[1], 2.0 - 0.5 + std::log(1.0 + std::exp(-2.0)), 1e-15);
  EXPECT_NEAR(got[2], 3.0 + std::log(1.0 + std::exp(-3.0)), 1e-15);
  EXPECT_EQ(got[3], 0.0);  // confident and right
  EXPECT_EQ(got[4], 0.0);
  EXPECT_EQ(got[5], 1000.0);  // confident and wrong: finite
}

TEST(FusedKernels, SigmoidMinusValuesAndExtremes) {
  Tensor x = from_vector<float>({0.0f, 2.0f, -2.0f, 1000.0f, -1000.0f}, {5});
  Tensor t = from_vector<float>({0.0f, 0.25f, 0.0f, 1.0f, 0.0f}, {5});
  std::vector<float> got = sigmoid_minus(x, t).to_vector<float>();
  EXPECT_FLOAT_EQ(got[0], 0.5f);
  EXPECT_NEAR(got[1], 1.0 / (1.0 + std::exp(-2.0)) - 0.25, 1e-7);
  EXPECT_NEAR(got[2], 1.0 / (1.0 + std::exp(2.0)), 1e-7);
  EXPECT_EQ(got[3], 0.0f);
  EXPECT_EQ(got[4], 0.0f);
}

TEST(FusedKernels, BroadcastsAndNonContiguousInputs) {
  // A transposed [3, 2] logits view against a [2] target row, and the same with a contiguous copy.
  Tensor x = from_vector<float>({-1.0f, 0.5f, 2.0f, -0.25f, 3.0f, 0.0f}, {2, 3}).t();
  Tensor t = from_vector<float>({1.0f, 0.0f}, {2});
  Tensor a = elementwise_binary_cross_entropy_with_logits(x, t);
  Tensor b = elementwise_binary_cross_entropy_with_logits(x.contiguous(), t);
  ASSERT_EQ(a.shape(), (Shape{3, 2}));
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  EXPECT_NEAR(a.to_vector<float>()[0], std::log(1.0 + std::exp(1.0)), 1e-6);  // x = -1, t = 1
}

TEST(FusedKernels, BadInputsNameTheOp) {
  Tensor x = zeros({2, 3});
  try {
    elementwise_binary_cross_entropy_with_logits(x, zeros({4}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "elementwise_binary_cross_entropy_with_logits: shapes [2, 3] and [4]"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(sigmoid_minus(x, zeros({2, 3}, DType::Float64)), Error);
  EXPECT_THROW(sigmoid_minus(zeros({2}, DType::Int64), zeros({2}, DType::Int64)), Error);
}

TEST(FusedKernels, LeakyReluBackward) {
  const double inf = std::numeric_limits<double>::infinity();
  Tensor grad = from_vector<double>({1.0, 2.0, -3.0, inf, 4.0}, {5});
  Tensor x = from_vector<double>({0.5, 0.0, -1.0, -2.0, 1e-300}, {5});
  EXPECT_EQ(leaky_relu_backward(grad, x, 0.0).to_vector<double>(),
            (std::vector<double>{1.0, 0.0, 0.0, 0.0, 4.0}));  // relu: 0 at x <= 0, even for inf
  EXPECT_EQ(leaky_relu_backward(grad, x, 0.2).to_vector<double>(),
            (std::vector<double>{1.0, 2.0 * 0.2, -3.0 * 0.2, inf, 4.0}));
  // A gradient broadcast from a scalar over a [2, 2] input.
  Tensor x2 = from_vector<float>({-1.0f, 1.0f, 2.0f, -2.0f}, {2, 2});
  EXPECT_EQ(leaky_relu_backward(full({}, 3.0), x2, 0.5).to_vector<float>(),
            (std::vector<float>{1.5f, 3.0f, 3.0f, 1.5f}));
  EXPECT_THROW(leaky_relu_backward(zeros({3}), x2, 0.0), Error);
}

}  // namespace
}  // namespace minidl
