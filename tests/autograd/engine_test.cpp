// Behaviour of the backward engine: accumulation, shared sub-expressions, grad(), create_graph,
// graph release, long chains, grad mode, anomaly mode, and freeing of graphs.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/autograd.h"

using namespace minidl;

namespace {

Variable leaf(std::initializer_list<double> values) {
  return Variable(tensor(values, DType::Float64), true);
}

std::vector<double> values(const Variable& v) { return v.data().to_vector<double>(); }

template <typename Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Engine, ScalarBackwardGivesHandComputedGradients) {
  // f = sum(x * y + x), df/dx = y + 1, df/dy = x
  Variable x = leaf({1, 2, 3}), y = leaf({4, 5, 6});
  sum(x * y + x).backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{5, 6, 7}));
  EXPECT_EQ(values(y.grad()), (std::vector<double>{1, 2, 3}));
}

TEST(Engine, GradientsAccumulateAcrossBackwardCalls) {
  Variable x = leaf({1, 2});
  sum(x * 3.0).backward();
  sum(x * x).backward();  // adds 2x
  EXPECT_EQ(values(x.grad()), (std::vector<double>{3 + 2, 3 + 4}));
  x.reset_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, DiamondSumsBothPaths) {
  // y = exp(x); f = sum(y * y + y): df/dx = (2y + 1) y
  Variable x = leaf({0.0, 1.0});
  Variable y = exp(x);
  sum(y * y + y).backward();
  for (int i = 0; i < 2; ++i) {
    double e = std::exp(double(i));
    EXPECT_NEAR(values(x.grad())[i], (2 * e + 1) * e, 1e-12);
  }
}

// The engine sums gradients in place when no one else can see the sum; these cases would go wrong
// if it did so where the sum is shared.
TEST(Engine, InPlaceAccumulationNeverWritesIntoASharedGradient) {
  // add's backward hands the same gradient to both inputs, so a's and b's pending gradients start
  // out as one Variable; a then receives a second gradient. f = sum((2x + 3x) + 2x), df/dx = 7.
  Variable x = leaf({1, 2, 3});
  Variable a = x * 2.0, b = x * 3.0;
  sum((a + b) + a).backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{7, 7, 7}));

  // Nobody holds x.grad(): the next backward sums into its storage rather than a new tensor.
  const void* storage_before = x.grad().data().raw_data();
  sum(x * 0.0).backward();
  EXPECT_EQ(x.grad().data().raw_data(), storage_before);
  EXPECT_EQ(values(x.grad()), (std::vector<double>{7, 7, 7}));

  // A gradient the caller holds keeps its values when a later backward accumulates.
  Variable held = x.grad();
  sum(x * x).backward();  // adds 2x
  EXPECT_EQ(values(held), (std::vector<double>{7, 7, 7}));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{9, 11, 13}));

  // A parameter used twice in one graph (a critic on real, then on fake inputs) gets the sum,
  // and an earlier grad() result is not touched by a later one.
  Variable w = leaf({0.5, -1.0});
  Variable real(tensor({1.0, 2.0}, DType::Float64)), fake(tensor({3.0, 5.0}, DType::Float64));
  std::vector<Variable> first = grad({sum(w * real) + sum(w * fake)}, {w});
  std::vector<Variable> second = grad({sum(w * real) + sum(w * real)}, {w});
  EXPECT_EQ(values(first[0]), (std::vector<double>{4, 7}));
  EXPECT_EQ(values(second[0]), (std::vector<double>{2, 4}));
}

TEST(Engine, BroadcastInputGetsGradientOfItsOwnShape) {
  Variable bias = leaf({1, 2, 3});
  Variable matrix(ones({4, 3}, DType::Float64), true);
  sum(matrix * bias).backward();
  EXPECT_EQ(bias.grad().shape(), (Shape{3}));
  EXPECT_EQ(values(bias.grad()), (std::vector<double>{4, 4, 4}));
}

TEST(Engine, ExplicitOutputGradient) {
  Variable x = leaf({1, 2});
  Variable y = x * x;
  y.backward(Variable(tensor({10, 100}, DType::Float64)));
  EXPECT_EQ(values(x.grad()), (std::vector<double>{20, 400}));
}

TEST(Engine, NonScalarWithoutGradientIsAnError) {
  Variable x = leaf({1, 2});
  EXPECT_EQ(error_of([&] { (x * 2.0).backward(); }),
            "backward: output of shape [2] is not a scalar; pass a gradient of that shape");
}

