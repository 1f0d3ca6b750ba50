// Runs the minidl-info program on small PNG files written here, and checks what it prints and its
// exit code. Expected values are hand computations from the pixel counts.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "data/fashion_mnist.h"
#include "data/npy.h"
#include "data/png.h"
#include "nn/safetensors.h"
#include "tensor/tensor.h"

using namespace minidl;
namespace fs = std::filesystem;

namespace {

struct ProgramRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class MinidlInfo : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = fs::path(MINIDL_BINARY_DIR) / "examples" / "minidl-info";
    ASSERT_TRUE(fs::exists(program_)) << program_ << " is missing: build the minidl-info target";
    // One folder per test, so that ctest -j can run them side by side.
    dir_ = fs::path(MINIDL_BINARY_DIR) / "tests" / "minidl_info_test" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a grayscale PNG from 8-bit levels given row by row.
  std::string png(const std::string& name, const std::vector<std::vector<double>>& levels) {
    const auto h = static_cast<int64_t>(levels.size()), w = static_cast<int64_t>(levels[0].size());
    std::vector<float> pixels;
    for (const auto& row : levels) {
      for (double v : row) pixels.push_back(static_cast<float>(v / 255.0));
    }
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    data::write_png(path.string(), from_vector(pixels, {h, w}));
    return path.string();
  }

  ProgramRun run(const std::string& arguments) {
    // Built with append: GCC 12 at -O3 gives a false -Wrestrict on chained operator+ of a
    // one-character literal (GCC bug 105651).
    std::string command = "'";
    command.append(program_.string()).append("' ").append(arguments).append(" 2>&1");
    ProgramRun result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buffer[4096];
    size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
      result.output.append(buffer, got);
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

  // The number printed right after `label` in `output`.
  static double number_after(const std::string& output, const std::string& label) {
    const size_t at = output.find(label);
    EXPECT_NE(at, std::string::npos) << "no \"" << label << "\" in:\n" << output;
    if (at == std::string::npos) return std::nan("");
    return std::stod(output.substr(at + label.size()));
  }

  fs::path program_, dir_;
};

}  // namespace

TEST_F(MinidlInfo, EntropyOfKnownImages) {
  const std::string half = png("half.png", {{0, 0}, {255, 255}});    // two levels, 2 each
  const std::string four = png("four.png", {{0, 100}, {160, 255}});  // four levels
  const ProgramRun r = run("entropy " + half + " " + four);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, "half.png: entropy "), 1.0, 1e-6);
  EXPECT_NEAR(number_after(r.output, "four.png: entropy "), 2.0, 1e-6);
  // Two bins over [0, 1] split the four levels 2 + 2: 1 bit; in nats, ln 2.
  EXPECT_NEAR(number_after(run("entropy --bins 2 " + four).output, "entropy "), 1.0, 1e-6);
  EXPECT_NEAR(number_after(run("entropy --bins 2 --nats " + four).output, "entropy "),
              std::log(2.0), 1e-6);
}

TEST_F(MinidlInfo, KlAndJsBetweenImagesAndFolders) {
  const std::string a = png("a.png", {{0, 0}, {255, 255}});  // P = (1/2 black, 1/2 white)
  const std::string b = png("b.png", {{0, 0}, {0, 255}});    // Q = (3/4, 1/4)
  // KL(P || Q) = 1/2 log2(2/3) + 1/2 log2(2), by hand.
  const double expected = 0.5 * std::log2(2.0 / 3.0) + 0.5;
  ProgramRun r = run("kl " + a + " " + b);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, " = "), expected, 1e-5);

  // An all-black image gives white no probability: infinite unless smoothed.
  const std::string black = png("black.png", {{0, 0}, {0, 0}});
  r = run("kl " + a + " " + black);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("= inf bits"), std::string::npos) << r.output;
  r = run("kl --epsilon 0.01 " + a + " " + black);
  EXPECT_TRUE(std::isfinite(number_after(r.output, " = "))) << r.output;

  // JS of disjoint histograms is its maximum, 1 bit.
  const std::string white = png("white.png", {{255, 255}, {255, 255}});
  EXPECT_NEAR(number_after(run("js " + black + " " + white).output, " = "), 1.0, 1e-6);

  // A folder pools its images: black + white 2x2 images are half black, half white, like a.png.
  png("folder/black.png", {{0, 0}, {0, 0}});
  png("folder/sub/white.png", {{255, 255}, {255, 255}});
  r = run("kl " + (dir_ / "folder").string() + " " + a);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, " = "), 0.0, 1e-9);
}

