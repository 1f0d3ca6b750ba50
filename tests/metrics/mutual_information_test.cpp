// Mutual information, conditional entropy and normalised MI from joint histograms of images.
#include "metrics/mutual_information.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "metrics/divergence.h"
#include "metrics/histogram.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

// A [side, side] float32 image of random 8-bit levels k / 255, with a skewed (non-uniform)
// intensity distribution so that its entropy is not simply log 256.
Tensor random_image(int64_t side, Generator& gen) {
  const Tensor u = uniform({side, side}, 0.0, 1.0, DType::Float64, gen);
  std::vector<float> pixels;
  for (double v : u.to_vector<double>()) {
    pixels.push_back(static_cast<float>(std::floor(v * v * 256.0) / 255.0));  // levels 0..255
  }
  return from_vector(pixels, {side, side});
}

}  // namespace

TEST(MutualInformation, HandComputedTable) {
  // p(x, y) = [[1/2, 1/4], [0, 1/4]]: H(X) = H(3/4, 1/4) = 0.8112781244591328 bits, H(Y) = 1 bit,
  // H(X, Y) = 1.5 bits, so H(X | Y) = 0.5 bits and I = 0.31127812445913294 bits (python3 math).
  const Tensor joint = tensor({{2, 1}, {0, 1}}, DType::Float64);  // counts, normalised inside
  EXPECT_NEAR(joint_entropy(joint, Unit::Bits), 1.5, 1e-15);
  EXPECT_NEAR(conditional_entropy(joint, Unit::Bits), 0.5, 1e-15);
  EXPECT_NEAR(mutual_information(joint, Unit::Bits), 0.31127812445913294, 1e-15);
  EXPECT_NEAR(mutual_information(joint), 0.31127812445913294 * std::log(2.0), 1e-15);
  // 2 I / (H(X) + H(Y)) and I / sqrt(H(X) H(Y)), python3 math.
  EXPECT_NEAR(normalized_mutual_information(joint), 0.3437110184854509, 1e-15);
  EXPECT_NEAR(normalized_mutual_information(joint, MiNormalization::Geometric), 0.34559202994421145,
              1e-15);
  const MutualInformation all = mutual_information_summary(joint, Unit::Bits);
  EXPECT_NEAR(all.entropy_x, 0.8112781244591328, 1e-15);
  EXPECT_NEAR(all.entropy_y, 1.0, 1e-15);
  EXPECT_NEAR(all.joint_entropy, 1.5, 1e-15);
  EXPECT_NEAR(all.conditional_entropy, 0.5, 1e-15);
  EXPECT_NEAR(all.mutual_information, 0.31127812445913294, 1e-15);
  EXPECT_NEAR(all.normalized, 0.3437110184854509, 1e-15);
}

TEST(MutualInformation, IndependentTableIsExactlyZero) {
  // An outer product p(x) p(y): X tells nothing about Y.
  const Tensor joint = tensor({{1, 2, 3}, {2, 4, 6}}, DType::Float64);
  EXPECT_NEAR(mutual_information(joint), 0.0, 1e-15);
  EXPECT_NEAR(conditional_entropy(joint), entropy(tensor({1, 2}, DType::Float64)), 1e-15);
}

TEST(MutualInformation, ImageWithItselfIsItsEntropy) {
  Generator gen(5);
  const Tensor image = random_image(64, gen);
  const double h = entropy(histogram(image));
  ASSERT_GT(h, 4.0);  // a skewed but rich image: most of the 256 levels occur
  const Tensor joint = joint_histogram(image, image);
  EXPECT_NEAR(mutual_information(joint), h, 1e-12);
  EXPECT_EQ(conditional_entropy(joint), 0.0);  // X determines X: every term is log 1
  EXPECT_NEAR(normalized_mutual_information(joint), 1.0, 1e-12);
  EXPECT_NEAR(normalized_mutual_information(joint, MiNormalization::Geometric), 1.0, 1e-12);
}

TEST(MutualInformation, InvariantToRelabellingIntensities) {
  // The registration property: an inverted image (1 - x) is as informative about x as x itself,
  // though their correlation is -1. And a function of X shares exactly its own entropy with X.
  Generator gen(6);
  const Tensor image = random_image(64, gen);
  const double h = entropy(histogram(image));
  EXPECT_NEAR(mutual_information(joint_histogram(image, 1.0 - image)), h, 1e-12);
  const Tensor thresholded = gt(image, 0.5).to(DType::Float32);  // Y = f(X), two levels
  const Tensor joint = joint_histogram(image, thresholded, {}, {.count = 2});
  EXPECT_NEAR(mutual_information(joint), entropy(histogram(thresholded, {.count = 2})), 1e-12);
}

// For independent X and Y with B equally likely bins each, 2 N I_plugin is asymptotically
// chi-squared with (B - 1)^2 degrees of freedom, so the plug-in MI of N pixel pairs has mean
// (B - 1)^2 / (2N) (the Miller-Madow bias) and standard deviation (B - 1) / (sqrt(2) N). We check
// it lies within 6 standard deviations of that mean: a bound that shrinks like 1/N.
TEST(MutualInformation, IndependentNoiseImagesAreNearZeroWithinTheBias) {
  Generator gen(7);
  const int64_t bins = 16;
  for (int64_t side : {256, 1024}) {
    const double n = static_cast<double>(side * side);
    const Tensor a = uniform({side, side}, 0.0, 1.0, DType::Float32, gen);
    const Tensor b = uniform({side, side}, 0.0, 1.0, DType::Float32, gen);
    const double mi = mutual_information(joint_histogram(a, b, {.count = bins}, {.count = bins}));
    const double bias = (bins - 1.0) * (bins - 1.0) / (2.0 * n);
    const double sd = (bins - 1.0) / (std::sqrt(2.0) * n);
    EXPECT_GT(mi, bias - 6.0 * sd) << side;
    EXPECT_LT(mi, bias + 6.0 * sd) << side;
  }
}

TEST(MutualInformation, ConstantImages) {
  const Tensor flat = full({8, 8}, 0.5);
  Generator gen(8);
  const Tensor noise = uniform({8, 8}, 0.0, 1.0, DType::Float32, gen);
  EXPECT_EQ(mutual_information(joint_histogram(flat, flat)), 0.0);
  EXPECT_EQ(normalized_mutual_information(joint_histogram(flat, flat)), 1.0);  // as scikit-learn
  EXPECT_EQ(normalized_mutual_information(joint_histogram(flat, noise)), 0.0);
}

TEST(MutualInformation, BadInputsAreErrors) {
  EXPECT_THROW(joint_histogram(zeros({4, 4}), zeros({4, 5})), Error);
  try {
    mutual_information(zeros({4}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mutual_information: the joint histogram must be 2-d"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(mutual_information(zeros({3, 3})), Error);  // sums to 0
}
