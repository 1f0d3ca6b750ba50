#include "nn/init.h"

#include <cmath>

#include "tensor/tensor.h"

namespace minidl::nn {

namespace {

// Overwrites the parameter's storage in place: Variables (and optimizers) holding it see the
// new values.
void assign(Variable& parameter, const Tensor& values) {
  Tensor storage_view = parameter.data();  // a handle on the same storage
  storage_view.copy_(values);
}

void check_floating(const Variable& parameter, const char* op) {
  MINIDL_CHECK(parameter.defined(), op << ": undefined parameter");
  MINIDL_CHECK(is_floating(parameter.dtype()), op << ": parameter of dtype " << parameter.dtype()
                                                  << " (float32 or float64 needed)");
}

double fan(const Tensor& weight, FanMode mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(weight);
  return double(mode == FanMode::FanIn ? fan_in : fan_out);
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  if (nonlinearity == "linear" || nonlinearity == "conv1d" || nonlinearity == "conv2d" ||
      nonlinearity == "conv3d" || nonlinearity == "conv_transpose1d" ||
      nonlinearity == "conv_transpose2d" || nonlinearity == "conv_transpose3d" ||
      nonlinearity == "sigmoid") {
    return 1.0;
  }
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  MINIDL_FAIL("calculate_gain: unknown nonlinearity '" << nonlinearity << "'");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& weight) {
  MINIDL_CHECK(weight.dim() >= 2,
               "calculate_fan_in_and_fan_out: fans need a weight with at least "
               "2 dimensions, got shape "
                   << shape_str(weight.shape()));
  int64_t receptive_field = 1;
  for (int64_t axis = 2; axis < weight.dim(); ++axis) receptive_field *= weight.size(axis);
  return {weight.size(1) * receptive_field, weight.size(0) * receptive_field};
}

void xavier_uniform_(Variable& weight, double gain, Generator& gen) {
  check_floating(weight, "xavier_uniform_");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(weight.data());
  const double bound = gain * std::sqrt(6.0 / double(fan_in + fan_out));
  uniform_(weight, -bound, bound, gen);
}

void xavier_normal_(Variable& weight, double gain, Generator& gen) {
  check_floating(weight, "xavier_normal_");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(weight.data());
  normal_(weight, 0.0, gain * std::sqrt(2.0 / double(fan_in + fan_out)), gen);
}

void kaiming_uniform_(Variable& weight, double a, Generator& gen, FanMode mode,
                      const std::string& nonlinearity) {
  check_floating(weight, "kaiming_uniform_");
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(fan(weight.data(), mode));
  const double bound = std::sqrt(3.0) * std;  // U(-b, b) has standard deviation b / sqrt(3)
  uniform_(weight, -bound, bound, gen);
}

void kaiming_normal_(Variable& weight, double a, Generator& gen, FanMode mode,
                     const std::string& nonlinearity) {
  check_floating(weight, "kaiming_normal_");
  normal_(weight, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(fan(weight.data(), mode)), gen);
}

void uniform_(Variable& parameter, double low, double high, Generator& gen) {
  check_floating(parameter, "uniform_");
  MINIDL_CHECK(low <= high, "uniform_: low " << low << " is greater than high " << high);
  assign(parameter, uniform(parameter.shape(), low, high, parameter.dtype(), gen));
}

void normal_(Variable& parameter, double mean, double std, Generator& gen) {
  check_floating(parameter, "normal_");
  MINIDL_CHECK(std >= 0, "normal_: standard deviation " << std << " is negative");
  assign(parameter, normal(parameter.shape(), mean, std, parameter.dtype(), gen));
}

void constant_(Variable& parameter, double value) {
  MINIDL_CHECK(parameter.defined(), "constant_: undefined parameter");
  Tensor storage_view = parameter.data();
  storage_view.fill_(value);
}

void zeros_(Variable& parameter) { constant_(parameter, 0.0); }
void ones_(Variable& parameter) { constant_(parameter, 1.0); }

}  // namespace minidl::nn
