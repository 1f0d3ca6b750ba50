#include "tensor/single_channel_convolution.h"

#include <algorithm>
#include <vector>

#include "tensor/threading.h"

namespace minidl {

namespace {

// Output pixels are computed kBlock at a time along a row, so the innermost loops have a fixed
// length the compiler unrolls and vectorises.
constexpr int64_t kBlock = 16;

// One output row (n, oh) at a time: the taps of the whole row are gathered into `taps`
// [KH*KW][OW rounded up to kBlock] (zeros in the padding and beyond OW), then every output
// channel's row is a sum of KH*KW scaled tap rows, accumulated in registers and stored once. Rows
// are disjoint, so threads never share an output.
template <typename T>
void single_channel_kernel(const T* x, const T* weight, const T* bias, T* out, int64_t N, int64_t H,
                           int64_t W, int64_t OC, int64_t OH, int64_t OW, const Window2d& w) {
  const int64_t taps_per_pixel = w.taps();
  const int64_t width = (OW + kBlock - 1) / kBlock * kBlock;
  const int64_t rows = N * OH;
#pragma omp parallel if (should_parallelize(rows * OW * OC * taps_per_pixel) && rows > 1)
  {
    std::vector<T> taps(size_t(taps_per_pixel * width), T(0));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = r / OH, oh = r % OH;
      const T* image = x + n * H * W;
      for (int64_t kh = 0; kh < w.kernel_h; ++kh) {
        const int64_t ih = oh * w.stride_h - w.padding_h + kh * w.dilation_h;
        const bool row_inside = ih >= 0 && ih < H;
        for (int64_t kw = 0; kw < w.kernel_w; ++kw) {
          T* tap_row = taps.data() + (kh * w.kernel_w + kw) * width;
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t iw = ow * w.stride_w - w.padding_w + kw * w.dilation_w;
            tap_row[ow] = (row_inside && iw >= 0 && iw < W) ? image[ih * W + iw] : T(0);
          }
        }
      }
      for (int64_t o = 0; o < OC; ++o) {
        const T* filter = weight + o * taps_per_pixel;
        T* out_row = out + ((n * OC + o) * OH + oh) * OW;
        const T start = bias != nullptr ? bias[o] : T(0);
        for (int64_t ow0 = 0; ow0 < OW; ow0 += kBlock) {
          T acc[kBlock];
          for (int64_t j = 0; j < kBlock; ++j) acc[j] = start;
          for (int64_t k = 0; k < taps_per_pixel; ++k) {
            const T f = filter[k];
            const T* tap = taps.data() + k * width + ow0;
            for (int64_t j = 0; j < kBlock; ++j) acc[j] += f * tap[j];
          }
          std::copy_n(acc, std::min(kBlock, OW - ow0), out_row + ow0);
        }
      }
    }
  }
}

}  // namespace

Tensor conv2d_single_channel(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                             const Window2d& window) {
  MINIDL_CHECK(
      x_in.defined() && x_in.dim() == 4 && x_in.size(1) == 1,
      "conv2d_single_channel: input must be [N, 1, H, W], got " << shape_str(x_in.shape()));
  const int64_t OC = weight_in.defined() ? weight_in.size(0) : 0;
  MINIDL_CHECK(
      weight_in.defined() && weight_in.shape() == Shape({OC, 1, window.kernel_h, window.kernel_w}),
      "conv2d_single_channel: weight " << shape_str(weight_in.shape()) << " is not [OC, 1, "
                                       << window.kernel_h << ", " << window.kernel_w << "]");
  MINIDL_CHECK(weight_in.dtype() == x_in.dtype() && is_floating(x_in.dtype()),
               "conv2d_single_channel: input " << x_in.dtype() << " and weight "
                                               << weight_in.dtype()
                                               << " must be the same float dtype");
  MINIDL_CHECK(!bias_in.defined() || (bias_in.numel() == OC && bias_in.dtype() == x_in.dtype()),
               "conv2d_single_channel: bias " << shape_str(bias_in.shape()) << " does not match "
                                              << OC << " output channels");
  check_window(window, "conv2d_single_channel");
  const int64_t N = x_in.size(0), H = x_in.size(2), W = x_in.size(3);
  const int64_t OH = window.output_h(H), OW = window.output_w(W);
  MINIDL_CHECK(OH >= 1 && OW >= 1, "conv2d_single_channel: a "
                                       << window.kernel_h << "x" << window.kernel_w
                                       << " window does not fit input " << shape_str(x_in.shape()));
  Tensor x = x_in.contiguous(), weight = weight_in.contiguous();
  Tensor bias = bias_in.defined() ? bias_in.contiguous() : Tensor();
  Tensor out = Tensor::empty({N, OC, OH, OW}, x.dtype());
  if (out.numel() == 0) return out;
  dispatch_floating(x.dtype(), "conv2d_single_channel", [&]<typename T>() {
    single_channel_kernel<T>(x.data<T>(), weight.data<T>(),
                             bias.defined() ? bias.data<T>() : nullptr, out.data<T>(), N, H, W, OC,
                             OH, OW, window);
  });
  return out;
}

}  // namespace minidl
