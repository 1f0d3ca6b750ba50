// Pooling and resizing layers for images [N, C, H, W]: MaxPool2d, AvgPool2d and Upsample (nearest
// neighbour), as PyTorch's modules of those names. None has parameters.
#pragma once

#include "autograd/ops.h"
#include "nn/module.h"

namespace minidl::nn {

// stride defaults to the kernel size, as PyTorch.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, Size2 stride = {0, 0}, Size2 padding = {0, 0},
                     Size2 dilation = {1, 1});
  Variable forward(const Variable& input) override;
  std::string name() const override;  // "MaxPool2d(kernel_size=[2, 2], stride=[2, 2], ...)"
  Size2 kernel_size, stride, padding, dilation;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, Size2 stride = {0, 0}, Size2 padding = {0, 0},
                     bool count_include_pad = true);
  Variable forward(const Variable& input) override;
  std::string name() const override;
  Size2 kernel_size, stride, padding;
  bool count_include_pad;
};

// mode="nearest" only: by a scale factor per axis, or to a fixed output size.
class Upsample : public Module {
 public:
  explicit Upsample(double scale_factor) : Upsample(scale_factor, scale_factor) {}
  Upsample(double scale_h, double scale_w);
  explicit Upsample(Size2 size);  // {out_h, out_w}
  Variable forward(const Variable& input) override;
  std::string name() const override;  // "Upsample(scale_factor=[2, 2], mode=nearest)"
  double scale_h = 0, scale_w = 0;    // used when positive
  int64_t out_h = 0, out_w = 0;       // used otherwise
};

}  // namespace minidl::nn
