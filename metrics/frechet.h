// The Fréchet distance between two Gaussians (the squared 2-Wasserstein distance between them),
// the quantity behind FID (Heusel et al., 2017, "GANs Trained by a Two Time-Scale Update Rule
// Converge to a Local Nash Equilibrium"): fit a Gaussian to evaluator features of generated
// samples and another to features of real data, and compare:
//   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2}).
#pragma once

#include "metrics/gaussian.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// The trace term tr((S1 S2)^{1/2}) is computed without the non-symmetric S1 S2: S1 S2 is similar
// to the symmetric PSD matrix M = S1^{1/2} S2 S1^{1/2} (conjugate by S1^{1/2}), so
// tr((S1 S2)^{1/2}) = sum_j sqrt(lambda_j(M)). S1^{1/2} and the lambda_j come from LAPACK's
// symmetric eigensolver (eigh.h); eigenvalues that rounding made slightly negative count as 0.
// The result is clamped at 0 for the same reason (identical inputs give 0, not -1e-13).
double frechet_distance(const GaussianFit& a, const GaussianFit& b);

// Fits a Gaussian to each feature set ([N1, D] and [N2, D]; see fit_gaussian) and returns the
// Fréchet distance between the fits.
double frechet_distance(const Tensor& features_a, const Tensor& features_b);

}  // namespace minidl::metrics
