// Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, Upsample and BatchNorm2d against PyTorch 1.13's
// float64 values (tests/nn/fixtures/conv_reference.safetensors, written by make_conv_fixture.py):
// the output, and the gradients of sum(out * grad_out) for the input and every parameter. Also the
// layers' default initialisation, parameter names, and one-line shape errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::values;

namespace {

const std::map<std::string, Tensor>& reference() {
  static const std::map<std::string, Tensor> tensors = [] {
    std::map<std::string, Tensor> out;
    for (auto& [name, value] :
         load_safetensors(MINIDL_SOURCE_DIR "/tests/nn/fixtures/conv_reference.safetensors")
             .tensors) {
      out.emplace(name, value);
    }
    return out;
  }();
  return tensors;
}

Tensor fixture(const std::string& name) {
  auto it = reference().find(name);
  if (it == reference().end()) throw std::runtime_error("fixture has no tensor " + name);
  return it->second;
}

bool has_fixture(const std::string& name) { return reference().count(name) > 0; }

void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what,
                  double tolerance = 1e-12) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  std::vector<double> a = values(actual), e = values(expected);
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], e[i], tolerance * (1 + std::abs(e[i]))) << what << " at index " << i;
  }
}

struct LayerCase {
  std::string name;
  std::function<std::shared_ptr<Module>()> make;
};

// Loads the case's parameters into the layer (as float64), runs it on the case's input and checks
// the output and every gradient against PyTorch's.
void check_against_pytorch(const LayerCase& c) {
  std::shared_ptr<Module> layer = c.make();
  for (auto& [name, parameter] : layer->named_parameters()) {
    parameter.set_data(fixture(c.name + "." + name).clone());
  }
  Variable x(fixture(c.name + ".x").clone(), true);
  Variable out = (*layer)(x);
  expect_close(out.data(), fixture(c.name + ".out"), c.name + " output");
  sum(out * Variable(fixture(c.name + ".grad_out"))).backward();
  expect_close(x.grad().data(), fixture(c.name + ".grad_x"), c.name + " input gradient");
  for (auto& [name, parameter] : layer->named_parameters()) {
    expect_close(parameter.grad().data(), fixture(c.name + ".grad_" + name),
                 c.name + " gradient of " + name);
  }
  // Every parameter of the PyTorch layer is one of ours, by name.
  for (const char* name : {"weight", "bias"}) {
    bool ours = false;
    for (auto& [own, parameter] : layer->named_parameters()) ours |= own == name;
    EXPECT_EQ(ours, has_fixture(c.name + "." + name)) << c.name << " " << name;
  }
}

template <typename M, typename... Args>
std::function<std::shared_ptr<Module>()> layer(Args... args) {
  return [=] { return std::make_shared<M>(args...); };
}

std::vector<LayerCase> layer_cases() {
  Conv2dOptions stride2_padding1{{2, 2}, {1, 1}};
  Conv2dOptions dilation{{1, 2}, {1, 2}, {2, 3}};
  Conv2dOptions groups{{1, 1}, {1, 1}, {1, 1}, 2};
  Conv2dOptions no_bias;
  no_bias.bias = false;
  ConvTranspose2dOptions t_stride2_padding1{{2, 2}, {1, 1}};
  ConvTranspose2dOptions t_output_padding{{2, 2}, {1, 1}, {1, 1}};
  ConvTranspose2dOptions t_groups_dilation{{1, 2}, {0, 0}, {0, 1}, {2, 1}, 2, false};
  return {
      {"conv_basic", layer<Conv2d>(3, 4, Size2{3, 3}, Conv2dOptions{})},
      {"conv_stride2_padding1", layer<Conv2d>(1, 3, Size2{4, 4}, stride2_padding1)},
      {"conv_dilation", layer<Conv2d>(2, 2, Size2{3, 2}, dilation)},
      {"conv_groups", layer<Conv2d>(4, 6, Size2{3, 3}, groups)},
      {"conv_no_bias", layer<Conv2d>(2, 2, Size2{2, 2}, no_bias)},
      {"convt_basic", layer<ConvTranspose2d>(3, 2, Size2{3, 3}, ConvTranspose2dOptions{})},
      {"convt_stride2_padding1", layer<ConvTranspose2d>(4, 2, Size2{4, 4}, t_stride2_padding1)},
      {"convt_output_padding", layer<ConvTranspose2d>(2, 3, Size2{3, 3}, t_output_padding)},
      {"convt_groups_dilation", layer<ConvTranspose2d>(4, 6, Size2{3, 2}, t_groups_dilation)},
      {"max_pool_ties", layer<MaxPool2d>(Size2{3, 3}, Size2{2, 2}, Size2{1, 1})},
      {"max_pool_dilation", layer<MaxPool2d>(Size2{2, 2}, Size2{1, 2}, Size2{0, 1}, Size2{2, 1})},
      {"avg_pool_include_pad", layer<AvgPool2d>(Size2{3, 3}, Size2{2, 2}, Size2{1, 1})},
      {"avg_pool_exclude_pad", layer<AvgPool2d>(Size2{3, 2}, Size2{2, 1}, Size2{1, 1}, false)},
      {"avg_pool_default_stride", layer<AvgPool2d>(Size2{2, 2})},
      {"upsample_scale2", layer<Upsample>(2.0)},
      {"upsample_size", layer<Upsample>(Size2{5, 7})},
      {"upsample_scale1_5", layer<Upsample>(1.5, 2.5)},
  };
}

