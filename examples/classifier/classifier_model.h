// The Fashion-MNIST classifiers the `classifier` program trains; the GAN programs' monitors and
// `minidl-info score` use a trained one as their evaluator, reading p(y|x) from its softmax and
// features from its last hidden layer. Two architectures:
//   mlp   784-256-256-10 with ReLU (workload W1);
//   conv  LeNet-style: Conv2d(1, 32, 3, padding 1) -> ReLU -> MaxPool 2 -> Conv2d(32, 64, 3,
//         padding 1) -> ReLU -> MaxPool 2 -> Linear(64*7*7, 128) -> ReLU -> Linear(128, 10), whose
//         128 features make the Fréchet distance a convolutional one like the published scores.
// Both take images flattened to [N, 784] with pixels in [0, 1].
#pragma once

#include <memory>
#include <string>

#include "data/dataloader.h"
#include "examples/common/parallel.h"
#include "examples/common/progress.h"
#include "metrics/evaluator.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "nn/module.h"
#include "nn/optim/adam.h"

namespace minidl::examples {

enum class ClassifierArch { Mlp, Conv };

ClassifierArch parse_classifier_arch(const std::string& name);  // "mlp", "conv"

struct ClassifierShape {
  int64_t input = 784;
  int64_t hidden = 256;  // units of each hidden layer (mlp) or of the fully connected one (conv)
  int64_t classes = 10;
  ClassifierArch arch = ClassifierArch::Mlp;  // conv needs input 784 (one 28x28 channel)
  int64_t channels = 32;  // conv only: the first convolution's (the second has twice as many)
};

class Classifier : public nn::Module {
 public:
  Classifier(ClassifierShape shape, Generator& generator);

  Variable features(const Variable& x) const;    // [N, hidden]: the last hidden layer, after ReLU
  Variable forward(const Variable& x) override;  // [N, classes] logits
  Variable output(const Variable& features) const;  // the logits from features(x)
  const ClassifierShape& shape() const { return shape_; }
  std::string name() const override;

 private:
  ClassifierShape shape_;
  std::shared_ptr<nn::Linear> hidden1_, hidden2_, output_;  // mlp: hidden1, hidden2; conv: hidden1
  std::shared_ptr<nn::Conv2d> conv1_, conv2_;               // conv only
};

// One training step on a batch: cross-entropy of the logits (checked finite, `where` names the
// step in the error), backward, the data-parallel gradient average when `averager` is given, Adam.
struct ClassifierStep {
  Variable logits;  // [B, classes], before the step
  double loss = 0;
};
ClassifierStep train_classifier_step(Classifier& classifier, optim::Adam& adam,
                                     const Tensor& inputs, const Tensor& labels,
                                     const std::string& where,
                                     GradientAverager* averager = nullptr);

// One epoch of training: for each batch, cross-entropy of the logits, backward, Adam step.
// Returns the mean training loss and accuracy over the epoch. `progress` may be null.
struct EpochResult {
  double loss = 0;
  double accuracy = 0;
};
// In a data-parallel run `averager` averages the gradients before each step, the loader holds
// this rank's shard, and the result is over all ranks' samples.
EpochResult train_classifier_epoch(Classifier& classifier, optim::Adam& adam,
                                   data::DataLoader& loader, ProgressLine* progress,
                                   GradientAverager* averager = nullptr);

// Loads the classifier at `path`, or, when there is no file there, trains one with the W1 defaults
// (5 epochs of Adam 1e-3, batch 128, seed 1) on Fashion-MNIST from `data_dir` and saves it at
// `path`, so the GAN's monitors have an evaluator without a separate step. Training one says so on
// stderr with the file's absolute path: the default path is relative to the working folder, which
// the user may not think of as the place a model is written.
std::shared_ptr<Classifier> load_or_train_classifier(const std::string& path,
                                                     const std::string& data_dir);

// The identity of a model's weights: zlib's CRC-32 of every tensor's name, shape, dtype and bytes
// in state_dict order, as 8 hex digits. Two evaluators with the same digest score alike, so a run
// can tell whether it is still measured with the evaluator it started with.
std::string weights_digest(nn::Module& module);

// Fraction of `images` ([N, input], pixels in [0, 1]) whose argmax class equals `labels`.
double accuracy(Classifier& classifier, const Tensor& images, const Tensor& labels);

// An evaluator over images with pixels in [0, 1] (what the classifier was trained on).
metrics::Evaluator make_evaluator(std::shared_ptr<Classifier> classifier);

// Loads a classifier saved by the `classifier` program (nn::save of the model), of either
// architecture (told apart by its weights' names).
std::shared_ptr<Classifier> load_classifier(const std::string& path);

}  // namespace minidl::examples
