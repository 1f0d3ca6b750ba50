// The GAN programs: smoke runs that produce every file with finite losses, the gradient penalties
// (WGAN-GP's and R1) against float64 gradient checks and a closed form, PacGAN's packing, gan2d's
// flag errors, and the stability alarm's rule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <vector>

#include "autograd/autograd.h"
#include "data/npy.h"
#include "examples/gan/gan_training.h"
#include "examples/gan/stability.h"
#include "gan_run_helpers.h"
#include "nn/safetensors.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
using namespace minidl::examples;
namespace fs = std::filesystem;

TEST(Gan, SmokeRunWritesEveryFileWithFiniteLosses) {
  const fs::path dir = fresh_test_dir("gan");
  ProgramRun c =
      run_program(example_program("classifier"),
                  "--epochs 1 --limit 3000 --threads 1 --out '" + (dir / "cls").string() + "'");
  ASSERT_EQ(c.exit_code, 0) << c.output;
  ProgramRun r =
      run_program(example_program("gan"),
                  "--epochs 2 --limit 640 --monitor-samples 500 --threads 1 --classifier '" +
                      (dir / "cls" / "classifier.safetensors").string() + "' --out '" +
                      (dir / "gan").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = read_metrics_csv(dir / "gan" / "metrics.csv");
  ASSERT_EQ(m["epoch"].size(), 2u);
  for (const char* column : {"d_loss", "g_loss", "class_kl", "inception_score", "frechet"}) {
    for (double v : m[column]) EXPECT_TRUE(std::isfinite(v)) << column;
  }
  for (double covered : m["classes_covered"]) EXPECT_GE(covered, 1);
  for (const char* file :
       {"samples_epoch01.png", "samples_epoch02.png", "checkpoint.safetensors", "samples.npy"}) {
    EXPECT_TRUE(fs::exists(dir / "gan" / file)) << file;
  }
  Tensor samples = data::read_npy((dir / "gan" / "samples.npy").string());
  EXPECT_EQ(samples.shape(), (Shape{10000, 784}));
  EXPECT_GE(min(samples).item(), 0.0);
  EXPECT_LE(max(samples).item(), 1.0);
}

// The evaluator is part of the run: the checkpoint records the digest of its weights, and
// --resume refuses another evaluator (whose Fréchet distances would not continue metrics.csv's)
// or a missing one (which would be trained anew into the working folder), naming the one the run
// was scored by.
TEST(Gan, ResumeRefusesAnotherOrAMissingEvaluator) {
  const fs::path dir = fresh_test_dir("gan");
  const fs::path first = untrained_classifier(dir);
  Generator other_init(7);
  examples::Classifier other(examples::ClassifierShape{}, other_init);
  const fs::path second = dir / "other.safetensors";
  nn::save(other, second.string());
  const fs::path out = dir / "run";
  const std::string checkpoint = (out / "checkpoint.safetensors").string();
  ASSERT_EQ(
      run_program(example_program("gan"), "--epochs 1 " + short_gan_run(first, out)).exit_code, 0);
  const nn::Metadata saved = nn::load_safetensors(checkpoint).metadata;
  EXPECT_EQ(saved.at("program"), "gan");
  EXPECT_EQ(saved.at("evaluator").size(), 8u);
  EXPECT_EQ(saved.at("evaluator_file"), first.string());

  ProgramRun r =
      run_program(example_program("gan"), "--epochs 2 --resume " + short_gan_run(second, out));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("gan: --classifier: " + checkpoint + " was scored by the evaluator " +
                          first.string() + " (weights " + saved.at("evaluator") + "), but " +
                          second.string() + " has weights "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("resume with the evaluator the run started with"), std::string::npos)
      << r.output;

  // From another working folder without --classifier: the default evaluator is not there, and
  // none is trained into that folder.
  const fs::path elsewhere = dir / "elsewhere";
  fs::create_directories(elsewhere);
  r = run_program(example_program("gan"),
                  "--epochs 2 --resume --threads 1 --out '" + out.string() + "'",
                  "cd '" + elsewhere.string() + "' &&");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("gan: --classifier: no evaluator at " +
                          (elsewhere / "runs/classifier/classifier.safetensors").string() + "; " +
                          checkpoint + " was scored by " + first.string()),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(elsewhere / "runs"));
  EXPECT_EQ(read_metrics_csv(out / "metrics.csv")["epoch"], (std::vector<double>{1}));

  // The same evaluator resumes.
  r = run_program(example_program("gan"), "--epochs 2 --resume " + short_gan_run(first, out));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_metrics_csv(out / "metrics.csv")["epoch"], (std::vector<double>{1, 2}));
}

