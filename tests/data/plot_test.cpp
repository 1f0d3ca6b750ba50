#include "data/plot.h"

#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <filesystem>
#include <fstream>

#include "test_helpers.h"

using namespace minidl::data;
using namespace minidl::data::testing;

namespace {

bool gnuplot_installed() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    if (std::filesystem::exists(std::string(dir) + "/gnuplot")) return true;
  }
  return false;
}

void write_metrics(const std::string& path) {
  std::ofstream out(path);
  out << "step,loss_d,loss_g,accuracy\n";
  for (int step = 1; step <= 20; ++step) {
    out << step << "," << 1.0 / step << "," << 2.0 / step << "," << step / 20.0 << "\n";
  }
}

}  // namespace

TEST(Plot, DrawsPanelsIntoAPng) {
  if (!gnuplot_installed()) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  // A quote and spaces in the paths: gnuplot's quoting must hold (and no shell is involved).
  const std::string csv = dir / "it's a run.csv", png = dir / "curves 'x'.png";
  write_metrics(csv);
  ASSERT_TRUE(plot_training_curves(
      csv, png, {.panels = {{"loss_d", "loss_g"}, {"accuracy"}}, .title = "GAN's losses"}));
  int width = 0, height = 0, channels = 0;
  ASSERT_EQ(stbi_info(png.c_str(), &width, &height, &channels), 1);
  EXPECT_EQ(width, 900);
  EXPECT_EQ(height, 2 * 320);
  EXPECT_FALSE(std::filesystem::exists(png + ".tmp.png"));
  // Default: one panel with every column against the first.
  ASSERT_TRUE(plot_training_curves(csv, dir / "all.png"));
  ASSERT_EQ(stbi_info((dir / "all.png").c_str(), &width, &height, &channels), 1);
  EXPECT_EQ(height, 320);
}

TEST(Plot, FailuresAreWarningsNotErrors) {
  TempDir dir;
  write_metrics(dir / "m.csv");
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(plot_training_curves(dir / "m.csv", dir / "a.png", {.panels = {{"nope"}}}));
  EXPECT_FALSE(plot_training_curves(dir / "missing.csv", dir / "b.png"));
  const std::string errors = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(errors.find("plot: " + (dir / "m.csv") + ": no column \"nope\"; no plot"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("cannot read a header line"), std::string::npos) << errors;
  EXPECT_FALSE(std::filesystem::exists(dir / "a.png"));
  // A header without rows: nothing to draw, quietly.
  std::ofstream(dir / "empty.csv") << "step,loss\n";
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(plot_training_curves(dir / "empty.csv", dir / "c.png"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(Plot, MissingGnuplotIsReportedOnce) {
  TempDir dir;
  write_metrics(dir / "m.csv");
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(
        plot_training_curves(dir / "m.csv", dir / "m.png", {.gnuplot = "minidl-no-such-gnuplot"}));
  }
  const std::string errors = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(errors,
            "plot: minidl-no-such-gnuplot is not installed, so training curves are not drawn "
            "(apt-get install -y gnuplot-nox); training carries on\n");
}

// A column with no finite value (a loss that was NaN from the start) or a constant one (modes
// covered: 8 every time) must not stop the rest from being drawn, and what is left out is said
// once, not after every evaluation.
TEST(Plot, LeavesOutColumnsWithoutFiniteValuesAndSaysSoOnce) {
  if (!gnuplot_installed()) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  const std::string csv = dir / "m.csv", png = dir / "curves.png";
  {
    std::ofstream out(csv);
    out << "epoch,loss,broken,constant\n";
    for (int epoch = 1; epoch <= 5; ++epoch) out << epoch << "," << 1.0 / epoch << ",nan,8\n";
  }
  const PlotOptions options{.panels = {{"loss", "broken"}, {"broken"}, {"constant"}}};
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(plot_training_curves(csv, png, options));
  EXPECT_TRUE(plot_training_curves(csv, png, options));
  const std::string errors = ::testing::internal::GetCapturedStderr();
  const std::string said =
      "plot: " + csv + ": column \"broken\" has no finite value (NaN or infinite throughout); " +
      png + " leaves it out\n";
  EXPECT_EQ(errors, said);
  // Two panels are left: loss, and the constant column (the all-NaN panel is dropped).
  int width = 0, height = 0, channels = 0;
  ASSERT_EQ(stbi_info(png.c_str(), &width, &height, &channels), 1);
  EXPECT_EQ(height, 2 * 320);
  // A single row (after the first epoch) draws too, without gnuplot's "empty x range".
  {
    std::ofstream out(csv);
    out << "epoch,loss\n1,0.5\n";
  }
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(plot_training_curves(csv, dir / "one.png"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// A swept setting's curve: y against x in row order, each point labelled. Captions may hold
// characters that gnuplot's sprintf and quoting treat specially ('%', a quote).
TEST(Plot, DrawsLabelledPointsIntoAPng) {
  if (!gnuplot_installed()) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  const std::string csv = dir / "sweep.csv", png = dir / "points.png";
  {
    std::ofstream out(csv);
    out << "beta,rate,distortion,mi\n0.5,30.1,240.5,8.9\n1,24.2,251.0,8.7\n4,9.5,290.3,6.1\n";
  }
  const PointPlotOptions options{.x_column = "rate",
                                 .y_column = "distortion",
                                 .labels = {{"beta", ""}, {"mi", "I(x;z) in 100%'s"}},
                                 .title = "rate-distortion",
                                 .width = 640,
                                 .height = 480};
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(plot_points(csv, png, options));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  int width = 0, height = 0, channels = 0;
  ASSERT_EQ(stbi_info(png.c_str(), &width, &height, &channels), 1);
  EXPECT_EQ(width, 640);
  EXPECT_EQ(height, 480);
  EXPECT_FALSE(std::filesystem::exists(png + ".tmp.png"));
  // One point (a sweep after its first beta) draws too.
  {
    std::ofstream out(csv);
    out << "beta,rate,distortion,mi\n0.5,30.1,240.5,8.9\n";
  }
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(plot_points(csv, dir / "one.png", options));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(Plot, PointsNeedTheirColumnsAndAFiniteRow) {
  TempDir dir;
  const std::string csv = dir / "sweep.csv";
  {
    std::ofstream out(csv);
    out << "beta,rate,distortion\n1,nan,250\n";
  }
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(
      plot_points(csv, dir / "a.png",
                  {.x_column = "rate", .y_column = "distortion", .labels = {{"nope", "label"}}}));
  EXPECT_FALSE(plot_points(csv, dir / "b.png", {.x_column = "rate", .y_column = "distortion"}));
  const std::string errors = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(errors.find("plot: " + csv + ": no column \"nope\"; no plot"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("plot: " + csv + ": column \"rate\" has no finite value; no plot"),
            std::string::npos)
      << errors;
  EXPECT_FALSE(std::filesystem::exists(dir / "a.png"));
  EXPECT_FALSE(std::filesystem::exists(dir / "b.png"));
}
