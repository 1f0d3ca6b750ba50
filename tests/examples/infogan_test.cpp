// The infogan program and its pieces: a smoke run that writes every file with finite losses and a
// categorical bound that rises, resume equal to an uninterrupted run, the networks' shapes, the
// information loss through a Q head against float64 gradient checks, the code pictures' inputs,
// the classifier's view of the codes on tables with known answers, and bad flags.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/autograd.h"
#include "data/npy.h"
#include "examples/dcgan/dcgan_networks.h"
#include "examples/infogan/infogan_training.h"
#include "nn/safetensors.h"
#include "gan_run_helpers.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
using namespace minidl::examples;
namespace fs = std::filesystem;

namespace {

// An MLP evaluator trained for one epoch on 3,000 images, as the gan tests use.
fs::path small_classifier(const fs::path& dir) {
  ProgramRun c =
      run_program(example_program("classifier"),
                  "--epochs 1 --limit 3000 --threads 1 --out '" + (dir / "cls").string() + "'");
  EXPECT_EQ(c.exit_code, 0) << c.output;
  return dir / "cls" / "classifier.safetensors";
}

}  // namespace

TEST(InfoGan, SmokeRunWritesEveryFileAndTheCategoricalBoundRises) {
  const fs::path dir = fresh_test_dir("infogan");
  const fs::path classifier = small_classifier(dir);
  const fs::path run = dir / "run";
  ProgramRun r = run_program(example_program("infogan"),
                             "--epochs 2 " + short_gan_run(classifier, run, 256));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("62 noise + 10 categorical + 2 continuous"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("infogan: after epoch 2: "), std::string::npos) << r.output;
  auto m = read_metrics_csv(run / "metrics.csv");
  ASSERT_EQ(m["epoch"], (std::vector<double>{1, 2}));
  for (const char* column :
       {"d_loss", "g_loss", "d_real", "d_fake", "class_kl", "inception_score", "frechet",
        "info_loss", "categorical_bound", "continuous_bound", "code_mi", "code_accuracy"}) {
    ASSERT_EQ(m[column].size(), 2u) << column;
    for (double v : m[column]) EXPECT_TRUE(std::isfinite(v)) << column;
  }
  for (double bound : m["categorical_bound"]) EXPECT_LE(bound, std::log(10.0));
  for (double mi : m["code_mi"]) {
    EXPECT_GE(mi, -1e-12);
    EXPECT_LE(mi, std::log(10.0) + 1e-12);
  }
  for (double accuracy : m["code_accuracy"]) {
    EXPECT_GE(accuracy, 0.1);  // the best matching does at least as well as any other, on average
    EXPECT_LE(accuracy, 1.0);
  }
  // Q learns to read the code back from G's images: the second epoch's mean bound is above the
  // first's (which starts near or below 0, with an untrained Q) and above 0.
  EXPECT_GT(m["categorical_bound"][1], m["categorical_bound"][0]);
  EXPECT_GT(m["categorical_bound"][1], 0.0);
  for (const char* file :
       {"codes_c1_epoch01.png", "codes_c2_epoch01.png", "codes_c1_epoch02.png",
        "codes_c2_epoch02.png", "curves.png", "checkpoint.safetensors", "samples.npy"}) {
    EXPECT_TRUE(fs::exists(run / file)) << file;
  }
  Tensor samples = data::read_npy((run / "samples.npy").string());
  EXPECT_EQ(samples.shape(), (Shape{300, 784}));
  EXPECT_GE(min(samples).item(), 0.0);
  EXPECT_LE(max(samples).item(), 1.0);
}

