// The thin GEMM kernel (tensor/thin_gemm.h) against cblas and against an exact reference, on
// random thin shapes (M, N or K of 1, odd sizes, every layout of views: transposed, row-sliced,
// strided both ways, expanded), float32 and float64, with BLAS's alpha/beta semantics; the same
// bits on 1 and 2 threads; and matmul/addmm/gemm_into choosing it for thin shapes.
#include "tensor/thin_gemm.h"

#include <cblas.h>

#include <cmath>
#include <limits>
#include <string>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::bit_identical;
using test::kFloatTypes;
using test::values;

// How an operand [rows, cols] is laid out in memory.
enum class Layout { Plain, Transposed, RowSliced, Strided, Expanded };
const Layout kLayouts[] = {Layout::Plain, Layout::Transposed, Layout::RowSliced, Layout::Strided,
                           Layout::Expanded};

const char* layout_name(Layout layout) {
  switch (layout) {
    case Layout::Plain:
      return "plain";
    case Layout::Transposed:
      return "transposed";
    case Layout::RowSliced:
      return "row-sliced";
    case Layout::Strided:
      return "strided";
    case Layout::Expanded:
      return "expanded";
  }
  return "";
}

// A random [rows, cols] view with the given layout, values uniform in [-1, 1].
Tensor operand(int64_t rows, int64_t cols, Layout layout, DType dtype, Generator& gen) {
  switch (layout) {
    case Layout::Plain:
      return uniform({rows, cols}, -1, 1, dtype, gen);
    case Layout::Transposed:
      return uniform({cols, rows}, -1, 1, dtype, gen).t();
    case Layout::RowSliced:  // unit column stride, row stride cols + 3
      return uniform({rows, cols + 3}, -1, 1, dtype, gen).narrow(1, 2, cols);
    case Layout::Strided:  // every other row and column: no unit stride at all
      return uniform({2 * rows, 2 * cols}, -1, 1, dtype, gen)
          .slice(0, 0, 2 * rows, 2)
          .slice(1, 1, 2 * cols, 2);
    case Layout::Expanded:  // one row repeated (row stride 0)
      return uniform({1, cols}, -1, 1, dtype, gen).expand({rows, cols});
  }
  return {};
}

template <typename T>
Tensor run_kernel(const Tensor& a, const Tensor& b, double alpha, double beta, const Tensor& c_in) {
  Tensor c = c_in.clone();
  thin_gemm<T>(a.shape()[0], b.shape()[1], a.shape()[1], T(alpha), a.data<T>(), a.strides()[0],
               a.strides()[1], b.data<T>(), b.strides()[0], b.strides()[1], T(beta), c.data<T>());
  return c;
}

// cblas on contiguous copies.
Tensor run_cblas(const Tensor& a_view, const Tensor& b_view, double alpha, double beta,
                 const Tensor& c_in) {
  Tensor a = a_view.contiguous(), b = b_view.contiguous(), c = c_in.clone();
  const int M = int(a.shape()[0]), K = int(a.shape()[1]), N = int(b.shape()[1]);
  if (a.dtype() == DType::Float32) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, float(alpha), a.data<float>(),
                std::max(K, 1), b.data<float>(), std::max(N, 1), float(beta), c.data<float>(),
                std::max(N, 1));
  } else {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, alpha, a.data<double>(),
                std::max(K, 1), b.data<double>(), std::max(N, 1), beta, c.data<double>(),
                std::max(N, 1));
  }
  return c;
}

