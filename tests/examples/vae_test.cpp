// The vae program and its models: smoke runs of the MLP and the convolutional VAE, resume equals an
// uninterrupted run, the beta sweep's rate-distortion curve, the full loss of each passes
// gradcheck in float64, and every bad flag is a one-line error.
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "autograd/autograd.h"
#include "data/data.h"
#include "examples/vae/vae_model.h"
#include "nn/safetensors.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
namespace fs = std::filesystem;

namespace {
const char* kThreads = "--threads 1";
}

TEST(Vae, SmokeTrainingOnASubsetLowersTheNegativeElbo) {
  const fs::path dir = fresh_test_dir("vae");
  ProgramRun r =
      run_program(example_program("vae"), "--limit 2000 --epochs 2 " + std::string(kThreads) +
                                              " --out '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = read_metrics_csv(dir / "metrics.csv");
  ASSERT_EQ(m["epoch"].size(), 2u) << r.output;
  // An untrained decoder scores about 784 * log 2 = 543 nats; two short epochs must be far below
  // that and still improving.
  EXPECT_LT(m["test_nelbo"][0], 400.0);
  EXPECT_LT(m["test_nelbo"][1], m["test_nelbo"][0] - 5.0);
  EXPECT_LT(m["train_nelbo"][1], m["train_nelbo"][0] - 5.0);
  for (const char* file : {"samples_epoch01.png", "samples_epoch02.png", "reconstructions.png",
                           "checkpoint.safetensors"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  EXPECT_NE(r.output.find("vae: test negative ELBO"), std::string::npos) << r.output;

  // The trained model's KL term taken apart on 400 test images: the three parts add up to it
  // within the estimator's error, and I(x; z) is between 0 and log 400.
  ProgramRun a =
      run_program(example_program("vae"), "--eval-only --analyse 400 " + std::string(kThreads) +
                                              " --out '" + dir.string() + "'");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  const size_t at = a.output.find("vae: KL term on 400 test images");
  ASSERT_NE(at, std::string::npos) << a.output;
  double kl = 0, mi = 0, tc = 0, dw = 0, sum = 0, se = 0;
  long long active = 0;
  size_t latent = 0;
  ASSERT_EQ(std::sscanf(a.output.c_str() + at,
                        "vae: KL term on 400 test images %lf nats = I(x;z) %lf + total correlation "
                        "%lf + dimension-wise KL %lf (sum %lf +- %lf); active units %lld of %zu",
                        &kl, &mi, &tc, &dw, &sum, &se, &active, &latent),
            8)
      << a.output.substr(at);
  EXPECT_GT(kl, 1.0);
  EXPECT_NEAR(sum, kl, 5 * se + 0.05);
  EXPECT_GT(mi, 0.0);
  EXPECT_LE(mi, std::log(400.0) + 1e-9);
  EXPECT_GE(tc, -0.05);
  EXPECT_EQ(latent, 20u);
  EXPECT_GE(active, 1);
}

// On a folder of 600 Fashion-MNIST images (60 held out), so that evaluating the test set after
// every epoch stays cheap for the convolutions.
TEST(Vae, ConvSmokeTrainingOnASubsetLowersTheNegativeElbo) {
  const fs::path dir = fresh_test_dir("vae");
  const Tensor images = data::load_fashion_mnist(data::Split::Train).images.narrow(0, 0, 600);
  fs::create_directories(dir / "images");
  for (int64_t i = 0; i < images.size(0); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "img%03lld.png", (long long)i);
    data::write_png((dir / "images" / name).string(), images.select(0, i).reshape({28, 28}));
  }
  const std::string common = "--data folder --data-dir '" + (dir / "images").string() +
                             "' --arch conv " + kThreads + " --out '" + (dir / "out").string() +
                             "'";
  ProgramRun r =
      run_program(example_program("vae"), common + " --epochs 2 --batch-size 20 --iw-samples 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Vae(conv"), std::string::npos) << r.output;
  auto m = read_metrics_csv(dir / "out" / "metrics.csv");
  ASSERT_EQ(m["epoch"].size(), 2u) << r.output;
  for (const char* column : {"train_nelbo", "test_nelbo", "test_reconstruction", "test_kl"}) {
    for (double v : m[column]) EXPECT_TRUE(std::isfinite(v)) << column;
  }
  // Below an untrained decoder's 784 log 2 = 543 nats, and still falling.
  EXPECT_LT(m["test_nelbo"][0], 500.0);
  EXPECT_LT(m["test_nelbo"][1], m["test_nelbo"][0]);
  EXPECT_LT(m["train_nelbo"][1], m["train_nelbo"][0]);
  for (const char* file : {"samples_epoch01.png", "samples_epoch02.png", "reconstructions.png",
                           "curves.png", "checkpoint.safetensors"}) {
    EXPECT_TRUE(fs::exists(dir / "out" / file)) << file;
  }
  EXPECT_NE(r.output.find("importance-weighted bound, K = 2"), std::string::npos) << r.output;
  // --eval-only rebuilds the conv model from the checkpoint's settings.
  ProgramRun e = run_program(example_program("vae"), "--eval-only " + common);
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find("Vae(conv"), std::string::npos) << e.output;
}

