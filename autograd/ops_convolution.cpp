// Convolutions on Variables, as one tall GEMM over the whole batch (tensor/convolution.h gives the
// layout). conv2d saves only its inputs: its backward rebuilds the im2col columns from x for the
// weight gradient rather than keeping a buffer C*KH*KW/stride^2 times the size of x alive between
// forward and backward. Every backward is written with Variable ops (im2col, col2im, matmul,
// slices), so it is differentiable again; im2col and col2im are each other's gradient.
#include <algorithm>
#include <vector>

#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/single_channel_convolution.h"
#include "tensor/tensor.h"

namespace minidl {

namespace {

// The grouped GEMMs, written once for Tensors (forward) and Variables (backward). With G groups,
// a's and b's column (or row) blocks pair up, group by group; with one group each is one GEMM.
Tensor block(const Tensor& a, int64_t axis, int64_t g, int64_t width) {
  return a.slice(axis, g * width, (g + 1) * width);
}
Variable block(const Variable& a, int64_t axis, int64_t g, int64_t width) {
  return slice(a, axis, g * width, (g + 1) * width);
}
Tensor transposed(const Tensor& a) { return a.t(); }
Variable transposed(const Variable& a) { return transpose(a, 0, 1); }

// a [M, G*K] with b [G*O, K]: [M, G*O], block g = a_g b_g^T.
template <typename V>
V grouped_a_bt(const V& a, const V& b, int64_t groups) {
  if (groups == 1) return matmul(a, transposed(b));
  const int64_t k = a.size(1) / groups, o = b.size(0) / groups;
  std::vector<V> blocks;
  for (int64_t g = 0; g < groups; ++g) {
    blocks.push_back(matmul(block(a, 1, g, k), transposed(block(b, 0, g, o))));
  }
  return concat(blocks, 1);
}

// a [M, G*O] with b [G*O, K]: [M, G*K], block g = a_g b_g.
template <typename V>
V grouped_a_b(const V& a, const V& b, int64_t groups) {
  if (groups == 1) return matmul(a, b);
  const int64_t o = a.size(1) / groups;
  std::vector<V> blocks;
  for (int64_t g = 0; g < groups; ++g) {
    blocks.push_back(matmul(block(a, 1, g, o), block(b, 0, g, o)));
  }
  return concat(blocks, 1);
}

// a [M, G*O] with b [M, G*K]: [G*O, K], block g = a_g^T b_g.
template <typename V>
V grouped_at_b(const V& a, const V& b, int64_t groups) {
  if (groups == 1) return matmul(transposed(a), b);
  const int64_t o = a.size(1) / groups, k = b.size(1) / groups;
  std::vector<V> blocks;
  for (int64_t g = 0; g < groups; ++g) {
    blocks.push_back(matmul(transposed(block(a, 1, g, o)), block(b, 1, g, k)));
  }
  return concat(blocks, 0);
}

// [N, C, H, W] <-> the GEMM's [N*H*W, C] rows (channels last).
Variable images_to_rows(const Variable& x) {
  return reshape(permute(x, {0, 2, 3, 1}), {-1, x.size(1)});
}
Variable rows_to_images(const Variable& rows, const Shape& image_shape) {
  return permute(reshape(rows, {image_shape[0], image_shape[2], image_shape[3], image_shape[1]}),
                 {0, 3, 1, 2});
}

// The batch is cut into equal runs of images whose columns take at most kChunkBytes: each run is
// still one tall GEMM (thousands of rows at the usual sizes), but its buffer stays below glibc's
// 32 MiB mmap threshold (tensor/storage.cpp), so it is reused from the heap instead of being mapped
// and page-faulted afresh on every call, and peak memory stays bounded for large batches.
constexpr int64_t kChunkBytes = int64_t(8) << 20;

struct Chunks {
  int64_t count, size;  // `count` runs of `size` images (the last may be shorter)
};

Chunks batch_chunks(int64_t batch, int64_t column_bytes_per_image) {
  const int64_t per_chunk =
      std::max<int64_t>(1, kChunkBytes / std::max<int64_t>(1, column_bytes_per_image));
  const int64_t count = std::max<int64_t>(1, (batch + per_chunk - 1) / per_chunk);
  return {count, std::max<int64_t>(1, (batch + count - 1) / count)};
}

Window2d make_window(const Shape& weight, Size2 stride, Size2 padding, Size2 dilation) {
  return Window2d{weight[2],  weight[3],  stride[0],   stride[1],
                  padding[0], padding[1], dilation[0], dilation[1]};
}

void check_common(const char* op, const Variable& input, const Variable& weight,
                  const Variable& bias, int64_t groups) {
  MINIDL_CHECK(input.defined() && weight.defined(), op << ": undefined input or weight");
  MINIDL_CHECK(input.dim() == 4,
               op << ": input must be [N, C, H, W], got " << shape_str(input.shape()));
  MINIDL_CHECK(weight.dim() == 4,
               op << ": weight must be 4-d [*, *, KH, KW], got " << shape_str(weight.shape()));
  MINIDL_CHECK(input.dtype() == weight.dtype(), op << ": input dtype " << input.dtype()
                                                   << " differs from weight dtype "
                                                   << weight.dtype());
  MINIDL_CHECK(
      !bias.defined() || bias.dtype() == input.dtype(),
      op << ": bias dtype " << bias.dtype() << " differs from input dtype " << input.dtype());
  MINIDL_CHECK(groups >= 1, op << ": groups must be positive, got " << groups);
}

// A convolution's gradients from its runs of images: the input's is the runs' parts in order, the
// weight's the 2-d sum over the runs in the weight's shape, the bias's the output gradient summed
// over the batch and the pixels.
Grads convolution_grads(const Inputs& in, const Variable& grad,
                        const std::vector<Variable>& grad_x_parts, const Variable& grad_w2d) {
  Grads grads(in.size());
  if (in.needs_grad(0)) {
    grads[0] = grad_x_parts.size() == 1 ? grad_x_parts[0] : concat(grad_x_parts, 0);
  }
  if (in.needs_grad(1)) grads[1] = reshape(grad_w2d, in[1].shape());
  if (in.size() == 3 && in.needs_grad(2)) grads[2] = sum(grad, {0, 2, 3});
  return grads;
}

}  // namespace

Variable im2col(const Variable& x, const Window2d& window) {
  return record("im2col", im2col(x.data(), window), {x},
                [window](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{col2im(grad, in[0].shape(), window)};
                });
}

Variable col2im(const Variable& columns, const Shape& image_shape, const Window2d& window) {
  return record("col2im", col2im(columns.data(), image_shape, window), {columns},
                [window](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{im2col(grad, window)};
                });
}

Variable conv2d(const Variable& input, const Variable& weight, const Variable& bias, Size2 stride,
                Size2 padding, Size2 dilation, int64_t groups) {
  check_common("conv2d", input, weight, bias, groups);
  const int64_t out_channels = weight.size(0), channels = input.size(1);
  MINIDL_CHECK(out_channels % groups == 0, "conv2d: weight " << shape_str(weight.shape()) << " has "
                                                             << out_channels
                                                             << " output channels, not divisible "
                                                                "by groups = "
                                                             << groups);
  MINIDL_CHECK(channels == weight.size(1) * groups,
               "conv2d: input " << shape_str(input.shape()) << " has " << channels
                                << " channels, weight " << shape_str(weight.shape()) << " expects "
                                << weight.size(1) * groups
                                << (groups > 1 ? " (groups = " + std::to_string(groups) + ")"
                                               : std::string()));
  MINIDL_CHECK(!bias.defined() || bias.shape() == Shape{out_channels},
               "conv2d: bias " << shape_str(bias.shape()) << " does not match " << out_channels
                               << " output channels of weight " << shape_str(weight.shape()));
  const Window2d window = make_window(weight.shape(), stride, padding, dilation);
  check_window(window, "conv2d");
  const int64_t n = input.size(0);
  const int64_t oh = window.output_h(input.size(2)), ow = window.output_w(input.size(3));
  MINIDL_CHECK(oh >= 1 && ow >= 1, "conv2d: kernel "
                                       << shape_str(weight.shape()) << " with padding "
                                       << padding[0] << "x" << padding[1] << " and dilation "
                                       << dilation[0] << "x" << dilation[1]
                                       << " does not fit input " << shape_str(input.shape()));

  const int64_t pixels = oh * ow;
  const Chunks chunks =
      batch_chunks(n, pixels * channels * window.taps() * int64_t(dtype_size(input.dtype())));
  const Tensor bias_data = bias.defined() ? bias.data() : Tensor();
  Tensor value;
  if (channels == 1) {
    // One input channel: the direct kernel, faster than a GEMM whose inner dimension is KH*KW.
    value = conv2d_single_channel(input.data(), weight.data(), bias_data, window);
  } else {
    // Per run of images, [n*OH*OW, C*KH*KW] x [C*KH*KW, OC] into that run's rows of the output.
    Tensor x = input.data().contiguous();
    Tensor w2d = weight.data().reshape({out_channels, -1});
    Tensor rows = Tensor::empty({n * pixels, out_channels}, input.dtype());
    for (int64_t first = 0; first < n; first += chunks.size) {
      const int64_t images = std::min(chunks.size, n - first);
      Tensor columns = im2col(x.narrow(0, first, images), window);
      Tensor out = rows.narrow(0, first * pixels, images * pixels);
      if (groups == 1) {
        gemm_into(out, columns, w2d.t());
      } else {
        out.copy_(grouped_a_bt(columns, w2d, groups));
      }
    }
    // Channels last to first, with the bias added on the way.
    value = rows_to_channels_first(rows, n, bias_data).view({n, out_channels, oh, ow});
  }

  std::vector<Variable> inputs = {input, weight};
  if (bias.defined()) inputs.push_back(bias);
  return record("conv2d", value, std::move(inputs),
                [window, groups, chunks](const Variable& grad, const Inputs& in, const Variable&) {
                  const Variable& x = in[0];
                  const Variable& w = in[1];
                  const int64_t n = x.size(0), pixels = grad.size(2) * grad.size(3);
                  Variable grad_rows = images_to_rows(grad);  // [N*OH*OW, OC]
                  Variable w2d = reshape(w, {w.size(0), -1});
                  std::vector<Variable> grad_x_parts;
                  Variable grad_w2d;
                  for (int64_t first = 0; first < n; first += chunks.size) {
                    const int64_t images = std::min(chunks.size, n - first);
                    Variable rows = narrow(grad_rows, 0, first * pixels, images * pixels);
                    if (in.needs_grad(0)) {
                      Shape shape = x.shape();
                      shape[0] = images;
                      grad_x_parts.push_back(col2im(grouped_a_b(rows, w2d, groups), shape, window));
                    }
                    if (in.needs_grad(1)) {
                      // The columns are rebuilt here from x, not kept from the forward pass.
                      Variable part =
                          grouped_at_b(rows, im2col(narrow(x, 0, first, images), window), groups);
                      grad_w2d = grad_w2d.defined() ? grad_w2d + part : part;
                    }
                  }
                  return convolution_grads(in, grad, grad_x_parts, grad_w2d);
                });
}

Variable conv_transpose2d(const Variable& input, const Variable& weight, const Variable& bias,
                          Size2 stride, Size2 padding, Size2 output_padding, Size2 dilation,
                          int64_t groups) {
  check_common("conv_transpose2d", input, weight, bias, groups);
  const int64_t channels = input.size(1);
  MINIDL_CHECK(channels == weight.size(0), "conv_transpose2d: input "
                                               << shape_str(input.shape()) << " has " << channels
                                               << " channels, weight " << shape_str(weight.shape())
                                               << " expects " << weight.size(0));
  MINIDL_CHECK(channels % groups == 0, "conv_transpose2d: input "
                                           << shape_str(input.shape()) << " has " << channels
                                           << " channels, not divisible by groups = " << groups);
  const int64_t out_channels = weight.size(1) * groups;
  MINIDL_CHECK(!bias.defined() || bias.shape() == Shape{out_channels},
               "conv_transpose2d: bias " << shape_str(bias.shape()) << " does not match "
                                         << out_channels << " output channels of weight "
                                         << shape_str(weight.shape())
                                         << " with groups = " << groups);
  const Window2d window = make_window(weight.shape(), stride, padding, dilation);
  check_window(window, "conv_transpose2d");
  for (int axis = 0; axis < 2; ++axis) {
    MINIDL_CHECK(output_padding[axis] >= 0 && output_padding[axis] < stride[axis],
                 "conv_transpose2d: output_padding " << output_padding[0] << "x"
                                                     << output_padding[1]
                                                     << " must be non-negative and smaller than "
                                                        "the stride "
                                                     << stride[0] << "x" << stride[1]);
  }
  const int64_t n = input.size(0), h = input.size(2), w = input.size(3);
  // The size whose convolution with this window has size h: the transpose's output.
  const int64_t oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (weight.size(2) - 1) +
                     output_padding[0] + 1;
  const int64_t ow = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (weight.size(3) - 1) +
                     output_padding[1] + 1;
  MINIDL_CHECK(oh >= 1 && ow >= 1,
               "conv_transpose2d: input "
                   << shape_str(input.shape()) << " with weight " << shape_str(weight.shape())
                   << ", stride " << stride[0] << "x" << stride[1] << " and padding " << padding[0]
                   << "x" << padding[1] << " gives an empty output " << oh << "x" << ow);
  const Shape out_shape = {n, out_channels, oh, ow};

  // Per run of images, [n*H*W, C_in] x [C_in, C_out*KH*KW] gives the columns of the output, and
  // col2im adds them up into that run's images.
  const int64_t pixels = h * w;
  const Chunks chunks =
      batch_chunks(n, pixels * out_channels * window.taps() * int64_t(dtype_size(input.dtype())));
  Tensor x_rows = input.data().permute({0, 2, 3, 1}).reshape({n * pixels, channels});
  Tensor w2d = weight.data().reshape({channels, -1});
  Tensor value = Tensor::empty(out_shape, input.dtype());
  for (int64_t first = 0; first < n; first += chunks.size) {
    const int64_t images = std::min(chunks.size, n - first);
    Tensor columns = grouped_a_b(x_rows.narrow(0, first * pixels, images * pixels), w2d, groups);
    value.narrow(0, first, images).copy_(col2im(columns, {images, out_channels, oh, ow}, window));
  }
  if (bias.defined()) add_(value, bias.data().view({out_channels, 1, 1}));

  std::vector<Variable> inputs = {input, weight};
  if (bias.defined()) inputs.push_back(bias);
  return record("conv_transpose2d", value, std::move(inputs),
                [window, groups, chunks](const Variable& grad, const Inputs& in, const Variable&) {
                  const Variable& x = in[0];
                  const Variable& w = in[1];
                  const int64_t n = x.size(0);
                  Variable w2d = reshape(w, {w.size(0), -1});
                  std::vector<Variable> grad_x_parts;
                  Variable grad_w2d;
                  for (int64_t first = 0; first < n; first += chunks.size) {
                    const int64_t images = std::min(chunks.size, n - first);
                    // [images*H*W, C_out*KH*KW]
                    Variable grad_columns = im2col(narrow(grad, 0, first, images), window);
                    Variable x_part = narrow(x, 0, first, images);
                    if (in.needs_grad(0)) {
                      grad_x_parts.push_back(
                          rows_to_images(grouped_a_bt(grad_columns, w2d, groups), x_part.shape()));
                    }
                    if (in.needs_grad(1)) {
                      Variable part = grouped_at_b(images_to_rows(x_part), grad_columns, groups);
                      grad_w2d = grad_w2d.defined() ? grad_w2d + part : part;
                    }
                  }
                  return convolution_grads(in, grad, grad_x_parts, grad_w2d);
                });
}

}  // namespace minidl
