// Eigen-decomposition of a real symmetric matrix through LAPACK's dsyevd (divide and conquer),
// which OpenBLAS ships. The Gaussian KL and the Fréchet distance (gaussian.h, frechet.h) are built
// on it: a symmetric eigensolver gives inverses, log-determinants and matrix square roots of
// covariance matrices with orthogonal (so well-conditioned) transforms.
#pragma once

#include "tensor/tensor.h"

namespace minidl::metrics {

struct SymmetricEigen {
  Tensor eigenvalues;   // [n] float64, ascending
  Tensor eigenvectors;  // [n, n] float64, column j is the unit eigenvector of eigenvalues[j]
};

// matrix = eigenvectors @ diag(eigenvalues) @ eigenvectors^T, as torch.linalg.eigh. `matrix` is a
// square float32 or float64 tensor; like LAPACK, only its lower triangle is read, so it is taken
// to be symmetric. Computed in float64.
SymmetricEigen eigh(const Tensor& matrix);

// The symmetric positive semi-definite square root V diag(sqrt(l)) V^T of a symmetric PSD matrix.
// Eigenvalues that rounding made slightly negative are treated as 0; a clearly negative one (below
// -1e-10 times the largest magnitude) means the matrix is not PSD and is an error.
Tensor sqrtm_psd(const Tensor& matrix);

}  // namespace minidl::metrics
