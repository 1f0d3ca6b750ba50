// Class coverage, the Inception-Score analogue, and the Evaluator that batches a network's outputs.
#include "metrics/generator_scores.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "metrics/evaluator.h"
#include "metrics/gaussian.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

// [n, classes] one-hot rows: row i predicts labels[i] with probability 1.
Tensor one_hot_probabilities(const std::vector<int64_t>& labels, int64_t classes) {
  return one_hot(from_vector(labels), classes);
}

}  // namespace

TEST(ClassCoverage, OneClassOnlyGivesCoverageOneAndKlLogTen) {
  const std::vector<int64_t> labels(1000, 3);
  const ClassCoverage c = class_coverage(one_hot_probabilities(labels, 10));
  EXPECT_EQ(c.classes_covered, 1);
  EXPECT_NEAR(c.kl_from_uniform, std::log(10.0), 1e-14);
  std::vector<double> expected(10, 0.0);
  expected[3] = 1000.0;
  EXPECT_EQ(c.histogram.to_vector<double>(), expected);
  EXPECT_NEAR(inception_score(one_hot_probabilities(labels, 10)), 1.0, 1e-14);
}

TEST(ClassCoverage, BalancedConfidentGeneratorIsPerfect) {
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 1000; ++i) labels.push_back(i % 10);
  const Tensor p = one_hot_probabilities(labels, 10);
  const ClassCoverage c = class_coverage(p);
  EXPECT_EQ(c.classes_covered, 10);
  EXPECT_NEAR(c.kl_from_uniform, 0.0, 1e-15);
  // Confident and balanced: IS reaches its maximum, the number of classes.
  EXPECT_NEAR(inception_score(p), 10.0, 1e-12);
}

TEST(ClassCoverage, OnePercentThresholdIsInclusive) {
  // 1000 samples: 10 in class 1 is exactly 1% (covered), 9 is not.
  std::vector<int64_t> labels(990, 0);
  labels.insert(labels.end(), 10, 1);
  EXPECT_EQ(class_coverage(one_hot_probabilities(labels, 10)).classes_covered, 2);
  labels[990] = 0;
  EXPECT_EQ(class_coverage(one_hot_probabilities(labels, 10)).classes_covered, 1);
  EXPECT_EQ(class_coverage(one_hot_probabilities(labels, 10), 0.0).classes_covered, 10);
}

TEST(InceptionScore, HandComputedValues) {
  // Two samples, p(y|x) = (0.9, 0.1) and (0.1, 0.9): p(y) = (1/2, 1/2) and each KL is
  // 0.9 ln 1.8 + 0.1 ln 0.2.
  const Tensor p = tensor({{0.9, 0.1}, {0.1, 0.9}});
  EXPECT_NEAR(inception_score(p), std::exp(0.9 * std::log(1.8) + 0.1 * std::log(0.2)), 1e-7);
  // Uninformative predictions: p(y|x) = p(y) for every x, so IS = 1.
  EXPECT_NEAR(inception_score(full({50, 10}, 0.1)), 1.0, 1e-7);
}

TEST(InceptionScore, RejectsRowsThatAreNotDistributions) {
  try {
    inception_score(tensor({{2.0, -1.0}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("inception_score: probability -1 at row 0, class 1"),
              std::string::npos)
        << e.what();
  }
  try {
    inception_score(tensor({{0.2, 0.2}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sums to 0.4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(class_coverage(zeros({10})), Error);
}

TEST(GeneratorScores, CombinesCoverageScoreAndFrechet) {
  Generator gen(9);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 200; ++i) labels.push_back(i % 4);
  const Tensor p = one_hot_probabilities(labels, 4);
  const Tensor features = randn({200, 8}, DType::Float32, gen);
  const GaussianFit reference = fit_gaussian(features);
  const GeneratorScores s = generator_scores(p, features, reference);
  EXPECT_EQ(s.coverage.classes_covered, 4);
  EXPECT_NEAR(s.inception_score, 4.0, 1e-12);
  EXPECT_NEAR(s.frechet_distance, 0.0, 1e-9);
  const GeneratorScores shifted = generator_scores(p, features + 2.0, reference);
  EXPECT_NEAR(shifted.frechet_distance, 8 * 4.0, 1e-8);  // |(2, ..., 2)|^2 in 8 dimensions
  EXPECT_THROW(generator_scores(p, randn({199, 8}, DType::Float32, gen), reference), Error);
}

// A stand-in network: the class is the image's first pixel times 10 (rounded down), the features
// are the image's first three pixels. It records the batch sizes it is called with.
TEST(Evaluator, BatchesAndConcatenatesInOrder) {
  std::vector<int64_t> batch_sizes;
  Evaluator evaluator(
      [&](const Tensor& images) {
        batch_sizes.push_back(images.size(0));
        const Tensor flat = images.reshape({images.size(0), -1});
        const std::vector<float> first = flat.narrow(1, 0, 1).to_vector<float>();
        std::vector<int64_t> labels;
        for (float v : first) labels.push_back(static_cast<int64_t>(v * 10.0f));
        return Evaluation{one_hot(from_vector(labels), 10), flat.narrow(1, 0, 3)};
      },
      4);
  // 10 images [10, 2, 2]: image i has pixels (i/10, i, 2i, 3i).
  std::vector<float> pixels;
  for (int i = 0; i < 10; ++i) {
    for (float v : {i / 10.0f + 0.01f, static_cast<float>(i), 2.0f * i, 3.0f * i})
      pixels.push_back(v);
  }
  const Tensor images = from_vector(pixels, {10, 2, 2});
  const Evaluation e = evaluator.evaluate(images);
  EXPECT_EQ(batch_sizes, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(e.probabilities.shape(), (Shape{10, 10}));
  EXPECT_EQ(e.features.shape(), (Shape{10, 3}));
  EXPECT_EQ(argmax(e.probabilities, 1).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(e.features.select(1, 2).to_vector<float>(),
            (std::vector<float>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}));
  const GeneratorScores s = evaluator.score(images, evaluator.feature_statistics(images));
  EXPECT_EQ(s.coverage.classes_covered, 10);
  EXPECT_NEAR(s.frechet_distance, 0.0, 1e-9);
}

TEST(Evaluator, WrongNetworkOutputsAreErrors) {
  Evaluator wrong_rows(
      [](const Tensor&) {
        return Evaluation{full({1, 2}, 0.5), zeros({1, 3})};
      },
      8);
  try {
    wrong_rows.evaluate(zeros({5, 4}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("for a batch of 5 images the network returned "
                                         "probabilities of shape [1, 2]"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Evaluator(EvaluateFn{}), Error);
  EXPECT_THROW(Evaluator([](const Tensor&) { return Evaluation{}; }, 0), Error);
}