TEST(InfoGan, ResumeEqualsAnUninterruptedRun) {
  const fs::path dir = fresh_test_dir("infogan");
  const fs::path classifier = untrained_classifier(dir);
  const fs::path straight = dir / "straight", resumed = dir / "resumed";
  ASSERT_EQ(run_program(example_program("infogan"),
                        "--epochs 2 " + short_gan_run(classifier, straight, 32))
                .exit_code,
            0);
  ASSERT_EQ(run_program(example_program("infogan"),
                        "--epochs 1 " + short_gan_run(classifier, resumed, 32))
                .exit_code,
            0);
  ProgramRun r = run_program(example_program("infogan"),
                             "--epochs 2 --resume " + short_gan_run(classifier, resumed, 32));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // G, D's body and head, Q's head, their batch-norm statistics and the three optimizers' moments.
  nn::SafetensorsFile a = nn::load_safetensors((straight / "checkpoint.safetensors").string());
  nn::SafetensorsFile b = nn::load_safetensors((resumed / "checkpoint.safetensors").string());
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  bool saw_q = false;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
    saw_q = saw_q || a.tensors[i].first.rfind("q_optimizer.", 0) == 0;
    if (a.tensors[i].second.dtype() != DType::Float32) continue;  // num_batches_tracked
    EXPECT_EQ(a.tensors[i].second.to_vector<float>(), b.tensors[i].second.to_vector<float>())
        << a.tensors[i].first;
  }
  EXPECT_TRUE(saw_q);
  EXPECT_EQ(data::read_npy((straight / "samples.npy").string()).to_vector<float>(),
            data::read_npy((resumed / "samples.npy").string()).to_vector<float>());
  auto ma = read_metrics_csv(straight / "metrics.csv");
  auto mb = read_metrics_csv(resumed / "metrics.csv");
  EXPECT_EQ(mb["epoch"], (std::vector<double>{1, 2}));
  EXPECT_EQ(ma["categorical_bound"], mb["categorical_bound"]);
  EXPECT_EQ(ma["code_mi"], mb["code_mi"]);
}

TEST(InfoGan, NetworksShareDsBodyBetweenTheTwoHeads) {
  Generator init(3);
  const InfoCodes codes;
  InfoGanNetworks n = make_infogan_networks(62, codes, init);
  Generator gen(4);
  const LatentBatch latent = sample_latent(4, 62, codes, gen);
  EXPECT_EQ(latent.input.shape(), (Shape{4, 74}));
  Variable fake = (*n.generator)(Variable(latent.input));
  EXPECT_EQ(fake.data().shape(), (Shape{4, 784}));
  Variable features = (*n.body)(fake);
  EXPECT_EQ(features.data().shape(), (Shape{4, 1024}));
  EXPECT_EQ((*n.d_head)(features).data().shape(), (Shape{4, 1}));
  EXPECT_EQ((*n.q_head)(features).data().shape(), (Shape{4, 14}));
  // The discriminator module is the body then D's head: the same logits.
  EXPECT_EQ((*n.discriminator)(fake).data().to_vector<float>(),
            (*n.d_head)((*n.body)(fake)).data().to_vector<float>());
  int64_t q_parameters = 0;
  for (const Variable& p : n.q_head->parameters()) q_parameters += p.data().numel();
  EXPECT_EQ(q_parameters, (1024 * 128 + 128) + 2 * 128 + (128 * 14 + 14));
  // dcgan's critic is that body plus Linear(1024, 1), with its layers' names unchanged.
  auto critic = make_dcgan_critic(CriticNorm::Batch, init);
  const auto named = critic->named_parameters();
  EXPECT_EQ(named.back().first, "10.bias");
  EXPECT_EQ(named[named.size() - 2].first, "10.weight");
}

// The information loss through a small Q head (Linear, BatchNorm1d, LeakyReLU, Linear) in float64:
// its gradients in Q's parameters and in the body's features against central differences.
TEST(InfoGan, InformationLossThroughAQHeadPassesGradcheck) {
  Generator init(7);
  const InfoCodes codes{.categories = 3, .continuous = 2};
  auto q = make_q_head(5, codes, init);
  for (auto& [name, p] : q->named_parameters()) p.set_data(p.data().to(DType::Float64));
  Generator gen(8);
  const CodeSample sample = sample_codes(6, codes, gen);
  Variable features(randn({6, 5}, DType::Float64, gen), true);
  std::vector<Variable> inputs = q->parameters();
  inputs.push_back(features);
  auto loss = [&](const std::vector<Variable>& in) {
    return information_terms((*q)(in.back()), sample, codes).loss;
  };
  GradcheckResult result = gradcheck(loss, inputs, {.name = "information loss through Q"});
  EXPECT_TRUE(result.passed) << result.message;
}

