// Activation modules, Dropout, BatchNorm1d, LayerNorm, Flatten and Reshape against values worked
// out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::expect_all_near;
using minidl::test::f64;
using minidl::test::values;

namespace {

std::vector<double> apply(Module& m, std::initializer_list<double> x) {
  return values(m(Variable(f64(x))).data());
}

double phi(double x) { return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))); }

}  // namespace

TEST(Activations, ComputeTheirFunctions) {
  ReLU relu;
  EXPECT_EQ(apply(relu, {-2, 0, 3}), (std::vector<double>{0, 0, 3}));
  LeakyReLU leaky(0.2);
  EXPECT_EQ(apply(leaky, {-2, 0, 3}), (std::vector<double>{-0.4, 0, 3}));
  Tanh tanh_layer;
  expect_all_near(tanh_layer(Variable(f64({-1, 0.5}))).data(), {std::tanh(-1.0), std::tanh(0.5)},
                  1e-15);
  Sigmoid sigmoid_layer;
  expect_all_near(sigmoid_layer(Variable(f64({-1, 2}))).data(),
                  {1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(-2.0))}, 1e-15);
  GELU gelu_exact;
  expect_all_near(gelu_exact(Variable(f64({-1, 0.5}))).data(), {-phi(-1.0) * 1.0, 0.5 * phi(0.5)},
                  1e-15);
  GELU gelu_tanh(true);
  const double k = std::sqrt(2.0 / M_PI);
  expect_all_near(gelu_tanh(Variable(f64({0.5}))).data(),
                  {0.5 * 0.5 * (1 + std::tanh(k * (0.5 + 0.044715 * 0.125)))}, 1e-15);
  Softplus softplus_layer(2.0);
  expect_all_near(softplus_layer(Variable(f64({0.3, -1000, 1000}))).data(),
                  {std::log1p(std::exp(0.6)) / 2, 0.0, 1000.0}, 1e-15);
  ELU elu_layer(1.5);
  expect_all_near(elu_layer(Variable(f64({-1, 2}))).data(), {1.5 * std::expm1(-1.0), 2.0}, 1e-15);
  Identity identity;
  Variable x(f64({1, 2}));
  EXPECT_TRUE(identity(x).same_as(x));
  EXPECT_EQ(leaky.name(), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(gelu_tanh.name(), "GELU(approximate=tanh)");
  EXPECT_EQ(elu_layer.name(), "ELU(alpha=1.5)");
}

TEST(Dropout, IsTheIdentityInEvaluationAndWithPZero) {
  Dropout dropout(0.5);
  Variable x(ones({4, 5}));
  dropout.eval();
  EXPECT_TRUE(dropout(x).same_as(x));
  Dropout none(0.0);
  EXPECT_TRUE(none(x).same_as(x));
}

TEST(Dropout, ZeroesAboutPAndScalesTheRestByOneOverOneMinusP) {
  Generator gen(5);
  Dropout dropout(0.25, gen);
  Variable x(ones({100000}), true);
  Variable y = dropout(x);
  std::vector<double> out = values(y.data());
  int64_t zeros_count = 0;
  for (double v : out) {
    if (v == 0) {
      ++zeros_count;
    } else {
      EXPECT_FLOAT_EQ(v, 1.0 / 0.75);
    }
  }
  // Binomial(100000, 0.25): standard deviation 137, so +-1000 is beyond 7 sigma.
  EXPECT_NEAR(double(zeros_count), 25000.0, 1000.0);
  // The gradient is the same mask.
  sum(y).backward();
  EXPECT_EQ(values(x.grad().data()), out);
  // p = 1 drops everything; a bad p is an error.
  Dropout all(1.0);
  EXPECT_EQ(values(all(Variable(ones({3}))).data()), (std::vector<double>{0, 0, 0}));
  EXPECT_MINIDL_ERROR(Dropout(1.5), "dropout: probability must be in [0, 1], got 1.5");
}

TEST(Dropout, TheSameSeedGivesTheSameMask) {
  Generator a(9), b(9);
  Variable x(ones({64}));
  EXPECT_EQ(values(dropout(x, 0.5, true, a).data()), values(dropout(x, 0.5, true, b).data()));
}

