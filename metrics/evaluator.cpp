#include "metrics/evaluator.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace minidl::metrics {

Evaluator::Evaluator(EvaluateFn evaluate, int64_t batch_size)
    : evaluate_(std::move(evaluate)), batch_size_(batch_size) {
  MINIDL_CHECK(evaluate_, "Evaluator: the evaluate function is empty");
  MINIDL_CHECK(batch_size_ >= 1, "Evaluator: batch size must be at least 1, got " << batch_size_);
}

Evaluation Evaluator::evaluate(const Tensor& images) const {
  MINIDL_CHECK(images.defined() && images.dim() >= 1 && images.size(0) >= 1,
               "Evaluator: need a batch of at least one image, got "
                   << (images.defined() ? shape_str(images.shape()) : "an undefined tensor"));
  const int64_t n = images.size(0);
  std::vector<Tensor> probabilities, features;
  for (int64_t start = 0; start < n; start += batch_size_) {
    const int64_t b = std::min(batch_size_, n - start);
    Evaluation e = evaluate_(images.narrow(0, start, b));
    MINIDL_CHECK(
        e.probabilities.defined() && e.probabilities.dim() == 2 && e.probabilities.size(0) == b,
        "Evaluator: for a batch of "
            << b << " images the network returned probabilities "
            << "of shape " << (e.probabilities.defined() ? e.probabilities.shape() : Shape{})
            << ", expected [" << b << ", classes]");
    MINIDL_CHECK(e.features.defined() && e.features.dim() == 2 && e.features.size(0) == b,
                 "Evaluator: for a batch of "
                     << b << " images the network returned features "
                     << "of shape " << (e.features.defined() ? e.features.shape() : Shape{})
                     << ", expected [" << b << ", dimensions]");
    if (!probabilities.empty()) {
      MINIDL_CHECK(e.probabilities.size(1) == probabilities.front().size(1) &&
                       e.features.size(1) == features.front().size(1),
                   "Evaluator: the network's output widths changed between batches: "
                       << probabilities.front().shape() << " and " << features.front().shape()
                       << " then " << e.probabilities.shape() << " and " << e.features.shape());
    }
    // Own copies, so that a network reusing its output buffers cannot change earlier batches.
    probabilities.push_back(e.probabilities.clone());
    features.push_back(e.features.clone());
  }
  return {concat(probabilities, 0), concat(features, 0)};
}

GaussianFit Evaluator::feature_statistics(const Tensor& images) const {
  return fit_gaussian(evaluate(images).features);
}

GeneratorScores Evaluator::score(const Tensor& samples, const GaussianFit& reference,
                                 double min_fraction) const {
  const Evaluation e = evaluate(samples);
  return generator_scores(e.probabilities, e.features, reference, min_fraction);
}

}  // namespace minidl::metrics
