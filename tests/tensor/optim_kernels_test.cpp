// The fused optimizer kernels (tensor/optim_kernels.h) against updates worked out by hand from
// the published formulas (Kingma and Ba's Adam with PyTorch's eps placement, Loshchilov and
// Hutter's decoupled decay, torch.optim.SGD's momentum/dampening/nesterov).
#include "tensor/optim_kernels.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/tensor.h"
#include "tensor_test_util.h"

using namespace minidl;
using minidl::test::bit_identical;
using minidl::test::ScopedThreads;
using minidl::test::values;

namespace {

Tensor f64(std::initializer_list<double> v) { return tensor(v, DType::Float64); }

}  // namespace

TEST(AdamUpdate, FirstStepMovesEachElementByLrTimesTheSignOfItsGradient) {
  // Step 1: m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps).
  for (DType dtype : minidl::test::kFloatTypes) {
    Tensor p = tensor({1.0, -2.0, 3.0}, dtype);
    Tensor g = tensor({0.5, -4.0, 1e-3}, dtype);
    Tensor m = zeros({3}, dtype), v = zeros({3}, dtype);
    adam_update_(p, g, m, v, AdamUpdate{.lr = 0.1, .step = 1});
    const double tol = dtype == DType::Float32 ? 1e-6 : 1e-12;
    std::vector<double> got = values(p);
    EXPECT_NEAR(got[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), tol);
    EXPECT_NEAR(got[1], -2.0 + 0.1 * 4.0 / (4.0 + 1e-8), tol);
    EXPECT_NEAR(got[2], 3.0 - 0.1 * 1e-3 / (1e-3 + 1e-8), tol);
    // The moments: m = (1 - beta1) g, v = (1 - beta2) g^2.
    EXPECT_NEAR(values(m)[1], 0.1 * -4.0, tol);
    EXPECT_NEAR(values(v)[1], 0.001 * 16.0, tol);
  }
}

TEST(AdamUpdate, SecondStepMatchesTheFormulaWorkedByHand) {
  Tensor p = f64({1.0}), m = f64({0.0}), v = f64({0.0});
  adam_update_(p, f64({0.5}), m, v, AdamUpdate{.lr = 0.1, .step = 1});
  const double p1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8);
  adam_update_(p, f64({0.25}), m, v, AdamUpdate{.lr = 0.1, .step = 2});
  // m = 0.9 * 0.05 + 0.1 * 0.25 = 0.07;  v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225
  // bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999
  EXPECT_NEAR(values(m)[0], 0.07, 1e-15);
  EXPECT_NEAR(values(v)[0], 0.00031225, 1e-15);
  const double expected =
      p1 - (0.1 / 0.19) * 0.07 / (std::sqrt(0.00031225) / std::sqrt(0.001999) + 1e-8);
  EXPECT_NEAR(values(p)[0], expected, 1e-14);
}

TEST(AdamUpdate, EpsIsAddedAfterTheBiasCorrection) {
  // With a huge eps the step is lr * m_hat / eps; PyTorch's placement makes it independent of
  // the bias correction of v. Step 1, g = 1: m_hat = 1, so p moves by exactly lr / (1 + eps).
  Tensor p = f64({0.0}), m = f64({0.0}), v = f64({0.0});
  adam_update_(p, f64({1.0}), m, v, AdamUpdate{.lr = 1.0, .eps = 3.0, .step = 1});
  EXPECT_NEAR(values(p)[0], -1.0 / (1.0 + 3.0), 1e-15);
}

TEST(AdamUpdate, L2WeightDecayAddsToTheGradientWhileDecoupledDecayScalesTheParameter) {
  // Adam (L2): g = 0 + 0.5 * 2 = 1, first step moves by lr = 0.1 (up to eps).
  Tensor p = f64({2.0}), m = f64({0.0}), v = f64({0.0});
  adam_update_(p, f64({0.0}), m, v, AdamUpdate{.lr = 0.1, .weight_decay = 0.5, .step = 1});
  EXPECT_NEAR(values(p)[0], 2.0 - 0.1 * 1.0 / (1.0 + 1e-8), 1e-14);
  EXPECT_NEAR(values(m)[0], 0.1, 1e-15);  // the decay went through the moments

  // AdamW: p *= 1 - lr * wd = 0.95 and a zero gradient adds nothing, leaving the moments at 0.
  Tensor q = f64({2.0}), mq = f64({0.0}), vq = f64({0.0});
  adam_update_(
      q, f64({0.0}), mq, vq,
      AdamUpdate{.lr = 0.1, .weight_decay = 0.5, .decoupled_weight_decay = true, .step = 1});
  EXPECT_DOUBLE_EQ(values(q)[0], 2.0 * 0.95);
  EXPECT_EQ(values(mq)[0], 0.0);
}

TEST(AdamUpdate, ReadsANonContiguousGradient) {
  Tensor p = zeros({2, 3}, DType::Float64), m = zeros_like(p), v = zeros_like(p);
  Tensor g = tensor({{1.0, -1.0}, {2.0, -2.0}, {3.0, -3.0}}, DType::Float64).t();  // [2, 3] view
  ASSERT_FALSE(g.is_contiguous());
  adam_update_(p, g, m, v, AdamUpdate{.lr = 0.5, .eps = 0.0, .step = 1});
  // eps = 0: the first step is exactly -lr * sign(g), laid out as g's rows: [1 2 3], [-1 -2 -3].
  EXPECT_EQ(values(p), (std::vector<double>{-0.5, -0.5, -0.5, 0.5, 0.5, 0.5}));
}

