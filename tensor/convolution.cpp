#include "tensor/convolution.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>

#include "tensor/creation.h"
#include "tensor/threading.h"

namespace minidl {

namespace {

void check_images(const Tensor& x, const char* op) {
  MINIDL_CHECK(x.defined(), op << ": undefined tensor");
  MINIDL_CHECK(x.dim() == 4, op << ": input must be [N, C, H, W], got " << shape_str(x.shape()));
  MINIDL_CHECK(is_floating(x.dtype()),
               op << ": dtype " << x.dtype() << " is not supported (float32 or float64 needed)");
}

// A struct rather than a pair unpacked by a structured binding: clang 14 cannot capture a
// structured binding in a lambda, and the kernels are called from the dtype-dispatch lambdas.
struct OutputSize {
  int64_t height, width;
};

// Output size of the window over [H, W], checked to be at least 1.
OutputSize output_size(const Shape& image, const Window2d& w, const char* op) {
  const int64_t oh = w.output_h(image[2]), ow = w.output_w(image[3]);
  MINIDL_CHECK(oh >= 1 && ow >= 1, op << ": a " << w.kernel_h << "x" << w.kernel_w
                                      << " window (dilation " << w.dilation_h << "x" << w.dilation_w
                                      << ", padding " << w.padding_h << "x" << w.padding_w
                                      << ") does not fit input " << shape_str(image));
  return {oh, ow};
}

// Rows are output pixels: each thread fills whole rows, so writes are contiguous and disjoint. Away
// from the border (every tap of a pixel inside the image, the common case) the taps of a kernel
// row are copied without bounds checks. kFixedWidth, when not 0, is the kernel's width known at
// compile time (the 3- and 4-wide kernels of most networks): a kernel row then copies as one
// short vector move instead of a loop of unknown length.
template <typename T, int64_t kFixedWidth>
void im2col_kernel(const T* x, T* columns, const Shape& s, int64_t OH, int64_t OW,
                   const Window2d& w) {
  const int64_t C = s[1], H = s[2], W = s[3];
  const int64_t K = C * w.taps();
  const int64_t rows = s[0] * OH;
  const int64_t kernel_w = kFixedWidth != 0 ? kFixedWidth : w.kernel_w;
  const int64_t span_w = (kernel_w - 1) * w.dilation_w;  // first to last tap of a kernel row
#pragma omp parallel for schedule(static) if (should_parallelize(rows * OW * K) && rows > 1)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = r / OH, oh = r % OH;
    const T* image = x + n * C * H * W;
    T* out = columns + r * OW * K;
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t iw0 = ow * w.stride_w - w.padding_w;
      const bool inside_w = iw0 >= 0 && iw0 + span_w < W;
      for (int64_t c = 0; c < C; ++c) {
        const T* plane = image + c * H * W;
        for (int64_t kh = 0; kh < w.kernel_h; ++kh) {
          const int64_t ih = oh * w.stride_h - w.padding_h + kh * w.dilation_h;
          if (ih < 0 || ih >= H) {
            for (int64_t kw = 0; kw < kernel_w; ++kw) out[kw] = T(0);
          } else if (inside_w && w.dilation_w == 1) {
            const T* taps = plane + ih * W + iw0;
            for (int64_t kw = 0; kw < kernel_w; ++kw) out[kw] = taps[kw];
          } else {
            const T* line = plane + ih * W;
            for (int64_t kw = 0; kw < kernel_w; ++kw) {
              const int64_t iw = iw0 + kw * w.dilation_w;
              out[kw] = (iw >= 0 && iw < W) ? line[iw] : T(0);
            }
          }
          out += kernel_w;
        }
      }
    }
  }
}

// Each thread owns whole image planes (n, c), so the additions never race and each pixel's sum is
// taken in the same order for any thread count. A plane's taps are KH*KW consecutive columns of
// each row, one cache line or two: the rows are walked in order and each row's taps are added
// together, so every line of the columns is read once and whole (walking one tap over all rows
// first would come back to each line KH*KW times, a row of K values apart). kFixedWidth as for
// im2col_kernel.
template <typename T, int64_t kFixedWidth>
void col2im_kernel(const T* columns, T* x, const Shape& s, int64_t OH, int64_t OW,
                   const Window2d& w) {
  const int64_t C = s[1], H = s[2], W = s[3];
  const int64_t K = C * w.taps();
  const int64_t planes = s[0] * C;
  const int64_t kernel_w = kFixedWidth != 0 ? kFixedWidth : w.kernel_w;
  const int64_t span_w = (kernel_w - 1) * w.dilation_w;
#pragma omp parallel for schedule(static) if (should_parallelize(s[0] * OH * OW * K) && planes > 1)
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t n = p / C, c = p % C;
    T* plane = x + p * H * W;
    for (int64_t i = 0; i < H * W; ++i) plane[i] = T(0);
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        const T* taps = columns + ((n * OH + oh) * OW + ow) * K + c * w.taps();
        const int64_t iw0 = ow * w.stride_w - w.padding_w;
        const bool inside_w = iw0 >= 0 && iw0 + span_w < W;
        for (int64_t kh = 0; kh < w.kernel_h; ++kh, taps += kernel_w) {
          const int64_t ih = oh * w.stride_h - w.padding_h + kh * w.dilation_h;
          if (ih < 0 || ih >= H) continue;
          T* line = plane + ih * W;
          if (inside_w && w.dilation_w == 1) {
            for (int64_t kw = 0; kw < kernel_w; ++kw) line[iw0 + kw] += taps[kw];
          } else {
            for (int64_t kw = 0; kw < kernel_w; ++kw) {
              const int64_t iw = iw0 + kw * w.dilation_w;
              if (iw >= 0 && iw < W) line[iw] += taps[kw];
            }
          }
        }
      }
    }
  }
}

