// The dcgan program and its networks: smoke runs with each loss that produce every file with finite
// losses, resume equals an uninterrupted run, the W5 networks' shapes, the gradient penalties
// through a convolutional critic against float64 gradient checks, and bad flags.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/autograd.h"
#include "data/npy.h"
#include "examples/dcgan/dcgan_networks.h"
#include "examples/gan/gan_training.h"
#include "nn/activation.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "nn/normalization.h"
#include "nn/reshape.h"
#include "nn/safetensors.h"
#include "nn/sequential.h"
#include "gan_run_helpers.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
using namespace minidl::examples;
namespace fs = std::filesystem;

// The uninterrupted run of the resume check doubles as the smoke run.
TEST(Dcgan, SmokeRunWritesEveryFileAndResumeEqualsAnUninterruptedRun) {
  const fs::path dir = fresh_test_dir("dcgan");
  const fs::path classifier = untrained_classifier(dir);
  const fs::path straight = dir / "straight", resumed = dir / "resumed";
  ProgramRun r =
      run_program(example_program("dcgan"), "--epochs 2 " + short_gan_run(classifier, straight));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ConvTranspose2d(128, 64"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("BatchNorm2d(128"), std::string::npos) << r.output;  // the critic's
  EXPECT_NE(r.output.find("\ncritic: "), std::string::npos) << r.output;  // on a line of its own
  auto m = read_metrics_csv(straight / "metrics.csv");
  ASSERT_EQ(m["epoch"], (std::vector<double>{1, 2}));
  for (const char* column :
       {"d_loss", "g_loss", "d_real", "d_fake", "class_kl", "inception_score", "frechet"}) {
    for (double v : m[column]) EXPECT_TRUE(std::isfinite(v)) << column;
  }
  for (double covered : m["classes_covered"]) EXPECT_GE(covered, 1);
  for (const char* file : {"samples_epoch01.png", "samples_epoch02.png", "curves.png",
                           "checkpoint.safetensors", "samples.npy"}) {
    EXPECT_TRUE(fs::exists(straight / file)) << file;
  }
  Tensor sa = data::read_npy((straight / "samples.npy").string());
  EXPECT_EQ(sa.shape(), (Shape{300, 784}));
  EXPECT_GE(min(sa).item(), 0.0);
  EXPECT_LE(max(sa).item(), 1.0);

  ASSERT_EQ(run_program(example_program("dcgan"),
                        "--epochs 1 " + short_gan_run(classifier, resumed))
                .exit_code,
            0);
  r = run_program(example_program("dcgan"),
                  "--epochs 2 --resume " + short_gan_run(classifier, resumed));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Every weight, batch-norm running statistic and optimizer moment, and the samples.
  nn::SafetensorsFile a = nn::load_safetensors((straight / "checkpoint.safetensors").string());
  nn::SafetensorsFile b = nn::load_safetensors((resumed / "checkpoint.safetensors").string());
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
    if (a.tensors[i].second.dtype() != DType::Float32) continue;  // num_batches_tracked
    EXPECT_EQ(a.tensors[i].second.to_vector<float>(), b.tensors[i].second.to_vector<float>())
        << a.tensors[i].first;
  }
  Tensor sb = data::read_npy((resumed / "samples.npy").string());
  EXPECT_EQ(sa.to_vector<float>(), sb.to_vector<float>());
  EXPECT_EQ(read_metrics_csv(resumed / "metrics.csv")["epoch"], (std::vector<double>{1, 2}));
}

TEST(Dcgan, WganGpAndHingeWithR1SmokeRuns) {
  const fs::path dir = fresh_test_dir("dcgan");
  const fs::path classifier = untrained_classifier(dir);
  // 96 images: 6 critic steps, so one generator step at 5 per step.
  ProgramRun w = run_program(example_program("dcgan"),
                             "--loss wgan-gp --epochs 1 " + short_gan_run(classifier, dir / "w", 96));
  ASSERT_EQ(w.exit_code, 0) << w.output;
  EXPECT_NE(w.output.find("5 critic step(s)"), std::string::npos) << w.output;
  EXPECT_NE(w.output.find("LayerNorm"), std::string::npos) << w.output;  // no batch statistics
  ProgramRun h = run_program(
      example_program("dcgan"), "--loss hinge --r1 1 --epochs 1 " +
                                    short_gan_run(classifier, dir / "h"));
  ASSERT_EQ(h.exit_code, 0) << h.output;
  EXPECT_NE(h.output.find("R1 gamma 1"), std::string::npos) << h.output;
  for (const fs::path& run : {dir / "w", dir / "h"}) {
    auto m = read_metrics_csv(run / "metrics.csv");
    ASSERT_EQ(m["d_loss"].size(), 1u) << run;
    EXPECT_TRUE(std::isfinite(m["d_loss"][0])) << run;
    EXPECT_TRUE(std::isfinite(m["g_loss"][0])) << run;
    EXPECT_NE(m["g_loss"][0], 0.0) << run;  // a generator step was taken
  }
}

TEST(Dcgan, W5NetworksMapLatentsToImagesAndImagesToOneScore) {
  Generator init(5);
  auto g = make_dcgan_generator(100, init);
  auto d = make_dcgan_critic(CriticNorm::Batch, init);
  Generator noise(6);
  Variable fake = (*g)(Variable(randn({4, 100}, DType::Float32, noise)));
  EXPECT_EQ(fake.data().shape(), (Shape{4, 784}));
  EXPECT_LE(max(abs(fake.data())).item(), 1.0);  // tanh
  EXPECT_EQ((*d)(fake).data().shape(), (Shape{4, 1}));
  // The published sizes: G 100-1024-6272 then 128->64->1 channels; D 1->64->128, 6272-1024-1.
  int64_t g_parameters = 0, d_parameters = 0;
  for (const Variable& p : g->parameters()) g_parameters += p.data().numel();
  for (const Variable& p : d->parameters()) d_parameters += p.data().numel();
  EXPECT_EQ(g_parameters, (100 * 1024 + 1024) + 2 * 1024 + (1024 * 6272 + 6272) + 2 * 6272 +
                              (128 * 64 * 16 + 64) + 2 * 64 + (64 * 16 + 1));
  EXPECT_EQ(d_parameters, (64 * 16 + 64) + (64 * 128 * 16 + 128) + 2 * 128 +
                              (6272 * 1024 + 1024) + 2 * 1024 + (1024 + 1));
}

namespace {

// A tiny convolutional critic in float64: [N, 1, 6, 6] -> Conv2d(1, 2, 3, stride 2, padding 1)
// -> LeakyReLU -> LayerNorm -> ConvTranspose2d(2, 1, 2, stride 1) -> flatten -> Linear 16 -> 1,
// so the penalties' second derivatives run through both convolutions and the normalisation.
std::shared_ptr<nn::Sequential> tiny_conv_critic(uint64_t seed) {
  Generator init(seed);
  auto critic = std::make_shared<nn::Sequential>();
  critic->push_back(std::make_shared<nn::Conv2d>(
      1, 2, Size2{3, 3}, nn::Conv2dOptions{.stride = {2, 2}, .padding = {1, 1}}, init));
  critic->push_back(std::make_shared<nn::LeakyReLU>(0.1));
  critic->push_back(std::make_shared<nn::LayerNorm>(Shape{2, 3, 3}));
  critic->push_back(
      std::make_shared<nn::ConvTranspose2d>(2, 1, Size2{2, 2}, nn::ConvTranspose2dOptions{}, init));
  critic->push_back(std::make_shared<nn::Flatten>());
  critic->push_back(std::make_shared<nn::Linear>(16, 1, true, init));
  for (auto& [name, p] : critic->named_parameters()) p.set_data(p.data().to(DType::Float64));
  return critic;
}

}  // namespace

// WGAN-GP's critic loss holds ||grad_x D(x_hat)||: its gradient in D's parameters is a second
// derivative through the convolutions, checked against central differences.
TEST(Dcgan, GradientPenaltyThroughAConvCriticPassesGradcheck) {
  auto critic = tiny_conv_critic(31);
  Generator data(32);
  Tensor real = normal({3, 1, 6, 6}, 0, 1, DType::Float64, data);
  Tensor fake = normal({3, 1, 6, 6}, 0, 1, DType::Float64, data);
  auto penalty = [&](const std::vector<Variable>&) {
    Generator eps_draws(33);
    return gradient_penalty(*critic, real, fake,
                            uniform({3, 1, 1, 1}, 0.0, 1.0, DType::Float64, eps_draws));
  };
  GradcheckResult result =
      gradcheck(penalty, critic->parameters(), {.name = "conv gradient penalty"});
  EXPECT_TRUE(result.passed) << result.message;
  EXPECT_GT(penalty({}).item(), 0.0);
}

TEST(Dcgan, R1PenaltyThroughAConvCriticPassesGradcheck) {
  auto critic = tiny_conv_critic(41);
  Generator data(42);
  Tensor real = normal({3, 1, 6, 6}, 0, 1, DType::Float64, data);
  auto penalty = [&](const std::vector<Variable>&) {
    Variable x(real, true);
    return r1_penalty(x, (*critic)(x), 0.5);
  };
  GradcheckResult result = gradcheck(penalty, critic->parameters(), {.name = "conv R1 penalty"});
  EXPECT_TRUE(result.passed) << result.message;
}

// The second derivatives of the critic itself, in its input and its parameters together.
TEST(Dcgan, ConvCriticPassesGradgradcheck) {
  auto critic = tiny_conv_critic(51);
  Generator data(52);
  Variable x(normal({2, 1, 6, 6}, 0, 1, DType::Float64, data), true);
  std::vector<Variable> inputs = critic->parameters();
  inputs.push_back(x);
  auto scores = [&](const std::vector<Variable>& in) { return (*critic)(in.back()); };
  GradcheckResult result = gradgradcheck(scores, inputs, {.name = "conv critic"});
  EXPECT_TRUE(result.passed) << result.message;
}

namespace {

class DcganBadFlags : public ::testing::TestWithParam<BadFlag> {};

TEST_P(DcganBadFlags, GiveAOneLineErrorAndExitCode2) { expect_bad_flag_error("dcgan", GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Flags, DcganBadFlags,
    ::testing::Values(BadFlag{"--loss wgan", "--loss"}, BadFlag{"--r1 -1", "--r1"},
                      BadFlag{"--r1 nan", "--r1: Value nan is not a finite number"},
                      BadFlag{"--epochs 0", "--epochs"}, BadFlag{"--batch-size 0", "--batch-size"},
                      BadFlag{"--samples 0", "--samples"},
                      BadFlag{"--critic-steps 0", "--critic-steps"},
                      BadFlag{"--lr 0", "--lr"}, BadFlag{"--seed -1", "--seed"},
                      // Batch normalisation has no statistics over one image: a flag error.
                      BadFlag{"--batch-size 1",
                              "dcgan: --batch-size: Value 1 is below 2 (batch "
                              "normalisation needs at least 2 images per batch"},
                      // One rule for every integer flag: decimal, as --seed and the floats.
                      BadFlag{"--batch-size 0x10",
                              "--batch-size: Value 0x10 is not a decimal integer"},
                      BadFlag{"--epochs 0b11", "--epochs: Value 0b11 is not a decimal integer"},
                      BadFlag{"--limit -1",
                              "dcgan: --limit: Value -1 is below 0 (0 trains on all "
                              "images) (see --help)\n"},
                      BadFlag{"--lr 1e-400",
                              "--lr: Value 1e-400 underflows: it is below the "
                              "smallest double"},
                      BadFlag{"--r1 1e400", "--r1: Value 1e400 overflows"}));

}  // namespace

// A --limit below one batch is a flag error (exit code 2) naming both flags, before any data is
// read, not a DataLoader error after it.
TEST(Dcgan, ALimitBelowOneBatchIsAFlagError) {
  const fs::path dir = fresh_test_dir("dcgan");
  for (const char* program : {"dcgan", "infogan"}) {
    ProgramRun r =
        run_program(example_program(program), "--limit 10 --batch-size 16 --threads 1 --out '" +
                                                  (dir / program).string() + "'");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(r.output, std::string(program) +
                            ": --limit 10 is less than one batch (--batch-size 16); an epoch "
                            "would hold no step: raise --limit or lower --batch-size\n");
  }
}
