// A direct GEMM for thin products: C = alpha * A B + beta * C where K, N or M is small.
//
// Why it exists: the small networks minidl trains are full of such products. A 2-D GAN's first
// and last layers have K or N of 1 to 16 (X W^T with W [128, 2], the gradient G^T X with N = 2),
// the VAE's latent layers are 20 wide and a classifier's head 10 wide, and their weight
// gradients make M that small. OpenBLAS packs both operands into blocked panels before it
// multiplies; with one dimension this small the packing, the kernel dispatch and the edge
// handling cost more than the arithmetic, and a plain vectorised loop that reads the operands
// where they are is faster (docs/benchmarks.md, "Thin products"; bench/bench_matmul).
//
// What it guarantees, unlike OpenBLAS:
// - every output element is computed by the same operations in the same order whatever the
//   thread count: threads share out whole output tiles, never a dot product, so 1 and 2 threads
//   give the same bits;
// - each element is a fixed-order sum in the operand's own precision: over k in blocks of 128
//   terms, each block summed sequentially and the blocks added in order, or (for the dot form,
//   both operands contiguous along k) 16 interleaved partial sums (8 in float64), blocked the same
//   way and added pairwise at the end. Blocking keeps the float32 error of a long sum (a weight
//   gradient over K = 12544 pixels) at OpenBLAS's level; a plain sequential sum was 16 times worse;
// - no fused multiply-adds (the file is compiled with -ffp-contract=off), so the vectorised body
//   and the scalar remainder of a loop round alike, and the result does not depend on -march.
#pragma once

#include <cstdint>

namespace minidl {

// Which products matmul hands to thin_gemm: those where bench/bench_matmul measured the direct
// loops ahead of cblas_sgemm. A thin M (at most kThinGemmMaxM rows) with b's rows contiguous, as in
// the weight gradient G^T X of a narrow layer; a thin N (at most kThinGemmMaxN columns) with a's
// columns contiguous and at least 16 rows, as in G^T X of a layer with a narrow input. Thin K
// and thin products whose operands are laid out otherwise (X W^T with a small N, G W with a small
// K) stay with OpenBLAS, which measured as fast or faster there.
inline constexpr int64_t kThinGemmMaxM = 16;
inline constexpr int64_t kThinGemmMaxN = 32;

// Whether matmul uses thin_gemm for an M x K by K x N product with these element strides.
bool thin_gemm_applies(int64_t M, int64_t N, int64_t K, int64_t a_row, int64_t a_col,
                       int64_t b_row, int64_t b_col);

// c [M, N] row-major with leading dimension N; a [M, K] and b [K, N] are read at
// a[i * a_row + k * a_col] and b[k * b_row + j * b_col] (any strides, including 0 and negative
// ones). Writes c = alpha * a b + beta * c; with beta == 0, c is not read (it may hold NaN), as
// in BLAS. Correct for any shape (K = 0 gives beta * c), fast for thin ones.
// Defined for float and double.
template <typename T>
void thin_gemm(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, int64_t a_col,
               const T* b, int64_t b_row, int64_t b_col, T beta, T* c);

}  // namespace minidl
