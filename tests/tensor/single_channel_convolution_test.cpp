// The direct kernel for one input channel against the definition of a convolution, with and
// without bias, for strides, padding, dilation, rectangular kernels and rows wider than one
// register block; on non-contiguous input; the same bits on one and two threads; its errors.
#include "tensor/single_channel_convolution.h"

#include <gtest/gtest.h>

#include "tensor_test_util.h"

using namespace minidl;
using minidl::test::bit_identical;
using minidl::test::kFloatTypes;
using minidl::test::values;

namespace {

// out[n, o, oh, ow] = bias[o] + sum_{kh, kw} x[n, 0, ih, iw] w[o, 0, kh, kw] over taps inside the
// image, ih = oh s - p + kh d.
std::vector<double> definition(const Tensor& x, const Tensor& w, const std::vector<double>& bias,
                               const Window2d& win) {
  const int64_t N = x.size(0), H = x.size(2), W = x.size(3), O = w.size(0);
  const int64_t OH = win.output_h(H), OW = win.output_w(W);
  std::vector<double> xv = values(x), wv = values(w), out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double s = bias.empty() ? 0.0 : bias[size_t(o)];
          for (int64_t kh = 0; kh < win.kernel_h; ++kh)
            for (int64_t kw = 0; kw < win.kernel_w; ++kw) {
              const int64_t ih = oh * win.stride_h - win.padding_h + kh * win.dilation_h;
              const int64_t iw = ow * win.stride_w - win.padding_w + kw * win.dilation_w;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              s += xv[size_t((n * H + ih) * W + iw)] *
                   wv[size_t((o * win.kernel_h + kh) * win.kernel_w + kw)];
            }
          out.push_back(s);
        }
  return out;
}

}  // namespace

TEST(Conv2dSingleChannel, IsTheDefinitionOfAConvolution) {
  for (DType dtype : kFloatTypes) {
    Generator gen(21);
    // {KH, KW, SH, SW, PH, PW, DH, DW}: the first layer of a DCGAN critic, a 3x3 same-size layer
    // on rows wider than 16 outputs (two register blocks), dilation, and a rectangular kernel with
    // unequal strides and padding.
    for (const Window2d& win :
         {Window2d{4, 4, 2, 2, 1, 1, 1, 1}, Window2d{3, 3, 1, 1, 1, 1, 1, 1},
          Window2d{3, 3, 2, 2, 2, 2, 2, 2}, Window2d{2, 5, 1, 3, 0, 2, 2, 1}}) {
      for (bool with_bias : {true, false}) {
        Tensor x = uniform({3, 1, 19, 23}, -1, 1, DType::Float64, gen);
        Tensor w = uniform({5, 1, win.kernel_h, win.kernel_w}, -1, 1, DType::Float64, gen);
        Tensor b = uniform({5}, -1, 1, DType::Float64, gen);
        Tensor out = conv2d_single_channel(x.to(dtype), w.to(dtype),
                                           with_bias ? b.to(dtype) : Tensor(), win);
        ASSERT_EQ(out.shape(), Shape({3, 5, win.output_h(19), win.output_w(23)}));
        std::vector<double> expected =
            definition(x, w, with_bias ? values(b) : std::vector<double>{}, win);
        std::vector<double> got = values(out);
        ASSERT_EQ(got.size(), expected.size());
        const double tolerance = dtype == DType::Float32 ? 1e-5 : 1e-13;
        for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], tolerance) << i;
      }
    }
  }
}

TEST(Conv2dSingleChannel, ReadsNonContiguousInput) {
  Generator gen(22);
  Tensor base = uniform({2, 9, 11, 1}, -1, 1, DType::Float64, gen);
  Tensor x = base.permute({0, 3, 1, 2});  // [2, 1, 9, 11] through a permuted view
  Tensor w = uniform({4, 1, 3, 3}, -1, 1, DType::Float64, gen);
  Tensor wide = uniform({2, 1, 9, 22}, -1, 1, DType::Float64, gen);
  Tensor strided = wide.slice(3, 0, 22, 2);  // every other column
  const Window2d win{3, 3, 1, 1, 1, 1, 1, 1};
  EXPECT_TRUE(bit_identical(conv2d_single_channel(x, w, Tensor(), win),
                            conv2d_single_channel(x.contiguous(), w, Tensor(), win)));
  ASSERT_FALSE(strided.is_contiguous());
  EXPECT_TRUE(bit_identical(conv2d_single_channel(strided, w, Tensor(), win),
                            conv2d_single_channel(strided.contiguous(), w, Tensor(), win)));
}

TEST(Conv2dSingleChannel, GivesTheSameBitsOnOneAndTwoThreads) {
  Generator gen(23);
  Tensor x = uniform({16, 1, 28, 28}, -1, 1, DType::Float32, gen);
  Tensor w = uniform({64, 1, 4, 4}, -1, 1, DType::Float32, gen);
  Tensor b = uniform({64}, -1, 1, DType::Float32, gen);
  const Window2d win{4, 4, 2, 2, 1, 1, 1, 1};
  Tensor one, two;
  {
    minidl::test::ScopedThreads threads(1);
    one = conv2d_single_channel(x, w, b, win);
  }
  {
    minidl::test::ScopedThreads threads(2);
    const int64_t grain = parallel_grain();
    set_parallel_grain(1);
    two = conv2d_single_channel(x, w, b, win);
    set_parallel_grain(grain);
  }
  EXPECT_TRUE(bit_identical(one, two));
}

TEST(Conv2dSingleChannel, ErrorsNameTheKernelAndShapes) {
  const Window2d win{3, 3, 1, 1, 0, 0, 1, 1};
  Tensor w = zeros({4, 1, 3, 3});
  EXPECT_MINIDL_ERROR(conv2d_single_channel(zeros({2, 3, 8, 8}), w, Tensor(), win),
                      "conv2d_single_channel: input must be [N, 1, H, W], got [2, 3, 8, 8]");
  EXPECT_MINIDL_ERROR(
      conv2d_single_channel(zeros({2, 1, 8, 8}), zeros({4, 1, 2, 2}), Tensor(), win),
      "conv2d_single_channel: weight [4, 1, 2, 2] is not [OC, 1, 3, 3]");
  EXPECT_MINIDL_ERROR(conv2d_single_channel(zeros({2, 1, 8, 8}), w, zeros({3}), win),
                      "conv2d_single_channel: bias [3] does not match 4 output channels");
  EXPECT_MINIDL_ERROR(conv2d_single_channel(zeros({2, 1, 2, 2}), w, Tensor(), win),
                      "conv2d_single_channel: a 3x3 window does not fit input [2, 1, 2, 2]");
}
