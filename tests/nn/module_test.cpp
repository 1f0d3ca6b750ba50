// Module's registries and recursive views, Sequential, Linear (PyTorch's init and forward), and
// module printing.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::values;

namespace {

// A user-defined module in the style the examples use: a submodule, an own parameter and buffer.
class TwoLayer : public Module {
 public:
  TwoLayer() {
    scale = register_parameter("scale", ones({1}));
    count = register_buffer("count", zeros({}, DType::Int64));
    encoder = register_module(
        "encoder", make<Sequential>(make<Linear>(4, 3), make<ReLU>(), make<Linear>(3, 2)));
    norm = register_module("norm", make<BatchNorm1d>(2));
  }
  Variable forward(const Variable& x) override { return (*norm)((*encoder)(x)) * scale; }

  Variable scale;
  Tensor count;
  std::shared_ptr<Sequential> encoder;
  std::shared_ptr<BatchNorm1d> norm;
};

std::vector<std::string> names_of(const auto& named) {
  std::vector<std::string> names;
  for (const auto& entry : named) names.push_back(entry.first);
  return names;
}

}  // namespace

TEST(Module, NamedParametersAreDottedAndInRegistrationOrder) {
  TwoLayer model;
  EXPECT_EQ(
      names_of(model.named_parameters()),
      (std::vector<std::string>{"scale", "encoder.0.weight", "encoder.0.bias", "encoder.2.weight",
                                "encoder.2.bias", "norm.weight", "norm.bias"}));
  EXPECT_EQ(names_of(model.named_parameters(/*recurse=*/false)),
            (std::vector<std::string>{"scale"}));
  EXPECT_EQ(names_of(model.named_buffers()),
            (std::vector<std::string>{"count", "norm.running_mean", "norm.running_var",
                                      "norm.num_batches_tracked"}));
  EXPECT_EQ(names_of(model.named_modules()),
            (std::vector<std::string>{"encoder", "encoder.0", "encoder.1", "encoder.2", "norm"}));
  // parameters() hands out the very Variables the layers use, not copies.
  std::vector<Variable> params = model.parameters();
  ASSERT_EQ(params.size(), 7u);
  EXPECT_TRUE(params[0].same_as(model.scale));
  auto first = std::dynamic_pointer_cast<Linear>((*model.encoder)[0]);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(params[1].same_as(first->weight));
  EXPECT_TRUE(params[2].same_as(first->bias));
  // 1 + (4*3 + 3) + (3*2 + 2) + (2 + 2)
  EXPECT_EQ(model.parameter_count(), 1 + 15 + 8 + 4);
}

TEST(Module, TrainAndEvalPropagateToEverySubmodule) {
  TwoLayer model;
  EXPECT_TRUE(model.is_training());
  model.eval();
  EXPECT_FALSE(model.is_training());
  EXPECT_FALSE(model.norm->is_training());
  EXPECT_FALSE((*model.encoder)[2]->is_training());
  model.train();
  EXPECT_TRUE(model.norm->is_training());
  EXPECT_TRUE((*model.encoder)[1]->is_training());
}

