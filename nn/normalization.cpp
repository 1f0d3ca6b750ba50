#include "nn/normalization.h"

#include <algorithm>
#include <sstream>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/tensor.h"

namespace minidl::nn {

namespace {

// Shapes a per-channel [C] tensor to broadcast against [N, C], [N, C, L] or [N, C, H, W].
Variable per_channel(const Variable& v, int64_t input_dim) {
  if (input_dim == 2) return v;
  Shape shape(size_t(input_dim - 1), 1);
  shape[0] = v.size(0);
  return reshape(v, shape);
}

Variable affine(Variable x, const Variable& weight, const Variable& bias, int64_t input_dim) {
  if (weight.defined()) x = x * per_channel(weight, input_dim);
  if (bias.defined()) x = x + per_channel(bias, input_dim);
  return x;
}

void check_per_channel(const char* what, const Tensor& t, int64_t channels) {
  MINIDL_CHECK(!t.defined() || t.shape() == Shape{channels},
               "batch_norm: " << what << " of shape " << shape_str(t.shape()) << " does not match "
                              << channels << " channels");
}

}  // namespace

Variable batch_norm(const Variable& input, const Tensor& running_mean, const Tensor& running_var,
                    const Variable& weight, const Variable& bias, bool training, double momentum,
                    double eps) {
  MINIDL_CHECK(input.dim() >= 2 && input.dim() <= 4,
               "batch_norm: input must be [N, C], [N, C, L] or [N, C, H, W], got "
                   << shape_str(input.shape()));
  const int64_t channels = input.size(1);
  check_per_channel("running_mean", running_mean, channels);
  check_per_channel("running_var", running_var, channels);
  if (weight.defined()) check_per_channel("weight", weight.data(), channels);
  if (bias.defined()) check_per_channel("bias", bias.data(), channels);
  Axes axes = {0};
  for (int64_t axis = 2; axis < input.dim(); ++axis) axes.push_back(axis);
  const int64_t count = input.numel() / std::max<int64_t>(channels, 1);

  if (!training) {
    MINIDL_CHECK(running_mean.defined() && running_var.defined(),
                 "batch_norm: evaluation mode needs running statistics");
    Variable mean_v(running_mean.to(input.dtype()));
    Variable var_v(running_var.to(input.dtype()));
    Variable normalized =
        (input - per_channel(mean_v, input.dim())) / sqrt(per_channel(var_v, input.dim()) + eps);
    return affine(normalized, weight, bias, input.dim());
  }

  MINIDL_CHECK(count > 1,
               "batch_norm: expected more than 1 value per channel when training, got "
               "input of shape "
                   << shape_str(input.shape()));
  Variable mean_b = mean(input, axes, /*keepdim=*/true);
  Variable centered = input - mean_b;
  Variable var_b = mean(centered * centered, axes, /*keepdim=*/true);  // biased, as PyTorch
  Variable normalized = centered / sqrt(var_b + eps);

  if (running_mean.defined() && running_var.defined()) {
    NoGradGuard no_grad;
    Tensor batch_mean = mean_b.data().reshape({channels}).to(running_mean.dtype());
    Tensor unbiased_var = mul(var_b.data().reshape({channels}), double(count) / double(count - 1))
                              .to(running_var.dtype());
    Tensor rm = running_mean, rv = running_var;  // handles on the caller's storage
    add_(mul_(rm, 1.0 - momentum), batch_mean, momentum);
    add_(mul_(rv, 1.0 - momentum), unbiased_var, momentum);
  }
  return affine(normalized, weight, bias, input.dim());
}

Variable layer_norm(const Variable& input, const Shape& normalized_shape, const Variable& weight,
                    const Variable& bias, double eps) {
  const int64_t k = int64_t(normalized_shape.size());
  bool matches = k >= 1 && input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i) {
    matches = input.size(input.dim() - k + i) == normalized_shape[size_t(i)];
  }
  MINIDL_CHECK(matches, "layer_norm: input of shape " << shape_str(input.shape())
                                                      << " does not end in normalized_shape "
                                                      << shape_str(normalized_shape));
  MINIDL_CHECK(!weight.defined() || weight.shape() == normalized_shape,
               "layer_norm: weight of shape " << shape_str(weight.shape())
                                              << " differs from normalized_shape "
                                              << shape_str(normalized_shape));
  MINIDL_CHECK(!bias.defined() || bias.shape() == normalized_shape,
               "layer_norm: bias of shape " << shape_str(bias.shape())
                                            << " differs from normalized_shape "
                                            << shape_str(normalized_shape));
  Axes axes;
  for (int64_t i = input.dim() - k; i < input.dim(); ++i) axes.push_back(i);
  Variable centered = input - mean(input, axes, /*keepdim=*/true);
  Variable variance = mean(centered * centered, axes, /*keepdim=*/true);
  Variable out = centered / sqrt(variance + eps);
  if (weight.defined()) out = out * weight;
  if (bias.defined()) out = out + bias;
  return out;
}