TEST(Vae, ResumeContinuesExactlyAsAnUninterruptedRun) {
  const fs::path straight = fresh_test_dir("vae") / "straight";
  const fs::path resumed = straight.parent_path() / "resumed";
  const std::string common =
      "--limit 600 --batch-size 100 --latent 2 --hidden 32 " + std::string(kThreads);
  ASSERT_EQ(
      run_program(example_program("vae"), common + " --epochs 2 --out '" + straight.string() + "'")
          .exit_code,
      0);
  ASSERT_EQ(
      run_program(example_program("vae"), common + " --epochs 1 --out '" + resumed.string() + "'")
          .exit_code,
      0);
  ProgramRun r = run_program(example_program("vae"),
                             common + " --epochs 2 --resume --out '" + resumed.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nn::SafetensorsFile a = nn::load_safetensors((straight / "checkpoint.safetensors").string());
  nn::SafetensorsFile b = nn::load_safetensors((resumed / "checkpoint.safetensors").string());
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
    const Tensor& x = a.tensors[i].second;
    const Tensor& y = b.tensors[i].second;
    ASSERT_EQ(x.shape(), y.shape()) << a.tensors[i].first;
    EXPECT_EQ(x.to_vector<double>(), y.to_vector<double>()) << a.tensors[i].first << " differs";
  }
  EXPECT_EQ(a.metadata, b.metadata);
  // The resumed run appended its epoch to the same metrics file.
  EXPECT_EQ(read_metrics_csv(resumed / "metrics.csv")["epoch"], (std::vector<double>{1, 2}));
}

