// Parameter initialisers with PyTorch's formulas (torch.nn.init). Each overwrites the parameter's
// values in place (so a model's optimizer stays attached) and draws from a Generator, so a seeded
// run initialises identically.
//
// Fans: for a weight of shape [out, in, k...], fan_in = in * prod(k) and fan_out = out * prod(k).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "autograd/variable.h"
#include "tensor/random.h"

namespace minidl::nn {

enum class FanMode { FanIn, FanOut };

// The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: "linear", "conv1d",
// "conv2d", "conv3d", "sigmoid" -> 1; "tanh" -> 5/3; "relu" -> sqrt(2); "leaky_relu" ->
// sqrt(2 / (1 + slope^2)) with slope = param or 0.01; "selu" -> 3/4.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

// {fan_in, fan_out} of a weight with at least 2 dimensions.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& weight);

// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010).
void xavier_uniform_(Variable& weight, double gain = 1.0, Generator& gen = default_generator());
// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
void xavier_normal_(Variable& weight, double gain = 1.0, Generator& gen = default_generator());

// U(-b, b) with b = gain / sqrt(fan) * sqrt(3) and gain = calculate_gain(nonlinearity, a)
// (He et al., 2015). nn::Linear's default weight init is kaiming_uniform_(w, sqrt(5)), i.e.
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void kaiming_uniform_(Variable& weight, double a = 0.0, Generator& gen = default_generator(),
                      FanMode mode = FanMode::FanIn,
                      const std::string& nonlinearity = "leaky_relu");
// N(0, std^2) with std = gain / sqrt(fan).
void kaiming_normal_(Variable& weight, double a = 0.0, Generator& gen = default_generator(),
                     FanMode mode = FanMode::FanIn, const std::string& nonlinearity = "leaky_relu");

void uniform_(Variable& parameter, double low = 0.0, double high = 1.0,
              Generator& gen = default_generator());
void normal_(Variable& parameter, double mean = 0.0, double std = 1.0,
             Generator& gen = default_generator());
void constant_(Variable& parameter, double value);
void zeros_(Variable& parameter);
void ones_(Variable& parameter);

}  // namespace minidl::nn
