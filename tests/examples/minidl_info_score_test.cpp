// minidl-info score: samples as .npy or as a folder of images, the test set as the ceiling
// (--reference test), and every bad input as one line naming the file. The tests that score
// against the Fashion-MNIST test set skip when it is not installed (and fail under CI=true).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "data/fashion_mnist.h"
#include "data/npy.h"
#include "data/png.h"
#include "examples/classifier/classifier_model.h"
#include "minidl_info_fixture.h"
#include "nn/safetensors.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::testing;
namespace fs = std::filesystem;

namespace {

// A 784-32-32-10 classifier with random weights, written in the layout the classifier program
// saves. Enough for the checks that hold for any classifier, and for every error path.
std::string write_random_classifier(const std::string& path) {
  Generator gen(1);
  nn::save_safetensors(path, {{"hidden1.weight", randn({32, 784}, DType::Float32, gen) * 0.05},
                              {"hidden1.bias", zeros({32})},
                              {"hidden2.weight", randn({32, 32}, DType::Float32, gen) * 0.2},
                              {"hidden2.bias", zeros({32})},
                              {"output.weight", randn({10, 32}, DType::Float32, gen) * 0.2},
                              {"output.bias", zeros({10})}});
  return path;
}

// The output after its first line (the line that names the samples).
std::string after_first_line(const std::string& output) {
  const size_t newline = output.find('\n');
  return newline == std::string::npos ? "" : output.substr(newline + 1);
}

// The integers printed after `label` up to the end of that line.
std::vector<int64_t> integers_after(const std::string& output, const std::string& label) {
  const size_t at = output.find(label);
  EXPECT_NE(at, std::string::npos) << "no \"" << label << "\" in:\n" << output;
  if (at == std::string::npos) return {};
  const size_t start = at + label.size();
  std::istringstream line(output.substr(start, output.find('\n', start) - start));
  std::vector<int64_t> values;
  for (int64_t v = 0; line >> v;) values.push_back(v);
  return values;
}

// The sanity every score report satisfies: N images, a class histogram over C classes that sums to
// N, coverage between 1 and C, KL from uniform in [0, ln C], Inception Score in [1, C], a finite
// non-negative Fréchet distance.
void expect_sane_scores(const std::string& output, int64_t n) {
  const std::vector<int64_t> classes = integers_after(output, "predicted classes:");
  ASSERT_EQ(classes.size(), 10u) << output;
  int64_t total = 0;
  for (int64_t c : classes) total += c;
  EXPECT_EQ(total, n) << output;
  EXPECT_NE(output.find(std::to_string(n) + " images"), std::string::npos) << output;
  const double covered = number_after(output, "of the images: ");
  EXPECT_GE(covered, 1);
  EXPECT_LE(covered, 10);
  const double kl = number_after(output, "|| uniform) = ");
  EXPECT_GE(kl, -1e-4);
  EXPECT_LE(kl, std::log(10.0) + 1e-4);
  const double is = number_after(output, "p(y))) = ");
  EXPECT_GE(is, 1.0 - 1e-4);
  EXPECT_LE(is, 10.0 + 1e-4);
  const double frechet = number_after(output, "features = ");
  EXPECT_TRUE(std::isfinite(frechet)) << output;
  EXPECT_GE(frechet, 0.0);
}

}  // namespace

// With the untrained classifier, the checks that hold for any classifier: one image repeated
// gives one predicted class (KL from uniform ln 10, Inception Score exactly 1), and the test set
// scored against itself has Fréchet distance 0.
TEST_F(MinidlInfo, ScoreOfCollapsedSamplesAndOfTheTestSetItself) {
  MINIDL_REQUIRE_FASHION_MNIST();
  const std::string classifier = write_random_classifier(path("classifier.safetensors"));
  const data::LabelledImages test = data::load_fashion_mnist(data::Split::Test);

  const std::string collapsed = path("collapsed.npy");
  data::write_npy(collapsed, test.images.narrow(0, 0, 1).expand({50, 784}).reshape({50, 28, 28}));
  ProgramRun r = run("score " + collapsed + " --classifier " + classifier);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("collapsed.npy: 50 images"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("classes with >= 1% of the images: 1 of 10"), std::string::npos)
      << r.output;
  EXPECT_NEAR(number_after(r.output, "KL(class histogram || uniform) = "), std::log(10.0), 1e-4);
  EXPECT_NEAR(number_after(r.output, "p(y))) = "), 1.0, 1e-4);

  const std::string real = path("test_images.npy");
  data::write_npy(real, test.images);
  r = run("score " + real + " --classifier " + classifier);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, "features = "), 0.0, 1e-4);
}