// Two betas a factor 16 apart on a small run: each trains in its own folder with a run's usual
// outputs, and the sweep's CSV has one row per beta whose rate and distortion are that run's
// final test KL and reconstruction. The larger beta buys a smaller rate with a larger distortion.
TEST(Vae, BetaSweepWritesTheRateDistortionCurve) {
  const fs::path dir = fresh_test_dir("vae");
  ProgramRun r = run_program(example_program("vae"),
                             "--betas 4,0.25 --limit 1000 --epochs 2 --hidden 64 --analyse 300 " +
                                 std::string(kThreads) + " --out '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rd = read_metrics_csv(dir / "rate_distortion.csv");
  ASSERT_EQ(rd["beta"], (std::vector<double>{0.25, 4})) << r.output;  // in order of beta
  for (const char* column : {"rate", "distortion", "test_nelbo", "mutual_information",
                             "total_correlation", "dimension_wise_kl", "active_units"}) {
    ASSERT_EQ(rd[column].size(), 2u) << column;
    for (double v : rd[column]) EXPECT_TRUE(std::isfinite(v)) << column;
  }
  for (size_t i = 0; i < 2; ++i) {
    const fs::path run = dir / (i == 0 ? "beta_0.25" : "beta_4");
    auto m = read_metrics_csv(run / "metrics.csv");
    ASSERT_EQ(m["epoch"].size(), 2u) << run;
    EXPECT_NEAR(rd["rate"][i], m["test_kl"][1], 1e-3) << run;
    EXPECT_NEAR(rd["distortion"][i], m["test_reconstruction"][1], 1e-3) << run;
    EXPECT_NEAR(rd["test_nelbo"][i], rd["rate"][i] + rd["distortion"][i], 1e-5);
    const nn::Metadata saved =
        nn::load_safetensors((run / "checkpoint.safetensors").string()).metadata;
    EXPECT_EQ(std::stod(saved.at("--beta")), rd["beta"][i]) << run;
    EXPECT_TRUE(fs::exists(run / "reconstructions.png")) << run;
    // I(x; z) estimated on 300 images is at most log 300; the parts add up to about the KL term.
    EXPECT_GT(rd["mutual_information"][i], 0.0);
    EXPECT_LE(rd["mutual_information"][i], std::log(300.0) + 1e-6);
    EXPECT_EQ(rd["analysed"][i], 300.0);
    EXPECT_EQ(rd["latent"][i], 20.0);
    EXPECT_GE(rd["active_units"][i], 1.0);
    EXPECT_LE(rd["active_units"][i], 20.0);
  }
  EXPECT_LT(rd["rate"][1], rd["rate"][0]);
  EXPECT_GT(rd["distortion"][1], rd["distortion"][0]);
  int width = 0, height = 0, channels = 0;
  EXPECT_EQ(stbi_info((dir / "rate_distortion.png").c_str(), &width, &height, &channels), 1)
      << r.output;
}

// A beta whose folder already holds a run cannot start (without --overwrite); the other betas
// still train and keep their rows, and the sweep ends with exit code 2 naming the failure.
TEST(Vae, ABetaThatFailsLeavesTheOthersIntact) {
  const fs::path dir = fresh_test_dir("vae");
  fs::create_directories(dir / "beta_2");
  std::ofstream(dir / "beta_2" / "checkpoint.safetensors") << "an earlier run";
  ProgramRun r = run_program(example_program("vae"),
                             "--betas 2,1 --limit 200 --epochs 1 --hidden 16 --analyse 100 " +
                                 std::string(kThreads) + " --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("vae: beta 2: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("vae: 1 of 2 betas failed (beta_2, said above); the others are in"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(read_metrics_csv(dir / "rate_distortion.csv")["beta"], (std::vector<double>{1}));
  EXPECT_TRUE(fs::exists(dir / "beta_1" / "checkpoint.safetensors"));
  std::ifstream kept(dir / "beta_2" / "checkpoint.safetensors");
  std::string text;
  std::getline(kept, text);
  EXPECT_EQ(text, "an earlier run");
}

TEST(Vae, FullLossPassesGradcheckInFloat64) {
  Generator init(3);
  examples::Vae vae({6, 5, 2}, init);
  for (auto& [name, p] : vae.named_parameters()) p.set_data(p.data().to(DType::Float64));
  Generator data(4);
  Variable x(uniform({3, 6}, 0.0, 1.0, DType::Float64, data));
  auto loss = [&](const std::vector<Variable>&) {
    Generator noise(5);  // the same eps in every evaluation, so the loss is a fixed function
    return examples::negative_elbo(vae, x, noise).total(0.7);
  };
  GradcheckResult result = gradcheck(loss, vae.parameters(), {.name = "vae loss"});
  EXPECT_TRUE(result.passed) << result.message;
}

TEST(Vae, ConvLossPassesGradcheckInFloat64) {
  Generator init(13);
  examples::Vae vae({784, 1, 3, examples::VaeArch::Conv}, init);
  for (auto& [name, p] : vae.named_parameters()) p.set_data(p.data().to(DType::Float64));
  Generator data(14);
  Variable x(uniform({2, 784}, 0.0, 1.0, DType::Float64, data));
  // Every weight would take minutes of central differences: the biases of the two convolutions of
  // the encoder and both transposed ones of the decoder, the layers the MLP test does not reach.
  std::vector<Variable> checked;
  for (auto& [name, p] : vae.named_parameters()) {
    if (name == "encoder_conv1.bias" || name == "encoder_conv2.bias" ||
        name == "decoder_conv1.bias" || name == "decoder_conv2.bias") {
      checked.push_back(p);
    }
  }
  ASSERT_EQ(checked.size(), 4u);
  auto loss = [&](const std::vector<Variable>&) {
    Generator noise(15);
    return examples::negative_elbo(vae, x, noise).total(1.0);
  };
  GradcheckResult result = gradcheck(loss, checked, {.name = "conv vae loss"});
  EXPECT_TRUE(result.passed) << result.message;
}

TEST(Vae, ImportanceWeightedBoundIsBelowTheElboAndTightens) {
  // log p(x) >= IWAE_K >= IWAE_1 = ELBO in expectation, so the bound on -log p(x) decreases with K.
  Generator init(6);
  examples::Vae vae({8, 6, 2}, init);
  Generator data(7);
  Tensor x = bernoulli({200, 8}, 0.3, DType::Float32, data);
  Generator g1(8), g50(8);
  const double k1 = examples::importance_weighted_nll(vae, x, 1, g1);
  const double k50 = examples::importance_weighted_nll(vae, x, 50, g50);
  EXPECT_LT(k50, k1);
  EXPECT_TRUE(std::isfinite(k50));
}

class VaeBadFlags : public ::testing::TestWithParam<BadFlag> {};

TEST_P(VaeBadFlags, GiveAOneLineErrorAndExitCode2) { expect_bad_flag_error("vae", GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Flags, VaeBadFlags,
    ::testing::Values(BadFlag{"--epochs abc", "--epochs"}, BadFlag{"--epochs 0", "--epochs"},
                      BadFlag{"--batch-size -5", "--batch-size"}, BadFlag{"--lr -1", "--lr"},
                      BadFlag{"--data imagenet", "--data"}, BadFlag{"--beta -0.5", "--beta"},
                      BadFlag{"--arch resnet", "--arch"}, BadFlag{"--latent 0", "--latent"},
                      BadFlag{"--threads -2", "--threads"},
                      BadFlag{"--iw-samples x", "--iw-samples"},
                      BadFlag{"--no-such-flag", "no-such-flag"},
                      // Not finite, or absurd: refused at parse time, never trained to NaN.
                      BadFlag{"--beta nan", "--beta: Value nan is not a finite number"},
                      BadFlag{"--beta inf", "--beta: Value inf is not a finite number"},
                      BadFlag{"--beta 1e9", "--beta: Value 1e9 not in range [0, 1000]"},
                      BadFlag{"--lr nan", "--lr: Value nan is not a finite number"},
                      BadFlag{"--lr 1e308", "--lr: Value 1e308 not in range (0, 1]"},
                      BadFlag{"--lr 0", "--lr: Value 0 not in range (0, 1]"},
                      // The seed's range is [0, 2^64 - 1]: no wrapping, no clamping.
                      BadFlag{"--seed -1", "--seed: Value -1 is not a seed"},
                      BadFlag{"--seed 18446744073709551616",
                              "--seed: Value 18446744073709551616 is not a seed"},
                      BadFlag{"--seed 1.5", "--seed"},
                      // Integers are decimal for every flag, not only for --seed.
                      BadFlag{"--epochs 0x2", "--epochs: Value 0x2 is not a decimal integer"},
                      BadFlag{"--seed 0x10", "--seed: Value 0x10 is not a decimal integer"},
                      BadFlag{"--lr 1e-400", "--lr: Value 1e-400 underflows"},
                      BadFlag{"--resume --overwrite", "--resume excludes --overwrite"},
                      // The sweep's list: non-empty, positive finite betas, none twice.
                      BadFlag{"--betas ''", "--betas: no beta given"},
                      BadFlag{"--betas 0.5,0,2", "--betas: Value 0 not in range (0, 1000]"},
                      BadFlag{"--betas 1,-2", "--betas: Value -2 not in range (0, 1000]"},
                      BadFlag{"--betas 1,x", "--betas: Value x is not a finite number"},
                      BadFlag{"--betas 1,nan", "--betas: Value nan is not a finite number"},
                      BadFlag{"--betas 1,1e-400", "--betas: Value 1e-400 underflows"},
                      BadFlag{"--betas 1,2,1.0", "--betas: Value 1.0 given twice (as beta_1)"},
                      BadFlag{"--betas 1,,2", "--betas: Value 1,,2 has an empty item"},
                      BadFlag{"--betas 1,2,", "--betas: Value 1,2, ends with a comma"},
                      BadFlag{"--beta 2 --betas 1,2", "--beta excludes --betas"},
                      BadFlag{"--betas 1,2 --analyse 0", "--betas needs --analyse N > 0"}));

TEST(Vae, MissingDataDirectoryIsAOneLineErrorNamingIt) {
  const fs::path dir = fresh_test_dir("vae");
  ProgramRun r =
      run_program(example_program("vae"), "--data-dir /no/such/dir --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("vae: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/no/such/dir"), std::string::npos) << r.output;
}

TEST(Vae, ResumeWithoutCheckpointIsAClearError) {
  const fs::path dir = fresh_test_dir("vae");
  ProgramRun r = run_program(example_program("vae"), "--resume --out '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no checkpoint to resume from"), std::string::npos) << r.output;
}

// The generated data sets with known factors: 64x64 images, and the code measured against the
// factors at the end (--mig): the gap is printed, mutual_information.csv has a row per factor
// whose informations lie between 0 (up to the estimator's bias) and the factor's entropy.
TEST(Vae, TrainsOnDSpritesAndMeasuresTheMutualInformationGap) {
  const fs::path dir = fresh_test_dir("vae-dsprites");
  ProgramRun r =
      run_program(example_program("vae"),
                  "--data dsprites --limit 600 --epochs 1 --latent 4 --hidden 64 --mig " +
                      std::string(kThreads) + " --out '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("600 training and 2000 test images of 64x64"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("vae: mutual information gap"), std::string::npos) << r.output;
  for (const char* file : {"mutual_information.csv", "mutual_information.png", "traversals.png",
                           "samples_epoch01.png", "reconstructions.png"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  std::ifstream csv(dir / "mutual_information.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "factor,entropy_nats,gap,z0,z1,z2,z3");
  std::vector<std::string> factors;
  while (std::getline(csv, line)) {
    std::stringstream cells(line);
    std::string name, cell;
    std::getline(cells, name, ',');
    factors.push_back(name);
    std::getline(cells, cell, ',');
    const double entropy = std::stod(cell);
    std::getline(cells, cell, ',');
    const double gap = std::stod(cell);
    EXPECT_GE(gap, 0.0) << name;
    EXPECT_LE(gap, 1.0) << name;
    while (std::getline(cells, cell, ',')) {
      EXPECT_GT(std::stod(cell), -0.05) << name;
      EXPECT_LT(std::stod(cell), entropy + 0.05) << name;
    }
  }
  EXPECT_EQ(factors, (std::vector<std::string>{"shape", "scale", "orientation", "x", "y"}));
}

TEST(Vae, RefusesTheGeneratedDataWithTheConvArchitectureAndMigWithoutFactors) {
  const fs::path dir = fresh_test_dir("vae-dsprites-refused");
  ProgramRun conv = run_program(example_program("vae"), "--data dsprites --arch conv --out '" +
                                                            (dir / "conv").string() + "'");
  EXPECT_EQ(conv.exit_code, 1) << conv.output;
  EXPECT_NE(conv.output.find("use --arch mlp"), std::string::npos) << conv.output;
  ProgramRun mig =
      run_program(example_program("vae"), "--limit 300 --epochs 1 --mig " + std::string(kThreads) +
                                              " --out '" + (dir / "mig").string() + "'");
  EXPECT_EQ(mig.exit_code, 1) << mig.output;
  EXPECT_NE(mig.output.find("--mig needs a data set with known factors"), std::string::npos)
      << mig.output;
}

// beta-TCVAE: trains with the total correlation weighted (either estimator), and the flag
// excludes --beta (one weighting at a time) and needs nothing else.
TEST(Vae, TrainsAsBetaTcVaeWithEitherEstimator) {
  for (const char* estimator : {"mws", "mss"}) {
    const fs::path dir = fresh_test_dir(std::string("vae-tcvae-") + estimator);
    ProgramRun r =
        run_program(example_program("vae"),
                    "--data dsprites --limit 400 --epochs 2 --latent 4 --hidden 64 "
                    "--tc-beta 6 --tc-estimator " +
                        std::string(estimator) + " " + kThreads + " --out '" + dir.string() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto m = read_metrics_csv(dir / "metrics.csv");
    ASSERT_EQ(m["epoch"].size(), 2u);
    for (double v : m["test_nelbo"]) EXPECT_TRUE(std::isfinite(v));
    EXPECT_LT(m["test_nelbo"][1], m["test_nelbo"][0]) << estimator;
  }
  const fs::path dir = fresh_test_dir("vae-tcvae-refused");
  ProgramRun both =
      run_program(example_program("vae"), "--tc-beta 4 --beta 2 --out '" + dir.string() + "'");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  ProgramRun alone =
      run_program(example_program("vae"), "--tc-estimator mss --out '" + dir.string() + "'");
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
}
