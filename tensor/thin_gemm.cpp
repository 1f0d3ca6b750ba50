#include "tensor/thin_gemm.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "tensor/threading.h"

namespace minidl {

namespace {

// Row-form tiles: up to kRows rows by kCols columns. Tile sizes depend on the shape only, never
// on the thread count, and threads take whole tiles (or whole blocks of rows or columns in the
// other forms), so an element's arithmetic is the same on any number of threads.
constexpr int64_t kRows = 32;
constexpr int64_t kCols = 64;

// 64 bytes of T (GCC/clang vector extension): one register of AVX-512, two of AVX2, four of
// SSE2. Its width is a constant, so the summation order does not depend on the instruction set.
// Vectors are never passed by value (that would change the ABI with -march).
template <typename T>
using Vec [[gnu::vector_size(64)]] = T;
template <typename T>
constexpr int kLanes = int(64 / sizeof(T));

template <typename T>
inline void load(Vec<T>& v, const T* p) {
  std::memcpy(&v, p, sizeof(v));
}
template <typename T>
inline void store(T* p, const Vec<T>& v) {
  std::memcpy(p, &v, sizeof(v));
}
// The first n < kLanes elements of p, the other lanes 0.
template <typename T>
inline void load_partial(Vec<T>& v, const T* p, int64_t n) {
  v = Vec<T>{};
  std::memcpy(&v, p, size_t(n) * sizeof(T));
}

template <typename T>
inline T combine(T acc, T alpha, T beta, const T* c) {
  // beta == 0 must not read c: BLAS callers pass uninitialised outputs.
  return beta == T(0) ? alpha * acc : alpha * acc + beta * *c;
}

// Each sum over k runs in blocks of kSumBlock terms (kSumBlock vector steps in the dot form),
// each block summed sequentially and the blocks added to a running total in order. A float32
// sum's rounding error grows with the number of terms added in sequence: about K/kSumBlock +
// kSumBlock here instead of K, which keeps a weight gradient over K = 12544 pixels as accurate as
// OpenBLAS's blocked sum. Sums of at most kSumBlock terms are plain sequential sums.
constexpr int64_t kSumBlock = 128;

// The work below which a product runs on one thread, in multiply-adds.
bool parallel_for(int64_t M, int64_t N, int64_t K) { return should_parallelize(M * N * K / 4); }

// Row form: c[i, j] = sum_k a[i, k] b[k, j] with b's rows contiguous (b_col == 1), vectorised
// along j. A tile keeps kRows x kCols partial sums and streams the b panel once for all its rows,
// so a thin M reads b once and a thin K keeps b in cache. Each sum runs over k in blocks
// (kSumBlock). Rows i0..i0+R-1, columns j0..j0+kLanes-1 of the row form in registers: per k one
// load of b and R broadcasts of a. The same operations per element as the general loop below.
template <typename T, int R>
inline void row_micro(int64_t i0, int64_t j0, int64_t N, int64_t K, T alpha, const T* a,
                      int64_t a_row, int64_t a_col, const T* b, int64_t b_row, T beta, T* c) {
  Vec<T> total[R] = {}, acc[R], bk;
  for (int64_t k0 = 0; k0 < K; k0 += kSumBlock) {
    const int64_t k1 = std::min(K, k0 + kSumBlock);
    load<T>(bk, b + k0 * b_row + j0);
    for (int r = 0; r < R; ++r) acc[r] = a[(i0 + r) * a_row + k0 * a_col] * bk;
    for (int64_t k = k0 + 1; k < k1; ++k) {
      load<T>(bk, b + k * b_row + j0);
      for (int r = 0; r < R; ++r) acc[r] = acc[r] + a[(i0 + r) * a_row + k * a_col] * bk;
    }
    for (int r = 0; r < R; ++r) total[r] = total[r] + acc[r];
  }
  for (int r = 0; r < R; ++r) {
    T* cr = c + (i0 + r) * N + j0;
    Vec<T> out = alpha * total[r];
    if (beta != T(0)) {
      Vec<T> old;
      load<T>(old, cr);
      out = out + beta * old;
    }
    store<T>(cr, out);
  }
}

template <typename T>
void row_form(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, int64_t a_col,
              const T* b, int64_t b_row, T beta, T* c) {
  const int64_t row_blocks = (M + kRows - 1) / kRows, col_blocks = (N + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
  for (int64_t t = 0; t < row_blocks * col_blocks; ++t) {
    const int64_t i0 = (t / col_blocks) * kRows, j0 = (t % col_blocks) * kCols;
    const int64_t rows = std::min(kRows, M - i0);
    int64_t w = std::min(kCols, N - j0);
    // Whole vectors of columns by blocks of 4 rows, then a row at a time.
    const int64_t vw = w / kLanes<T> * kLanes<T>;
    for (int64_t jv = 0; jv < vw; jv += kLanes<T>) {
      int64_t r = 0;
      for (; r + 4 <= rows; r += 4)
        row_micro<T, 4>(i0 + r, j0 + jv, N, K, alpha, a, a_row, a_col, b, b_row, beta, c);
      for (; r < rows; ++r)
        row_micro<T, 1>(i0 + r, j0 + jv, N, K, alpha, a, a_row, a_col, b, b_row, beta, c);
    }
    if (vw == w) continue;
    // The remaining columns, fewer than a vector.
    const int64_t jr = j0 + vw;
    w -= vw;
    alignas(64) T acc[kRows][kCols], total[kRows][kCols];
    for (int64_t k0 = 0; k0 < K; k0 += kSumBlock) {
      const int64_t k1 = std::min(K, k0 + kSumBlock);
      for (int64_t k = k0; k < k1; ++k) {
        const T* bk = b + k * b_row + jr;
        for (int64_t r = 0; r < rows; ++r) {
          const T ark = a[(i0 + r) * a_row + k * a_col];
          T* accr = acc[r];
          if (k == k0) {
#pragma omp simd
            for (int64_t l = 0; l < w; ++l) accr[l] = ark * bk[l];
          } else {
#pragma omp simd
            for (int64_t l = 0; l < w; ++l) accr[l] += ark * bk[l];
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t l = 0; l < w; ++l) total[r][l] = k0 == 0 ? acc[r][l] : total[r][l] + acc[r][l];
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      T* cr = c + (i0 + r) * N + jr;
      const T* accr = total[r];
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
// along i. A block of kLanes rows and J columns keeps its sums in registers: per k one load of a
// and J broadcasts of b, so a is streamed once. Over k in blocks (kSumBlock).
template <typename T, int J>
inline void column_micro(int64_t i0, int64_t j0, int64_t N, int64_t K, T alpha, const T* a,
                         int64_t a_col, const T* b, int64_t b_row, int64_t b_col, T beta, T* c) {
  Vec<T> total[J] = {}, acc[J], ak;
  for (int64_t k0 = 0; k0 < K; k0 += kSumBlock) {
    const int64_t k1 = std::min(K, k0 + kSumBlock);
    load<T>(ak, a + k0 * a_col + i0);
    for (int j = 0; j < J; ++j) acc[j] = ak * b[k0 * b_row + (j0 + j) * b_col];
    for (int64_t k = k0 + 1; k < k1; ++k) {
      load<T>(ak, a + k * a_col + i0);
      for (int j = 0; j < J; ++j) acc[j] = acc[j] + ak * b[k * b_row + (j0 + j) * b_col];
    }
    for (int j = 0; j < J; ++j) total[j] = total[j] + acc[j];
  }
  alignas(64) T sums[J][kLanes<T>];
  for (int j = 0; j < J; ++j) store<T>(sums[j], total[j]);
  for (int l = 0; l < kLanes<T>; ++l) {
    T* ci = c + (i0 + l) * N + j0;
    for (int j = 0; j < J; ++j) ci[j] = combine(sums[j][l], alpha, beta, ci + j);
  }
}

template <typename T>
void column_form(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_col, const T* b,
                 int64_t b_row, int64_t b_col, T beta, T* c) {
  constexpr int64_t L = kLanes<T>;
  const int64_t row_blocks = (M + L - 1) / L;
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
  for (int64_t t = 0; t < row_blocks; ++t) {
    const int64_t i0 = t * L, h = std::min(L, M - i0);
    if (h == L) {
      int64_t j = 0;
      for (; j + 4 <= N; j += 4)
        column_micro<T, 4>(i0, j, N, K, alpha, a, a_col, b, b_row, b_col, beta, c);
      for (; j < N; ++j) column_micro<T, 1>(i0, j, N, K, alpha, a, a_col, b, b_row, b_col, beta, c);
      continue;
    }
    // The last rows, fewer than a vector: the same sums, one element at a time.
    for (int64_t l = 0; l < h; ++l) {
      for (int64_t j = 0; j < N; ++j) {
        T total = 0;
        for (int64_t k0 = 0; k0 < K; k0 += kSumBlock) {
          const int64_t k1 = std::min(K, k0 + kSumBlock);
          T acc = a[k0 * a_col + i0 + l] * b[k0 * b_row + j * b_col];
          for (int64_t k = k0 + 1; k < k1; ++k)
            acc = acc + a[k * a_col + i0 + l] * b[k * b_row + j * b_col];
          total = k0 == 0 ? acc : total + acc;
        }
        T* cij = c + (i0 + l) * N + j;
        *cij = combine(total, alpha, beta, cij);
      }
    }
  }
}

// Dot form: a's rows (a_row apart) and b's columns (b_col apart) contiguous along k. Each output
// is kLanes interleaved partial sums (one vector), then its lanes added pairwise: an order that
// depends on K only. I rows by J columns share their loads.
template <typename T, int I, int J>
inline void dot_micro(int64_t i0, int64_t j0, int64_t N, int64_t K, T alpha, const T* a,
                      int64_t a_row, const T* b, int64_t b_col, T beta, T* c) {
  constexpr int64_t L = kLanes<T>;
  Vec<T> total[I][J] = {}, acc[I][J] = {}, x[I], y[J];
  int64_t k = 0, steps = 0;
  for (; k + L <= K; k += L) {
    for (int i = 0; i < I; ++i) load<T>(x[i], a + (i0 + i) * a_row + k);
    for (int j = 0; j < J; ++j) load<T>(y[j], b + (j0 + j) * b_col + k);
    for (int i = 0; i < I; ++i)
      for (int j = 0; j < J; ++j) acc[i][j] = acc[i][j] + x[i] * y[j];
    if (++steps % kSumBlock == 0) {  // a block done: into the total, and start the next
      for (int i = 0; i < I; ++i)
        for (int j = 0; j < J; ++j) total[i][j] = total[i][j] + acc[i][j], acc[i][j] = Vec<T>{};
    }
  }
  if (k < K) {  // zeros in the unused lanes add nothing
    for (int i = 0; i < I; ++i) load_partial<T>(x[i], a + (i0 + i) * a_row + k, K - k);
    for (int j = 0; j < J; ++j) load_partial<T>(y[j], b + (j0 + j) * b_col + k, K - k);
    for (int i = 0; i < I; ++i)
      for (int j = 0; j < J; ++j) acc[i][j] = acc[i][j] + x[i] * y[j];
  }
  for (int i = 0; i < I; ++i) {
    for (int j = 0; j < J; ++j) {
      alignas(64) T lanes[L];
      store<T>(lanes, total[i][j] + acc[i][j]);
      for (int64_t width = L / 2; width >= 1; width /= 2)
        for (int64_t l = 0; l < width; ++l) lanes[l] += lanes[l + width];
      T* cij = c + (i0 + i) * N + j0 + j;
      *cij = combine(lanes[0], alpha, beta, cij);
    }
  }
}

// Rows i0.. (up to rows of them) times all N columns, or all M rows times columns j0.., in 2 x 2
// blocks.
template <typename T>
inline void dot_block(int64_t i0, int64_t rows, int64_t j0, int64_t cols, int64_t N, int64_t K,
                      T alpha, const T* a, int64_t a_row, const T* b, int64_t b_col, T beta, T* c) {
  int64_t i = i0;
  for (; i + 2 <= i0 + rows; i += 2) {
    int64_t j = j0;
    for (; j + 2 <= j0 + cols; j += 2)
      dot_micro<T, 2, 2>(i, j, N, K, alpha, a, a_row, b, b_col, beta, c);
    if (j < j0 + cols) dot_micro<T, 2, 1>(i, j, N, K, alpha, a, a_row, b, b_col, beta, c);
  }
  if (i < i0 + rows) {
    int64_t j = j0;
    for (; j + 2 <= j0 + cols; j += 2)
      dot_micro<T, 1, 2>(i, j, N, K, alpha, a, a_row, b, b_col, beta, c);
    if (j < j0 + cols) dot_micro<T, 1, 1>(i, j, N, K, alpha, a, a_row, b, b_col, beta, c);
  }
}

// Threads take pairs of rows (thin N) or pairs of columns (thin M), so the thin operand stays in
// cache while the long one streams.
template <typename T>
void dot_form(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, const T* b,
              int64_t b_col, T beta, T* c) {
  if (M > N) {
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
    for (int64_t i = 0; i < M; i += 2)
      dot_block(i, std::min<int64_t>(2, M - i), 0, N, N, K, alpha, a, a_row, b, b_col, beta, c);
  } else {
#pragma omp parallel for schedule(static) if (parallel_for(M, N, K))
    for (int64_t j = 0; j < N; j += 2)
      dot_block(0, M, j, std::min<int64_t>(2, N - j), N, K, alpha, a, a_row, b, b_col, beta, c);
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

bool thin_gemm_applies(int64_t M, int64_t N, int64_t K, int64_t a_row, int64_t a_col, int64_t b_row,
                       int64_t b_col) {
  if (M <= 0 || N <= 0 || K <= 0) return false;
  (void)b_row;
  const bool b_by_rows = b_col == 1 || N == 1;
  const bool a_by_columns = (a_row == 1 || M == 1) && a_col != 1;
  return (M <= kThinGemmMaxM && b_by_rows) || (N <= kThinGemmMaxN && M >= 16 && a_by_columns);
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
  constexpr int64_t kSmallK = 16;  // b [K, N] small enough to copy
  if (K <= kSmallK || (N > kThinGemmMaxN && b_by_rows)) {
    if (b_col != 1) {
      b_copy = pack(b, K, N, b_row, b_col);
      b = b_copy.data(), b_row = N, b_col = 1;
    }
    row_form(M, N, K, alpha, a, a_row, a_col, b, b_row, beta, c);
    return;
  }
  if (N <= kThinGemmMaxN && a_row == 1 && a_col != 1 && M >= kLanes<T>) {
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