// Calls run(std::integral_constant<int64_t, width>) with the window's width as a compile-time
// constant where it is 3 or 4, and with 0 (the width read at run time) otherwise.
template <typename Run>
void dispatch_kernel_width(int64_t kernel_w, Run&& run) {
  switch (kernel_w) {
    case 3:
      run(std::integral_constant<int64_t, 3>{});
      break;
    case 4:
      run(std::integral_constant<int64_t, 4>{});
      break;
    default:
      run(std::integral_constant<int64_t, 0>{});
  }
}

// 32 x 32 tiles: both the rows read and the rows written stay in L1 across a tile.
template <typename T>
void transpose_rows_kernel(const T* rows, T* images, const T* bias, int64_t batch, int64_t P,
                           int64_t C) {
  constexpr int64_t kTile = 32;
#pragma omp parallel for schedule(static) if (should_parallelize(batch * P * C) && batch > 1)
  for (int64_t n = 0; n < batch; ++n) {
    const T* in = rows + n * P * C;
    T* out = images + n * P * C;
    for (int64_t c0 = 0; c0 < C; c0 += kTile) {
      const int64_t c1 = std::min(C, c0 + kTile);
      for (int64_t p0 = 0; p0 < P; p0 += kTile) {
        const int64_t p1 = std::min(P, p0 + kTile);
        for (int64_t c = c0; c < c1; ++c) {
          const T b = bias ? bias[c] : T(0);
          for (int64_t p = p0; p < p1; ++p) out[c * P + p] = in[p * C + c] + b;
        }
      }
    }
  }
}

template <typename T>
bool max_pool_kernel(const T* x, T* values, int64_t* indices, const Shape& s, int64_t OH,
                     int64_t OW, const Window2d& w) {
  const int64_t H = s[2], W = s[3];
  const int64_t planes = s[0] * s[1];
  std::atomic<bool> empty_window{false};
#pragma omp parallel for schedule(static) if (should_parallelize(planes * OH * OW * w.taps()) && \
                                              planes > 1)
  for (int64_t p = 0; p < planes; ++p) {
    const T* plane = x + p * H * W;
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        T best = -std::numeric_limits<T>::infinity();
        int64_t best_index = -1;
        for (int64_t kh = 0; kh < w.kernel_h; ++kh) {
          const int64_t ih = oh * w.stride_h - w.padding_h + kh * w.dilation_h;
          if (ih < 0 || ih >= H) continue;
          for (int64_t kw = 0; kw < w.kernel_w; ++kw) {
            const int64_t iw = ow * w.stride_w - w.padding_w + kw * w.dilation_w;
            if (iw < 0 || iw >= W) continue;
            const T v = plane[ih * W + iw];
            // Strictly greater keeps the first of equal maxima; a NaN wins, as in PyTorch.
            if (best_index < 0 || v > best || std::isnan(v)) {
              best = v;
              best_index = ih * W + iw;
            }
          }
        }
        if (best_index < 0) empty_window.store(true, std::memory_order_relaxed);
        values[(p * OH + oh) * OW + ow] = best;
        indices[(p * OH + oh) * OW + ow] = best_index;
      }
    }
  }
  return !empty_window.load();
}

}  // namespace

namespace {
// floor(span / stride) + 1 for span >= 0; 0 when the window is longer than the padded input (C++
// division truncates towards zero, which would give a negative span of less than a stride 1).
int64_t windows_along(int64_t span, int64_t stride) { return span < 0 ? 0 : span / stride + 1; }
}  // namespace

int64_t Window2d::output_h(int64_t in_h) const {
  return windows_along(in_h + 2 * padding_h - dilation_h * (kernel_h - 1) - 1, stride_h);
}

int64_t Window2d::output_w(int64_t in_w) const {
  return windows_along(in_w + 2 * padding_w - dilation_w * (kernel_w - 1) - 1, stride_w);
}

