// The thin layer between a classifier network and the generator scores: an Evaluator runs any
// callable that maps a batch of images to (class probabilities, penultimate features), in
// batches, and hands the results to generator_scores.h. Taking a callable keeps metrics/ free of
// nn/: the GAN trainer wraps its classifier in a lambda, a test wraps a fixed function.
//
//   metrics::Evaluator evaluator([&](const Tensor& images) {
//     const Tensor features = last_hidden_layer(images);  // [B, D], however your network is built
//     return metrics::Evaluation{softmax_of_logits(features), features};
//   });
//   const metrics::GaussianFit real = evaluator.feature_statistics(test_images);  // once
//   const metrics::GeneratorScores s = evaluator.score(samples, real);          // every epoch
#pragma once

#include <functional>

#include "metrics/gaussian.h"
#include "metrics/generator_scores.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// What the evaluator network says about a batch of B images.
struct Evaluation {
  Tensor probabilities;  // [B, C], rows are p(y|x) (softmax outputs, not logits)
  Tensor features;       // [B, D], e.g. the activations feeding the last layer
};

using EvaluateFn = std::function<Evaluation(const Tensor& images)>;

class Evaluator {
 public:
  // `evaluate` is called on slices of at most `batch_size` images along axis 0, so memory stays
  // bounded however many samples are scored.
  explicit Evaluator(EvaluateFn evaluate, int64_t batch_size = 500);

  // Runs the network over every image (axis 0 of `images`, any trailing shape) and concatenates
  // the outputs. Checks that each call returns [B, C] and [B, D] with the same C and D throughout.
  Evaluation evaluate(const Tensor& images) const;

  // The Gaussian of the features of `images` (typically the real test set, computed once).
  GaussianFit feature_statistics(const Tensor& images) const;

  // Class coverage, Inception-Score analogue and Fréchet distance to `reference` for `samples`.
  GeneratorScores score(const Tensor& samples, const GaussianFit& reference,
                        double min_fraction = 0.01) const;

 private:
  EvaluateFn evaluate_;
  int64_t batch_size_;
};

}  // namespace minidl::metrics