TEST(InfoGan, CodeSweepHoldsTheNoiseAndMovesOneCode) {
  const InfoCodes codes;
  Generator gen(9);
  const Tensor z = randn({1, 62}, DType::Float32, gen);
  const Tensor input = code_sweep_input(z, codes, 1, 10, 5);
  ASSERT_EQ(input.shape(), (Shape{50, 74}));
  const std::vector<float> v = input.to_vector<float>();
  auto at = [&](int64_t row, int64_t column) { return v[size_t(row * 74 + column)]; };
  for (int64_t i = 0; i < 50; ++i) {
    EXPECT_EQ(at(i, 5), z.to_vector<float>()[5]);  // the same noise everywhere
    EXPECT_EQ(at(i, 62 + i / 5), 1.0f);             // row r: category r
    EXPECT_EQ(at(i, 72), 0.0f);                     // code 1 held at 0
    EXPECT_FLOAT_EQ(at(i, 73), float(-2.0 + (i % 5)));  // code 2 from -2 to 2
  }
  EXPECT_THROW(code_sweep_input(z, codes, 2, 10, 5), Error);  // only 2 continuous codes
}

TEST(InfoGan, CodeAgreementOnKnownTables) {
  // 1,000 codes, 100 of each value, and a classifier that sees code k as class (k + 3) mod 10.
  std::vector<int64_t> code(1000);
  std::vector<float> probabilities(10000, 0.0f), constant(10000, 0.0f);
  for (int64_t i = 0; i < 1000; ++i) {
    code[size_t(i)] = i % 10;
    probabilities[size_t(i * 10 + (i % 10 + 3) % 10)] = 1.0f;
    constant[size_t(i * 10 + 4)] = 1.0f;
  }
  const Tensor c = from_vector(code, {1000});
  const CodeAgreement exact = code_agreement(c, from_vector(probabilities, {1000, 10}), 10);
  EXPECT_NEAR(exact.mutual_information, std::log(10.0), 1e-9);  // the code's entropy
  EXPECT_DOUBLE_EQ(exact.accuracy, 1.0);
  // Every image the same class: no information, and one code value matched (a tenth).
  const CodeAgreement none = code_agreement(c, from_vector(constant, {1000, 10}), 10);
  EXPECT_NEAR(none.mutual_information, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(none.accuracy, 0.1);
}

namespace {

class InfoGanBadFlags : public ::testing::TestWithParam<BadFlag> {};

TEST_P(InfoGanBadFlags, GiveAOneLineErrorAndExitCode2) {
  expect_bad_flag_error("infogan", GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Flags, InfoGanBadFlags,
    ::testing::Values(BadFlag{"--lr-d 0", "--lr-d"}, BadFlag{"--lr-g 2", "--lr-g"},
                      BadFlag{"--lr-g nan", "--lr-g: Value nan is not a finite number"},
                      BadFlag{"--info-weight -1", "--info-weight"},
                      BadFlag{"--info-weight inf", "--info-weight"},
                      BadFlag{"--epochs 0", "--epochs"}, BadFlag{"--batch-size 0", "--batch-size"},
                      BadFlag{"--monitor-samples 10", "--monitor-samples"},
                      BadFlag{"--samples 0", "--samples"}, BadFlag{"--limit -1", "--limit"},
                      BadFlag{"--seed -1", "--seed"}, BadFlag{"--loss hinge", "--loss"},
                      BadFlag{"--batch-size 1",
                              "infogan: --batch-size: Value 1 is below 2 (batch "
                              "normalisation needs at least 2 images per batch"}));

}  // namespace
