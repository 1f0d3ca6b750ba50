#include "tensor/single_channel_convolution.h"

#include <algorithm>
#include <vector>

#include "tensor/creation.h"
#include "tensor/threading.h"

namespace minidl {

namespace {

// The output is computed in tiles of kChannels output channels x kBlock pixels: the kChannels
// accumulators are independent chains of fused multiply-adds (one chain would wait on each
// addition's latency), fixed sizes let the compiler keep the tile in vector registers, and each
// tap vector is loaded once per tile.
constexpr int64_t kBlock = 16;
constexpr int64_t kChannels = 8;

// One image at a time: its taps are gathered into `taps` [KH*KW][OH*OW rounded up to kBlock]
// (zeros in the padding and beyond the last pixel), then each tile sums KH*KW tap vectors scaled by
// its channels' weights. The pixels of an output plane are contiguous, so all but the last block
// of a plane are stored whole. `filters` is the weight as [KH*KW][OC rounded up to kChannels]
// (zeros beyond OC). Images are disjoint, so threads never share an output.
template <typename T>
void single_channel_kernel(const T* x, const T* filters, const T* bias, T* out, int64_t N,
                           int64_t H, int64_t W, int64_t OC, int64_t OH, int64_t OW,
                           const Window2d& w) {
  const int64_t taps_per_pixel = w.taps();
  const int64_t pixels = OH * OW;
  const int64_t width = (pixels + kBlock - 1) / kBlock * kBlock;
  const int64_t padded_channels = (OC + kChannels - 1) / kChannels * kChannels;
#pragma omp parallel if (should_parallelize(N * pixels * OC * taps_per_pixel) && N > 1)
  {
    std::vector<T> taps(size_t(taps_per_pixel * width), T(0));
#pragma omp for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      const T* image = x + n * H * W;
      for (int64_t kh = 0; kh < w.kernel_h; ++kh) {
        for (int64_t kw = 0; kw < w.kernel_w; ++kw) {
          T* tap = taps.data() + (kh * w.kernel_w + kw) * width;
          for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t ih = oh * w.stride_h - w.padding_h + kh * w.dilation_h;
            const bool row_inside = ih >= 0 && ih < H;
            for (int64_t ow = 0; ow < OW; ++ow) {
              const int64_t iw = ow * w.stride_w - w.padding_w + kw * w.dilation_w;
              tap[oh * OW + ow] = (row_inside && iw >= 0 && iw < W) ? image[ih * W + iw] : T(0);
            }
          }
        }
      }
      for (int64_t o0 = 0; o0 < padded_channels; o0 += kChannels) {
        for (int64_t p0 = 0; p0 < pixels; p0 += kBlock) {
          T acc[kChannels][kBlock];
          for (int64_t c = 0; c < kChannels; ++c) {
            const T start = (bias != nullptr && o0 + c < OC) ? bias[o0 + c] : T(0);
            for (int64_t j = 0; j < kBlock; ++j) acc[c][j] = start;
          }
          for (int64_t k = 0; k < taps_per_pixel; ++k) {
            const T* tap = taps.data() + k * width + p0;
            const T* f = filters + k * padded_channels + o0;
            for (int64_t c = 0; c < kChannels; ++c) {
#pragma omp simd
              for (int64_t j = 0; j < kBlock; ++j) acc[c][j] += f[c] * tap[j];
            }
          }
          const int64_t valid = std::min(kBlock, pixels - p0);
          for (int64_t c = 0; c < kChannels && o0 + c < OC; ++c) {
            T* dst = out + (n * OC + o0 + c) * pixels + p0;
            if (valid == kBlock) {
              for (int64_t j = 0; j < kBlock; ++j) dst[j] = acc[c][j];
            } else {
              for (int64_t j = 0; j < valid; ++j) dst[j] = acc[c][j];
            }
          }
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
  // [KH*KW][OC rounded up to kChannels], zeros beyond OC: the kernel reads a tile's weights for
  // one tap from one contiguous run.
  const int64_t padded_channels = (OC + kChannels - 1) / kChannels * kChannels;
  Tensor filters = zeros({window.taps(), padded_channels}, x.dtype());
  filters.narrow(1, 0, OC).copy_(weight.reshape({OC, window.taps()}).t());
  dispatch_floating(x.dtype(), "conv2d_single_channel", [&]<typename T>() {
    single_channel_kernel<T>(x.data<T>(), filters.data<T>(),
                             bias.defined() ? bias.data<T>() : nullptr, out.data<T>(), N, H, W, OC,
                             OH, OW, window);
  });
  return out;
}

}  // namespace minidl
