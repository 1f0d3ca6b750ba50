// im2col, col2im and the max-pooling kernel: hand-worked values, a convolution through im2col and
// one GEMM against a direct six-loop convolution, the adjoint identity, and determinism across
// thread counts.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor_test_util.h"

using namespace minidl;
using minidl::test::bit_identical;
using minidl::test::kFloatTypes;
using minidl::test::values;

namespace {

Window2d window(int64_t k, int64_t stride = 1, int64_t padding = 0, int64_t dilation = 1) {
  return Window2d{k, k, stride, stride, padding, padding, dilation, dilation};
}

// The direct definition: out[n, o, oh, ow] = sum_{c, kh, kw} x[n, c, ih, iw] w[o, c, kh, kw] over
// taps inside the image, ih = oh s - p + kh d.
std::vector<double> direct_convolution(const Tensor& x, const Tensor& w, const Window2d& win) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), O = w.size(0);
  const int64_t OH = win.output_h(H), OW = win.output_w(W);
  std::vector<double> xv = values(x), wv = values(w), out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double s = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < win.kernel_h; ++kh)
              for (int64_t kw = 0; kw < win.kernel_w; ++kw) {
                const int64_t ih = oh * win.stride_h - win.padding_h + kh * win.dilation_h;
                const int64_t iw = ow * win.stride_w - win.padding_w + kw * win.dilation_w;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += xv[size_t(((n * C + c) * H + ih) * W + iw)] *
                     wv[size_t(((o * C + c) * win.kernel_h + kh) * win.kernel_w + kw)];
              }
          out.push_back(s);
        }
  return out;
}

double dot(const Tensor& a, const Tensor& b) {
  std::vector<double> av = values(a), bv = values(b);
  double s = 0;
  for (size_t i = 0; i < av.size(); ++i) s += av[i] * bv[i];
  return s;
}

}  // namespace

TEST(Im2col, CopiesEachReceptiveFieldIntoARow) {
  // x = [[1 2 3], [4 5 6], [7 8 9]], 2x2 kernel, stride 1: four windows.
  Tensor x = arange(1, 10, 1, DType::Float64).reshape({1, 1, 3, 3});
  Tensor columns = im2col(x, window(2));
  EXPECT_EQ(columns.shape(), (Shape{4, 4}));
  EXPECT_EQ(values(columns), (std::vector<double>{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}));
}

TEST(Im2col, PadsWithZerosAndOrdersColumnsChannelMajor) {
  // Two channels [[1 2], [3 4]] and [[5 6], [7 8]], 2x2 kernel, stride 2, padding 1: a 2x2
  // output whose first window sees only the top-left pixel of each channel.
  Tensor x = arange(1, 9, 1, DType::Float32).reshape({1, 2, 2, 2});
  Tensor columns = im2col(x, window(2, 2, 1));
  EXPECT_EQ(columns.shape(), (Shape{4, 8}));
  EXPECT_EQ(values(columns), (std::vector<double>{0, 0, 0, 1, 0, 0, 0, 5,  //
                                                  0, 0, 2, 0, 0, 0, 6, 0,  //
                                                  0, 3, 0, 0, 0, 7, 0, 0,  //
                                                  4, 0, 0, 0, 8, 0, 0, 0}));
}

TEST(Im2col, DilationSpreadsTheTaps) {
  // 4x4 image 0..15, 2x2 kernel with dilation 2: taps at (0,0), (0,2), (2,0), (2,2) offsets.
  Tensor x = arange(0, 16, 1, DType::Float64).reshape({1, 1, 4, 4});
  Tensor columns = im2col(x, window(2, 1, 0, 2));
  EXPECT_EQ(columns.shape(), (Shape{4, 4}));
  EXPECT_EQ(values(columns),
            (std::vector<double>{0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15}));
}

TEST(Im2col, OneGemmOverTheBatchIsTheDirectConvolution) {
  for (DType dtype : kFloatTypes) {
    Generator gen(3);
    for (const Window2d& win :
         {window(3, 1, 1), window(4, 2, 1), window(3, 2, 2, 2), Window2d{2, 3, 1, 2, 0, 1, 2, 1}}) {
      Tensor x = uniform({3, 2, 7, 6}, -1, 1, DType::Float64, gen);
      Tensor w = uniform({4, 2, win.kernel_h, win.kernel_w}, -1, 1, DType::Float64, gen);
      const int64_t OH = win.output_h(7), OW = win.output_w(6);
      Tensor rows = matmul(im2col(x.to(dtype), win), w.to(dtype).reshape({4, -1}).t());
      Tensor out = rows.reshape({3, OH, OW, 4}).permute({0, 3, 1, 2});
      std::vector<double> expected = direct_convolution(x, w, win), got = values(out);
      ASSERT_EQ(got.size(), expected.size());
      const double tolerance = dtype == DType::Float32 ? 1e-5 : 1e-13;
      for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], tolerance) << i;
    }
  }
}

