// Matrix products through OpenBLAS (cblas_sgemm / cblas_dgemm). A transposed view is passed to BLAS
// as a transpose flag with its leading dimension, never copied; only layouts BLAS cannot describe
// (e.g. both strides > 1) are made contiguous first.
#pragma once

#include "tensor/core.h"

namespace minidl {

// matmul with NumPy/PyTorch semantics: 1-d x 1-d is a dot product (0-d result), 2-d x 2-d is a
// matrix product, a 1-d operand is treated as a row (left) or column (right) vector, and inputs of
// more than 2 dimensions are stacks of matrices whose batch axes broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// bias + a @ b for 2-d a [M, K], b [K, N] and a bias broadcastable to [M, N] (e.g. [N]): the bias
// is written into the output and BLAS accumulates onto it (beta = 1), so no separate add pass.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);

// out = beta * out + alpha * (a @ b) into an existing contiguous [M, N] tensor; used to accumulate
// weight gradients in place.
void gemm_into(Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0,
               double beta = 0.0);

}  // namespace minidl
