// Ops whose arguments follow PyTorch's conventions, against values printed by
// tests/nn/fixtures/torch_reference.py (PyTorch 1.13, float64): softplus's beta and threshold,
// clamp with one bound, expand with -1.
#include <gtest/gtest.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

namespace minidl {
namespace {

std::vector<double> values_of(const Variable& v) { return v.data().to_vector<double>(); }

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want,
                     double tolerance) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tolerance) << "at " << i;
}

TEST(Softplus, BetaAndThresholdMatchPyTorch) {
  Variable x(tensor({-3.0, 0.5, 2.4, 2.6, 10.0}, DType::Float64), true);
  Variable y = softplus(x, 2.0, 5.0);
  // beta x = 5.2 > 5 at x = 2.6: x itself, where the smooth curve would give 2.60000138.
  expect_near_all(values_of(y),
                  {0.0012378425688652247, 0.6566308437591114, 2.404098033669134, 2.6, 10.0}, 1e-15);
  sum(y).backward();
  expect_near_all(values_of(x.grad()),
                  {0.0024726231566347748, 0.7310585786300049, 0.9918374288468401, 1.0, 1.0}, 1e-15);
}

TEST(Softplus, DefaultThresholdIsTwentyAsInPyTorch) {
  Variable x(tensor({19.0, 21.0}, DType::Float64), true);
  Variable y = softplus(x);
  EXPECT_EQ(values_of(y)[1], 21.0);
  EXPECT_NEAR(values_of(y)[0], 19.000000005602796, 1e-14);
  sum(y).backward();
  expect_near_all(values_of(x.grad()), {0.9999999943972036, 1.0}, 1e-16);
  EXPECT_THROW(softplus(x, 0.0), Error);
}

TEST(Clamp, OneBoundOnlyMatchesPyTorch) {
  Variable x(tensor({-2.0, 0.5, 3.0}, DType::Float64), true);
  Variable y = clamp(x, 0.0, std::nullopt) + 10.0 * clamp(x, std::nullopt, 1.0);
  expect_near_all(values_of(y), {-20.0, 5.5, 13.0}, 1e-15);
  sum(y).backward();
  expect_near_all(values_of(x.grad()), {10.0, 11.0, 1.0}, 1e-15);
  try {
    clamp(x, std::nullopt, std::nullopt);
    FAIL() << "clamp with no bound did not throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "clamp: at least one of low and high is needed");
  }
}

TEST(Expand, MinusOneKeepsTheSizeAsInPyTorch) {
  Variable x(tensor({1.0, 2.0}, DType::Float64).reshape({2, 1}), true);
  Variable y = expand(x, {3, -1, 4});
  EXPECT_EQ(y.shape(), (Shape{3, 2, 4}));
  Variable weights(arange(24, DType::Float64).reshape({3, 2, 4}));
  sum(y * weights).backward();
  expect_near_all(values_of(x.grad()), {114.0, 162.0}, 1e-15);
  // -1 on an axis of size 1 keeps it at 1; the same shape back returns x itself.
  EXPECT_EQ(expand(x, {-1, 5}).shape(), (Shape{2, 5}));
  EXPECT_TRUE(expand(x, {-1, -1}).same_as(x));
  try {
    expand(x, {-1, 2, 1});
    FAIL() << "-1 on a new leading axis did not throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "expand: size -1 for new leading axis 0 of [-1, 2, 1] (the tensor is [2, 1]; -1 "
                 "keeps an existing axis)");
  }
  EXPECT_THROW(expand(x, {2, -2}), Error);
}

}  // namespace
}  // namespace minidl