TEST(Col2im, IsTheAdjointOfIm2col) {
  for (DType dtype : kFloatTypes) {
    Generator gen(11);
    for (const Window2d& win : {window(3, 1, 1), window(4, 2, 1), window(3, 2, 2, 2), window(1),
                                Window2d{3, 2, 2, 1, 1, 0, 1, 3}}) {
      const Shape shape = {2, 3, 9, 8};
      Tensor x = uniform(shape, -1, 1, dtype, gen);
      Tensor columns = im2col(x, win);
      Tensor y = uniform(columns.shape(), -1, 1, dtype, gen);
      const double lhs = dot(columns, y), rhs = dot(x, col2im(y, shape, win));
      EXPECT_NEAR(lhs, rhs, (dtype == DType::Float32 ? 1e-4 : 1e-12) * (1 + std::abs(lhs)));
    }
  }
}

TEST(Col2im, AddsOverlappingTaps) {
  // All-ones columns for a 3x3 image, 2x2 kernel, stride 1: each pixel receives one per window
  // that covers it: corners 1, edges 2, centre 4.
  Tensor y = ones({4, 4}, DType::Float64);
  EXPECT_EQ(values(col2im(y, {1, 1, 3, 3}, window(2))),
            (std::vector<double>{1, 2, 1, 2, 4, 2, 1, 2, 1}));
}

TEST(Im2col, ReadsNonContiguousInput) {
  Generator gen(5);
  Tensor base = uniform({2, 5, 6, 3}, -1, 1, DType::Float64, gen);
  Tensor x = base.permute({0, 3, 1, 2});  // [2, 3, 5, 6], channels last in memory
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_TRUE(bit_identical(im2col(x, window(3, 2, 1)), im2col(x.contiguous(), window(3, 2, 1))));
}

TEST(Col2im, GivesTheSameBitsOnOneAndTwoThreads) {
  Generator gen(8);
  const Window2d win = window(4, 2, 1);
  Tensor y = uniform({16 * 14 * 14, 8 * 16}, -1, 1, DType::Float32, gen);
  Tensor one, two;
  {
    minidl::test::ScopedThreads threads(1);
    one = col2im(y, {16, 8, 28, 28}, win);
  }
  {
    minidl::test::ScopedThreads threads(2);
    const int64_t grain = parallel_grain();
    set_parallel_grain(1);
    two = col2im(y, {16, 8, 28, 28}, win);
    set_parallel_grain(grain);
  }
  EXPECT_TRUE(bit_identical(one, two));
}

TEST(MaxPool2dKernel, TakesTheFirstMaximumAndItsIndex) {
  // [[1 3 3], [2 0 3], [3 1 1]] with a 2x2 window, stride 1: ties resolve to the first in
  // row-major scan order.
  Tensor x = tensor({1.0, 3, 3, 2, 0, 3, 3, 1, 1}, DType::Float64).reshape({1, 1, 3, 3});
  MaxPoolResult r = max_pool2d_with_indices(x, window(2));
  EXPECT_EQ(values(r.values), (std::vector<double>{3, 3, 3, 3}));
  EXPECT_EQ(r.indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 6, 5}));
}

TEST(MaxPool2dKernel, PaddingNeverWins) {
  Tensor x = full({1, 1, 2, 2}, -5.0, DType::Float32);
  MaxPoolResult r = max_pool2d_with_indices(x, window(2, 2, 1));
  EXPECT_EQ(values(r.values), (std::vector<double>{-5, -5, -5, -5}));
  EXPECT_EQ(r.indices.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(Im2col, ErrorsNameTheOpAndShapes) {
  EXPECT_MINIDL_ERROR(im2col(zeros({2, 3, 4}), window(2)),
                      "im2col: input must be [N, C, H, W], got [2, 3, 4]");
  EXPECT_MINIDL_ERROR(im2col(zeros({1, 1, 2, 2}), window(3)),
                      "im2col: a 3x3 window (dilation 1x1, padding 0x0) does not fit input "
                      "[1, 1, 2, 2]");
  // A window one pixel longer than the input, with stride 2: no window fits.
  EXPECT_MINIDL_ERROR(im2col(zeros({1, 1, 2, 2}), window(3, 2)),
                      "im2col: a 3x3 window (dilation 1x1, padding 0x0) does not fit input "
                      "[1, 1, 2, 2]");
  EXPECT_MINIDL_ERROR(im2col(zeros({1, 1, 4, 4}), window(2, 0)),
                      "im2col: stride must be positive, got 0x0");
  EXPECT_MINIDL_ERROR(col2im(zeros({4, 5}), {1, 1, 3, 3}, window(2)),
                      "col2im: columns [4, 5] do not fit images [1, 1, 3, 3] (expected [4, 4])");
}

TEST(RowsToChannelsFirst, TransposesEachImageAndAddsTheBias) {
  // Two images of three pixels with two channels: rows [6, 2] -> [2, 2, 3].
  Tensor rows = arange(0, 12, 1, DType::Float64).reshape({6, 2});
  EXPECT_EQ(values(rows_to_channels_first(rows, 2)),
            (std::vector<double>{0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11}));
  Tensor bias = tensor({100.0, -100.0}, DType::Float64);
  EXPECT_EQ(values(rows_to_channels_first(rows, 2, bias)),
            (std::vector<double>{100, 102, 104, -99, -97, -95, 106, 108, 110, -93, -91, -89}));
  // Larger than one 32 x 32 tile in both directions, against the permuted view's copy.
  Generator gen(4);
  Tensor big = uniform({3 * 70, 45}, -1, 1, DType::Float32, gen);
  EXPECT_TRUE(bit_identical(rows_to_channels_first(big, 3),
                            big.view({3, 70, 45}).permute({0, 2, 1}).contiguous()));
}
