// Loss values against hand computation, closed forms and PyTorch 1.13 (values printed by
// tests/nn/fixtures/torch_reference.py, float64), finite values and gradients at extreme inputs,
// and the error messages for bad shapes and class indices.
#include <gtest/gtest.h>

#include <cmath>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::all_finite;
using minidl::test::bit_identical;
using minidl::test::expect_all_near;
using minidl::test::f64;
using minidl::test::int64s;
using minidl::test::values;

namespace {
Variable leaf(const Tensor& t) { return Variable(t, true); }
}  // namespace

TEST(CrossEntropy, MatchesPyTorch) {
  Variable logits(f64({{1, 2, 3}, {1, -1, 0.5}}));
  Tensor targets = int64s({2, 0});
  // Row 0 by hand: log(e + e^2 + e^3) - 3 = 0.40760596444438.
  expect_all_near(cross_entropy(logits, targets, Reduction::None).data(),
                  {0.4076059644443804, 0.5549569196419907}, 1e-15);  // PyTorch
  EXPECT_NEAR(cross_entropy(logits, targets).item(), 0.48128144204318557, 1e-15);
  EXPECT_NEAR(cross_entropy(logits, targets, Reduction::Sum).item(), 0.9625628840863711, 1e-15);
}

TEST(CrossEntropy, LabelSmoothingMatchesPyTorchInValueAndGradient) {
  Variable logits = leaf(f64({{1, 2, 3}, {1, -1, 0.5}}));
  Variable loss = cross_entropy(logits, int64s({2, 0}), Reduction::Mean, 0.1);
  EXPECT_NEAR(loss.item(), 0.5729481087098522, 1e-15);  // PyTorch
  loss.backward();
  expect_all_near(logits.grad().data(),
                  {0.02834861991852355, 0.10569756886073216, -0.13404618877925578,
                   -0.1796181701828194, 0.02218112290761862, 0.15743704727520075},
                  1e-14);  // PyTorch
}

TEST(CrossEntropy, ExtremeLogitsGiveFiniteLossAndGradient) {
  for (DType dtype : minidl::test::kFloatTypes) {
    Variable logits = leaf(tensor({{1000, -1000, 0}, {-1000, 1000, 1000}}, dtype));
    Variable loss = cross_entropy(logits, int64s({1, 0}), Reduction::Sum);
    // Row 0: target logit -1000, max 1000: loss 2000. Row 1: log(2 e^1000) + 1000 = 2000 + log 2.
    EXPECT_NEAR(loss.item(), 4000 + std::log(2.0), 1e-3);
    loss.backward();
    ASSERT_TRUE(all_finite(logits.grad().data()));
    // softmax - one_hot: row 0 [1, -1, 0]; row 1 [-1, 0.5, 0.5].
    expect_all_near(logits.grad().data(), {1, -1, 0, -1, 0.5, 0.5}, 1e-6);
  }
}

TEST(CrossEntropy, ErrorsNameTheIndexTheClassCountAndTheShapes) {
  Variable logits(zeros({3, 10}));
  EXPECT_MINIDL_ERROR(cross_entropy(logits, int64s({1, 12, 0})),
                      "cross_entropy: target 12 is out of range for 10 classes (at index 1)");
  EXPECT_MINIDL_ERROR(cross_entropy(logits, int64s({-1, 0, 0})),
                      "cross_entropy: target -1 is out of range for 10 classes (at index 0)");
  EXPECT_MINIDL_ERROR(cross_entropy(logits, int64s({1, 2})),
                      "cross_entropy: targets of shape [2] do not match logits of shape [3, 10]");
  EXPECT_MINIDL_ERROR(cross_entropy(logits, zeros({3})),
                      "cross_entropy: targets must be int64 class indices, got float32");
  EXPECT_MINIDL_ERROR(cross_entropy(Variable(zeros({10})), int64s({1})),
                      "cross_entropy: logits must be [N, C], got shape [10]");
  EXPECT_MINIDL_ERROR(
      cross_entropy(logits, int64s({1, 2, 3}), Reduction::BatchMean),
      "cross_entropy: Reduction::BatchMean is only meaningful for the KL divergences; use "
      "Mean or Sum");
  EXPECT_MINIDL_ERROR(nll_loss(logits, int64s({1, 2, 10})),
                      "nll_loss: target 10 is out of range for 10 classes (at index 2)");
}

