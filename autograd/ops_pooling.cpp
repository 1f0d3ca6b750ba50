// Pooling and resizing of [N, C, H, W] Variables. max_pool2d is a primitive (its kernel finds each
// window's first maximum) whose backward scatters the gradient to those positions; avg_pool2d and
// upsample_nearest2d are composed of differentiable ops (im2col and a sum; index_select), so their
// gradients of every order come from the pieces.
#include <cmath>
#include <vector>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/tensor.h"

namespace minidl {

namespace {

Window2d pool_window(const char* op, const Variable& input, Size2 kernel, Size2 stride,
                     Size2 padding, Size2 dilation) {
  MINIDL_CHECK(input.defined(), op << ": undefined input");
  MINIDL_CHECK(input.dim() == 4,
               op << ": input must be [N, C, H, W], got " << shape_str(input.shape()));
  const Window2d window{kernel[0],  kernel[1],  stride[0],   stride[1],
                        padding[0], padding[1], dilation[0], dilation[1]};
  check_window(window, op);
  MINIDL_CHECK(2 * padding[0] <= kernel[0] && 2 * padding[1] <= kernel[1],
               op << ": padding " << padding[0] << "x" << padding[1]
                  << " must be at most half the kernel " << kernel[0] << "x" << kernel[1]);
  MINIDL_CHECK(window.output_h(input.size(2)) >= 1 && window.output_w(input.size(3)) >= 1,
               op << ": a " << kernel[0] << "x" << kernel[1] << " window with padding "
                  << padding[0] << "x" << padding[1] << " does not fit input "
                  << shape_str(input.shape()));
  return window;
}

// The source index of each output pixel along one axis, as PyTorch's nearest_idx: the float32
// product dst * scale, floored and clamped.
Tensor nearest_indices(int64_t in, int64_t out, float scale) {
  std::vector<int64_t> index(static_cast<size_t>(out));
  for (int64_t dst = 0; dst < out; ++dst) {
    int64_t src = dst;
    if (out == 2 * in) {
      src = dst >> 1;
    } else if (out != in) {
      src = std::min(int64_t(std::floor(float(dst) * scale)), in - 1);
    }
    index[size_t(dst)] = src;
  }
  return from_vector(index, {out});
}

Variable upsample_with_scales(const Variable& input, int64_t out_h, int64_t out_w, float scale_h,
                              float scale_w) {
  MINIDL_CHECK(input.defined() && input.dim() == 4,
               "upsample_nearest2d: input must be [N, C, H, W], got " << shape_str(input.shape()));
  MINIDL_CHECK(out_h >= 1 && out_w >= 1, "upsample_nearest2d: output size "
                                             << out_h << "x" << out_w << " for input "
                                             << shape_str(input.shape()) << " is empty");
  const int64_t h = input.size(2), w = input.size(3);
  Variable rows = index_select(input, 2, nearest_indices(h, out_h, scale_h));
  return index_select(rows, 3, nearest_indices(w, out_w, scale_w));
}

}  // namespace

Variable max_pool2d(const Variable& input, Size2 kernel, Size2 stride, Size2 padding,
                    Size2 dilation) {
  const Window2d window = pool_window("max_pool2d", input, kernel, stride, padding, dilation);
  MaxPoolResult result = max_pool2d_with_indices(input.data(), window);
  const Shape& s = input.shape();
  const Shape& out = result.values.shape();
  // The flat positions within each [H*W] plane, one row per (n, c) plane.
  Tensor index = result.indices.view({s[0] * s[1], out[2] * out[3]});
  return record("max_pool2d", result.values, {input},
                [index](const Variable& grad, const Inputs& in, const Variable&) {
                  const Shape& shape = in[0].shape();
                  Variable planes = reshape(grad, index.shape());
                  Variable scattered =
                      scatter_add({shape[0] * shape[1], shape[2] * shape[3]}, 1, index, planes);
                  return Grads{reshape(scattered, shape)};
                });
}

Variable avg_pool2d(const Variable& input, Size2 kernel, Size2 stride, Size2 padding,
                    bool count_include_pad) {
  const Window2d window = pool_window("avg_pool2d", input, kernel, stride, padding, {1, 1});
  const Shape& s = input.shape();
  const int64_t oh = window.output_h(s[2]), ow = window.output_w(s[3]);
  // Every plane as a one-channel image: a row of im2col per output pixel, its taps summed.
  Variable planes = reshape(input, {s[0] * s[1], 1, s[2], s[3]});
  Variable sums = reshape(sum(im2col(planes, window), {1}), {s[0], s[1], oh, ow});
  if (count_include_pad) return sums / double(window.taps());
  // Without padding in the count, each output divides by the taps that fall inside the image: the
  // window sums of an all-ones image.
  Tensor inside = sum(im2col(ones({1, 1, s[2], s[3]}, input.dtype()), window), {1});
  return sums / Variable(inside.view({oh, ow}));
}

Variable upsample_nearest2d(const Variable& input, Size2 size) {
  MINIDL_CHECK(input.defined() && input.dim() == 4,
               "upsample_nearest2d: input must be [N, C, H, W], got " << shape_str(input.shape()));
  return upsample_with_scales(input, size[0], size[1], float(input.size(2)) / float(size[0]),
                              float(input.size(3)) / float(size[1]));
}

Variable upsample_nearest2d(const Variable& input, double scale_h, double scale_w) {
  MINIDL_CHECK(input.defined() && input.dim() == 4,
               "upsample_nearest2d: input must be [N, C, H, W], got " << shape_str(input.shape()));
  MINIDL_CHECK(
      scale_h > 0 && scale_w > 0,
      "upsample_nearest2d: scale factors must be positive, got " << scale_h << "x" << scale_w);
  const int64_t out_h = int64_t(std::floor(double(input.size(2)) * scale_h));
  const int64_t out_w = int64_t(std::floor(double(input.size(3)) * scale_w));
  return upsample_with_scales(input, out_h, out_w, float(1.0 / scale_h), float(1.0 / scale_w));
}

}  // namespace minidl
