// The fixture of the minidl-info tests (minidl_info_test.cpp: the histogram subcommands,
// minidl_info_score_test.cpp: score): a fresh folder per test, grayscale PNGs written from 8-bit
// levels, running the program, reading a number out of what it prints, checking that an error is
// one line, and the Fashion-MNIST gate of the tests that need the real test set.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "data/fashion_mnist.h"
#include "data/png.h"
#include "program_run.h"
#include "tensor/tensor.h"

namespace minidl::testing {

// The number printed right after `label` in `output` (NaN, and a test failure, when absent).
inline double number_after(const std::string& output, const std::string& label) {
  const size_t at = output.find(label);
  EXPECT_NE(at, std::string::npos) << "no \"" << label << "\" in:\n" << output;
  if (at == std::string::npos) return std::nan("");
  return std::stod(output.substr(at + label.size()));
}

class MinidlInfo : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = example_program("minidl-info");
    ASSERT_TRUE(std::filesystem::exists(program_))
        << program_ << " is missing: build the minidl-info target";
    dir_ = fresh_test_dir("minidl_info");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A path inside this test's folder.
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes a grayscale PNG from 8-bit levels given row by row; returns its path.
  std::string png(const std::string& name, const std::vector<std::vector<double>>& levels) const {
    const auto h = static_cast<int64_t>(levels.size()), w = static_cast<int64_t>(levels[0].size());
    std::vector<float> pixels;
    for (const auto& row : levels) {
      for (double v : row) pixels.push_back(static_cast<float>(v / 255.0));
    }
    const std::filesystem::path file = dir_ / name;
    std::filesystem::create_directories(file.parent_path());
    data::write_png(file.string(), from_vector(pixels, {h, w}));
    return file.string();
  }

  ProgramRun run(const std::string& arguments) const { return run_program(program_, arguments); }

  // Exit code 1 and exactly one line of output, which starts with `prefix`.
  static void expect_one_line_error(const ProgramRun& r, const std::string& prefix) {
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output.rfind(prefix, 0), 0u) << "expected a line starting with\n"
                                             << prefix << "\ngot\n"
                                             << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_EQ(r.output.back(), '\n') << r.output;
  }

  std::filesystem::path program_, dir_;
};

// Whether the four Fashion-MNIST files are where load_fashion_mnist looks (the default directory
// or $MINIDL_FASHION_MNIST_DIR), gzip'd or not.
inline bool fashion_mnist_available() {
  const std::filesystem::path dir = data::fashion_mnist_dir();
  for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    if (!std::filesystem::exists(dir / stem) &&
        !std::filesystem::exists(dir / (std::string(stem) + ".gz"))) {
      return false;
    }
  }
  return true;
}

}  // namespace minidl::testing

// At the top of a test that needs the real Fashion-MNIST files: skips the test when they are not
// installed, except under CI=true, where their absence is a failure (as FashionMnist.RealFiles in
// tests/data). A macro because GTEST_SKIP and FAIL return from the test body itself.
#define MINIDL_REQUIRE_FASHION_MNIST()                                                   \
  do {                                                                                   \
    if (!::minidl::testing::fashion_mnist_available()) {                                 \
      const char* minidl_ci_ = std::getenv("CI");                                        \
      if (minidl_ci_ != nullptr && std::string(minidl_ci_) == "true") {                  \
        FAIL() << "CI=true but Fashion-MNIST is not installed: apt-get install -y "      \
                  "dataset-fashion-mnist";                                               \
      }                                                                                  \
      GTEST_SKIP() << "dataset-fashion-mnist is not installed (or MINIDL_FASHION_MNIST_" \
                      "DIR points elsewhere)";                                           \
    }                                                                                    \
  } while (0)
