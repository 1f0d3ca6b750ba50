#include "metrics/eigh.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

// LAPACK's double-precision symmetric eigensolver. Debian's OpenBLAS exports the Fortran symbol
// but installs no lapacke.h, so it is declared here with the Fortran calling convention:
// everything by pointer, 32-bit integers (OpenBLAS's LP64 build), and the hidden lengths of the
// two character arguments that gfortran appends.
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                        int* info, size_t jobz_length, size_t uplo_length);

namespace minidl::metrics {

SymmetricEigen eigh(const Tensor& matrix) {
  MINIDL_CHECK(matrix.defined(), "eigh: undefined tensor");
  MINIDL_CHECK(matrix.dim() == 2 && matrix.size(0) == matrix.size(1),
               "eigh: the matrix must be square, got shape " << matrix.shape());
  MINIDL_CHECK(is_floating(matrix.dtype()),
               "eigh: dtype " << matrix.dtype() << " is not supported (float32 or float64 needed)");
  MINIDL_CHECK(matrix.size(0) <= 46340,  // n * n must fit LAPACK's 32-bit integers
               "eigh: a " << matrix.size(0) << "x" << matrix.size(0) << " matrix is too large");
  const int n = static_cast<int>(matrix.size(0));
  if (n == 0) return {zeros({0}, DType::Float64), zeros({0, 0}, DType::Float64)};

  // LAPACK is column-major. The lower triangle of the row-major buffer is the upper triangle of
  // the column-major matrix it reads, so we ask for 'U'; for a symmetric matrix both are the same.
  // clone() also gives LAPACK a buffer of its own to overwrite with the eigenvectors.
  Tensor a = matrix.to(DType::Float64).clone();
  for (double v : a.to_vector<double>()) {
    MINIDL_CHECK(std::isfinite(v), "eigh: the matrix has a non-finite value " << v);
  }
  Tensor w = Tensor::empty({n}, DType::Float64);
  const char jobz = 'V', uplo = 'U';
  int info = 0;

  // First call: workspace query (lwork = liwork = -1 returns the optimal sizes).
  int lwork = -1, liwork = -1, iwork_size = 0;
  double work_size = 0.0;
  dsyevd_(&jobz, &uplo, &n, a.data<double>(), &n, w.data<double>(), &work_size, &lwork, &iwork_size,
          &liwork, &info, 1, 1);
  MINIDL_CHECK(info == 0, "eigh: LAPACK dsyevd workspace query failed (info " << info << ")");
  lwork = static_cast<int>(work_size);
  liwork = iwork_size;
  std::vector<double> work(static_cast<size_t>(std::max(lwork, 1)));
  std::vector<int> iwork(static_cast<size_t>(std::max(liwork, 1)));
  dsyevd_(&jobz, &uplo, &n, a.data<double>(), &n, w.data<double>(), work.data(), &lwork,
          iwork.data(), &liwork, &info, 1, 1);
  MINIDL_CHECK(info == 0, "eigh: LAPACK dsyevd did not converge (info " << info << ") on a " << n
                                                                        << "x" << n << " matrix");
  // Column j of the column-major result is row j of the row-major buffer: transpose the view.
  return {w, a.t()};
}

Tensor sqrtm_psd(const Tensor& matrix) {
  const SymmetricEigen e = eigh(matrix);
  if (e.eigenvalues.numel() == 0) return zeros({0, 0}, DType::Float64);
  std::vector<double> l = e.eigenvalues.to_vector<double>();
  const double largest = std::max(std::abs(l.front()), std::abs(l.back()));
  MINIDL_CHECK(l.front() >= -1e-10 * largest,
               "sqrtm_psd: the matrix is not positive semi-definite (eigenvalue "
                   << l.front() << ", largest magnitude " << largest << ")");
  for (double& v : l) v = std::sqrt(std::max(v, 0.0));
  // V diag(sqrt l) V^T as (V * sqrt l) @ V^T: scaling the columns of V broadcasts over rows.
  const Tensor scaled = e.eigenvectors * from_vector(l, {static_cast<int64_t>(l.size())});
  return matmul(scaled, e.eigenvectors.t());
}

}  // namespace minidl::metrics
