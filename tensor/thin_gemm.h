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
// - each element is a fixed-order sum in the operand's own precision: sequential over k, or (for
//   the dot form, both operands contiguous along k) 16 interleaved partial sums (8 in float64)
//   added pairwise at the end, whose error bound is no larger than a sequential sum's;
// - no fused multiply-adds (the file is compiled with -ffp-contract=off), so the vectorised body
//   and the scalar remainder of a loop round alike, and the result does not depend on -march.
#pragma once

#include <cstdint>

namespace minidl {

// The largest K, N or M for which thin_gemm takes a product (measured in bench/bench_matmul:
// below these, the direct loops beat cblas_sgemm at 1 and 2 threads on the shapes the examples
// use).
inline constexpr int64_t kThinGemmMaxK = 16;
inline constexpr int64_t kThinGemmMaxN = 32;
inline constexpr int64_t kThinGemmMaxM = 32;

// Whether thin_gemm handles an M x K by K x N product (the rest go to BLAS).
bool thin_gemm_applies(int64_t M, int64_t N, int64_t K);

// c [M, N] row-major with leading dimension N; a [M, K] and b [K, N] are read at
// a[i * a_row + k * a_col] and b[k * b_row + j * b_col] (any strides, including 0 and negative
// ones). Writes c = alpha * a b + beta * c; with beta == 0, c is not read (it may hold NaN), as
// in BLAS. Correct for any shape (K = 0 gives beta * c), fast for thin ones.
// Defined for float and double.
template <typename T>
void thin_gemm(int64_t M, int64_t N, int64_t K, T alpha, const T* a, int64_t a_row, int64_t a_col,
               const T* b, int64_t b_row, int64_t b_col, T beta, T* c);

}  // namespace minidl
