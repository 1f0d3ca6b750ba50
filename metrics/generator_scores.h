// Scores of an image generator computed from an evaluator classifier's outputs on its samples:
// predicted-class probabilities p(y|x) [N, C] and penultimate-layer features [N, D]. These are
// plain functions of tensors, so they need no network (evaluator.h runs one). They are what the
// GAN trainer's monitors print every epoch:
//   - class coverage: the histogram of predicted classes, its KL divergence from uniform (0 for a
//     generator that covers every class equally, log C when it collapses onto one class) and how
//     many classes get at least 1% of the samples;
//   - the Inception-Score analogue exp(E_x KL(p(y|x) || p(y))) (Salimans et al., 2016): high when
//     each sample is classified confidently (low entropy p(y|x)) and the classes are varied (high
//     entropy p(y)); between 1 and C;
//   - the Fréchet distance between Gaussians fitted to the sample features and to the features of
//     real data (frechet.h), the FID analogue: 0 for matching statistics, lower is better.
#pragma once

#include "metrics/gaussian.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// How many samples have each class as their most probable (argmax) class: float64 [C].
Tensor class_histogram(const Tensor& probabilities);

struct ClassCoverage {
  Tensor histogram;              // float64 [C], counts of argmax predictions
  double kl_from_uniform = 0.0;  // KL(histogram || uniform over C) in nats
  int64_t classes_covered = 0;   // classes with count / N >= min_fraction
};

// The predicted-class histogram of `probabilities` [N, C], its KL divergence from the uniform
// distribution, and the number of classes whose share of the samples is at least `min_fraction`
// (default 1%, as the GAN monitors use).
ClassCoverage class_coverage(const Tensor& probabilities, double min_fraction = 0.01);

// exp( (1/N) sum_x KL(p(y|x) || p(y)) ) with p(y) = (1/N) sum_x p(y|x), computed on all N samples
// at once (the original Inception Score averages over 10 splits; one split is simpler and has lower
// variance). Terms with p(y|x) = 0 contribute 0. Each row of `probabilities` [N, C] must be a
// distribution: non-negative and summing to 1 within 1e-3 (softmax outputs in float32 pass).
double inception_score(const Tensor& probabilities);

// Everything the GAN monitors report, in one call.
struct GeneratorScores {
  ClassCoverage coverage;
  double inception_score = 0.0;
  double frechet_distance = 0.0;  // between the sample features and `reference_features`
};

// probabilities [N, C] and features [N, D] of the same N samples; `reference_features` is the
// Gaussian fitted to features of real data (fit_gaussian; fit once and reuse it every epoch).
GeneratorScores generator_scores(const Tensor& probabilities, const Tensor& features,
                                 const GaussianFit& reference_features, double min_fraction = 0.01);

}  // namespace minidl::metrics
