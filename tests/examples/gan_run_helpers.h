// What the tests of the convolutional GAN programs (dcgan, infogan) share: an untrained evaluator
// classifier and the flags of a short run.
#pragma once

#include <filesystem>
#include <string>

#include "examples/classifier/classifier_model.h"
#include "nn/checkpoint.h"

namespace minidl::testing {

// An evaluator for the monitors: an untrained MLP classifier is enough for the runs to score
// their samples (what the scores mean is the classifier program's and the metrics' tests' job).
inline std::filesystem::path untrained_classifier(const std::filesystem::path& dir) {
  Generator init(2);
  examples::Classifier classifier(examples::ClassifierShape{}, init);
  nn::save(classifier, (dir / "classifier.safetensors").string());
  return dir / "classifier.safetensors";
}

// Short runs: --limit images in batches of 16, few monitor samples, 300 samples at the end, one
// thread. Every run still saves the W5 networks' checkpoint (160 MB with the optimizers).
inline std::string short_gan_run(const std::filesystem::path& classifier,
                                 const std::filesystem::path& out, int limit = 64) {
  return "--limit " + std::to_string(limit) +
         " --batch-size 16 --monitor-samples 200 --samples 300 --threads 1 --classifier '" +
         classifier.string() + "' --out '" + out.string() + "'";
}

}  // namespace minidl::testing