// The same 30 test images as a folder of PNGs and as a float32 .npy: PNG stores the 8-bit levels
// the .npy's k / 255 values came from, and both are read back as k / 255 in float32, so every
// score line after the first (which names the samples) must be identical.
TEST_F(MinidlInfo, ScoreOfAnImageFolderEqualsScoreOfTheSameImagesAsNpy) {
  MINIDL_REQUIRE_FASHION_MNIST();
  const std::string classifier = write_random_classifier(path("classifier.safetensors"));
  const Tensor images = data::load_fashion_mnist(data::Split::Test).images.narrow(0, 0, 30);
  for (int64_t i = 0; i < 30; ++i) {
    const std::string name =
        std::string("samples/") + (i < 10 ? "0" : "") + std::to_string(i) + ".png";
    fs::create_directories(dir_ / "samples");
    data::write_png(path(name), images.select(0, i).reshape({28, 28}));
  }
  data::write_npy(path("samples.npy"), images);

  const ProgramRun folder = run("score " + path("samples") + " --classifier " + classifier);
  ASSERT_EQ(folder.exit_code, 0) << folder.output;
  EXPECT_EQ(folder.output.rfind(path("samples") + ": 30 images\n", 0), 0u) << folder.output;
  expect_sane_scores(folder.output, 30);
  const ProgramRun npy = run("score " + path("samples.npy") + " --classifier " + classifier);
  ASSERT_EQ(npy.exit_code, 0) << npy.output;
  EXPECT_EQ(after_first_line(folder.output), after_first_line(npy.output));
}

// --reference test with a classifier trained for real (1 epoch on 10,000 images, batch 32,
// hidden 64: 78% test accuracy, half a second). The samples are 200 copies of one image; the
// ceiling is the test set itself, whose predicted-class histogram is checked against the
// classifier's argmax computed here, and whose Fréchet distance is taken from training images, so
// it is not 0. (Measured with this classifier: Inception Score 5.05, KL from uniform 0.015.)
TEST_F(MinidlInfo, ScoreWithReferenceTestAddsTheTestSetAsTheCeiling) {
  MINIDL_REQUIRE_FASHION_MNIST();
  const ProgramRun trained = run_program(
      example_program("classifier"),
      "--epochs 1 --limit 10000 --batch-size 32 --hidden 64 --threads 1 --out " + path("cls"));
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const std::string classifier = path("cls/classifier.safetensors");

  const data::LabelledImages test = data::load_fashion_mnist(data::Split::Test);
  data::write_npy(path("collapsed.npy"), test.images.narrow(0, 5, 1).expand({200, 784}));
  const ProgramRun r =
      run("score " + path("collapsed.npy") + " --classifier " + classifier + " --reference test");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const size_t ceiling_at = r.output.find("Fashion-MNIST test set (the ceiling): 10000 images\n");
  ASSERT_NE(ceiling_at, std::string::npos) << r.output;
  const std::string samples = r.output.substr(0, ceiling_at), ceiling = r.output.substr(ceiling_at);
  expect_sane_scores(samples, 200);
  EXPECT_NE(samples.find("1 of 10"), std::string::npos) << samples;

  // The ceiling's class histogram: the argmax of the classifier's logits on the test set.
  const std::shared_ptr<examples::Classifier> model = examples::load_classifier(classifier);
  std::vector<int64_t> expected(10, 0);
  {
    NoGradGuard no_grad;
    for (int64_t begin = 0; begin < test.size(); begin += 500) {  // the Evaluator's batches
      const Tensor logits = model->forward(Variable(test.images.narrow(0, begin, 500))).data();
      for (int64_t label : argmax(logits, 1).to_vector<int64_t>()) ++expected[size_t(label)];
    }
  }
  EXPECT_EQ(integers_after(ceiling, "predicted classes:"), expected) << ceiling;
  EXPECT_NE(ceiling.find("classes with >= 1% of the images: 10 of 10"), std::string::npos)
      << ceiling;
  // A trained classifier spreads the balanced test set over many classes with confidence: far
  // above the collapsed samples' Inception Score of 1, and far below their Fréchet distance.
  const double ceiling_is = number_after(ceiling, "p(y))) = ");
  EXPECT_GT(ceiling_is, 3.0) << ceiling;
  EXPECT_NEAR(number_after(samples, "p(y))) = "), 1.0, 1e-4);
  EXPECT_LT(number_after(ceiling, "|| uniform) = "), 0.2) << ceiling;
  const double ceiling_frechet = number_after(ceiling, "to the test set's features = ");
  EXPECT_NE(ceiling.find("Frechet distance of 10000 training images to the test set's features"),
            std::string::npos)
      << ceiling;
  EXPECT_GT(ceiling_frechet, 0.0);  // training images, not the test set against itself
  EXPECT_LT(ceiling_frechet, 0.1 * number_after(samples, "features = ")) << r.output;
}