TEST(LossErrors, ShapeMismatchesNameTheLossAndBothShapes) {
  Variable a(f64({{1, 2, 3}, {4, 5, 6}}));    // [2, 3]
  Variable b(f64({{1, 2}, {3, 4}, {5, 6}}));  // [3, 2]: the same 6 elements, transposed shape
  Variable row(f64({1, 2, 3}));               // [3]: would broadcast against [2, 3] in PyTorch
  EXPECT_MINIDL_ERROR(binary_cross_entropy_with_logits(a, b),
                      "binary_cross_entropy_with_logits: logits of shape [2, 3] and targets of "
                      "shape [3, 2] differ");
  EXPECT_MINIDL_ERROR(binary_cross_entropy_with_logits(a, row, Reduction::None),
                      "binary_cross_entropy_with_logits: logits of shape [2, 3] and targets of "
                      "shape [3] differ");
  EXPECT_MINIDL_ERROR(kl_div(a, b, Reduction::BatchMean),
                      "kl_div: input of shape [2, 3] and target of shape [3, 2] differ");
  EXPECT_MINIDL_ERROR(kl_div(a, row, Reduction::Sum, /*log_target=*/true),
                      "kl_div: input of shape [2, 3] and target of shape [3] differ");
  EXPECT_MINIDL_ERROR(l1_loss(a, b),
                      "l1_loss: input of shape [2, 3] and target of shape [3, 2] differ");
  EXPECT_MINIDL_ERROR(gaussian_kl_standard_normal(a, b),
                      "gaussian_kl_standard_normal: mu of shape [2, 3] and logvar of shape [3, 2] "
                      "differ");
  EXPECT_MINIDL_ERROR(gaussian_kl_standard_normal(a, row, Reduction::Sum),
                      "gaussian_kl_standard_normal: mu of shape [2, 3] and logvar of shape [3] "
                      "differ");
  // The two-Gaussian KL checks all four: each pairing names the two that differ.
  EXPECT_MINIDL_ERROR(gaussian_kl(a, b, a, a),
                      "gaussian_kl: mu1 of shape [2, 3] and logvar1 of shape [3, 2] differ");
  EXPECT_MINIDL_ERROR(gaussian_kl(a, a, b, b),
                      "gaussian_kl: mu1 of shape [2, 3] and mu2 of shape [3, 2] differ");
  EXPECT_MINIDL_ERROR(gaussian_kl(a, a, a, row),
                      "gaussian_kl: mu2 of shape [2, 3] and logvar2 of shape [3] differ");
  // And dtypes: float32 against float64 is an error, not a silent promotion.
  EXPECT_MINIDL_ERROR(binary_cross_entropy_with_logits(a, Variable(zeros({2, 3}))),
                      "binary_cross_entropy_with_logits: logits is float64 but targets is float32");
  EXPECT_MINIDL_ERROR(kl_div(a, Variable(zeros({2, 3}))),
                      "kl_div: input is float64 but target is float32");
}

TEST(LossErrors, NllLossRejectsWrongShapesAndNamesThem) {
  Variable log_probs(zeros({3, 10}));
  EXPECT_MINIDL_ERROR(nll_loss(log_probs, int64s({1, 2})),
                      "nll_loss: targets of shape [2] do not match log_probs of shape [3, 10]");
  EXPECT_MINIDL_ERROR(nll_loss(log_probs, from_vector(std::vector<int64_t>{1, 2, 3}, {3, 1})),
                      "nll_loss: targets of shape [3, 1] do not match log_probs of shape [3, 10]");
  EXPECT_MINIDL_ERROR(nll_loss(Variable(zeros({2, 3, 4})), int64s({0, 1})),
                      "nll_loss: log_probs must be [N, C], got shape [2, 3, 4]");
  EXPECT_MINIDL_ERROR(nll_loss(log_probs, zeros({3})),
                      "nll_loss: targets must be int64 class indices, got float32");
}

TEST(NllLoss, PicksMinusTheTargetEntry) {
  Variable log_probs(f64({{1, 2, 3}, {1, -1, 0.5}}));
  EXPECT_EQ(values(nll_loss(log_probs, int64s({2, 0}), Reduction::None).data()),
            (std::vector<double>{-3, -1}));  // PyTorch: {-3.0, -1.0}
  // cross_entropy is nll_loss after log_softmax.
  EXPECT_NEAR(nll_loss(log_softmax(log_probs, 1), int64s({2, 0})).item(),
              cross_entropy(log_probs, int64s({2, 0})).item(), 1e-15);
}

