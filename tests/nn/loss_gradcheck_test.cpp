// Every loss and every functional layer passes gradcheck in float64 (central differences against
// the backward pass), and gradgradcheck (second derivatives, which gradient penalties rely on).
// One row per function; inputs are drawn from a seeded generator, in ranges away from kinks.
#include <gtest/gtest.h>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::int64s;

namespace {

using V = const std::vector<Variable>&;

struct Input {
  Shape shape;
  double low = -2.0, high = 2.0;
};

struct LossCase {
  std::string name;
  std::function<Variable(V)> f;
  std::vector<Input> inputs;
};

Input probabilities(Shape shape) { return {std::move(shape), 0.05, 0.95}; }
Input positive(Shape shape) { return {std::move(shape), 0.1, 1.0}; }

const Tensor kTargets = int64s({2, 0, 3});

std::vector<LossCase> loss_table() {
  return {
      {"cross_entropy_mean", [](V x) { return cross_entropy(x[0], kTargets); }, {{{3, 4}}}},
      {"cross_entropy_none",
       [](V x) { return cross_entropy(x[0], kTargets, Reduction::None); },
       {{{3, 4}}}},
      {"cross_entropy_label_smoothing",
       [](V x) { return cross_entropy(x[0], kTargets, Reduction::Sum, 0.2); },
       {{{3, 4}}}},
      {"nll_loss", [](V x) { return nll_loss(x[0], kTargets); }, {{{3, 4}}}},
      {"bce_with_logits",
       [](V x) { return binary_cross_entropy_with_logits(x[0], x[1], Reduction::Sum); },
       {{{2, 3}, -4.0, 4.0}, probabilities({2, 3})}},
      {"bce_with_logits_none",
       [](V x) { return binary_cross_entropy_with_logits(x[0], x[1], Reduction::None); },
       {{{5}}, probabilities({5})}},
      {"bce",
       [](V x) { return binary_cross_entropy(x[0], x[1]); },
       {probabilities({2, 3}), probabilities({2, 3})}},
      {"mse", [](V x) { return mse_loss(x[0], x[1]); }, {{{2, 3}}, {{2, 3}}}},
      // The ranges do not overlap, so input - target is never near the kink at 0.
      {"l1",
       [](V x) { return l1_loss(x[0], x[1], Reduction::Sum); },
       {{{2, 3}, 0.5, 2.0}, {{2, 3}, -2.0, 0.0}}},
      {"kl_div_batchmean",
       [](V x) { return kl_div(x[0], x[1], Reduction::BatchMean); },
       {{{2, 3}}, positive({2, 3})}},
      {"kl_div_log_target",
       [](V x) { return kl_div(x[0], x[1], Reduction::Mean, true); },
       {{{2, 3}}, {{2, 3}}}},
      {"gaussian_kl_standard_normal",
       [](V x) { return gaussian_kl_standard_normal(x[0], x[1]); },
       {{{3, 2}}, {{3, 2}}}},
      {"gaussian_kl_none",
       [](V x) { return gaussian_kl(x[0], x[1], x[2], x[3], Reduction::None); },
       {{{2, 3}}, {{2, 3}}, {{2, 3}}, {{2, 3}}}},
      {"gaussian_nll_loss",
       [](V x) { return gaussian_nll_loss(x[0], x[1], x[2], /*full=*/true); },
       {{{2, 3}}, {{2, 3}}, positive({2, 3})}},
      // Functional layers, with float64 weights.
      {"batch_norm_train",
       [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], /*training=*/true); },
       {{{4, 3}}, {{3}}, {{3}}}},
      {"batch_norm_train_ncl",
       [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); },
       {{{2, 3, 2}}, {{3}}, {{3}}}},
      {"batch_norm_eval",
       [](V x) {
         return batch_norm(x[0], tensor({0.5, -0.5, 0}, DType::Float64),
                           tensor({1.5, 0.5, 2}, DType::Float64), x[1], x[2], false);
       },
       {{{4, 3}}, {{3}}, {{3}}}},
      {"batch_norm_train_nchw",
       [](V x) { return batch_norm(x[0], Tensor(), Tensor(), x[1], x[2], true); },
       {{{2, 3, 2, 3}}, {{3}}, {{3}}}},
      {"batch_norm_eval_nchw",
       [](V x) {
         return batch_norm(x[0], tensor({0.5, -0.5, 0}, DType::Float64),
                           tensor({1.5, 0.5, 2}, DType::Float64), x[1], x[2], false);
       },
       {{{2, 3, 2, 2}}, {{3}}, {{3}}}},
      {"layer_norm",
       [](V x) {
         return layer_norm(x[0], {2, 3}, x[1], x[2]);
       },
       {{{2, 2, 3}}, {{2, 3}}, {{2, 3}}}},
      // A fresh generator with a fixed seed on every call: the same mask each time.
      {"dropout",
       [](V x) {
         Generator gen(3);
         return dropout(x[0], 0.4, true, gen);
       },
       {{{4, 5}}}},
  };
}

std::vector<Variable> make_inputs(const LossCase& c, uint64_t seed) {
  Generator gen(seed);
  std::vector<Variable> inputs;
  for (const Input& spec : c.inputs) {
    inputs.emplace_back(uniform(spec.shape, spec.low, spec.high, DType::Float64, gen), true);
  }
  return inputs;
}

std::string case_name(const ::testing::TestParamInfo<LossCase>& info) { return info.param.name; }
void PrintTo(const LossCase& c, std::ostream* os) { *os << c.name; }

}  // namespace

class LossGradcheck : public ::testing::TestWithParam<LossCase> {};

TEST_P(LossGradcheck, FirstOrder) {
  GradcheckOptions options;
  options.name = GetParam().name;
  GradcheckResult result = gradcheck(GetParam().f, make_inputs(GetParam(), 1), options);
  EXPECT_TRUE(result.passed) << result.message;
}

TEST_P(LossGradcheck, SecondOrder) {
  GradcheckOptions options;
  options.name = GetParam().name;
  GradcheckResult result = gradgradcheck(GetParam().f, make_inputs(GetParam(), 2), options);
  EXPECT_TRUE(result.passed) << result.message;
}

INSTANTIATE_TEST_SUITE_P(Losses, LossGradcheck, ::testing::ValuesIn(loss_table()), case_name);
