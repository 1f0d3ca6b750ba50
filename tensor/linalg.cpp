#include "tensor/linalg.h"

#include <cblas.h>

#include <algorithm>
#include <type_traits>

#include "tensor/creation.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"
#include "tensor/thin_gemm.h"

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
  if (thin_gemm_applies(M, N, K, a.strides()[0], a.strides()[1], b.strides()[0], b.strides()[1])) {
    // A thin product costs OpenBLAS more in packing than in arithmetic (tensor/thin_gemm.h); the
    // direct loops read any strides, so views need no copy.
    dispatch_floating(out.dtype(), "matmul", [&]<typename T>() {
      thin_gemm<T>(M, N, K, T(alpha), a.data<T>(), a.strides()[0], a.strides()[1], b.data<T>(),
                   b.strides()[0], b.strides()[1], T(beta), out.data<T>());
    });
    return;
  }
  BlasOperand A = as_blas_operand(a), B = as_blas_operand(b);
  // One BLAS call per product. OpenBLAS picks its kernels and blocking per CPU at run time, and
  // its serial and threaded drivers may sum a dot product in different orders: a GEMM's last bits
  // can depend on the thread count (docs/threads.md says what is guaranteed).
  dispatch_floating(out.dtype(), "matmul", [&]<typename T>() {
    if constexpr (std::is_same_v<T, float>) {
      cblas_sgemm(CblasRowMajor, A.trans, B.trans, M, N, K, float(alpha), A.tensor.data<float>(),
                  A.ld, B.tensor.data<float>(), B.ld, float(beta), out.data<float>(), N);
    } else {
      cblas_dgemm(CblasRowMajor, A.trans, B.trans, M, N, K, alpha, A.tensor.data<double>(), A.ld,
                  B.tensor.data<double>(), B.ld, beta, out.data<double>(), N);
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
