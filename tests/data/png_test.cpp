// PNG writers, checked by reading the files back with stb_image (independent of the writer's
// code path) and comparing with hand-computed layouts and colours.
#include "data/png.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <cmath>
#include <vector>

#include "data/pixels.h"
#include "tensor/tensor.h"
#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

namespace {

struct Decoded {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
  const uint8_t* at(int x, int y) const { return &pixels[size_t((y * width + x) * channels)]; }
};

Decoded load(const std::string& path) {
  Decoded d;
  stbi_uc* p = stbi_load(path.c_str(), &d.width, &d.height, &d.channels, 0);
  EXPECT_NE(p, nullptr) << path;
  if (p) {
    d.pixels.assign(p, p + d.width * d.height * d.channels);
    stbi_image_free(p);
  }
  return d;
}

}  // namespace

TEST(Png, SingleImage) {
  TempDir dir;
  write_png(dir / "one.png", tensor({{0.0, 0.5}, {1.0, 2.0}}));
  Decoded d = load(dir / "one.png");
  EXPECT_EQ(d.width, 2);
  EXPECT_EQ(d.height, 2);
  EXPECT_EQ(d.channels, 1);
  // round(0.5 * 255) = 128; 2.0 is clamped to 255.
  EXPECT_EQ(d.pixels, (std::vector<uint8_t>{0, 128, 255, 255}));
}

// Every 8-bit level survives the round trip through both pixel ranges, and values between levels
// go to the nearest level: level v is written as v / 255 (or its [-1, 1] image), or nudged by up
// to 0.45 of a level either way, and must come back as v on every CPU.
TEST(Png, AllLevelsRoundTripToTheNearestLevel) {
  TempDir dir;
  std::vector<float> unit, symmetric, above, below;
  std::vector<uint8_t> levels;
  for (int v = 0; v < 256; ++v) {
    unit.push_back(float(v) / 255.0f);
    symmetric.push_back((float(v) / 255.0f - 0.5f) / 0.5f);
    above.push_back(float((double(v) + 0.45) / 255.0));
    below.push_back(float((double(v) - 0.45) / 255.0));
    levels.push_back(uint8_t(v));
  }
  write_png(dir / "unit.png", from_vector(unit, {16, 16}));
  EXPECT_EQ(load(dir / "unit.png").pixels, levels);
  write_png(dir / "symmetric.png", from_vector(symmetric, {16, 16}), PixelRange::MinusOneToOne);
  EXPECT_EQ(load(dir / "symmetric.png").pixels, levels);
  write_png(dir / "above.png", from_vector(above, {16, 16}));
  EXPECT_EQ(load(dir / "above.png").pixels, levels);
  write_png(dir / "below.png", from_vector(below, {16, 16}));  // -0.45 / 255 clamps to 0
  EXPECT_EQ(load(dir / "below.png").pixels, levels);
  for (int v = 0; v < 255; ++v) {  // just past the midpoint goes up
    EXPECT_EQ(byte_from_pixel((double(v) + 0.55) / 255.0, PixelRange::ZeroToOne), v + 1);
  }
}

TEST(Png, GrayGridLayout) {
  TempDir dir;
  // Five 2x3 images; image n has every pixel n / 4 (0, 64, 128, 191, 255 after rounding).
  std::vector<float> values;
  for (int n = 0; n < 5; ++n) values.insert(values.end(), 6, n / 4.0f);
  Tensor images = from_vector(values, {5, 2, 3});
  write_image_grid(dir / "grid.png", images, 2, 3);
  Decoded d = load(dir / "grid.png");
  // 3 columns of 3 pixels + 4 border columns; 2 rows of 2 pixels + 3 border rows.
  EXPECT_EQ(d.width, 13);
  EXPECT_EQ(d.height, 7);
  EXPECT_EQ(d.channels, 1);
  const uint8_t expected_value[5] = {0, 64, 128, 191, 255};  // round(255 n / 4)
  for (int n = 0; n < 6; ++n) {
    const int x0 = 1 + (n % 3) * 4, y0 = 1 + (n / 3) * 3;
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 3; ++x) {
        EXPECT_EQ(*d.at(x0 + x, y0 + y), n < 5 ? expected_value[n] : 128) << "cell " << n;
      }
    }
  }
  // Borders: the outer frame and the lines between cells are grey 128.
  for (int x = 0; x < 13; ++x) {
    EXPECT_EQ(*d.at(x, 0), 128);
    EXPECT_EQ(*d.at(x, 3), 128);
    EXPECT_EQ(*d.at(x, 6), 128);
  }
  for (int y = 0; y < 7; ++y) {
    for (int x : {0, 4, 8, 12}) EXPECT_EQ(*d.at(x, y), 128);
  }
}