// Checks `got` against the exact alpha a b + beta c (long double: products of floats and doubles
// summed with 64 significant bits) with the bound of a sequential dot product in the operands'
// precision, gamma_K sum_k |a_ik b_kj|, gamma_K = K u / (1 - K u), widened by the two roundings
// of alpha * s + beta * c. `slack` multiplies the bound (2 for a comparison between two results
// that each satisfy it).
void expect_within_dot_bound(const Tensor& got, const Tensor& a, const Tensor& b, double alpha,
                             double beta, const Tensor& c_in, const Tensor& other, double slack) {
  const int64_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  const std::vector<double> av = values(a.contiguous()), bv = values(b.contiguous());
  const std::vector<double> cv = values(c_in), gv = values(got), ov = values(other);
  const double u = a.dtype() == DType::Float32 ? std::ldexp(1.0, -24) : std::ldexp(1.0, -53);
  const double gamma = double(K + 2) * u / (1 - double(K + 2) * u);
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      long double exact = 0, magnitude = 0;
      for (int64_t k = 0; k < K; ++k) {
        const long double p = (long double)av[size_t(i * K + k)] * bv[size_t(k * N + j)];
        exact += p;
        magnitude += std::fabs(p);
      }
      const size_t e = size_t(i * N + j);
      const long double cterm = beta == 0 ? 0.0L : (long double)beta * cv[e];
      const double bound =
          slack * gamma * double(std::fabs(alpha) * magnitude + std::fabs(cterm)) + 1e-300;
      const double reference = slack == 1 ? double(alpha * exact + cterm) : ov[e];
      ASSERT_LE(std::abs(gv[e] - reference), bound)
          << "at [" << i << ", " << j << "] of " << M << "x" << K << "x" << N;
    }
  }
}

struct Shape3 {
  int64_t M, K, N;
};

// Thin in K, N or M (each of the kernel's forms and its copies), with 1, odd sizes and sizes that
// leave partial tiles and partial lane blocks, and a few shapes past the thresholds (the kernel
// must be right for any shape even where matmul does not use it).
const Shape3 kShapes[] = {
    {1, 1, 1},    {7, 1, 13}, {129, 2, 67}, {65, 3, 1},   {33, 16, 130}, {5, 17, 1},
    {70, 37, 2},  {1, 95, 1}, {97, 129, 3}, {66, 50, 32}, {1, 61, 70},   {2, 130, 65},
    {31, 33, 99}, {3, 1, 2},  {45, 64, 45}, {8, 200, 9},  {0, 5, 4},     {4, 0, 6},
};

TEST(ThinGemm, MatchesCblasAndTheDotProductBoundOnEveryLayout) {
  Generator gen(11);
  const double coefficients[][2] = {{1, 0}, {1, 1}, {0.5, -2}};
  for (DType dtype : kFloatTypes) {
    for (const Shape3& s : kShapes) {
      const bool empty = s.M == 0 || s.K == 0 || s.N == 0;
      for (Layout la : kLayouts) {
        for (Layout lb : kLayouts) {
          if (empty && (la != Layout::Plain || lb != Layout::Plain)) continue;
          SCOPED_TRACE(std::string(dtype_name(dtype)) + " " + std::to_string(s.M) + "x" +
                       std::to_string(s.K) + "x" + std::to_string(s.N) + " a " + layout_name(la) +
                       ", b " + layout_name(lb));
          Tensor a = operand(s.M, s.K, la, dtype, gen);
          Tensor b = operand(s.K, s.N, lb, dtype, gen);
          for (const auto& ab : coefficients) {
            Tensor c = uniform({s.M, s.N}, -1, 1, dtype, gen);
            Tensor got = dtype == DType::Float32 ? run_kernel<float>(a, b, ab[0], ab[1], c)
                                                 : run_kernel<double>(a, b, ab[0], ab[1], c);
            expect_within_dot_bound(got, a, b, ab[0], ab[1], c, got, 1);
            if (empty) continue;  // BLAS implementations disagree on empty products
            Tensor blas = run_cblas(a, b, ab[0], ab[1], c);
            expect_within_dot_bound(got, a, b, ab[0], ab[1], c, blas, 2);
          }
        }
      }
    }
  }
}

