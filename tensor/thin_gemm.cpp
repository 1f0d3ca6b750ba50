#include "tensor/thin_gemm.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "tensor/threading.h"

namespace minidl {

namespace {

// Output tiles: a block of up to kRows rows by kCols columns (or kCols rows by up to
// kThinGemmMaxN columns in the column form). Their sizes depend on the shape only, never on the
// thread count, and threads take whole tiles, so an element's arithmetic is the same on any
// number of threads.
constexpr int64_t kRows = 32;
constexpr int64_t kCols = 64;

// Partial sums of the dot form: one vector register of AVX-512, two of AVX2; a constant, so the
// summation order does not depend on the instruction set.
template <typename T>
constexpr int kLanes = std::is_same_v<T, float> ? 32 : 16;

template <typename T>
inline T combine(T acc, T alpha, T beta, const T* c) {
  // beta == 0 must not read c: BLAS callers pass uninitialised outputs.
  return beta == T(0) ? alpha * acc : alpha * acc + beta * *c;
}

// The work below which a product runs on one thread, in multiply-adds.
bool parallel_for(int64_t M, int64_t N, int64_t K) { return should_parallelize(M * N * K / 4); }

// Row form: c[i, j] = sum_k a[i, k] b[k, j] with b's rows contiguous (b_col == 1), vectorised
// along j. A tile keeps kRows x kCols partial sums and streams the b panel once for all its rows,
// so a thin M reads b once and a thin K keeps b in cache. Each sum runs sequentially over k.
template <typename T>
void row_form(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, int64_t a_col,
              const T* b, int64_t b_row, T beta, T* c) {
  const int64_t row_blocks = (M + kRows - 1) / kRows, col_blocks = (N + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
  for (int64_t t = 0; t < row_blocks * col_blocks; ++t) {
    const int64_t i0 = (t / col_blocks) * kRows, j0 = (t % col_blocks) * kCols;
    const int64_t rows = std::min(kRows, M - i0), w = std::min(kCols, N - j0);
    alignas(64) T acc[kRows][kCols];
    for (int64_t k = 0; k < K; ++k) {
      const T* bk = b + k * b_row + j0;
      for (int64_t r = 0; r < rows; ++r) {
        const T ark = a[(i0 + r) * a_row + k * a_col];
        T* accr = acc[r];
        if (k == 0) {
#pragma omp simd
          for (int64_t l = 0; l < w; ++l) accr[l] = ark * bk[l];
        } else {
#pragma omp simd
          for (int64_t l = 0; l < w; ++l) accr[l] += ark * bk[l];
        }
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      T* cr = c + (i0 + r) * N + j0;
      const T* accr = acc[r];
      if (beta == T(0)) {
#pragma omp simd
        for (int64_t l = 0; l < w; ++l) cr[l] = alpha * accr[l];
      } else {
#pragma omp simd
        for (int64_t l = 0; l < w; ++l) cr[l] = alpha * accr[l] + beta * cr[l];
      }
    }
  }
}

// Column form, for a thin N with a's columns contiguous (a_row == 1, as in G^T X): vectorised
// along i, kCols rows by all N columns per tile, a streamed once. Sequential over k.
template <typename T>
void column_form(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_col, const T* b,
                 int64_t b_row, int64_t b_col, T beta, T* c) {
  const int64_t row_blocks = (M + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
  for (int64_t t = 0; t < row_blocks; ++t) {
    const int64_t i0 = t * kCols, h = std::min(kCols, M - i0);
    alignas(64) T acc[kRows][kCols];  // [j][i - i0]
    for (int64_t k = 0; k < K; ++k) {
      const T* ak = a + k * a_col + i0;
      for (int64_t j = 0; j < N; ++j) {
        const T bkj = b[k * b_row + j * b_col];
        T* accj = acc[j];
        if (k == 0) {
#pragma omp simd
          for (int64_t l = 0; l < h; ++l) accj[l] = ak[l] * bkj;
        } else {
#pragma omp simd
          for (int64_t l = 0; l < h; ++l) accj[l] += ak[l] * bkj;
        }
      }
    }
    for (int64_t l = 0; l < h; ++l) {
      T* ci = c + (i0 + l) * N;
      for (int64_t j = 0; j < N; ++j) ci[j] = combine(acc[j][l], alpha, beta, ci + j);
    }
  }
}

// sum_k x[k] y[k] over contiguous x and y: kLanes interleaved partial sums, then the lanes added
// pairwise. The order depends on K only.
template <typename T>
inline T dot(const T* x, const T* y, int64_t K) {
  constexpr int L = kLanes<T>;
  alignas(64) T acc[L] = {};
  int64_t k = 0;
  for (; k + L <= K; k += L) {
#pragma omp simd
    for (int l = 0; l < L; ++l) acc[l] += x[k + l] * y[k + l];
  }
  for (int l = 0; k + l < K; ++l) acc[l] += x[k + l] * y[k + l];
  for (int width = L / 2; width >= 1; width /= 2) {
    for (int l = 0; l < width; ++l) acc[l] += acc[l + width];
  }
  return acc[0];
}

// Dot form: a's rows (a_row apart) and b's columns (b_col apart) contiguous along k. Threads take
// single outputs, walking along whichever of M and N is the thin one so that the long operand
// row is reused from cache.
template <typename T>
void dot_form(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, const T* b,
              int64_t b_col, T beta, T* c) {
  const bool thin_m = M <= N;
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
  for (int64_t t = 0; t < M * N; ++t) {
    const int64_t i = thin_m ? t % M : t / N, j = thin_m ? t / M : t % N;
    T* cij = c + i * N + j;
    *cij = combine(dot(a + i * a_row, b + j * b_col, K), alpha, beta, cij);
  }
}

// A copy of x [rows, cols] (read at x[r * row + q * col]) in row-major order.
template <typename T>
std::vector<T> pack(const T* x, int64_t rows, int64_t cols, int64_t row, int64_t col) {
  std::vector<T> out(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t q = 0; q < cols; ++q) out[size_t(r * cols + q)] = x[r * row + q * col];
  return out;
}

}  // namespace

bool thin_gemm_applies(int64_t M, int64_t N, int64_t K) {
  return K <= kThinGemmMaxK || N <= kThinGemmMaxN || M <= kThinGemmMaxM;
}

template <typename T>
void thin_gemm(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, int64_t a_col,
               const T* b, int64_t b_row, int64_t b_col, T beta, T* c) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {  // an empty sum
    for (int64_t e = 0; e < M * N; ++e) c[e] = beta == T(0) ? T(0) : beta * c[e];
    return;
  }
  // The stride of a size-1 axis is never used to step: call it unit so the layout tests below
  // see through it.
  if (M == 1) a_row = 1;
  if (N == 1) b_col = 1;
  std::vector<T> a_copy, b_copy;
  // Forms that need b's rows contiguous: a thin K (b is small, so a copy is cheap) and a thin M
  // whose b is not stored as b^T (a copy of b^T would cost as much as the product).
  const bool b_by_rows = b_col == 1 || b_row != 1;
  if (K <= kThinGemmMaxK || (N > kThinGemmMaxN && b_by_rows)) {
    if (b_col != 1) {
      b_copy = pack(b, K, N, b_row, b_col);
      b = b_copy.data(), b_row = N, b_col = 1;
    }
    row_form(M, N, K, alpha, a, a_row, a_col, b, b_row, beta, c);
    return;
  }
  if (N <= kThinGemmMaxN && N <= kRows && a_row == 1 && a_col != 1 && M >= 8) {
    column_form(M, N, K, alpha, a, a_col, b, b_row, b_col, beta, c);
    return;
  }
  // The dot form: a thin N (b^T is small), or a thin M with b stored as b^T.
  if (a_col != 1) {
    a_copy = pack(a, M, K, a_row, a_col);
    a = a_copy.data(), a_row = K, a_col = 1;
  }
  if (b_row != 1) {
    b_copy = pack(b, N, K, b_col, b_row);  // b^T, row-major
    b = b_copy.data(), b_col = K, b_row = 1;
  }
  dot_form(M, N, K, alpha, a, a_row, b, b_col, beta, c);
}

template void thin_gemm<float>(int64_t, int64_t, int64_t, float, const float*, int64_t, int64_t,
                               const float*, int64_t, int64_t, float, float*);
template void thin_gemm<double>(int64_t, int64_t, int64_t, double, const double*, int64_t, int64_t,
                                const double*, int64_t, int64_t, double, double*);

}  // namespace minidl