TEST(Engine, BackwardThroughFreedGraphIsAClearError) {
  Variable x = leaf({1, 2});
  Variable loss = sum(exp(x));
  loss.backward();
  std::string message = error_of([&] { loss.backward(); });
  EXPECT_NE(message.find("already freed"), std::string::npos) << message;
  EXPECT_NE(message.find("retain_graph"), std::string::npos) << message;
}

TEST(Engine, RetainGraphAllowsASecondBackward) {
  Variable x = leaf({1, 2});
  Variable loss = sum(exp(x));
  loss.backward({}, /*retain_graph=*/true);
  loss.backward();
  EXPECT_NEAR(values(x.grad())[1], 2 * std::exp(2.0), 1e-12);
}

TEST(Engine, GradDoesNotTouchLeafGrads) {
  Variable x = leaf({1, 2}), y = leaf({3, 4});
  std::vector<Variable> g = grad({sum(x * y)}, {x});
  EXPECT_EQ(values(g[0]), (std::vector<double>{3, 4}));
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(y.grad().defined());
}

TEST(Engine, GradWithRespectToAnIntermediate) {
  Variable x = leaf({1, 2});
  Variable h = x * 3.0;
  Variable out = sum(h * h);
  std::vector<Variable> g = grad({out}, {h});
  EXPECT_EQ(values(g[0]), (std::vector<double>{6, 12}));  // 2h
}

TEST(Engine, GradOfUnusedInput) {
  Variable x = leaf({1}), unused = leaf({2});
  std::string message = error_of([&] { grad({x * 2.0}, {unused}); });
  EXPECT_NE(message.find("input 0 is not used"), std::string::npos) << message;
  GradOptions options;
  options.allow_unused = true;
  EXPECT_FALSE(grad({x * 2.0}, {unused}, {}, options)[0].defined());
}

TEST(Engine, CreateGraphGivesDifferentiableGradients) {
  // f = x^3: f' = 3x^2, f'' = 6x
  Variable x = leaf({2.0});
  GradOptions options;
  options.create_graph = true;
  Variable first = grad({x * x * x}, {x}, {}, options)[0];
  EXPECT_DOUBLE_EQ(first.item(), 12.0);
  ASSERT_TRUE(first.requires_grad());
  first.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 12.0);
}

// WGAN-GP's gradient penalty: the norm of dD/dx, penalised, backpropagated into D's parameters.
// Checked against central differences of the whole penalty as a function of the parameters.
TEST(Engine, GradientPenaltyMatchesNumericalDerivative) {
  Generator gen(7);
  Variable x(normal({4, 3}, 0, 1, DType::Float64, gen), true);
  Variable w1(normal({5, 3}, 0, 0.5, DType::Float64, gen), true);
  Variable b1(normal({5}, 0, 0.5, DType::Float64, gen), true);
  Variable w2(normal({1, 5}, 0, 0.5, DType::Float64, gen), true);
  auto penalty = [&x](const std::vector<Variable>& p) {
    Variable critic = sum(linear(tanh(linear(x, p[0], p[1])), p[2]));
    GradOptions options;
    options.create_graph = true;
    Variable dx = grad({critic}, {x}, {}, options)[0];
    Variable norm = sqrt(sum(dx * dx, {1}) + 1e-12);
    return mean(square(norm - 1.0)) * 10.0;
  };
  GradcheckResult result = gradcheck(penalty, {w1, b1, w2});
  EXPECT_TRUE(result.passed) << result.message;
  // And through backward(): the penalty's gradients land in the parameters' grad().
  penalty({w1, b1, w2}).backward();
  EXPECT_TRUE(w1.grad().defined() && b1.grad().defined() && w2.grad().defined());
}

TEST(Engine, NoGradGuardBuildsNothing) {
  Variable x = leaf({1, 2});
  Variable y;
  {
    NoGradGuard guard;
    y = exp(x) * 2.0;
  }
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_TRUE(GradMode::is_enabled());
  EXPECT_TRUE(exp(x).requires_grad());
}

TEST(Engine, DetachCutsHistory) {
  Variable x = leaf({3});
  Variable y = (x * x).detach();
  EXPECT_FALSE(y.requires_grad());
  Variable z = x * y;  // y is a constant 9
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 9.0);
}

TEST(Engine, HundredThousandOpChainBackpropagatesWithoutRecursion) {
  Variable x(scalar(1.0, DType::Float64), true);
  Variable y = x;
  for (int i = 0; i < 100000; ++i) y = y * 1.0;
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 1.0);
}

