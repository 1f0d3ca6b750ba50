#include "metrics/generator_scores.h"

#include <cmath>
#include <vector>

#include "metrics/divergence.h"
#include "metrics/frechet.h"

namespace minidl::metrics {

namespace {

// The rows of probabilities [N, C] in float64 after checking that each is a distribution, each
// renormalised to sum to exactly 1 (float32 softmax rows are off by ~1e-7).
std::vector<double> checked_rows(const Tensor& probabilities, const char* op) {
  MINIDL_CHECK(probabilities.defined(), op << ": undefined tensor");
  MINIDL_CHECK(probabilities.dim() == 2 && probabilities.size(0) >= 1 && probabilities.size(1) >= 1,
               op << ": probabilities must be 2-d [samples, classes] with at least one of each, "
                     "got shape "
                  << probabilities.shape());
  const int64_t n = probabilities.size(0), c = probabilities.size(1);
  std::vector<double> p = probabilities.to_vector<double>();
  for (int64_t i = 0; i < n; ++i) {
    double* row = p.data() + i * c;
    double total = 0.0;
    for (int64_t k = 0; k < c; ++k) {
      MINIDL_CHECK(std::isfinite(row[k]) && row[k] >= 0.0, op << ": probability " << row[k]
                                                              << " at row " << i << ", class " << k
                                                              << " is not in [0, 1]");
      total += row[k];
    }
    MINIDL_CHECK(std::abs(total - 1.0) <= 1e-3, op << ": row " << i
                                                   << " of the probabilities sums to " << total
                                                   << ", not 1 (pass softmax outputs, not logits)");
    for (int64_t k = 0; k < c; ++k) row[k] /= total;
  }
  return p;
}

Tensor histogram_of_rows(const std::vector<double>& p, int64_t n, int64_t c) {
  std::vector<double> counts(static_cast<size_t>(c), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const double* row = p.data() + i * c;
    int64_t best = 0;  // first maximum, as argmax
    for (int64_t k = 1; k < c; ++k) {
      if (row[k] > row[best]) best = k;
    }
    counts[static_cast<size_t>(best)] += 1.0;
  }
  return from_vector(counts, {c});
}

ClassCoverage coverage_from_histogram(const Tensor& histogram, int64_t n, double min_fraction) {
  MINIDL_CHECK(std::isfinite(min_fraction) && min_fraction >= 0.0 && min_fraction <= 1.0,
               "class_coverage: min_fraction must be in [0, 1], got " << min_fraction);
  ClassCoverage result;
  result.histogram = histogram;
  result.kl_from_uniform = kl_divergence(histogram, ones_like(histogram));
  for (double count : histogram.to_vector<double>()) {
    // count / n rather than count >= min_fraction * n: 0.01 * n may round above the integer.
    if (count / static_cast<double>(n) >= min_fraction) ++result.classes_covered;
  }
  return result;
}

double inception_score_of_rows(const std::vector<double>& p, int64_t n, int64_t c) {
  std::vector<double> marginal(static_cast<size_t>(c), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < c; ++k) marginal[static_cast<size_t>(k)] += p[i * c + k];
  }
  for (double& v : marginal) v /= static_cast<double>(n);
  // KL(p(y|x) || p(y)) is finite for every x: p(y) >= p(y|x) / N, so p(y) > 0 wherever p(y|x) > 0.
  double mean_kl = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double kl = 0.0;
    for (int64_t k = 0; k < c; ++k) {
      const double v = p[i * c + k];
      if (v > 0.0) kl += v * std::log(v / marginal[static_cast<size_t>(k)]);
    }
    mean_kl += kl;
  }
  return std::exp(mean_kl / static_cast<double>(n));
}

}  // namespace

Tensor class_histogram(const Tensor& probabilities) {
  const std::vector<double> p = checked_rows(probabilities, "class_histogram");
  return histogram_of_rows(p, probabilities.size(0), probabilities.size(1));
}

ClassCoverage class_coverage(const Tensor& probabilities, double min_fraction) {
  const std::vector<double> p = checked_rows(probabilities, "class_coverage");
  const int64_t n = probabilities.size(0), c = probabilities.size(1);
  return coverage_from_histogram(histogram_of_rows(p, n, c), n, min_fraction);
}

double inception_score(const Tensor& probabilities) {
  const std::vector<double> p = checked_rows(probabilities, "inception_score");
  return inception_score_of_rows(p, probabilities.size(0), probabilities.size(1));
}

GeneratorScores generator_scores(const Tensor& probabilities, const Tensor& features,
                                 const GaussianFit& reference_features, double min_fraction) {
  const std::vector<double> p = checked_rows(probabilities, "generator_scores");
  const int64_t n = probabilities.size(0), c = probabilities.size(1);
  MINIDL_CHECK(features.defined() && features.dim() == 2 && features.size(0) == n,
               "generator_scores: features must be ["
                   << n << ", D] for " << n << " samples, got shape "
                   << (features.defined() ? features.shape() : Shape{}));
  GeneratorScores scores;
  scores.coverage = coverage_from_histogram(histogram_of_rows(p, n, c), n, min_fraction);
  scores.inception_score = inception_score_of_rows(p, n, c);
  scores.frechet_distance = frechet_distance(fit_gaussian(features), reference_features);
  return scores;
}

}  // namespace minidl::metrics