namespace {

// A Fashion-MNIST directory of `count` random 28x28 images per split (uncompressed IDX files),
// small enough that the evaluator a GAN program trains on it takes a moment.
void write_tiny_fashion_mnist(const fs::path& dir, uint32_t count) {
  fs::create_directories(dir);
  auto header = [](std::vector<uint32_t> dims) {
    std::vector<char> bytes = {0, 0, 8, char(dims.size())};
    for (uint32_t d : dims) {
      for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(char(d >> shift));
    }
    return bytes;
  };
  for (const char* split : {"train", "t10k"}) {
    std::vector<char> images = header({count, 28, 28}), labels = header({count});
    for (uint32_t i = 0; i < count * 784; ++i) images.push_back(char((i * 2654435761u) >> 24));
    for (uint32_t i = 0; i < count; ++i) labels.push_back(char(i % 10));
    std::ofstream(dir / (std::string(split) + "-images-idx3-ubyte"), std::ios::binary)
        .write(images.data(), std::streamsize(images.size()));
    std::ofstream(dir / (std::string(split) + "-labels-idx1-ubyte"), std::ios::binary)
        .write(labels.data(), std::streamsize(labels.size()));
  }
}

}  // namespace

// Without --classifier a new run trains an evaluator at the default path, relative to the working
// folder: it says so with the absolute path, so the user knows where a model was written.
TEST(Gan, ANewEvaluatorIsAnnouncedWithWhereItGoes) {
  const fs::path dir = fresh_test_dir("gan");
  write_tiny_fashion_mnist(dir / "data", 64);
  ProgramRun r = run_program(example_program("gan"),
                             "--epochs 1 --limit 32 --batch-size 16 --monitor-samples 100 "
                             "--samples 10 --threads 1 --data-dir '" +
                                 (dir / "data").string() + "' --out run",
                             "cd '" + dir.string() + "' &&");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no evaluator classifier at runs/classifier/classifier.safetensors: "
                          "training one (5 epochs) into " +
                          (dir / "runs/classifier/classifier.safetensors").string() +
                          " (--classifier FILE names another)"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(fs::exists(dir / "runs/classifier/classifier.safetensors"));
}

