// InfoGAN's information term: the lower bound on toys where the answer is known (a code that the
// image carries exactly, a code the image ignores), its continuous part in closed form, the
// generator's input layout, float64 gradient checks of the loss, and its shape error.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "autograd/autograd.h"
#include "examples/infogan/information.h"
#include "nn/linear.h"
#include "nn/optim/adam.h"

using namespace minidl;
using namespace minidl::examples;

namespace {

// Trains a linear Q (10 -> categories logits, no continuous codes) for `steps` Adam steps on
// "images" made from the codes by `image_of`, and returns the bound on a fresh batch.
template <typename ImageOf>
double trained_categorical_bound(ImageOf image_of, int64_t steps) {
  Generator gen(12);
  const InfoCodes codes{.categories = 10, .continuous = 0};
  nn::Linear q(10, 10, true, gen);
  optim::Adam adam(q.parameters(), {.lr = 0.05});
  for (int64_t step = 0; step < steps; ++step) {
    const CodeSample sample = sample_codes(256, codes, gen);
    InformationTerms terms = information_terms(q(Variable(image_of(sample, gen))), sample, codes);
    adam.zero_grad();
    terms.loss.backward();
    adam.step();
  }
  const CodeSample sample = sample_codes(4096, codes, gen);
  return information_terms(q(Variable(image_of(sample, gen))), sample, codes).categorical_bound;
}

}  // namespace

TEST(InfoGanInformation, ACodeTheImageCarriesGivesLog10) {
  // The image is the code's one-hot vector: Q can read it back, and the bound reaches H(c).
  const double bound = trained_categorical_bound(
      [](const CodeSample& s, Generator&) { return one_hot(s.categorical, 10); }, 300);
  EXPECT_NEAR(bound, std::log(10.0), 0.02);
  EXPECT_LE(bound, std::log(10.0));
}

TEST(InfoGanInformation, ACodeTheImageIgnoresGivesAboutZero) {
  // The image is noise independent of the code: the best Q predicts the uniform prior, bound 0.
  const double bound = trained_categorical_bound(
      [](const CodeSample& s, Generator& gen) {
        return randn({s.categorical.size(0), 10}, DType::Float32, gen);
      },
      300);
  EXPECT_NEAR(bound, 0.0, 0.05);
}

TEST(InfoGanInformation, ContinuousBoundInClosedForm) {
  // Q's mean is the code itself and its log-variance is lv for both codes: each code's NLL is
  // 0.5 (log(2 pi) + lv), so the bound is 2 (log 2 - 0.5 (log(2 pi) + lv)).
  Generator gen(3);
  const InfoCodes codes{.categories = 10, .continuous = 2};
  const CodeSample sample = sample_codes(64, codes, gen);
  const double lv = -4.0;
  Tensor q = zeros({64, codes.q_outputs()});
  q.narrow(1, 10, 2).copy_(sample.continuous);
  q.narrow(1, 12, 2).fill_(lv);
  const InformationTerms terms = information_terms(Variable(q), sample, codes);
  EXPECT_NEAR(terms.continuous_bound,
              2.0 * (std::numbers::ln2 - 0.5 * (std::log(2.0 * std::numbers::pi) + lv)), 1e-5);
  // Uniform logits: the categorical bound is exactly 0.
  EXPECT_NEAR(terms.categorical_bound, 0.0, 1e-6);
}

TEST(InfoGanInformation, GeneratorInputIsNoiseOneHotThenContinuous) {
  Generator gen(4);
  const InfoCodes codes;
  const CodeSample sample = sample_codes(5, codes, gen);
  const Tensor noise = randn({5, 62}, DType::Float32, gen);
  const Tensor input = generator_input(noise, sample, codes);
  ASSERT_EQ(input.shape(), (Shape{5, 74}));
  const std::vector<int64_t> labels = sample.categorical.to_vector<int64_t>();
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(input.data<float>()[i * 74 + 61], noise.data<float>()[i * 62 + 61]);
    EXPECT_EQ(input.data<float>()[i * 74 + 62 + labels[size_t(i)]], 1.0f);
    EXPECT_EQ(input.data<float>()[i * 74 + 73], sample.continuous.data<float>()[i * 2 + 1]);
    float row_code_sum = 0;
    for (int64_t c = 0; c < 10; ++c) row_code_sum += input.data<float>()[i * 74 + 62 + c];
    EXPECT_EQ(row_code_sum, 1.0f);
  }
  for (float v : sample.continuous.to_vector<float>()) {
    EXPECT_GE(v, -1.0f);
    EXPECT_LE(v, 1.0f);
  }
}

TEST(InfoGanInformation, LossPassesFloat64GradientChecks) {
  Generator gen(5);
  const InfoCodes codes{.categories = 4, .continuous = 2};
  CodeSample sample = sample_codes(3, codes, gen);
  const auto loss = [&](const std::vector<Variable>& x) {
    return information_terms(x[0], sample, codes).loss;
  };
  const Variable q(randn({3, codes.q_outputs()}, DType::Float64, gen), true);
  EXPECT_TRUE(gradcheck(loss, {q})) << gradcheck(loss, {q}).message;
  EXPECT_TRUE(gradgradcheck(loss, {q})) << gradgradcheck(loss, {q}).message;
}

TEST(InfoGanInformation, WrongQWidthIsAOneLineError) {
  Generator gen(6);
  const InfoCodes codes;
  const CodeSample sample = sample_codes(2, codes, gen);
  try {
    information_terms(Variable(zeros({2, 12})), sample, codes);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "information_terms: Q's output [2, 12] is not [2, 14] (10 logits, then a mean and "
                 "a log-variance for each of 2 continuous codes)");
  }
}