void check_window(const Window2d& w, const char* op) {
  MINIDL_CHECK(w.kernel_h > 0 && w.kernel_w > 0,
               op << ": kernel size must be positive, got " << w.kernel_h << "x" << w.kernel_w);
  MINIDL_CHECK(w.stride_h > 0 && w.stride_w > 0,
               op << ": stride must be positive, got " << w.stride_h << "x" << w.stride_w);
  MINIDL_CHECK(w.padding_h >= 0 && w.padding_w >= 0,
               op << ": padding must be non-negative, got " << w.padding_h << "x" << w.padding_w);
  MINIDL_CHECK(w.dilation_h > 0 && w.dilation_w > 0,
               op << ": dilation must be positive, got " << w.dilation_h << "x" << w.dilation_w);
}

Tensor im2col(const Tensor& x_in, const Window2d& window) {
  check_images(x_in, "im2col");
  check_window(window, "im2col");
  const OutputSize output = output_size(x_in.shape(), window, "im2col");
  const int64_t OH = output.height, OW = output.width;
  Tensor x = x_in.contiguous();
  const Shape& s = x.shape();
  Tensor columns = Tensor::empty({s[0] * OH * OW, s[1] * window.taps()}, x.dtype());
  if (columns.numel() == 0) return columns;
  dispatch_floating(x.dtype(), "im2col", [&]<typename T>() {
    dispatch_kernel_width(window.kernel_w, [&](auto width) {
      im2col_kernel<T, decltype(width)::value>(x.data<T>(), columns.data<T>(), s, OH, OW, window);
    });
  });
  return columns;
}

Tensor col2im(const Tensor& columns_in, const Shape& image_shape, const Window2d& window) {
  MINIDL_CHECK(columns_in.defined(), "col2im: undefined tensor");
  MINIDL_CHECK(image_shape.size() == 4,
               "col2im: image shape must be [N, C, H, W], got " << shape_str(image_shape));
  check_window(window, "col2im");
  const OutputSize output = output_size(image_shape, window, "col2im");
  const int64_t OH = output.height, OW = output.width;
  const Shape expected = {image_shape[0] * OH * OW, image_shape[1] * window.taps()};
  MINIDL_CHECK(columns_in.shape() == expected,
               "col2im: columns " << shape_str(columns_in.shape()) << " do not fit images "
                                  << shape_str(image_shape) << " (expected " << shape_str(expected)
                                  << ")");
  Tensor columns = columns_in.contiguous();
  Tensor x = Tensor::empty(image_shape, columns.dtype());
  if (x.numel() == 0) return x;
  dispatch_floating(columns.dtype(), "col2im", [&]<typename T>() {
    dispatch_kernel_width(window.kernel_w, [&](auto width) {
      col2im_kernel<T, decltype(width)::value>(columns.data<T>(), x.data<T>(), image_shape, OH, OW,
                                               window);
    });
  });
  return x;
}

Tensor rows_to_channels_first(const Tensor& rows_in, int64_t batch, const Tensor& bias_in) {
  MINIDL_CHECK(rows_in.defined() && rows_in.dim() == 2 && batch > 0 && rows_in.size(0) % batch == 0,
               "rows_to_channels_first: rows " << shape_str(rows_in.shape())
                                               << " are not [N * P, C] for N = " << batch);
  const int64_t P = rows_in.size(0) / batch, C = rows_in.size(1);
  MINIDL_CHECK(!bias_in.defined() || (bias_in.numel() == C && bias_in.dtype() == rows_in.dtype()),
               "rows_to_channels_first: bias " << shape_str(bias_in.shape()) << " does not match "
                                               << C << " channels");
  Tensor rows = rows_in.contiguous();
  Tensor bias = bias_in.defined() ? bias_in.contiguous() : Tensor();
  Tensor images = Tensor::empty({batch, C, P}, rows.dtype());
  if (images.numel() == 0) return images;
  dispatch_floating(rows.dtype(), "rows_to_channels_first", [&]<typename T>() {
    transpose_rows_kernel<T>(rows.data<T>(), images.data<T>(),
                             bias.defined() ? bias.data<T>() : nullptr, batch, P, C);
  });
  return images;
}

MaxPoolResult max_pool2d_with_indices(const Tensor& x_in, const Window2d& window) {
  check_images(x_in, "max_pool2d");
  check_window(window, "max_pool2d");
  const OutputSize output = output_size(x_in.shape(), window, "max_pool2d");
  const int64_t OH = output.height, OW = output.width;
  Tensor x = x_in.contiguous();
  const Shape& s = x.shape();
  MaxPoolResult result{Tensor::empty({s[0], s[1], OH, OW}, x.dtype()),
                       Tensor::empty({s[0], s[1], OH, OW}, DType::Int64)};
  if (result.values.numel() == 0) return result;
  const bool every_window_sees_input =
      dispatch_floating(x.dtype(), "max_pool2d", [&]<typename T>() {
        return max_pool_kernel<T>(x.data<T>(), result.values.data<T>(),
                                  result.indices.data<int64_t>(), s, OH, OW, window);
      });
  MINIDL_CHECK(every_window_sees_input,
               "max_pool2d: a window lies entirely in the padding of input "
                   << shape_str(s) << " (padding " << window.padding_h << "x" << window.padding_w
                   << ")");
  return result;
}

}  // namespace minidl