// Errors of score: each is one line naming the file, and none needs Fashion-MNIST (they happen
// before the test set is read), except --data-dir, which is about it.
TEST_F(MinidlInfo, ScoreBadInputsAreOneLineErrorsNamingTheFile) {
  const std::string classifier = write_random_classifier(path("classifier.safetensors"));
  const std::string samples = path("samples.npy");
  data::write_npy(samples, full({4, 784}, 0.5));

  // The classifier file: missing, not a safetensors file, a safetensors file of something else.
  const std::string missing = path("missing.safetensors");
  expect_one_line_error(run("score " + samples + " --classifier " + missing),
                        "minidl-info: load_safetensors: " + missing + ": cannot open: ");
  const std::string text = path("text.safetensors");
  {
    std::FILE* f = std::fopen(text.c_str(), "w");
    std::fputs("not a checkpoint", f);
    std::fclose(f);
  }
  expect_one_line_error(run("score " + samples + " --classifier " + text),
                        "minidl-info: load_safetensors: " + text + ": ");
  const std::string other = path("other.safetensors");
  nn::save_safetensors(other, {{"encoder.weight", zeros({2, 2})}});
  expect_one_line_error(run("score " + samples + " --classifier " + other),
                        "minidl-info: load_classifier: " + other +
                            ": not a classifier checkpoint (no hidden1.weight and output.weight)");

  // A missing Fashion-MNIST directory: the one-line fix.
  expect_one_line_error(
      run("score " + samples + " --classifier " + classifier + " --data-dir /nonexistent"),
      "minidl-info: fashion_mnist: /nonexistent: no such directory; install it with `apt-get "
      "install -y dataset-fashion-mnist`");

  // A folder of images with one of the wrong size.
  png("folder/a.png", std::vector<std::vector<double>>(28, std::vector<double>(28, 100)));
  const std::string wrong =
      png("folder/b.png", std::vector<std::vector<double>>(27, std::vector<double>(28, 100)));
  expect_one_line_error(run("score " + path("folder") + " --classifier " + classifier),
                        "minidl-info: score: " + wrong +
                            " is 27 x 28 pixels; the classifier takes 784 pixels per image");

  // A NaN pixel is named as such, not as a range of [nan, nan] with a hint about tanh.
  const std::string with_nan = path("nan.npy");
  Tensor nan_samples = full({4, 784}, 0.5);
  nan_samples.data<float>()[784 + 5] = std::nanf("");
  data::write_npy(with_nan, nan_samples);
  expect_one_line_error(run("score " + with_nan + " --classifier " + classifier),
                        "minidl-info: score: " + with_nan +
                            ": 1 pixel value(s) are NaN, the first in image 1 at pixel 5; samples "
                            "must be numbers in [0, 1]\n");

  // Samples in [-1, 1] (a tanh generator not mapped back) and wrong shapes.
  const std::string tanh_range = path("tanh.npy");
  data::write_npy(tanh_range, full({4, 784}, -0.5));
  expect_one_line_error(run("score " + tanh_range + " --classifier " + classifier),
                        "minidl-info: score: " + tanh_range + ": pixel values span [-0.5");
  const std::string wrong_shape = path("wrong.npy");
  data::write_npy(wrong_shape, zeros({4, 32, 32}));
  expect_one_line_error(
      run("score " + wrong_shape + " --classifier " + classifier),
      "minidl-info: score: " + wrong_shape + ": shape [4, 32, 32] is not a batch of 784-pixel");
}