TEST(ThinGemm, BetaZeroDoesNotReadTheOutput) {
  Tensor a = tensor({{1, 2}, {3, 4}, {5, 6}});
  Tensor b = tensor({{1, 0, 2}, {0, 1, 3}});
  Tensor c = full({3, 3}, std::numeric_limits<double>::quiet_NaN());
  thin_gemm<float>(3, 3, 2, 2.0f, a.data<float>(), 2, 1, b.data<float>(), 3, 1, 0.0f,
                   c.data<float>());
  EXPECT_EQ(values(c), (std::vector<double>{2, 4, 16, 6, 8, 36, 10, 12, 56}));
  // K = 0: an empty sum, so c = beta * c.
  Tensor d = tensor({{1, 2}, {3, 4}});
  thin_gemm<float>(2, 2, 0, 1.0f, a.data<float>(), 2, 1, b.data<float>(), 3, 1, 3.0f,
                   d.data<float>());
  EXPECT_EQ(values(d), (std::vector<double>{3, 6, 9, 12}));
}

TEST(ThinGemm, SameBitsOnOneAndTwoThreads) {
  // One shape per form: row (thin K; thin M with b by rows), column (thin N, a transposed), dot
  // (thin N, a by rows; thin M with b transposed), and copies of strided operands.
  struct Case {
    Shape3 shape;
    Layout a, b;
  };
  const Case cases[] = {
      {{300, 5, 131}, Layout::Plain, Layout::Transposed},
      {{3, 300, 200}, Layout::Transposed, Layout::Plain},
      {{200, 301, 7}, Layout::Transposed, Layout::Plain},
      {{200, 301, 7}, Layout::Plain, Layout::Transposed},
      {{9, 257, 150}, Layout::Plain, Layout::Transposed},
      {{150, 99, 5}, Layout::Strided, Layout::Strided},
  };
  Generator gen(5);
  const int64_t grain = parallel_grain();
  for (DType dtype : kFloatTypes) {
    for (const Case& k : cases) {
      SCOPED_TRACE(std::string(dtype_name(dtype)) + " " + std::to_string(k.shape.M) + "x" +
                   std::to_string(k.shape.K) + "x" + std::to_string(k.shape.N));
      Tensor a = operand(k.shape.M, k.shape.K, k.a, dtype, gen);
      Tensor b = operand(k.shape.K, k.shape.N, k.b, dtype, gen);
      Tensor c = uniform({k.shape.M, k.shape.N}, -1, 1, dtype, gen);
      auto run = [&](double beta) {
        return dtype == DType::Float32 ? run_kernel<float>(a, b, 1, beta, c)
                                       : run_kernel<double>(a, b, 1, beta, c);
      };
      Tensor one, two, one_addmm, two_addmm;
      {
        test::ScopedThreads threads(1);
        one = run(0);
        one_addmm = run(1);
      }
      {
        test::ScopedThreads threads(2);
        set_parallel_grain(1);  // split even the smallest product between the threads
        two = run(0);
        two_addmm = run(1);
        set_parallel_grain(grain);
      }
      EXPECT_TRUE(bit_identical(one, two));
      EXPECT_TRUE(bit_identical(one_addmm, two_addmm));
    }
  }
}

