// Layers that only change a tensor's shape: Flatten and Unflatten (as PyTorch's nn.Flatten and
// nn.Unflatten) and Reshape.
#pragma once

#include "nn/module.h"

namespace minidl::nn {

// Merges axes start_axis..end_axis into one; the default keeps the batch axis:
// [N, 1, 28, 28] -> [N, 784].
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_axis = 1, int64_t end_axis = -1)
      : start_axis(start_axis), end_axis(end_axis) {}
  Variable forward(const Variable& input) override;
  std::string name() const override;
  int64_t start_axis, end_axis;
};

// Splits axis `axis` into `sizes` (one may be -1): Unflatten(1, {64, 7, 7}) turns [N, 3136] into
// [N, 64, 7, 7].
class Unflatten : public Module {
 public:
  Unflatten(int64_t axis, Shape sizes) : axis(axis), sizes(std::move(sizes)) {}
  Variable forward(const Variable& input) override;
  std::string name() const override;  // "Unflatten(axis=1, sizes=[64, 7, 7])"
  int64_t axis;
  Shape sizes;
};

// Reshapes the whole input, batch axis included, to `shape`; one entry may be -1 and is inferred,
// so Reshape({-1, 1, 28, 28}) turns [N, 784] into [N, 1, 28, 28] for any N.
class Reshape : public Module {
 public:
  explicit Reshape(Shape shape) : shape(std::move(shape)) {}
  Variable forward(const Variable& input) override;
  std::string name() const override;
  Shape shape;
};

}  // namespace minidl::nn