TEST(Gan, WganGpSmokeRun) {
  const fs::path dir = fresh_test_dir("gan");
  ProgramRun c =
      run_program(example_program("classifier"),
                  "--epochs 1 --limit 1000 --threads 1 --out '" + (dir / "cls").string() + "'");
  ASSERT_EQ(c.exit_code, 0) << c.output;
  ProgramRun r = run_program(
      example_program("gan"),
      "--loss wgan-gp --epochs 1 --limit 640 --monitor-samples 200 --threads 1 --classifier '" +
          (dir / "cls" / "classifier.safetensors").string() + "' --out '" + (dir / "gan").string() +
          "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("5 critic step(s)"), std::string::npos) << r.output;
  // The map must outlive the loop: a range-for over a member of a temporary reads freed memory.
  auto metrics = read_metrics_csv(dir / "gan" / "metrics.csv");
  ASSERT_FALSE(metrics["d_loss"].empty());
  for (double v : metrics["d_loss"]) EXPECT_TRUE(std::isfinite(v));
}

TEST(Gan2d, SmokeRunForEachLoss) {
  for (const std::string loss : {"ns", "wgan-gp", "hinge"}) {
    const fs::path dir = fresh_test_dir("gan2d") / loss;
    ProgramRun r = run_program(example_program("gan2d"),
                               "--loss " + loss +
                                   " --steps 200 --eval-every 100 --eval-samples 1000 "
                                   "--batch-size 128 --threads 1 --out '" +
                                   dir.string() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The defaults: R1 with gamma 0.1 and pairs of points, except no R1 on top of WGAN-GP's
    // penalty.
    EXPECT_NE(r.output.find(loss == "wgan-gp" ? "R1 gamma 0, pack 2" : "R1 gamma 0.1, pack 2"),
              std::string::npos)
        << r.output;
    auto m = read_metrics_csv(dir / "metrics.csv");
    ASSERT_EQ(m["step"], (std::vector<double>{100, 200})) << loss;
    for (double v : m["d_loss"]) EXPECT_TRUE(std::isfinite(v)) << loss;
    for (double v : m["g_loss"]) EXPECT_TRUE(std::isfinite(v)) << loss;
    EXPECT_TRUE(fs::exists(dir / "scatter_step000200.png")) << loss;
    EXPECT_TRUE(fs::exists(dir / "samples.npy")) << loss;
  }
}

TEST(Gan2d, GridWithoutPenaltyOrPackingAndWithDeeperNetworks) {
  const fs::path dir = fresh_test_dir("gan2d");
  ProgramRun r =
      run_program(example_program("gan2d"),
                  "--data grid25 --r1 0 --pack 1 --layers 3 --hidden 32 --steps 60 "
                  "--eval-every 30 --eval-samples 500 --batch-size 64 --threads 1 --out '" +
                      dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("grid25, loss ns, R1 gamma 0, pack 1"), std::string::npos) << r.output;
  auto m = read_metrics_csv(dir / "metrics.csv");
  ASSERT_EQ(m["step"], (std::vector<double>{30, 60}));
  for (double v : m["d_loss"]) EXPECT_TRUE(std::isfinite(v));
  for (double covered : m["modes_covered"]) EXPECT_LE(covered, 25);
  EXPECT_TRUE(fs::exists(dir / "samples.npy"));
}

TEST(Gan2d, ResumeContinuesExactlyAsAnUninterruptedRun) {
  const fs::path straight = fresh_test_dir("gan2d") / "straight";
  const fs::path resumed = straight.parent_path() / "resumed";
  // A constant schedule: a shorter first run then has the same learning rates as the first half
  // of the straight run (the cosine schedule depends on --steps, so resuming it needs the same
  // --steps, which the next test checks).
  const std::string common =
      "--batch-size 64 --eval-every 50 --eval-samples 200 --threads 1 --lr-schedule constant";
  ASSERT_EQ(run_program(example_program("gan2d"),
                        common + " --steps 100 --out '" + straight.string() + "'")
                .exit_code,
            0);
  ASSERT_EQ(
      run_program(example_program("gan2d"), common + " --steps 50 --out '" + resumed.string() + "'")
          .exit_code,
      0);
  ProgramRun r = run_program(example_program("gan2d"),
                             common + " --steps 100 --resume --out '" + resumed.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Tensor a = data::read_npy((straight / "samples.npy").string());
  Tensor b = data::read_npy((resumed / "samples.npy").string());
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
}

TEST(Gan2d, ResumingACosineScheduleWithOtherStepsIsAnError) {
  const fs::path dir = fresh_test_dir("gan2d");
  const std::string common = "--batch-size 32 --eval-every 20 --eval-samples 100 --threads 1";
  ASSERT_EQ(
      run_program(example_program("gan2d"), common + " --steps 20 --out '" + dir.string() + "'")
          .exit_code,
      0);
  ProgramRun r = run_program(example_program("gan2d"),
                             common + " --steps 40 --resume --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("was trained with --steps 20"), std::string::npos) << r.output;
}

// The WGAN-GP penalty is a function of the critic's parameters through a gradient (create_graph):
// its own gradient is a second derivative, checked here against central differences.
TEST(Gan, GradientPenaltyPassesGradcheck) {
  Generator init(11);
  auto critic = make_mlp({3, 4, 4, 1}, Activation::LeakyReLU, false, init);
  for (auto& [name, p] : critic->named_parameters()) p.set_data(p.data().to(DType::Float64));
  Generator data(12);
  Tensor real = normal({5, 3}, 0, 1, DType::Float64, data);
  Tensor fake = normal({5, 3}, 0, 1, DType::Float64, data);
  auto penalty = [&](const std::vector<Variable>&) {
    Generator eps_draws(13);
    return gradient_penalty(*critic, real, fake,
                            uniform({5, 1}, 0.0, 1.0, DType::Float64, eps_draws));
  };
  GradcheckResult result = gradcheck(penalty, critic->parameters(), {.name = "gradient penalty"});
  EXPECT_TRUE(result.passed) << result.message;
}

// R1 = gamma/2 mean_i ||grad_x D(x_i)||^2. For a linear critic D(x) = w.x + b the input gradient is
// w at every point, so R1 = gamma/2 ||w||^2 and its gradient in w is gamma w, in b zero (by hand).
TEST(Gan, R1PenaltyOfALinearCriticIsHalfGammaTimesTheSquaredWeightNorm) {
  Variable w(from_vector(std::vector<double>{3.0, -4.0}, {2, 1}), true);
  Variable b(from_vector(std::vector<double>{0.5}, {1}), true);
  Variable x(from_vector(std::vector<double>{1, 2, -3, 0.5, 7, 7}, {3, 2}), true);
  Variable scores = matmul(x, w) + b;
  Variable penalty = r1_penalty(x, scores, 0.2);
  EXPECT_NEAR(penalty.item(), 0.1 * 25.0, 1e-12);
  GradOptions options;
  options.allow_unused = true;  // R1 does not depend on b
  std::vector<Variable> g = grad({penalty}, {w, b}, {}, options);
  EXPECT_EQ(g[0].data().to_vector<double>(), (std::vector<double>{0.2 * 3.0, 0.2 * -4.0}));
  if (g[1].defined()) {
    EXPECT_EQ(g[1].data().to_vector<double>(), (std::vector<double>{0.0}));
  }
}

// With a nonlinear critic the R1 penalty's gradient in the parameters is a second derivative of D:
// checked against central differences in float64, with the real points packed in pairs as gan2d
// feeds them.
TEST(Gan, R1PenaltyPassesGradcheckOnATinyPackedCritic) {
  Generator init(21);
  auto critic = make_mlp({4, 5, 5, 1}, Activation::LeakyReLU, false, init);
  for (auto& [name, p] : critic->named_parameters()) p.set_data(p.data().to(DType::Float64));
  Generator data(22);
  Tensor real = pack_samples(normal({6, 2}, 0, 1, DType::Float64, data), 2);
  auto penalty = [&](const std::vector<Variable>&) {
    Variable x(real, true);
    return r1_penalty(x, (*critic)(x), 0.7);
  };
  GradcheckResult result = gradcheck(penalty, critic->parameters(), {.name = "R1 penalty"});
  EXPECT_TRUE(result.passed) << result.message;
}

TEST(Gan, R1PenaltyNeedsRealPointsThatRequireGrad) {
  Generator init(23);
  auto critic = make_mlp({2, 3, 1}, Activation::ReLU, false, init);
  Variable x(zeros({4, 2}));
  EXPECT_THROW(r1_penalty(x, (*critic)(x), 1.0), Error);
}

TEST(Gan, PackingPutsConsecutiveSamplesSideBySide) {
  Tensor x = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {6, 2});
  Tensor packed = pack_samples(x, 3);
  EXPECT_EQ(packed.shape(), (Shape{2, 6}));
  EXPECT_EQ(packed.to_vector<float>(), x.to_vector<float>());  // row-major: rows 0-2, then 3-5
  EXPECT_EQ(pack_samples(x, 1).shape(), (Shape{6, 2}));
  // Gradients flow back to the unpacked samples.
  Variable v(x, true);
  sum(pack_samples(v, 2) * Variable(from_vector(std::vector<float>{1, 2, 3, 4}, {1, 4})))
      .backward();
  EXPECT_EQ(v.grad().data().to_vector<float>(),
            (std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}));
  EXPECT_THROW(pack_samples(x, 4), Error);  // 6 samples do not split into packs of 4
  EXPECT_THROW(pack_samples(x, 0), Error);
}

namespace {

class Gan2dBadFlags : public ::testing::TestWithParam<BadFlag> {};

TEST_P(Gan2dBadFlags, GiveAOneLineErrorAndExitCode2) { expect_bad_flag_error("gan2d", GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Flags, Gan2dBadFlags,
    ::testing::Values(BadFlag{"--r1 -0.5", "--r1"}, BadFlag{"--r1 abc", "--r1"},
                      BadFlag{"--pack 0", "--pack"}, BadFlag{"--pack 65", "--pack"},
                      BadFlag{"--pack 3", "packs of 3 do not divide --batch-size 512"},
                      BadFlag{"--batch-size 100 --pack 8", "--batch-size 100"},
                      BadFlag{"--layers 0", "--layers"}, BadFlag{"--data ring9", "--data"},
                      BadFlag{"--loss wgan", "--loss"},
                      BadFlag{"--r1 nan", "--r1: Value nan is not a finite number"},
                      BadFlag{"--lr nan", "--lr: Value nan is not a finite number"},
                      BadFlag{"--beta1 nan", "--beta1: Value nan is not a finite number"},
                      BadFlag{"--beta2 -inf", "--beta2: Value -inf is not a finite number"},
                      BadFlag{"--seed -1", "--seed"}));

}  // namespace

// Rule 4, on the figures it was made for: healthy DCGAN samples after one epoch score 4.8 to 5.3
// against the real test set's 7.26 (one conv evaluator); a failed run's checkerboard noise scored
// 1.44 (under that run's own evaluator) while still covering 6 classes with a class KL of 1.13.
TEST(Stability, SamplesTheEvaluatorCannotPlaceRaiseTheAlarm) {
  StabilityMonitor monitor(GanLoss::NonSaturating, 7.26);
  EXPECT_FALSE(monitor.update({0.8, 1.5, 10, 0.03, 4.84}));
  EXPECT_TRUE(monitor.update({0.9, 1.2, 6, 1.13, 1.44}));
  EXPECT_NE(monitor.reason().find("no images"), std::string::npos) << monitor.reason();
  // Without the real score (0), the rule is off: the same signals fall to the coverage rules.
  StabilityMonitor without(GanLoss::NonSaturating);
  EXPECT_FALSE(without.update({0.9, 1.2, 6, 1.13, 1.44}));
}

TEST(Stability, AlarmRules) {
  StabilityMonitor monitor(GanLoss::NonSaturating);
  EXPECT_FALSE(monitor.update({0.6, 2.0, 10, 0.02}));
  EXPECT_FALSE(monitor.update({0.5, 2.5, 9, 0.10}));  // a small dip while D is not winning
  // D's loss near zero while coverage falls by 2 classes from the best: collapsing.
  EXPECT_TRUE(monitor.update({0.05, 6.0, 8, 0.30}));
  EXPECT_NE(monitor.reason().find("collapsing"), std::string::npos);
  // Severe collapse regardless of the losses.
  EXPECT_TRUE(monitor.update({0.7, 0.7, 5, 0.9}));
  EXPECT_NE(monitor.reason().find("mode collapse"), std::string::npos);
  // Divergence.
  EXPECT_TRUE(monitor.update({NAN, 1.0, 10, 0.0}));
  EXPECT_NE(monitor.reason().find("diverged"), std::string::npos);
  // The best-so-far state survives a checkpoint.
  StabilityMonitor restored(GanLoss::NonSaturating);
  restored.load(monitor.save());
  EXPECT_TRUE(restored.update({0.05, 6.0, 8, 0.02}));  // best was 10 classes
}

// --ema-decay: the samples come from an average of G's weights, saved beside G in the checkpoint;
// with decay d after k generator steps from a copy of G's initial weights, the average lies
// between G's initial and current weights (checked on one tensor), and --resume continues it.
TEST(Gan, EmaDecayDrawsSamplesFromTheAverageOfGsWeights) {
  const fs::path dir = fresh_test_dir("gan-ema");
  const fs::path classifier = untrained_classifier(dir);
  const fs::path out = dir / "run";
  ProgramRun r = run_program(example_program("gan"),
                             "--epochs 1 --ema-decay 0.9 " + short_gan_run(classifier, out, 128));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nn::SafetensorsFile file = nn::load_safetensors((out / "checkpoint.safetensors").string());
  Tensor g, ema;
  for (const auto& [name, value] : file.tensors) {
    if (name == "generator.0.weight") g = value;
    if (name == "generator_ema.0.weight") ema = value;
  }
  ASSERT_TRUE(g.defined() && ema.defined()) << "the checkpoint holds G and its average";
  // 8 generator steps at decay 0.9: the average keeps 0.9^8 = 43% of the initial weights, so it
  // differs from G's current weights.
  EXPECT_GT(max(abs(sub(g, ema))).item(), 0.0);
  ProgramRun resumed = run_program(example_program("gan"),
                                   "--epochs 2 --resume " + short_gan_run(classifier, out, 128));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  ProgramRun changed = run_program(example_program("gan"), "--epochs 3 --resume --ema-decay 0.5 " +
                                                               short_gan_run(classifier, out, 128));
  EXPECT_EQ(changed.exit_code, 2) << changed.output;  // the run's average cannot change its decay
}