BatchNorm::BatchNorm(const char* kind, int64_t num_features, double eps, double momentum)
    : num_features(num_features),
      eps(eps),
      momentum(momentum),
      running_mean(register_buffer("running_mean", zeros({std::max<int64_t>(num_features, 0)}))),
      running_var(register_buffer("running_var", ones({std::max<int64_t>(num_features, 0)}))),
      num_batches_tracked(register_buffer("num_batches_tracked", zeros({}, DType::Int64))),
      kind_(kind) {
  MINIDL_CHECK(num_features > 0, kind << ": num_features must be positive, got " << num_features);
  weight = register_parameter("weight", ones({num_features}));
  bias = register_parameter("bias", zeros({num_features}));
}

Variable BatchNorm::normalize(const Variable& input) {
  Variable out =
      batch_norm(input, running_mean, running_var, weight, bias, is_training(), momentum, eps);
  if (is_training()) num_batches_tracked.data<int64_t>()[0] += 1;
  return out;
}

std::string BatchNorm::name() const {
  std::ostringstream os;
  os << kind_ << '(' << num_features << ", eps=" << eps << ", momentum=" << momentum << ')';
  return os.str();
}

BatchNorm1d::BatchNorm1d(int64_t num_features, double eps, double momentum)
    : BatchNorm("BatchNorm1d", num_features, eps, momentum) {}

Variable BatchNorm1d::forward(const Variable& input) {
  MINIDL_CHECK(input.dim() >= 2 && input.size(1) == num_features,
               name() << ": input of shape " << shape_str(input.shape()) << " does not have "
                      << num_features << " features on axis 1");
  return normalize(input);
}

BatchNorm2d::BatchNorm2d(int64_t num_features, double eps, double momentum)
    : BatchNorm("BatchNorm2d", num_features, eps, momentum) {}

Variable BatchNorm2d::forward(const Variable& input) {
  MINIDL_CHECK(input.dim() == 4 && input.size(1) == num_features,
               name() << ": input of shape " << shape_str(input.shape()) << " is not [N, "
                      << num_features << ", H, W]");
  return normalize(input);
}

LayerNorm::LayerNorm(int64_t num_features, double eps) : LayerNorm(Shape{num_features}, eps) {}

LayerNorm::LayerNorm(Shape normalized_shape_in, double eps)
    : normalized_shape(std::move(normalized_shape_in)), eps(eps) {
  MINIDL_CHECK(!normalized_shape.empty(), "LayerNorm: normalized_shape is empty");
  for (int64_t size : normalized_shape) {
    MINIDL_CHECK(size > 0, "LayerNorm: normalized_shape " << shape_str(normalized_shape)
                                                          << " has a non-positive size");
  }
  weight = register_parameter("weight", ones(normalized_shape));
  bias = register_parameter("bias", zeros(normalized_shape));
}

Variable LayerNorm::forward(const Variable& input) {
  return layer_norm(input, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::name() const {
  std::ostringstream os;
  os << "LayerNorm(" << shape_str(normalized_shape) << ", eps=" << eps << ')';
  return os.str();
}

}  // namespace minidl::nn