TEST(BatchNorm1d, TrainingNormalisesWithBatchStatisticsAndUpdatesRunningOnes) {
  BatchNorm1d bn(2);
  // Channel 0: 1 3 5 7 (mean 4, biased variance 5, unbiased 20/3);
  // channel 1: 2 6 4 0 (mean 3, biased variance 5, unbiased 20/3).
  Variable x(tensor({{1, 2}, {3, 6}, {5, 4}, {7, 0}}));
  Variable y = bn(x);
  const double s = std::sqrt(5.0 + 1e-5);
  expect_all_near(y.data(), {-3 / s, -1 / s, -1 / s, 3 / s, 1 / s, 1 / s, 3 / s, -3 / s}, 1e-6);
  // running = 0.9 running + 0.1 batch statistic, with the unbiased variance.
  expect_all_near(bn.running_mean, {0.4, 0.3}, 1e-7);
  expect_all_near(bn.running_var, {0.9 + 0.1 * 20.0 / 3.0, 0.9 + 0.1 * 20.0 / 3.0}, 1e-7);
  EXPECT_EQ(bn.num_batches_tracked.item(), 1.0);

  // Evaluation uses the running statistics and leaves them alone.
  bn.eval();
  Variable z = bn(Variable(tensor({{1, 2}})));
  const double rv = 0.9 + 0.1 * 20.0 / 3.0;
  expect_all_near(z.data(), {(1 - 0.4) / std::sqrt(rv + 1e-5), (2 - 0.3) / std::sqrt(rv + 1e-5)},
                  1e-6);
  EXPECT_EQ(bn.num_batches_tracked.item(), 1.0);
  expect_all_near(bn.running_mean, {0.4, 0.3}, 1e-7);
}

TEST(BatchNorm1d, AppliesWeightAndBiasAndAcceptsNCL) {
  BatchNorm1d bn(1, 1e-5, 0.5);
  Tensor w = bn.weight.data(), b = bn.bias.data();
  w.fill_(2.0);
  b.fill_(-1.0);
  // [N=2, C=1, L=2]: the channel's 4 values 0 2 4 6, mean 3, biased variance 5.
  Variable y = bn(Variable(tensor({0, 2, 4, 6}).reshape({2, 1, 2})));
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  const double s = std::sqrt(5.0 + 1e-5);
  expect_all_near(y.data(), {2 * -3 / s - 1, 2 * -1 / s - 1, 2 * 1 / s - 1, 2 * 3 / s - 1}, 1e-6);
  expect_all_near(bn.running_mean, {1.5}, 1e-7);  // 0.5 * 0 + 0.5 * 3
}

TEST(BatchNorm1d, RejectsOneValuePerChannelInTrainingAndWrongFeatureCounts) {
  BatchNorm1d bn(3);
  EXPECT_MINIDL_ERROR(bn(Variable(zeros({1, 3}))),
                      "batch_norm: expected more than 1 value per channel when training, got "
                      "input of shape [1, 3]");
  EXPECT_EQ(bn.num_batches_tracked.item(), 0.0);  // the failed call counted nothing
  EXPECT_MINIDL_ERROR(bn(Variable(zeros({4, 2}))),
                      "BatchNorm1d(3, eps=1e-05, momentum=0.1): input of shape [4, 2] does not "
                      "have 3 features on axis 1");
  bn.eval();
  EXPECT_EQ(bn(Variable(zeros({1, 3}))).shape(), (Shape{1, 3}));  // fine in evaluation
}

TEST(LayerNorm, NormalisesEachRowOverItsTrailingAxes) {
  LayerNorm ln(3);
  Variable y = ln(Variable(tensor({{1, 2, 3}, {2, 4, 6}})));
  // Row 0: mean 2, biased variance 2/3. Row 1: mean 4, biased variance 8/3.
  const double s0 = std::sqrt(2.0 / 3.0 + 1e-5), s1 = std::sqrt(8.0 / 3.0 + 1e-5);
  expect_all_near(y.data(), {-1 / s0, 0, 1 / s0, -2 / s1, 0, 2 / s1}, 1e-6);

  LayerNorm ln2(Shape{2, 2});
  Tensor w = ln2.weight.data();
  w.copy_(tensor({{1, 2}, {3, 4}}));
  // One sample [[0, 2], [4, 6]]: mean 3, biased variance 5.
  Variable z = ln2(Variable(tensor({0, 2, 4, 6}).reshape({1, 2, 2})));
  const double s = std::sqrt(5.0 + 1e-5);
  expect_all_near(z.data(), {1 * -3 / s, 2 * -1 / s, 3 * 1 / s, 4 * 3 / s}, 1e-6);
  EXPECT_MINIDL_ERROR(ln(Variable(zeros({2, 4}))),
                      "layer_norm: input of shape [2, 4] does not end in normalized_shape [3]");
  EXPECT_EQ(ln2.name(), "LayerNorm([2, 2], eps=1e-05)");
}

TEST(ShapeLayers, FlattenKeepsTheBatchAxisAndReshapeInfersMinusOne) {
  Flatten flatten_layer;
  Variable x(zeros({5, 1, 4, 7}), true);
  EXPECT_EQ(flatten_layer(x).shape(), (Shape{5, 28}));
  Reshape reshape_layer({-1, 1, 2, 14});
  Variable y = reshape_layer(flatten_layer(x));
  EXPECT_EQ(y.shape(), (Shape{5, 1, 2, 14}));
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
  EXPECT_EQ(reshape_layer.name(), "Reshape([-1, 1, 2, 14])");
  EXPECT_EQ(flatten_layer.name(), "Flatten(start_axis=1, end_axis=-1)");
}