TEST(BinaryCrossEntropyWithLogits, MatchesPyTorchIncludingExtremeLogits) {
  Variable x = leaf(f64({-2, 0, 3, 1000, -1000, 20}));
  Variable t = leaf(f64({0, 1, 0.3, 0, 1, 1}));
  Variable loss = binary_cross_entropy_with_logits(x, t, Reduction::None);
  // PyTorch; note 2.06e-9 at x = 20, t = 1: no precision lost to 1 - sigmoid(x).
  expect_all_near(loss.data(),
                  {0.1269280110429726, 0.6931471805599453, 2.1485873515737417, 1000.0, 1000.0,
                   2.0611536900435727e-09},
                  1e-15);
  sum(loss).backward();
  // sigmoid(x) - t, exact at x = 0 too (0.5 - 1); PyTorch.
  expect_all_near(x.grad().data(),
                  {0.11920292202211755, -0.5, 0.6525741268224334, 1.0, -1.0, -2.06115369216775e-09},
                  1e-15);
  expect_all_near(t.grad().data(), {2.0, 0.0, -3.0, -1000.0, 1000.0, -20.0}, 1e-15);  // -x
}

TEST(BinaryCrossEntropyWithLogits, Float32ExtremesStayFinite) {
  Variable x = leaf(tensor({1000, -1000, 1e30f, -1e30f}));
  Variable t(tensor({1, 0, 0, 1}));
  Variable loss = binary_cross_entropy_with_logits(x, t, Reduction::None);
  expect_all_near(loss.data(), {0, 0, 1e30, 1e30}, 1e-6);
  sum(loss).backward();
  expect_all_near(x.grad().data(), {0, 0, 1, -1}, 1e-6);
}

TEST(BinaryCrossEntropy, ClampsLogsAtMinus100LikePyTorch) {
  Variable p = leaf(f64({0.1, 0.5, 0.9, 0, 1, 0, 1}));
  Variable t(f64({0, 1, 0.3, 0, 1, 1, 0}));
  Variable loss = binary_cross_entropy(p, t, Reduction::None);
  expect_all_near(loss.data(),
                  {0.10536051565782628, 0.6931471805599453, 1.6434177197931799, 0, 0, 100, 100},
                  1e-15);  // PyTorch
  sum(loss).backward();
  std::vector<double> g = values(p.grad().data());
  ASSERT_TRUE(all_finite(p.grad().data()));
  // Interior: (p - t) / (p (1 - p)); PyTorch gives {1.1111111111111112, -2.0, 6.666666666666669}.
  EXPECT_NEAR(g[0], 1.111111111111111, 1e-14);
  EXPECT_NEAR(g[1], -2.0, 1e-14);
  EXPECT_NEAR(g[2], 6.666666666666669, 1e-13);
  // p = 0, t = 0 and p = 1, t = 1: (p - t) / max(p (1 - p), 1e-12) is 0, as in PyTorch.
  EXPECT_EQ(g[3], 0.0);
  EXPECT_EQ(g[4], 0.0);
  // p = 0, t = 1 and p = 1, t = 0: a saturated wrong prediction; PyTorch's -+1 / 1e-12 (1e-12
  // held as a float), not 0.
  EXPECT_EQ(g[5], -1000000003995.8029);
  EXPECT_EQ(g[6], 1000000003995.8029);
}

TEST(BinaryCrossEntropy, SaturatedWrongPredictionsGetPyTorchsGradient) {
  Variable p = leaf(f64({0, 1, 1e-7, 0.3}));
  Variable t(f64({1, 0, 1, 0.6}));
  sum(binary_cross_entropy(p, t, Reduction::None)).backward();
  expect_all_near(p.grad().data(),
                  {-1000000003995.8029, 1000000003995.8029, -10000000.0, -1.4285714285714286},
                  1e-3);  // PyTorch
  // The target's gradient, log(1 - p) - log(p) with the logs clamped at -100, stays finite.
  Variable p2(f64({0, 1}));
  Variable t2 = leaf(f64({0, 1}));
  sum(binary_cross_entropy(p2, t2, Reduction::None)).backward();
  EXPECT_EQ(values(t2.grad().data()), (std::vector<double>{100, -100}));
}