// Freeing a graph must not recurse either: a retained graph, one dropped without a backward pass,
// and one in which every op uses its input twice (y + y holds two handles to the same Variable).
TEST(Engine, HundredThousandOpGraphsAreFreedWithoutRecursion) {
  Variable x(scalar(1.0, DType::Float64), true);
  std::weak_ptr<Node> first;
  {
    Variable y = x * 1.0;
    first = y.grad_fn();
    for (int i = 0; i < 100000; ++i) y = y * 1.0;
  }
  EXPECT_TRUE(first.expired());
  {
    Variable y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0;
    y.backward({}, /*retain_graph=*/true);
    y.backward();
    EXPECT_DOUBLE_EQ(x.grad().item(), 2.0);
  }
  {
    Variable y = x * 1.0;
    first = y.grad_fn();
    for (int i = 0; i < 50000; ++i) y = (y + y) * 0.5;
    GradOptions options;
    options.create_graph = true;  // the gradient's own 100,000-op graph is freed too
    EXPECT_DOUBLE_EQ(grad({y}, {x}, {}, options)[0].item(), 1.0);
  }
  EXPECT_TRUE(first.expired());
}

TEST(Engine, GraphsAreFreedAfterUse) {
  std::weak_ptr<Node> node;
  Variable x = leaf({1, 2});
  {
    Variable loss = sum(tanh(x) * x);
    node = loss.grad_fn();
    loss.backward();
  }
  EXPECT_TRUE(node.expired()) << "the graph outlived its loss: a reference cycle";
  {
    GradOptions options;
    options.create_graph = true;
    Variable g = grad({sum(tanh(x) * tanh(x))}, {x}, {}, options)[0];
    node = g.grad_fn();
    sum(g).backward();
  }
  EXPECT_TRUE(node.expired()) << "a double-backward graph outlived its use";
}

TEST(Engine, AnomalyModeNamesTheForwardOp) {
  DetectAnomalyGuard anomaly;
  Variable x = leaf({0.0, 1.0});
  std::string message = error_of([&] { log(x); });
  EXPECT_NE(message.find("anomaly: the forward value of 'log'"), std::string::npos) << message;
}

TEST(Engine, AnomalyModeNamesTheOpWhoseGradientBroke) {
  Variable x = leaf({0.0, 1.0});
  Variable y = sqrt(x);  // finite forward; backward divides by 2 sqrt(0)
  DetectAnomalyGuard anomaly;
  std::string message = error_of([&] { sum(y).backward(); });
  EXPECT_NE(message.find("backward of 'sqrt'"), std::string::npos) << message;
}

TEST(Engine, AnomalyModeIsOffByDefault) {
  EXPECT_FALSE(AnomalyMode::is_enabled());
  Variable x = leaf({0.0});
  EXPECT_TRUE(std::isinf(log(x).item()));
}

TEST(Engine, ExtremeInputsGiveFiniteValuesAndGradients) {
  std::vector<std::pair<const char*, std::function<Variable(const Variable&)>>> ops = {
      {"sigmoid", [](const Variable& v) { return sigmoid(v); }},
      {"tanh", [](const Variable& v) { return tanh(v); }},
      {"softplus", [](const Variable& v) { return softplus(v); }},
      {"relu", [](const Variable& v) { return relu(v); }},
      {"leaky_relu", [](const Variable& v) { return leaky_relu(v, 0.2); }},
      {"elu", [](const Variable& v) { return elu(v); }},
      {"gelu", [](const Variable& v) { return gelu(v); }},
      {"gelu_tanh", [](const Variable& v) { return gelu(v, true); }},
      {"erf", [](const Variable& v) { return erf(v); }},
      {"abs", [](const Variable& v) { return abs(v); }},
      {"clamp", [](const Variable& v) { return clamp(v, -1, 1); }},
      {"log_softmax", [](const Variable& v) { return log_softmax(v, 0); }},
      {"softmax", [](const Variable& v) { return softmax(v, 0); }},
      {"logsumexp", [](const Variable& v) { return logsumexp(v); }},
  };
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (const auto& [name, op] : ops) {
      Variable x(tensor({-1000.0, -20.0, 0.5, 20.0, 1000.0}, dtype), true);
      Variable y = op(x);
      for (double v : y.data().to_vector<double>()) EXPECT_TRUE(std::isfinite(v)) << name;
      sum(y * 0.5).backward();
      for (double g : x.grad().data().to_vector<double>()) {
        EXPECT_TRUE(std::isfinite(g)) << name << " gradient, " << dtype;
      }
    }
  }
}