TEST_F(MinidlInfo, MutualInformationOfAnImageWithItselfAndItsNegative) {
  const std::string image = png("image.png", {{0, 50, 50, 200}, {200, 200, 255, 255}});
  const std::string negative = png("negative.png", {{255, 205, 205, 55}, {55, 55, 0, 0}});
  // Levels 0, 50, 200, 255 with counts 1, 2, 3, 2 of 8 pixels: H = -sum p log2 p, by hand.
  const double h = -(1.0 / 8 * std::log2(1.0 / 8) + 2.0 / 8 * std::log2(2.0 / 8) +
                     3.0 / 8 * std::log2(3.0 / 8) + 2.0 / 8 * std::log2(2.0 / 8));
  for (const std::string& other : {image, negative}) {
    const ProgramRun r = run("mi " + image + " " + other);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NEAR(number_after(r.output, ") = "), h, 1e-5);  // "I(A; B) = ..."
    EXPECT_NEAR(number_after(r.output, "(H(A) + H(B)) = "), 1.0, 1e-6);
  }
}

TEST_F(MinidlInfo, BadInputsAreOneLineErrorsNamingTheFile) {
  const std::string small = png("small.png", {{0, 255}});
  const std::string big = png("big.png", {{0, 255, 0}, {0, 0, 0}});
  const std::string missing = (dir_ / "missing.png").string();

  ProgramRun r = run("entropy " + missing);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("minidl-info: read_image: " + missing, 0), 0u) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;

  r = run("mi " + small + " " + big);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("minidl-info: mi: " + small + " is 1 x 2 pixels but " + big, 0), 0u)
      << r.output;

  fs::create_directories(dir_ / "empty");
  r = run("js " + (dir_ / "empty").string() + " " + small);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no image files"), std::string::npos) << r.output;

  const std::string not_an_image = (dir_ / "text.png").string();
  std::FILE* f = std::fopen(not_an_image.c_str(), "w");
  std::fputs("hello", f);
  std::fclose(f);
  r = run("entropy " + not_an_image);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("minidl-info: read_image: " + not_an_image, 0), 0u) << r.output;

  EXPECT_NE(run("entropy --bins 0 " + small).exit_code, 0);  // CLI11 rejects the flag
}

// `score` with a small untrained classifier (784-32-32-10, random weights written in the layout the
// classifier program saves). The checks are the ones that hold for any classifier: one image
// repeated gives one predicted class (KL from uniform ln 10, Inception Score exactly 1), and the
// test set scored against itself has Fréchet distance 0.
TEST_F(MinidlInfo, ScoreOfCollapsedSamplesAndOfTheTestSetItself) {
  Generator gen(1);
  const std::string classifier = (dir_ / "classifier.safetensors").string();
  nn::save_safetensors(classifier,
                       {{"hidden1.weight", randn({32, 784}, DType::Float32, gen) * 0.05},
                        {"hidden1.bias", zeros({32})},
                        {"hidden2.weight", randn({32, 32}, DType::Float32, gen) * 0.2},
                        {"hidden2.bias", zeros({32})},
                        {"output.weight", randn({10, 32}, DType::Float32, gen) * 0.2},
                        {"output.bias", zeros({10})}});
  const data::LabelledImages test = data::load_fashion_mnist(data::Split::Test);

  const std::string collapsed = (dir_ / "collapsed.npy").string();
  data::write_npy(collapsed, test.images.narrow(0, 0, 1).expand({50, 784}).reshape({50, 28, 28}));
  ProgramRun r = run("score " + collapsed + " --classifier " + classifier);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("collapsed.npy: 50 images"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("classes with >= 1% of the images: 1 of 10"), std::string::npos)
      << r.output;
  EXPECT_NEAR(number_after(r.output, "KL(class histogram || uniform) = "), std::log(10.0), 1e-4);
  EXPECT_NEAR(number_after(r.output, "p(y))) = "), 1.0, 1e-4);

  const std::string real = (dir_ / "test_images.npy").string();
  data::write_npy(real, test.images);
  r = run("score " + real + " --classifier " + classifier);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, "features = "), 0.0, 1e-4);

  // Samples in [-1, 1] (a tanh generator not mapped back) and wrong shapes are one-line errors.
  const std::string tanh_range = (dir_ / "tanh.npy").string();
  data::write_npy(tanh_range, full({4, 784}, -0.5));
  r = run("score " + tanh_range + " --classifier " + classifier);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.rfind("minidl-info: score: " + tanh_range + ": pixel values span [-0.5", 0),
            0u)
      << r.output;
  const std::string wrong = (dir_ / "wrong.npy").string();
  data::write_npy(wrong, zeros({4, 32, 32}));
  r = run("score " + wrong + " --classifier " + classifier);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("shape [4, 32, 32] is not a batch of 784-pixel images"),
            std::string::npos)
      << r.output;
}
