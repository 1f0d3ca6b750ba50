// Convolution layers: Conv2d and ConvTranspose2d, with PyTorch's parameter names, shapes and
// default initialisation, so a state dict maps one to one.
#pragma once

#include "autograd/ops.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace minidl::nn {

struct Conv2dOptions {
  Size2 stride = {1, 1};
  Size2 padding = {0, 0};
  Size2 dilation = {1, 1};
  int64_t groups = 1;
  bool bias = true;
};

struct ConvTranspose2dOptions {
  Size2 stride = {1, 1};
  Size2 padding = {0, 0};
  Size2 output_padding = {0, 0};
  Size2 dilation = {1, 1};
  int64_t groups = 1;
  bool bias = true;
};

// What Conv2d and ConvTranspose2d share (PyTorch's _ConvNd): the channel counts, the kernel and
// the parameters, checked and initialised as PyTorch does. The weight is drawn by
// kaiming_uniform_(a = sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in from weight
// dimensions 1, 2 and 3; the bias [out] from the same U; from `gen` in that order, float32.
class Convolution : public Module {
 public:
  int64_t in_channels, out_channels;
  Size2 kernel_size;
  Variable weight;
  Variable bias;  // undefined without a bias

 protected:
  // weight [out, in / groups, KH, KW], or [in, out / groups, KH, KW] when `transposed`. `kind`
  // names the layer in errors.
  Convolution(const char* kind, int64_t in_channels, int64_t out_channels, Size2 kernel_size,
              int64_t groups, bool has_bias, bool transposed, Generator& gen);
};

// fan_in = in / groups * KH * KW.
class Conv2d : public Convolution {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
         const Conv2dOptions& options = {}, Generator& gen = default_generator());
  Variable forward(const Variable& input) override;
  // "Conv2d(1, 64, kernel_size=[4, 4], stride=[2, 2], padding=[1, 1])"; dilation, groups and
  // bias=false are shown when they differ from the defaults.
  std::string name() const override;

  Conv2dOptions options;
};

// PyTorch computes the fans from weight dimension 1 as for Conv2d, so fan_in = out / groups * KH *
// KW here.
class ConvTranspose2d : public Convolution {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                  const ConvTranspose2dOptions& options = {}, Generator& gen = default_generator());
  Variable forward(const Variable& input) override;
  std::string name() const override;  // "ConvTranspose2d(128, 64, kernel_size=[4, 4], ...)"

  ConvTranspose2dOptions options;
};

}  // namespace minidl::nn