TEST(BinaryCrossEntropy, RejectsProbabilitiesOutsideZeroOne) {
  EXPECT_MINIDL_ERROR(binary_cross_entropy(Variable(f64({0.5, 1.5})), Variable(f64({0, 1}))),
                      "binary_cross_entropy: probs must be in [0, 1], got values in [0.5, 1.5]");
  EXPECT_MINIDL_ERROR(binary_cross_entropy(Variable(zeros({2, 3})), Variable(zeros({3, 2}))),
                      "binary_cross_entropy: probs of shape [2, 3] and targets of shape [3, 2] "
                      "differ");
}

TEST(RegressionLosses, MseAndL1MatchHandValues) {
  Variable a(f64({{1, -2}, {0.5, 4}})), b(f64({{0, 1}, {0.5, 2}}));
  // Differences 1, -3, 0, 2: squares 1 9 0 4 (mean 3.5); absolute 1 3 0 2 (sum 6). PyTorch too.
  EXPECT_DOUBLE_EQ(mse_loss(a, b).item(), 3.5);
  EXPECT_DOUBLE_EQ(l1_loss(a, b, Reduction::Sum).item(), 6.0);
  EXPECT_EQ(values(mse_loss(a, b, Reduction::None).data()), (std::vector<double>{1, 9, 0, 4}));
  EXPECT_MINIDL_ERROR(mse_loss(a, Variable(f64({1, 2}))),
                      "mse_loss: input of shape [2, 2] and target of shape [2] differ");
  EXPECT_MINIDL_ERROR(l1_loss(a, Variable(zeros({2, 2}))),
                      "l1_loss: input is float64 but target is float32");
}

TEST(KlDiv, MatchesPyTorchIncludingZeroTargets) {
  Variable input(log(f64({{0.2, 0.3, 0.5}, {0.6, 0.3, 0.1}})));
  Variable target(f64({{0, 0.5, 0.5}, {0.7, 0.2, 0.1}}));
  expect_all_near(kl_div(input, target, Reduction::None).data(),
                  {0.0, 0.2554128118829954, 0.0, 0.10790547587908078, -0.08109302162163284, 0.0},
                  1e-15);  // PyTorch
  EXPECT_NEAR(kl_div(input, target, Reduction::BatchMean).item(), 0.14111263307022168, 1e-15);
  EXPECT_NEAR(kl_div(input, target, Reduction::Mean).item(), 0.04703754435674056, 1e-15);
  Variable log_target(log(add(target.data(), 0.1)));
  EXPECT_NEAR(kl_div(input, log_target, Reduction::Sum, true).item(), 0.8247416184297593, 1e-14);
}

TEST(KlDiv, ZeroTargetsGiveFiniteGradientsForBothInputs) {
  Variable input = leaf(f64({-1000, -1, 0}));
  Variable target = leaf(f64({0, 0.5, 0}));
  Variable loss = kl_div(input, target, Reduction::Sum);
  EXPECT_NEAR(loss.item(), 0.5 * (std::log(0.5) + 1), 1e-15);
  loss.backward();
  EXPECT_EQ(values(input.grad().data()), (std::vector<double>{0, -0.5, 0}));  // -target
  ASSERT_TRUE(all_finite(target.grad().data()));
  // d/dt [t log t - t x] = log t + 1 - x where t > 0.
  EXPECT_NEAR(values(target.grad().data())[1], std::log(0.5) + 1 + 1, 1e-15);
}

TEST(GaussianKl, StandardNormalMatchesTheClosedFormAndPyTorch) {
  Variable mu(f64({{0.5, -1}, {0, 2}})), logvar(f64({{0.1, -0.3}, {1, 0}}));
  // Element [1, 1] by hand: 0.5 (e^0 + 4 - 1 - 0) = 2; element [1, 0]: 0.5 (e - 2).
  Variable elementwise = gaussian_kl_standard_normal(mu, logvar, Reduction::None);
  EXPECT_EQ(elementwise.shape(), (Shape{2, 2}));
  // torch.distributions.kl_divergence(Normal(mu, exp(logvar / 2)), Normal(0, 1)).
  expect_all_near(elementwise.data(),
                  {0.1275854590378238, 0.5204091103408589, 0.35914091422952266, 2.0}, 1e-15);
  EXPECT_NEAR(values(elementwise.data())[2], 0.5 * (std::exp(1.0) - 2), 1e-15);
  // Mean is the element mean, as in every loss; BatchMean the KL per sample (sum / 2 samples).
  EXPECT_NEAR(gaussian_kl_standard_normal(mu, logvar).item(), 0.7517838709020513, 1e-15);
  EXPECT_NEAR(gaussian_kl_standard_normal(mu, logvar, Reduction::BatchMean).item(),
              1.5035677418041027, 1e-15);
  EXPECT_NEAR(gaussian_kl_standard_normal(mu, logvar, Reduction::Sum).item(),
              2 * 1.5035677418041027, 1e-15);
  // KL of the prior against itself is 0.
  EXPECT_EQ(gaussian_kl_standard_normal(Variable(zeros({3, 4})), Variable(zeros({3, 4}))).item(),
            0);
}

