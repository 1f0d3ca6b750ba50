// The classifiers: the LeNet-style conv classifier learns Fashion-MNIST from a small subset, loads
// back from its file with its architecture, and serves the monitors 128 convolutional features;
// the classifier program's --arch flag.
#include <gtest/gtest.h>

#include "autograd/autograd.h"
#include "data/data.h"
#include "examples/classifier/classifier_model.h"
#include "examples/common/program.h"
#include "nn/checkpoint.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
using namespace minidl::examples;
namespace fs = std::filesystem;

TEST(ConvClassifier, LearnsATwoThousandImageSubsetAboveSeventyPercent) {
  setup_compute(1);
  data::LabelledImages train = data::load_fashion_mnist(data::Split::Train);
  data::LabelledImages test = data::load_fashion_mnist(data::Split::Test);
  Tensor images = train.images.narrow(0, 0, 2000), labels = train.labels.narrow(0, 0, 2000);
  Generator init(3);
  auto classifier = std::make_shared<Classifier>(
      ClassifierShape{784, 128, 10, ClassifierArch::Conv}, init);
  EXPECT_EQ(classifier->parameters().size(), 8u);  // conv1, conv2, hidden1, output
  optim::Adam adam(classifier->parameters(), {.lr = 1e-3});
  data::DataLoader loader(images, labels, {.batch_size = 32, .shuffle = true, .seed = 4});
  for (int epoch = 0; epoch < 2; ++epoch) train_classifier_epoch(*classifier, adam, loader, nullptr);
  classifier->eval();
  const Tensor test_images = test.images.narrow(0, 0, 1000);
  const Tensor test_labels = test.labels.narrow(0, 0, 1000);
  const double held_out = accuracy(*classifier, test_images, test_labels);
  EXPECT_GT(held_out, 0.70);
  std::printf("conv classifier: %.1f%% of 1000 test images after 2 epochs on 2000\n",
              100 * held_out);

  // Saved and loaded back, it is the same network: same accuracy, 128 features per image.
  const fs::path dir = fresh_test_dir("classifier");
  nn::save(*classifier, (dir / "classifier.safetensors").string());
  std::shared_ptr<Classifier> loaded = load_classifier((dir / "classifier.safetensors").string());
  EXPECT_EQ(loaded->shape().arch, ClassifierArch::Conv);
  EXPECT_EQ(accuracy(*loaded, test_images, test_labels), held_out);
  metrics::Evaluation e = make_evaluator(loaded).evaluate(test_images.narrow(0, 0, 10));
  EXPECT_EQ(e.features.shape(), (Shape{10, 128}));
  EXPECT_EQ(e.probabilities.shape(), (Shape{10, 10}));
}

TEST(ConvClassifier, TakesOnlyTwentyEightByTwentyEightImages) {
  Generator init(1);
  EXPECT_THROW(Classifier(ClassifierShape{100, 128, 10, ClassifierArch::Conv}, init), Error);
}

namespace {

class ClassifierBadFlags : public ::testing::TestWithParam<BadFlag> {};

TEST_P(ClassifierBadFlags, GiveAOneLineErrorAndExitCode2) {
  expect_bad_flag_error("classifier", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Flags, ClassifierBadFlags,
                         ::testing::Values(BadFlag{"--arch lenet", "--arch"},
                                           BadFlag{"--hidden 0", "--hidden"}));

}  // namespace