TEST(AdamUpdate, LargeTensorsGiveTheSameBitsWithOneAndTwoThreads) {
  const int64_t n = 3 * kParallelGrain + 17;  // above the grain, not a multiple of anything
  Generator gen(7);
  Tensor p0 = normal({n}, 0, 1, DType::Float32, gen), g = normal({n}, 0, 1, DType::Float32, gen);
  Tensor m0 = normal({n}, 0, 0.1, DType::Float32, gen);
  Tensor v0 = abs(normal({n}, 0, 0.1, DType::Float32, gen));
  auto run = [&](int threads) {
    ScopedThreads scoped(threads);
    Tensor p = p0.clone(), m = m0.clone(), v = v0.clone();
    adam_update_(p, g, m, v, AdamUpdate{.lr = 1e-3, .weight_decay = 0.01, .step = 3});
    return std::vector<Tensor>{p, m, v};
  };
  std::vector<Tensor> one = run(1), two = run(2);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(bit_identical(one[i], two[i])) << "tensor " << i;

  // And every element follows the formula (spot checks at the ends and across thread slices).
  const double bc1 = 1 - std::pow(0.9, 3), bc2 = 1 - std::pow(0.999, 3);
  std::vector<float> pp = p0.to_vector<float>(), gg = g.to_vector<float>(),
                     mm = m0.to_vector<float>(), vv = v0.to_vector<float>();
  std::vector<float> out = one[0].to_vector<float>();
  for (int64_t i :
       {int64_t(0), kParallelGrain - 1, kParallelGrain, 2 * kParallelGrain + 5, n - 1}) {
    const double gi = gg[size_t(i)] + 0.01 * pp[size_t(i)];
    const double mi = 0.9 * mm[size_t(i)] + 0.1 * gi;
    const double vi = 0.999 * vv[size_t(i)] + 0.001 * gi * gi;
    const double expected =
        pp[size_t(i)] - 1e-3 / bc1 * mi / (std::sqrt(vi) / std::sqrt(bc2) + 1e-8);
    EXPECT_NEAR(out[size_t(i)], expected, 1e-6) << "element " << i;
  }
}

TEST(AdamUpdate, RejectsMismatchedState) {
  Tensor p = zeros({3}), g = zeros({3}), m = zeros({4}), v = zeros({3});
  EXPECT_MINIDL_ERROR(adam_update_(p, g, m, v, AdamUpdate{}),
                      "adam_update_: exp_avg float32[4] does not match the parameter float32[3]");
  EXPECT_MINIDL_ERROR(adam_update_(p, zeros({3}, DType::Float64), zeros({3}), v, AdamUpdate{}),
                      "adam_update_: gradient float64[3] does not match the parameter float32[3]");
  EXPECT_MINIDL_ERROR(adam_update_(p, g, zeros({3}), v, AdamUpdate{.step = 0}),
                      "adam_update_: step must count from 1, got 0");
}

TEST(SGDUpdate, PlainStepIsParamMinusLrTimesGradPlusDecay) {
  Tensor p = f64({1.0, 2.0});
  sgd_update_(p, f64({0.5, -1.0}), Tensor(), SGDUpdate{.lr = 0.1, .weight_decay = 0.1});
  // d = g + 0.1 p = [0.6, -0.8]
  EXPECT_NEAR(values(p)[0], 1.0 - 0.06, 1e-15);
  EXPECT_NEAR(values(p)[1], 2.0 + 0.08, 1e-15);
}

TEST(SGDUpdate, MomentumWithDampeningOverTwoSteps) {
  Tensor p = f64({1.0, 2.0}), buf = f64({0.0, 0.0}), g = f64({0.5, -1.0});
  SGDUpdate options{.lr = 0.1, .momentum = 0.9, .dampening = 0.5, .weight_decay = 0.1};
  options.first_step = true;
  sgd_update_(p, g, buf, options);
  // First step: buf = d = [0.6, -0.8] (no dampening), p = [0.94, 2.08].
  EXPECT_NEAR(values(buf)[0], 0.6, 1e-15);
  EXPECT_NEAR(values(p)[0], 0.94, 1e-15);
  EXPECT_NEAR(values(p)[1], 2.08, 1e-15);
  options.first_step = false;
  sgd_update_(p, g, buf, options);
  // d = [0.594, -0.792]; buf = 0.9 [0.6, -0.8] + 0.5 d = [0.837, -1.116]; p -= 0.1 buf.
  EXPECT_NEAR(values(buf)[0], 0.837, 1e-15);
  EXPECT_NEAR(values(buf)[1], -1.116, 1e-15);
  EXPECT_NEAR(values(p)[0], 0.8563, 1e-15);
  EXPECT_NEAR(values(p)[1], 2.1916, 1e-15);
}

TEST(SGDUpdate, NesterovLooksAhead) {
  Tensor p = f64({1.0, 2.0}), buf = f64({0.0, 0.0});
  sgd_update_(p, f64({0.5, -1.0}), buf,
              SGDUpdate{.lr = 0.1, .momentum = 0.9, .nesterov = true, .first_step = true});
  // buf = g; p -= lr (g + 0.9 buf) = lr * 1.9 * g.
  EXPECT_NEAR(values(p)[0], 1.0 - 0.095, 1e-15);
  EXPECT_NEAR(values(p)[1], 2.0 + 0.19, 1e-15);
  EXPECT_MINIDL_ERROR(sgd_update_(p, f64({0.5, -1.0}), buf,
                                  SGDUpdate{.momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                      "sgd_update_: nesterov needs momentum > 0 and dampening 0, got momentum "
                      "0.9 and dampening 0.1");
}
