#include "tensor/linalg.h"

#include <cblas.h>

#include <algorithm>
#include <type_traits>

#include "tensor/creation.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"

namespace minidl {

namespace {

// How a 2-d view is handed to BLAS: as is (row-major with leading dimension ld) or transposed.
struct BlasOperand {
  Tensor tensor;  // keeps a contiguous copy alive when one was needed
  CBLAS_TRANSPOSE trans;
  int64_t ld;
};

BlasOperand as_blas_operand(const Tensor& m) {
  const int64_t rows = m.shape()[0], cols = m.shape()[1];
  const int64_t s0 = m.strides()[0], s1 = m.strides()[1];
  // Strides of size-1 axes are arbitrary, so judge them by what BLAS will actually read.
  if ((s1 == 1 || cols == 1) && (s0 >= std::max<int64_t>(cols, 1) || rows == 1)) {
    return {m, CblasNoTrans, std::max<int64_t>(rows == 1 ? cols : s0, 1)};
  }
  if ((s0 == 1 || rows == 1) && (s1 >= std::max<int64_t>(rows, 1) || cols == 1)) {
    return {m, CblasTrans, std::max<int64_t>(cols == 1 ? rows : s1, 1)};
  }
  Tensor c = m.contiguous();
  return {c, CblasNoTrans, std::max<int64_t>(cols, 1)};
}

// OpenBLAS cuts K into blocks of its tuning size Q, but its serial driver (level3.c) and threaded
// driver (level3_thread.c) split a tail between Q and 2Q differently (the first rounds the half to
// the kernel's unroll, the second does not), so the same product could differ in the last bits
// between 1 and 2 threads. Every call below gets a K of at most Q, so both drivers do one block,
// and the slices are summed into C in a fixed order. Q in OpenBLAS 0.3.21's param.h (x86-64, s/d):
// Haswell and Zen 320/256, SkylakeX 448/384 (measured here: results first differ at K = 449 and
// 385), Sapphire Rapids 320/384. The slices cost 1-4% of GEMM speed at K = 784..2048
// (bench_matmul, README); older kernels with a smaller Q (Bulldozer: 168) lose only the identity.
template <typename T>
constexpr int64_t kMaxBlasDepth = std::is_same_v<T, float> ? 320 : 256;

// Pointer to element [row, col] of an operand as BLAS sees it (before its transpose flag).
template <typename T>
const T* operand_at(const BlasOperand& m, int64_t row, int64_t col) {
  const T* base = m.tensor.template data<T>();
  return m.trans == CblasNoTrans ? base + row * m.ld + col : base + col * m.ld + row;
}

// out[M, N] (contiguous) = alpha * a[M, K] @ b[K, N] + beta * out.
void gemm_2d(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  const int64_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  if (M == 0 || N == 0) return;
  if (K == 0) {  // an empty sum: BLAS implementations disagree on k = 0, so do it here
    Tensor o = out;
    if (beta == 0.0)
      o.zero_();
    else
      mul_(o, beta);
    return;
  }
  BlasOperand A = as_blas_operand(a), B = as_blas_operand(b);
  dispatch_floating(out.dtype(), "matmul", [&]<typename T>() {
    // Equal slices (784 -> 3 x 262) rather than 320, 320, 144: no thin last call.
    const int64_t slices = (K + kMaxBlasDepth<T> - 1) / kMaxBlasDepth<T>;
    const int64_t depth = (K + slices - 1) / slices;
    for (int64_t k0 = 0; k0 < K; k0 += depth) {
      const int64_t kc = std::min(depth, K - k0);
      const T* a_slice = operand_at<T>(A, 0, k0);
      const T* b_slice = operand_at<T>(B, k0, 0);
      const T slice_beta = k0 == 0 ? T(beta) : T(1);
      if constexpr (std::is_same_v<T, float>) {
        cblas_sgemm(CblasRowMajor, A.trans, B.trans, M, N, kc, float(alpha), a_slice, A.ld, b_slice,
                    B.ld, slice_beta, out.data<float>(), N);
      } else {
        cblas_dgemm(CblasRowMajor, A.trans, B.trans, M, N, kc, alpha, a_slice, A.ld, b_slice, B.ld,
                    slice_beta, out.data<double>(), N);
      }
    }
  });
}

void check_matmul_operands(const Tensor& a, const Tensor& b, const char* op) {
  MINIDL_CHECK(a.defined() && b.defined(), op << ": undefined tensor");
  MINIDL_CHECK(a.dtype() == b.dtype(),
               op << ": dtypes " << a.dtype() << " and " << b.dtype() << " differ");
  MINIDL_CHECK(is_floating(a.dtype()),
               op << ": dtype " << a.dtype() << " is not supported (float32 or float64 needed)");
  MINIDL_CHECK(a.dim() >= 1 && b.dim() >= 1, op << ": operands must have at least 1 dimension, got "
                                                << a.shape() << " x " << b.shape());
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  check_matmul_operands(a_in, b_in, "matmul");
  // Vectors become a row (left) or a column (right); the added axis is removed at the end.
  const bool a_vector = a_in.dim() == 1, b_vector = b_in.dim() == 1;
  Tensor a = a_vector ? a_in.unsqueeze(0) : a_in;
  Tensor b = b_vector ? b_in.unsqueeze(1) : b_in;
  const int64_t M = a.shape()[a.dim() - 2], K = a.shape()[a.dim() - 1];
  const int64_t K2 = b.shape()[b.dim() - 2], N = b.shape()[b.dim() - 1];
  MINIDL_CHECK(K == K2,
               "matmul: inner dimensions differ: " << a_in.shape() << " x " << b_in.shape());
  Tensor out;
  if (a.dim() == 2 && b.dim() == 2) {
    out = Tensor::empty({M, N}, a.dtype());
    gemm_2d(out, a, b, 1.0, 0.0);
  } else {
    // Batched: broadcast the batch axes, then one GEMM per matrix. (A stack times one matrix
    // whose rows are contiguous is folded into a single tall GEMM instead.)
    Shape batch_a(a.shape().begin(), a.shape().end() - 2);
    Shape batch_b(b.shape().begin(), b.shape().end() - 2);
    MINIDL_CHECK(can_broadcast(batch_a, batch_b), "matmul: batch dimensions of "
                                                      << a_in.shape() << " and " << b_in.shape()
                                                      << " cannot be broadcast");
    Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
    Shape out_shape = batch;
    out_shape.push_back(M);
    out_shape.push_back(N);
    out = Tensor::empty(out_shape, a.dtype());
    const int64_t count = shape_numel(batch);
    if (b.dim() == 2 && a.is_contiguous()) {
      gemm_2d(out.view({count * M, N}), a.view({count * M, K}), b, 1.0, 0.0);
    } else {
      Shape full_a = batch, full_b = batch;
      full_a.insert(full_a.end(), {M, K});
      full_b.insert(full_b.end(), {K, N});
      Tensor ea = a.expand(full_a).reshape({count, M, K});
      Tensor eb = b.expand(full_b).reshape({count, K, N});
      Tensor flat_out = out.view({count, M, N});
      for (int64_t i = 0; i < count; ++i) {
        gemm_2d(flat_out.select(0, i), ea.select(0, i), eb.select(0, i), 1.0, 0.0);
      }
    }
  }
  if (a_vector) out = out.squeeze(out.dim() - 2);
  if (b_vector) out = out.squeeze(out.dim() - 1);
  return out;
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  check_matmul_operands(a, b, "addmm");
  MINIDL_CHECK(a.dim() == 2 && b.dim() == 2,
               "addmm: expects 2-d operands, got " << a.shape() << " x " << b.shape());
  MINIDL_CHECK(a.shape()[1] == b.shape()[0],
               "addmm: inner dimensions differ: " << a.shape() << " x " << b.shape());
  MINIDL_CHECK(bias.dtype() == a.dtype(),
               "addmm: bias dtype " << bias.dtype() << " differs from " << a.dtype());
  Tensor out = Tensor::empty({a.shape()[0], b.shape()[1]}, a.dtype());
  MINIDL_CHECK(broadcasts_to(bias.shape(), out.shape()),
               "addmm: bias of shape " << bias.shape() << " does not broadcast to " << out.shape());
  out.copy_(bias);
  gemm_2d(out, a, b, 1.0, 1.0);
  return out;
}

void gemm_into(Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  check_matmul_operands(a, b, "gemm_into");
  MINIDL_CHECK(a.dim() == 2 && b.dim() == 2 && a.shape()[1] == b.shape()[0],
               "gemm_into: inner dimensions differ: " << a.shape() << " x " << b.shape());
  MINIDL_CHECK(
      out.is_contiguous() && out.dim() == 2 && out.shape()[0] == a.shape()[0] &&
          out.shape()[1] == b.shape()[1] && out.dtype() == a.dtype(),
      "gemm_into: output " << out.shape() << " does not fit " << a.shape() << " x " << b.shape());
  gemm_2d(out, a, b, alpha, beta);
}

}  // namespace minidl