TEST(GaussianNllLoss, MatchesPyTorchIncludingAClampedVariance) {
  // torch.nn.functional.gaussian_nll_loss (tests/nn/fixtures/torch_reference.py); var[0, 2] = 1e-8
  // is below eps = 1e-6.
  Variable input(f64({{0.5, -1, 2}, {0, 3, -0.25}}), true);
  Variable target(f64({{1, -1.5, 0}, {0.5, 2, -0.25}}));
  Variable var(f64({{0.5, 2, 1e-8}, {1.5, 0.25, 4}}), true);
  expect_all_near(gaussian_nll_loss(input, target, var, false, 1e-6, Reduction::None).data(),
                  {-0.09657359027997264, 0.40907359027997264, 1999993.092244721,
                   0.2860658873874155, 1.3068528194400546, 0.6931471805599453},
                  1e-9);
  EXPECT_NEAR(gaussian_nll_loss(input, target, var, true, 1e-6, Reduction::Sum).item(),
              2000001.2044418077, 1e-8);
  gaussian_nll_loss(input, target, var).backward();
  expect_all_near(input.grad().data(),
                  {-0.16666666666666666, 0.041666666666666664, 333333.3333333333,
                   -0.05555555555555555, 0.6666666666666666, 0.0},
                  1e-9);
  expect_all_near(var.grad().data(),
                  {0.08333333333333333, 0.03645833333333333, -333333250000.0, 0.046296296296296294,
                   -1.0, 0.020833333333333332},
                  1e-3);
}

TEST(GaussianNllLoss, RejectsNegativeVariancesAndMismatchedShapes) {
  Variable a(f64({{0.5, -1}}));
  EXPECT_MINIDL_ERROR(gaussian_nll_loss(a, a, Variable(f64({{1, -0.5}}))),
                      "gaussian_nll_loss: var has a negative entry (-0.5)");
  EXPECT_MINIDL_ERROR(gaussian_nll_loss(a, a, Variable(f64({1, 1}))),
                      "gaussian_nll_loss: input of shape [1, 2] and var of shape [2] differ");
}

TEST(GaussianKl, BetweenTwoDiagonalGaussiansMatchesPyTorch) {
  Variable mu1(f64({{0.5, -1}, {0, 2}})), logvar1(f64({{0.1, -0.3}, {1, 0}}));
  Variable mu2(f64({{1, 0}, {-0.5, 1.5}})), logvar2(f64({{0, 0.5}, {-1, 2}}));
  expect_all_near(gaussian_kl(mu1, logvar1, mu2, logvar2, Reduction::None).data(),
                  {0.1275854590378238, 0.42792981191492746, 2.5343132780227053, 0.584584552022883},
                  1e-14);  // torch.distributions
  // Summed over the latent axis: PyTorch's per-sample values.
  EXPECT_NEAR(gaussian_kl(mu1, logvar1, mu2, logvar2, Reduction::Sum).item(),
              0.5555152709527513 + 3.1188978300455883, 1e-14);
  EXPECT_NEAR(gaussian_kl(mu1, logvar1, mu2, logvar2, Reduction::BatchMean).item(),
              (0.5555152709527513 + 3.1188978300455883) / 2, 1e-14);
  // Against a standard normal it reduces to gaussian_kl_standard_normal.
  Variable zero(zeros({2, 2}, DType::Float64));
  EXPECT_NEAR(gaussian_kl(mu1, logvar1, zero, zero).item(),
              gaussian_kl_standard_normal(mu1, logvar1).item(), 1e-15);
  EXPECT_MINIDL_ERROR(gaussian_kl(mu1, logvar1, Variable(zeros({2, 3}, DType::Float64)), zero),
                      "gaussian_kl: mu1 of shape [2, 2] and mu2 of shape [2, 3] differ");
}

