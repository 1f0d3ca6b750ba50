// A direct convolution for images with one input channel (the first layer of an image network:
// grey-scale pixels in, C = 1). There, im2col + GEMM multiplies by a K = KH * KW matrix too thin
// for OpenBLAS's packing to pay, and still needs the channels-last to channels-first transpose of
// its result; this kernel writes channels-first output directly (docs/convolution.md, "The first
// layer").
#pragma once

#include "tensor/convolution.h"

namespace minidl {

// x [N, 1, H, W] (any strides), weight [OC, 1, KH, KW] (KH, KW from `window`), bias [OC] or
// undefined; float32 or float64. Returns [N, OC, OH, OW], contiguous:
//   out[n, o, oh, ow] = bias[o] + sum over kh, kw of weight[o, 0, kh, kw] * x[n, 0, ih, iw]
// with (ih, iw) the tap of window position (oh, ow), and zero for taps in the padding. Each output
// sums its taps in (kh, kw) order, whatever the thread count.
Tensor conv2d_single_channel(const Tensor& x, const Tensor& weight, const Tensor& bias,
                             const Window2d& window);

}  // namespace minidl