TEST(Module, ZeroGradForgetsEveryGradient) {
  TwoLayer model;
  Variable x(normal({5, 4}));
  sum(model(x)).backward();
  for (const Variable& p : model.parameters()) EXPECT_TRUE(p.grad().defined());
  model.zero_grad();
  for (const Variable& p : model.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, RegistrationChecksNames) {
  struct Bad : Module {
    void add(const std::string& name) { register_parameter(name, zeros({1})); }
    void add_buffer(const std::string& name) { register_buffer(name, zeros({1})); }
  } bad;
  bad.add("w");
  EXPECT_MINIDL_ERROR(bad.add("w"), "Bad: register_parameter: name 'w' is already registered");
  EXPECT_MINIDL_ERROR(bad.add_buffer("w"), "Bad: register_buffer: name 'w' is already registered");
  EXPECT_MINIDL_ERROR(bad.add("a.b"),
                      "Bad: register_parameter: name 'a.b' contains '.', which separates the "
                      "levels of dotted names");
  EXPECT_MINIDL_ERROR(bad.add(""), "Bad: register_parameter: empty name");
}

TEST(Module, DefaultForwardSaysItIsNotImplemented) {
  struct NoForward : Module {};
  NoForward m;
  EXPECT_MINIDL_ERROR(m(Variable(zeros({1}))), "NoForward: forward(Variable) not implemented");
}

TEST(Module, PrintsTheTreeAndTheParameterCount) {
  TwoLayer model;
  std::ostringstream os;
  os << model;
  EXPECT_EQ(os.str(),
            "TwoLayer(\n"
            "  (encoder): Sequential(\n"
            "    (0): Linear(4 -> 3)\n"
            "    (1): ReLU()\n"
            "    (2): Linear(3 -> 2)\n"
            "  )\n"
            "  (norm): BatchNorm1d(2, eps=1e-05, momentum=0.1)\n"
            ")\n"
            "parameters: 28\n");
  std::ostringstream big;
  big << Linear(784, 400);
  EXPECT_EQ(big.str(), "Linear(784 -> 400)\nparameters: 314,000\n");
}

TEST(Module, ToCastsParametersAndFloatBuffersEverywhereBelow) {
  TwoLayer model;
  const std::vector<Variable> parameters = model.parameters();
  const std::vector<double> first_weight = values(model.encoder->parameters()[0].data());
  model.norm->running_mean.fill_(0.25);
  EXPECT_EQ(&model.to(DType::Float64), &model);
  for (const auto& [name, p] : model.named_parameters()) {
    EXPECT_EQ(p.dtype(), DType::Float64) << name;
  }
  for (const auto& [name, b] : model.named_buffers()) {
    const bool integer = name == "count" || name == "norm.num_batches_tracked";
    EXPECT_EQ(b.dtype(), integer ? DType::Int64 : DType::Float64) << name;
  }
  // Parameters keep their identity, values are kept exactly, and the layer's own handle on its
  // buffer follows the cast.
  ASSERT_EQ(model.parameters().size(), parameters.size());
  EXPECT_EQ(parameters[1].dtype(), DType::Float64);
  EXPECT_EQ(values(model.encoder->parameters()[0].data()), first_weight);
  EXPECT_EQ(model.norm->running_mean.dtype(), DType::Float64);
  EXPECT_EQ(values(model.norm->running_mean), (std::vector<double>{0.25, 0.25}));
  model.to(DType::Float32);
  EXPECT_EQ(model.scale.dtype(), DType::Float32);
  EXPECT_EQ(model.norm->running_var.dtype(), DType::Float32);
  EXPECT_MINIDL_ERROR(model.to(DType::Int64),
                      "TwoLayer: to: parameters and buffers can be cast to float32 or float64, "
                      "not int64");
}

TEST(Module, AModuleCastToFloat64PassesGradcheck) {
  // A whole network, batch norm in training mode included, checked against central differences
  // through its input and every parameter once it is in float64.
  Generator gen(5);
  TwoLayer model;
  model.to(DType::Float64);
  Variable x(uniform({5, 4}, -1.0, 1.0, DType::Float64, gen), true);
  std::vector<Variable> inputs = {x};
  for (const Variable& p : model.parameters()) inputs.push_back(p);
  const GradcheckResult result =
      gradcheck([&](const std::vector<Variable>&) { return model(x); }, inputs);
  EXPECT_TRUE(result) << result.message;
}

TEST(Module, ToKeepsFlatParametersFlat) {
  Sequential model(make<Linear>(3, 2), make<Linear>(2, 1));
  model.flatten_parameters();
  model.to(DType::Float64);
  EXPECT_TRUE(model.parameters_are_flat());
  EXPECT_EQ(model.flat_parameters().dtype(), DType::Float64);
}

TEST(Sequential, ChainsItsModulesAndNamesThemByPosition) {
  Generator gen(3);
  auto first = make<Linear>(3, 4, true, gen);
  auto second = make<Linear>(4, 2, false, gen);
  Sequential net{first, make<Tanh>(), second};
  EXPECT_EQ(net.size(), 3u);
  EXPECT_EQ(names_of(net.named_parameters()),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight"}));
  Variable x(normal({5, 3}, 0, 1, DType::Float32, gen));
  Variable expected = linear(tanh(linear(x, first->weight, first->bias)), second->weight);
  EXPECT_TRUE(minidl::test::bit_identical(net(x).data(), expected.data()));
  net.push_back(make<Sigmoid>());
  EXPECT_EQ(net[3]->name(), "Sigmoid()");
  EXPECT_MINIDL_ERROR(net[4], "Sequential: index 4 is out of range for 4 modules");
}

TEST(Linear, InitialisesAsPyTorchFromTheGivenGenerator) {
  // weight ~ U(-1/sqrt(in), 1/sqrt(in)) first, then bias from the same bound, in that order.
  Generator gen(11);
  Linear layer(3, 2, true, gen);
  Generator replay(11);
  const double bound = 1.0 / std::sqrt(3.0);
  EXPECT_TRUE(minidl::test::bit_identical(layer.weight.data(),
                                          uniform({2, 3}, -bound, bound, DType::Float32, replay)));
  EXPECT_TRUE(minidl::test::bit_identical(layer.bias.data(),
                                          uniform({2}, -bound, bound, DType::Float32, replay)));
  EXPECT_TRUE(layer.weight.requires_grad());
  EXPECT_EQ(layer.weight.shape(), (Shape{2, 3}));
}

TEST(Linear, WeightsFillTheKaimingUniformRange) {
  Generator gen(1);
  Linear layer(400, 300, true, gen);
  const double bound = 1.0 / std::sqrt(400.0);
  std::vector<double> w = values(layer.weight.data());
  double lo = 1, hi = -1, sum_sq = 0;
  for (double v : w) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum_sq += v * v;
  }
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_LT(lo, -0.99 * bound);  // the whole range is used
  EXPECT_GT(hi, 0.99 * bound);
  // U(-b, b) has variance b^2 / 3; 120,000 draws estimate it to well within 2%.
  EXPECT_NEAR(sum_sq / double(w.size()), bound * bound / 3.0, 0.02 * bound * bound / 3.0);
}

TEST(Linear, ForwardIsInputTimesWeightTransposedPlusBias) {
  Linear layer(2, 3);
  Tensor w = layer.weight.data(), b = layer.bias.data();
  w.copy_(tensor({{1, 2}, {3, 4}, {5, 6}}));
  b.copy_(tensor({0.5, -0.5, 1}));
  Variable y = layer(Variable(tensor({{1, -1}, {2, 0.5}})));
  // [1, -1] -> [1-2, 3-4, 5-6] + b = [-0.5, -1.5, 0];  [2, 0.5] -> [3, 8, 13] + b = [3.5, 7.5, 14]
  EXPECT_EQ(values(y.data()), (std::vector<double>{-0.5, -1.5, 0, 3.5, 7.5, 14}));
  // Leading axes are kept: [2, 2, 2] -> [2, 2, 3].
  EXPECT_EQ(layer(Variable(zeros({2, 2, 2}))).shape(), (Shape{2, 2, 3}));
  EXPECT_MINIDL_ERROR_CONTAINS(layer(Variable(zeros({4, 3}))), "linear: input of shape [4, 3]",
                               "in_features = 2");
}

TEST(Linear, WithoutBiasHasOneParameterAndSaysSo) {
  Linear layer(2, 3, /*bias=*/false);
  EXPECT_FALSE(layer.bias.defined());
  EXPECT_EQ(layer.parameters().size(), 1u);
  EXPECT_EQ(layer.name(), "Linear(2 -> 3, bias=false)");
  EXPECT_MINIDL_ERROR(Linear(0, 3), "Linear: features must be positive, got 0 -> 3");
}