TEST(GaussianKl, ExtremeInputsGiveFiniteValuesAndGradients) {
  // mu = +-1000 and a vanishing variance (logvar = -1000) are representable: KL and gradients
  // are finite. (logvar = +1000 is not: the variance e^1000 itself overflows.)
  for (DType dtype : minidl::test::kFloatTypes) {
    Variable mu = leaf(tensor({{1000, -1000}}, dtype));
    Variable logvar = leaf(tensor({{-1000, 50}}, dtype));
    Variable kl = gaussian_kl_standard_normal(mu, logvar, Reduction::Sum);
    EXPECT_TRUE(std::isfinite(kl.item()));
    kl.backward();
    EXPECT_TRUE(all_finite(mu.grad().data()));
    EXPECT_TRUE(all_finite(logvar.grad().data()));
    Variable mu2 = leaf(tensor({{-1000, 1000}}, dtype));
    Variable logvar2 = leaf(tensor({{80, -20}}, dtype));
    Variable kl2 = gaussian_kl(mu, logvar, mu2, logvar2, Reduction::Sum);
    EXPECT_TRUE(std::isfinite(kl2.item()));
    kl2.backward();
    EXPECT_TRUE(all_finite(mu2.grad().data()));
    EXPECT_TRUE(all_finite(logvar2.grad().data()));
  }
}

TEST(LossModules, ForwardToTheFunctionsWithTheirOptions) {
  Variable logits(f64({{1, 2, 3}, {1, -1, 0.5}}));
  CrossEntropyLoss ce(Reduction::Sum, 0.1);
  EXPECT_DOUBLE_EQ(ce(logits, int64s({2, 0})).item(),
                   cross_entropy(logits, int64s({2, 0}), Reduction::Sum, 0.1).item());
  BCEWithLogitsLoss bce;
  Variable t(f64({{0, 1, 0}, {1, 1, 0}}));
  EXPECT_DOUBLE_EQ(bce(logits, t).item(), binary_cross_entropy_with_logits(logits, t).item());
  KLDivLoss kl(Reduction::BatchMean, true);
  EXPECT_DOUBLE_EQ(kl(logits, t).item(), kl_div(logits, t, Reduction::BatchMean, true).item());
  EXPECT_EQ(ce.name(), "CrossEntropyLoss(reduction=sum, label_smoothing=0.1)");
  EXPECT_EQ(bce.name(), "BCEWithLogitsLoss(reduction=mean)");
  EXPECT_EQ(MSELoss(Reduction::None).name(), "MSELoss(reduction=none)");
  EXPECT_EQ(kl.name(), "KLDivLoss(reduction=batchmean, log_target=true)");
}

