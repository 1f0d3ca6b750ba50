// The kernels that turn a 2-d convolution into one GEMM: im2col copies every receptive field of a
// batch of images into a row of a matrix, col2im adds such rows back into images (its adjoint).
// Also the max-pooling kernel, which needs the position of each window's maximum.
//
// Layout: for an input [N, C, H, W] and a kernel KH x KW, the columns are a contiguous
// [N * OH * OW, C * KH * KW] matrix: one row per output pixel (n, oh, ow), one column per input
// channel and kernel tap (c, kh, kw), channel-major. A convolution of the whole batch is then the
// single tall GEMM columns [N*OH*OW, C*KH*KW] x weight^T [C*KH*KW, OC], and a grouped convolution
// uses G column blocks of width C/G * KH * KW, one per group, with no change to the layout.
#pragma once

#include <cstdint>

#include "tensor/core.h"

namespace minidl {

// Geometry of a 2-d sliding window (convolution or pooling) over the last two axes.
struct Window2d {
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t padding_h = 0, padding_w = 0;
  int64_t dilation_h = 1, dilation_w = 1;

  // floor((in + 2 padding - dilation (kernel - 1) - 1) / stride) + 1, as PyTorch; may be <= 0
  // when the window does not fit (the callers check and name the op).
  int64_t output_h(int64_t in_h) const;
  int64_t output_w(int64_t in_w) const;
  int64_t taps() const { return kernel_h * kernel_w; }
};

// Throws "<op>: ..." unless kernel, stride and dilation are positive and padding non-negative.
void check_window(const Window2d& window, const char* op);

// x [N, C, H, W] (any strides, float32 or float64) -> columns [N * OH * OW, C * KH * KW],
// contiguous, with zeros where a tap falls into the padding.
Tensor im2col(const Tensor& x, const Window2d& window);

// The adjoint of im2col: columns [N * OH * OW, C * KH * KW] -> images `image_shape` [N, C, H, W],
// each column entry added into the pixel its tap reads (entries in the padding are dropped). OH and
// OW are those that `window` gives for H and W. For all x and y,
// <im2col(x), y> = <x, col2im(y, x.shape())>.
Tensor col2im(const Tensor& columns, const Shape& image_shape, const Window2d& window);

// The GEMM's output rows [N * P, C] (one per pixel, channels last) as images [N, C, P] (channels
// first), plus bias [C] when it is defined: a blocked transpose per image, which the generic
// strided copy of a permuted view does several times slower.
Tensor rows_to_channels_first(const Tensor& rows, int64_t batch, const Tensor& bias = Tensor());

// Max pooling of x [N, C, H, W] with implicit -inf padding: the maxima [N, C, OH, OW] and, for
// each, the flat index ih * W + iw of the first maximum in its window (row-major scan order, as
// PyTorch), as int64 [N, C, OH, OW]. NaN counts as the maximum, as PyTorch.
struct MaxPoolResult {
  Tensor values;
  Tensor indices;
};
MaxPoolResult max_pool2d_with_indices(const Tensor& x, const Window2d& window);

}  // namespace minidl