TEST(ThinGemm, MatmulAddmmAndGemmIntoUseTheKernelForThinShapes) {
  // Bit equality with the kernel called directly: the public ops route the thin products it takes
  // to it with their alpha and beta (cblas sums in other orders, so it would almost surely differ
  // in some last bit of these sums).
  Generator gen(3);
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor g = uniform({300, 64}, -1, 1, dtype, gen);
    Tensor x = uniform({300, 3}, -1, 1, dtype, gen);  // G^T X: N = 3, a's columns contiguous
    EXPECT_TRUE(thin_gemm_applies(64, 3, 300, 1, 64, 3, 1));
    Tensor bias = uniform({3}, -1, 1, dtype, gen);
    Tensor zero = zeros({64, 3}, dtype);
    Tensor direct = dtype == DType::Float32 ? run_kernel<float>(g.t(), x, 1, 0, zero)
                                            : run_kernel<double>(g.t(), x, 1, 0, zero);
    EXPECT_TRUE(bit_identical(matmul(g.t(), x), direct));
    Tensor with_bias = bias.expand({64, 3}).contiguous();
    Tensor direct_bias = dtype == DType::Float32 ? run_kernel<float>(g.t(), x, 1, 1, with_bias)
                                                 : run_kernel<double>(g.t(), x, 1, 1, with_bias);
    EXPECT_TRUE(bit_identical(addmm(bias, g.t(), x), direct_bias));
    Tensor h = uniform({300, 3}, -1, 1, dtype, gen);
    Tensor y = uniform({300, 70}, -1, 1, dtype, gen);  // H^T Y: M = 3, b's rows contiguous
    EXPECT_TRUE(thin_gemm_applies(3, 70, 300, 1, 3, 70, 1));
    Tensor into = uniform({3, 70}, -1, 1, dtype, gen);
    Tensor direct_into = dtype == DType::Float32 ? run_kernel<float>(h.t(), y, 0.5, -1, into)
                                                 : run_kernel<double>(h.t(), y, 0.5, -1, into);
    gemm_into(into, h.t(), y, 0.5, -1);
    EXPECT_TRUE(bit_identical(into, direct_into));
  }
  // Layouts and sizes it leaves to BLAS: X W^T with a small N, a thin K, nothing thin.
  EXPECT_FALSE(thin_gemm_applies(512, 2, 128, 128, 1, 1, 128));
  EXPECT_FALSE(thin_gemm_applies(512, 128, 2, 2, 1, 1, 2));
  EXPECT_FALSE(thin_gemm_applies(128, 256, 784, 784, 1, 1, 784));
}

// Accuracy is part of the kernel: at the workloads' longest sum (the weight gradient of W5's first
// convolution and last transposed convolution, K = 12544 pixels), each form's float32 result is
// compared with the float64 product of the same numbers. A plain sequential float32 sum over K is
// 2e-6 off on these operands (cblas_sgemm 3e-7); the blocked sums must stay at OpenBLAS's level.
TEST(ThinGemm, Float32ErrorAtTheWorkloadsLongestSumStaysNearOpenBlas) {
  constexpr int64_t K = 12544;
  Generator gen(77);
  auto relative_error = [](const Tensor& got, const Tensor& exact) {
    const std::vector<double> g = values(got), e = values(exact);
    double diff = 0, norm = 0;
    for (size_t i = 0; i < e.size(); ++i)
      diff += (g[i] - e[i]) * (g[i] - e[i]), norm += e[i] * e[i];
    return std::sqrt(diff / norm);
  };
  struct Case {
    const char* form;
    Tensor a, b;  // float32 operands, laid out as the form reads them
  };
  const Tensor g = uniform({K, 64}, -1, 1, DType::Float32, gen);
  const Tensor x = uniform({K, 16}, -1, 1, DType::Float32, gen);
  const Tensor w = uniform({16, K}, -1, 1, DType::Float32, gen);
  const Case cases[] = {
      {"column form (G^T X, N = 16)", g.t(), x},
      {"row form (X^T G, M = 16)", x.t(), g},
      {"dot form (A B^T, N = 16)", g.t().contiguous(), w.t()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.form);
    const int64_t M = c.a.size(0), N = c.b.size(1);
    const Tensor zero32 = zeros({M, N}, DType::Float32), zero64 = zeros({M, N}, DType::Float64);
    const Tensor got = run_kernel<float>(c.a, c.b, 1, 0, zero32);
    const Tensor exact =
        run_kernel<double>(c.a.to(DType::Float64), c.b.to(DType::Float64), 1, 0, zero64);
    const double error = relative_error(got, exact);
    std::printf("%s: float32 relative error %.3g (cblas_sgemm %.3g)\n", c.form, error,
                relative_error(run_cblas(c.a, c.b, 1, 0, zero32), exact));
    EXPECT_LT(error, 6e-7);
  }
}

}  // namespace
}  // namespace minidl