TEST(LossModules, NllBceMseAndL1ForwardWithTheirReduction) {
  // Each module against hand (or PyTorch) values for every reduction, so a wrapper that called the
  // wrong function or ignored its reduction would fail, and against the functional form itself.
  Variable log_probs(f64({{1, 2, 3}, {1, -1, 0.5}}));
  Tensor targets = int64s({2, 0});
  EXPECT_EQ(values(NLLLoss(Reduction::None)(log_probs, targets).data()),
            (std::vector<double>{-3, -1}));
  EXPECT_EQ(NLLLoss(Reduction::Sum)(log_probs, targets).item(), -4.0);
  EXPECT_EQ(NLLLoss()(log_probs, targets).item(), -2.0);
  EXPECT_TRUE(bit_identical(NLLLoss(Reduction::Sum).forward(log_probs, targets).data(),
                            nll_loss(log_probs, targets, Reduction::Sum).data()));

  // PyTorch: F.binary_cross_entropy([0.5, 0.25, 0.9], [1, 0, 1]) = -log of 0.5, 0.75, 0.9.
  Variable p(f64({0.5, 0.25, 0.9})), t(f64({1, 0, 1}));
  expect_all_near(BCELoss(Reduction::None)(p, t).data(),
                  {0.6931471805599453, 0.2876820724517809, 0.10536051565782628}, 1e-15);
  EXPECT_NEAR(BCELoss(Reduction::Sum)(p, t).item(), 1.0861897686695525, 1e-15);
  EXPECT_NEAR(BCELoss()(p, t).item(), 0.3620632562231842, 1e-15);
  EXPECT_TRUE(bit_identical(BCELoss(Reduction::None).forward(p, t).data(),
                            binary_cross_entropy(p, t, Reduction::None).data()));

  // Differences 1, -3, 0, 2.
  Variable a(f64({{1, -2}, {0.5, 4}})), b(f64({{0, 1}, {0.5, 2}}));
  EXPECT_EQ(values(MSELoss(Reduction::None)(a, b).data()), (std::vector<double>{1, 9, 0, 4}));
  EXPECT_EQ(MSELoss(Reduction::None)(a, b).shape(), (Shape{2, 2}));
  EXPECT_EQ(MSELoss(Reduction::Sum)(a, b).item(), 14.0);
  EXPECT_EQ(MSELoss()(a, b).item(), 3.5);
  EXPECT_EQ(values(L1Loss(Reduction::None)(a, b).data()), (std::vector<double>{1, 3, 0, 2}));
  EXPECT_EQ(L1Loss(Reduction::Sum)(a, b).item(), 6.0);
  EXPECT_EQ(L1Loss()(a, b).item(), 1.5);
  EXPECT_TRUE(bit_identical(L1Loss(Reduction::Sum).forward(a, b).data(),
                            l1_loss(a, b, Reduction::Sum).data()));

  // The modules return graph-connected losses: d/da sum |a - b| = sign(a - b), 0 at the tie.
  Variable leaf_a = leaf(a.data());
  L1Loss(Reduction::Sum)(leaf_a, b).backward();
  EXPECT_EQ(values(leaf_a.grad().data()), (std::vector<double>{1, -1, 0, 1}));
  // d/da sum (a - b)^2 = 2 (a - b).
  Variable leaf_a2 = leaf(a.data());
  MSELoss(Reduction::Sum)(leaf_a2, b).backward();
  EXPECT_EQ(values(leaf_a2.grad().data()), (std::vector<double>{2, -6, 0, 4}));

  // The wrappers' own errors are the functions' errors.
  EXPECT_MINIDL_ERROR(MSELoss()(a, Variable(f64({1, 2}))),
                      "mse_loss: input of shape [2, 2] and target of shape [2] differ");
  EXPECT_MINIDL_ERROR(NLLLoss()(log_probs, int64s({0, 3})),
                      "nll_loss: target 3 is out of range for 3 classes (at index 1)");
  EXPECT_EQ(NLLLoss(Reduction::Sum).name(), "NLLLoss(reduction=sum)");
  EXPECT_EQ(BCELoss().name(), "BCELoss(reduction=mean)");
  EXPECT_EQ(L1Loss(Reduction::None).name(), "L1Loss(reduction=none)");
}

TEST(LossModules, BceWithLogitsAndKlDivPassTheirOptions) {
  Variable x(f64({{1, 2, 3}, {1, -1, 0.5}}));
  Variable t(f64({{0, 1, 0}, {1, 1, 0}}));
  // PyTorch: F.binary_cross_entropy_with_logits(x, t, reduction='none' / 'sum').
  expect_all_near(BCEWithLogitsLoss(Reduction::None)(x, t).data(),
                  {1.3132616875182228, 0.1269280110429726, 3.048587351573742, 0.31326168751822286,
                   1.3132616875182228, 0.9740769841801067},
                  1e-15);
  EXPECT_NEAR(BCEWithLogitsLoss(Reduction::Sum)(x, t).item(), 7.08937740935149, 1e-14);
  // log_target = false against the KlDiv test's case: sum = 2 x its batchmean (PyTorch).
  Variable input(log(f64({{0.2, 0.3, 0.5}, {0.6, 0.3, 0.1}})));
  Variable target(f64({{0, 0.5, 0.5}, {0.7, 0.2, 0.1}}));
  EXPECT_NEAR(KLDivLoss(Reduction::Sum)(input, target).item(), 0.28222526614044335, 1e-15);
  EXPECT_NEAR(KLDivLoss(Reduction::BatchMean)(input, target).item(), 0.14111263307022168, 1e-15);
  // The one-input forward a Sequential would call is an error: a loss needs its targets.
  EXPECT_MINIDL_ERROR_CONTAINS(MSELoss()(x), "MSELoss", ": forward(Variable) not implemented");
}