std::string case_name(const ::testing::TestParamInfo<LayerCase>& info) { return info.param.name; }

}  // namespace

namespace {
void PrintTo(const LayerCase& c, std::ostream* os) { *os << c.name; }
}  // namespace

class LayerMatchesPyTorch : public ::testing::TestWithParam<LayerCase> {};

TEST_P(LayerMatchesPyTorch, OutputAndGradients) { check_against_pytorch(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Conv, LayerMatchesPyTorch, ::testing::ValuesIn(layer_cases()), case_name);

TEST(BatchNorm2d, TrainsAndEvaluatesAsPyTorch) {
  BatchNorm2d bn(3);
  bn.weight.set_data(fixture("batch_norm.weight").clone());
  bn.bias.set_data(fixture("batch_norm.bias").clone());
  for (const std::string step : {"step1", "step2"}) {
    const std::string p = "batch_norm." + step + ".";
    bn.zero_grad();
    Variable x(fixture(p + "x").clone(), true);
    Variable out = bn(x);
    expect_close(out.data(), fixture(p + "out"), p + "out");
    sum(out * Variable(fixture(p + "grad_out"))).backward();
    expect_close(x.grad().data(), fixture(p + "grad_x"), p + "grad_x", 1e-11);
    expect_close(bn.weight.grad().data(), fixture(p + "grad_weight"), p + "grad_weight");
    expect_close(bn.bias.grad().data(), fixture(p + "grad_bias"), p + "grad_bias");
    // The running statistics are float32 buffers, as in a float32 PyTorch model.
    expect_close(bn.running_mean, fixture(p + "running_mean"), p + "running_mean", 1e-6);
    expect_close(bn.running_var, fixture(p + "running_var"), p + "running_var", 1e-6);
  }
  EXPECT_EQ(bn.num_batches_tracked.to_vector<int64_t>(), (std::vector<int64_t>{2}));
  bn.eval();
  bn.zero_grad();
  Variable x(fixture("batch_norm.eval.x").clone(), true);
  Variable out = bn(x);
  expect_close(out.data(), fixture("batch_norm.eval.out"), "eval out", 1e-6);
  sum(out * Variable(fixture("batch_norm.eval.grad_out"))).backward();
  expect_close(x.grad().data(), fixture("batch_norm.eval.grad_x"), "eval grad_x", 1e-6);
}

TEST(Conv2d, InitialisesAsPyTorch) {
  // kaiming_uniform_(a = sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in =
  // in / groups * KH * KW = 4 / 2 * 3 * 3 = 18; the bias uses the same bound.
  Generator gen(1);
  Conv2dOptions options;
  options.groups = 2;
  Conv2d conv(4, 64, {3, 3}, options, gen);
  EXPECT_EQ(conv.weight.shape(), (Shape{64, 2, 3, 3}));
  EXPECT_EQ(conv.bias.shape(), (Shape{64}));
  const double bound = 1 / std::sqrt(18.0);
  std::vector<double> w = values(conv.weight.data()), b = values(conv.bias.data());
  double w_max = 0, b_max = 0;
  for (double v : w) w_max = std::max(w_max, std::abs(v));
  for (double v : b) b_max = std::max(b_max, std::abs(v));
  EXPECT_LE(w_max, bound);
  EXPECT_GT(w_max, 0.98 * bound);  // 1152 draws: the largest is within 2% of the bound
  EXPECT_LE(b_max, bound);
  EXPECT_GT(b_max, 0.7 * bound);
  auto named = conv.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");
  EXPECT_EQ(named[1].first, "bias");
  EXPECT_EQ(conv.name(),
            "Conv2d(4, 64, kernel_size=[3, 3], stride=[1, 1], padding=[0, 0], groups=2)");
}

TEST(ConvTranspose2d, InitialisesWithFansFromItsSecondDimension) {
  // weight [in, out / groups, KH, KW] = [64, 8, 4, 4]: PyTorch's fan_in is 8 * 16 = 128.
  Generator gen(2);
  ConvTranspose2d deconv(64, 8, {4, 4}, ConvTranspose2dOptions{{2, 2}, {1, 1}}, gen);
  EXPECT_EQ(deconv.weight.shape(), (Shape{64, 8, 4, 4}));
  EXPECT_EQ(deconv.bias.shape(), (Shape{8}));
  const double bound = 1 / std::sqrt(128.0);
  double w_max = 0;
  for (double v : values(deconv.weight.data())) w_max = std::max(w_max, std::abs(v));
  EXPECT_LE(w_max, bound);
  EXPECT_GT(w_max, 0.98 * bound);
  for (double v : values(deconv.bias.data())) EXPECT_LE(std::abs(v), bound);
}

TEST(BatchNorm2d, HasPyTorchsParameterAndBufferNames) {
  BatchNorm2d bn(5);
  auto parameters = bn.named_parameters();
  auto buffers = bn.named_buffers();
  ASSERT_EQ(parameters.size(), 2u);
  EXPECT_EQ(parameters[0].first, "weight");
  EXPECT_EQ(parameters[1].first, "bias");
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_EQ(buffers[0].first, "running_mean");
  EXPECT_EQ(buffers[1].first, "running_var");
  EXPECT_EQ(buffers[2].first, "num_batches_tracked");
}

TEST(FlattenAndUnflatten, AreInverseReshapes) {
  Variable x(arange(0, 24, 1, DType::Float64).reshape({2, 3, 2, 2}), true);
  Flatten flatten_layer;
  Unflatten unflatten_layer(1, {3, -1});
  Variable flat = flatten_layer(x);
  EXPECT_EQ(flat.shape(), (Shape{2, 12}));
  Variable back = unflatten_layer(flat);
  EXPECT_EQ(back.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(values(back.data()), values(x.data()));
  EXPECT_EQ(unflatten_layer.name(), "Unflatten(axis=1, sizes=[3, -1])");
}

TEST(ConvLayers, ShapeErrorsNameTheOpAndShapes) {
  Variable x(zeros({64, 3, 28, 28}));
  Variable w(zeros({32, 1, 3, 3}));
  EXPECT_MINIDL_ERROR_CONTAINS(conv2d(x, w), "conv2d: input [64, 3, 28, 28] has 3 channels",
                               "weight [32, 1, 3, 3] expects 1");
  EXPECT_MINIDL_ERROR_CONTAINS(conv2d(Variable(zeros({3, 28, 28})), w),
                               "conv2d: input must be [N, C, H, W]", "[3, 28, 28]");
  EXPECT_MINIDL_ERROR_CONTAINS(conv2d(Variable(zeros({1, 1, 2, 2})), w),
                               "conv2d: kernel [32, 1, 3, 3]", "does not fit input [1, 1, 2, 2]");
  EXPECT_MINIDL_ERROR_CONTAINS(conv2d(Variable(zeros({1, 1, 5, 5})), w, Variable(zeros({3}))),
                               "conv2d: bias [3]", "32 output channels");
  EXPECT_MINIDL_ERROR_CONTAINS(conv_transpose2d(x, Variable(zeros({4, 2, 3, 3}))),
                               "conv_transpose2d: input [64, 3, 28, 28] has 3 channels",
                               "weight [4, 2, 3, 3] expects 4");
  EXPECT_MINIDL_ERROR_CONTAINS(
      conv_transpose2d(Variable(zeros({1, 4, 3, 3})), Variable(zeros({4, 2, 3, 3})), {}, {2, 2},
                       {0, 0}, {2, 0}),
      "conv_transpose2d: output_padding 2x0", "smaller than the stride 2x2");
  EXPECT_MINIDL_ERROR_CONTAINS(max_pool2d(x, {2, 2}, {2, 2}, {2, 2}), "max_pool2d: padding 2x2",
                               "half the kernel 2x2");
  EXPECT_MINIDL_ERROR_CONTAINS(avg_pool2d(Variable(zeros({1, 1, 2, 2})), {3, 3}, {1, 1}),
                               "avg_pool2d: a 3x3 window", "does not fit input [1, 1, 2, 2]");
  EXPECT_MINIDL_ERROR_CONTAINS(unflatten(Variable(zeros({2, 12})), 1, {5, -1}),
                               "unflatten: sizes [5, -1]", "do not multiply to 12");
  BatchNorm2d bn(4);
  EXPECT_MINIDL_ERROR_CONTAINS(bn(x), "BatchNorm2d(4, eps=1e-05, momentum=0.1): input of shape",
                               "[64, 3, 28, 28] is not [N, 4, H, W]");
  EXPECT_MINIDL_ERROR_CONTAINS(Conv2d(4, 6, {3, 3}, Conv2dOptions{{1, 1}, {0, 0}, {1, 1}, 4}),
                               "Conv2d: groups = 4", "out_channels = 6");
}