TEST(Png, RgbGridFromMinusOneToOne) {
  TempDir dir;
  // One 1x1 RGB image with channels -1, 0, 1 -> bytes 0, round(127.5) = 128, 255.
  Tensor image = tensor({-1.0, 0.0, 1.0}).view({1, 3, 1, 1});
  // A 1x2 grid: the second cell stays grey.
  write_image_grid(dir / "rgb.png", image, 1, 2, PixelRange::MinusOneToOne);
  Decoded d = load(dir / "rgb.png");
  EXPECT_EQ(d.width, 5);
  EXPECT_EQ(d.height, 3);
  EXPECT_EQ(d.channels, 3);
  EXPECT_EQ(std::vector<uint8_t>(d.at(1, 1), d.at(1, 1) + 3), (std::vector<uint8_t>{0, 128, 255}));
  EXPECT_EQ(std::vector<uint8_t>(d.at(3, 1), d.at(3, 1) + 3),
            (std::vector<uint8_t>{128, 128, 128}));
}

TEST(Png, GridShowsOnlyRowsTimesCols) {
  TempDir dir;
  write_image_grid(dir / "few.png", ones({7, 1, 4, 4}), 1, 2);
  Decoded d = load(dir / "few.png");
  EXPECT_EQ(d.width, 11);
  EXPECT_EQ(d.height, 6);
}

TEST(Png, ScatterPlotPointsAndColours) {
  TempDir dir;
  // 101 x 101 pixels on [-1, 1]^2: x -> column 50 (x + 1), y -> row 50 (1 - y).
  const ScatterOptions options{.x_min = -1,
                               .x_max = 1,
                               .y_min = -1,
                               .y_max = 1,
                               .width = 101,
                               .height = 101,
                               .point_radius = 1};
  Tensor real = tensor({{0.5, 0.5}, {-1.0, -1.0}, {3.0, 0.0}});  // the last is out of view
  Tensor generated = tensor({{-0.5, 0.5}, {0.5, 0.5}});          // covers the first real point
  write_scatter_png(dir / "scatter.png", real, generated, options);
  Decoded d = load(dir / "scatter.png");
  ASSERT_EQ(d.width, 101);
  ASSERT_EQ(d.height, 101);
  ASSERT_EQ(d.channels, 3);
  auto colour = [&](int x, int y) { return std::vector<uint8_t>(d.at(x, y), d.at(x, y) + 3); };
  const std::vector<uint8_t> blue = {31, 119, 180}, orange = {255, 127, 14},
                             white = {255, 255, 255}, axis = {200, 200, 200};
  EXPECT_EQ(colour(25, 25), orange);  // (-0.5, 0.5)
  EXPECT_EQ(colour(75, 25), orange);  // (0.5, 0.5): generated drawn over real
  EXPECT_EQ(colour(76, 26), orange);  // radius 1: a 3x3 square
  EXPECT_EQ(colour(77, 27), white);
  EXPECT_EQ(colour(0, 100), blue);  // (-1, -1), the bottom-left corner
  EXPECT_EQ(colour(1, 99), blue);   // its square clipped at the edges
  EXPECT_EQ(colour(50, 10), axis);  // the y axis at x = 0
  EXPECT_EQ(colour(90, 50), axis);  // the x axis at y = 0
  EXPECT_EQ(colour(10, 10), white);
  // Nothing of the out-of-view point (3, 0): the right edge shows only the x axis.
  EXPECT_EQ(colour(100, 49), white);
}

TEST(PngErrors, BadInputs) {
  TempDir dir;
  EXPECT_THAT(
      error_message([&] {
        write_image_grid(dir / "x.png", ones({2, 2, 3, 3}), 1, 1);
      }),
      HasSubstr("expected images [N, H, W] or [N, C, H, W] with C = 1 or 3, got [2, 2, 3, 3]"));
  EXPECT_THAT(error_message([&] {
                write_image_grid(dir / "x.png", ones({2, 3, 3}), 0, 1);
              }),
              HasSubstr("positive rows and cols"));
  EXPECT_THAT(error_message([&] {
                write_scatter_png(dir / "x.png", ones({3, 3}), Tensor(), {});
              }),
              HasSubstr("real points must be float [N, 2], got float32 [3, 3]"));
  EXPECT_THAT(error_message([&] {
                write_scatter_png(dir / "x.png", Tensor(), Tensor(), {.x_min = 1, .x_max = 1});
              }),
              HasSubstr("empty axis limits"));
  EXPECT_THAT(
      error_message([&] {
        write_png(dir / "no/such/dir/x.png", ones({2, 2}));
      }),
      HasSubstr("write_file_atomically: " + (dir / "no/such/dir/x.png") + ": cannot create"));
}
