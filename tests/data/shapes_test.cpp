// The generated data sets with known factors (data/shapes.h): sizes and indexing as dSprites
// defines them, and rendered images checked against geometry worked out by hand (areas,
// centres, symmetries), not against earlier output.
#include "data/shapes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <set>

using namespace minidl;
using namespace minidl::data;

namespace {

constexpr int64_t kPixels = 64 * 64;

// dSprites factors: shape, scale, orientation, x, y.
std::vector<uint8_t> render(const Shapes& shapes, const std::vector<int64_t>& factors) {
  std::vector<uint8_t> image(size_t(shapes.channels() * kPixels));
  shapes.render(factors, image.data());
  return image;
}

int64_t area(const std::vector<uint8_t>& image) {
  int64_t n = 0;
  for (int64_t p = 0; p < kPixels; ++p) n += image[size_t(p)] != 0;
  return n;
}

// The mean (row, column) of the shape's pixels, in pixel-centre coordinates.
std::pair<double, double> centroid(const std::vector<uint8_t>& image) {
  double rows = 0, cols = 0, n = 0;
  for (int64_t p = 0; p < kPixels; ++p) {
    if (!image[size_t(p)]) continue;
    rows += double(p / 64), cols += double(p % 64), n += 1;
  }
  return {rows / n, cols / n};
}

}  // namespace

TEST(Shapes, SizesAndFactorsAreDSpritesOwn) {
  const Shapes sprites(ShapesKind::DSprites);
  EXPECT_EQ(sprites.size(), 737280);  // 3 x 6 x 40 x 32 x 32
  ASSERT_EQ(sprites.factors().size(), 5u);
  const std::vector<std::pair<std::string, int64_t>> expected{
      {"shape", 3}, {"scale", 6}, {"orientation", 40}, {"x", 32}, {"y", 32}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(sprites.factors()[i].name, expected[i].first);
    EXPECT_EQ(sprites.factors()[i].values, expected[i].second);
  }
  const Shapes colored(ShapesKind::ColorShapes);
  EXPECT_EQ(colored.size(), 6 * 737280);
  EXPECT_EQ(colored.factors()[0].name, "color");
  EXPECT_EQ(colored.channels(), 3);
}

TEST(Shapes, IndicesRunInTheOriginalOrderWithYFastest) {
  const Shapes sprites(ShapesKind::DSprites);
  EXPECT_EQ(sprites.factors_of(0), (std::vector<int64_t>{0, 0, 0, 0, 0}));
  EXPECT_EQ(sprites.factors_of(1), (std::vector<int64_t>{0, 0, 0, 0, 1}));
  EXPECT_EQ(sprites.factors_of(32), (std::vector<int64_t>{0, 0, 0, 1, 0}));
  EXPECT_EQ(sprites.factors_of(737279), (std::vector<int64_t>{2, 5, 39, 31, 31}));
  for (int64_t index : {int64_t(12345), int64_t(500000), int64_t(737279)}) {
    EXPECT_EQ(sprites.index_of(sprites.factors_of(index)), index);
  }
  EXPECT_THROW(sprites.factors_of(737280), Error);
  EXPECT_THROW(sprites.index_of({3, 0, 0, 0, 0}), Error);
}

// A square of scale 1 has half-side 0.12 of the image: 15.36 pixels across, so 15 or 16 pixel
// centres per side; the ellipse (half-axes 7.68 and 3.84 pixels) covers about pi a b = 92.7.
TEST(Shapes, AreasMatchTheGeometry) {
  const Shapes sprites(ShapesKind::DSprites);
  const int64_t square = area(render(sprites, {0, 5, 0, 16, 16}));
  EXPECT_GE(square, 15 * 15);
  EXPECT_LE(square, 16 * 16);
  const int64_t ellipse = area(render(sprites, {1, 5, 0, 16, 16}));
  EXPECT_NEAR(double(ellipse), std::numbers::pi * 7.68 * 3.84, 12.0);
  // Scale 0.5 halves every length: a quarter of the area (within the pixel grid's rounding).
  const int64_t small_square = area(render(sprites, {0, 0, 0, 16, 16}));
  EXPECT_NEAR(double(square) / double(small_square), 4.0, 0.6);
  // A heart is neither of the others, and not empty.
  const auto heart = render(sprites, {2, 5, 0, 16, 16});
  EXPECT_GT(area(heart), 100);
  EXPECT_NE(heart, render(sprites, {0, 5, 0, 16, 16}));
  EXPECT_NE(heart, render(sprites, {1, 5, 0, 16, 16}));
}

// Centres run over [0.2, 0.8] of the width: x value k puts the centre at 64 (0.2 + 0.6 k / 31)
// pixels from the left edge, i.e. at that minus 0.5 in pixel-centre coordinates.
TEST(Shapes, PositionFactorsMoveTheCentreAlongTheirAxisOnly) {
  const Shapes sprites(ShapesKind::DSprites);
  for (int64_t x : {0, 10, 31}) {
    for (int64_t y : {0, 20, 31}) {
      const auto [row, col] = centroid(render(sprites, {0, 3, 0, x, y}));
      EXPECT_NEAR(col, 64 * (0.2 + 0.6 * double(x) / 31) - 0.5, 0.5) << x << ", " << y;
      EXPECT_NEAR(row, 64 * (0.2 + 0.6 * double(y) / 31) - 0.5, 0.5) << x << ", " << y;
    }
  }
}

TEST(Shapes, OrientationsRunFromZeroToTwoPiBothIncluded) {
  const Shapes sprites(ShapesKind::DSprites);
  for (int64_t shape : {0, 1, 2}) {
    EXPECT_EQ(render(sprites, {shape, 4, 0, 12, 20}), render(sprites, {shape, 4, 39, 12, 20}));
  }
  // A quarter turn (orientation 9.75 of 39 is not a value; 39 / 4 steps is not whole, so compare
  // the ellipse's extent instead): at orientation 0 it is wider than tall.
  const auto flat = render(sprites, {1, 5, 0, 16, 16});
  int64_t min_row = 64, max_row = -1, min_col = 64, max_col = -1;
  for (int64_t p = 0; p < kPixels; ++p) {
    if (!flat[size_t(p)]) continue;
    min_row = std::min(min_row, p / 64), max_row = std::max(max_row, p / 64);
    min_col = std::min(min_col, p % 64), max_col = std::max(max_col, p % 64);
  }
  EXPECT_GT(max_col - min_col, 2 * (max_row - min_row) - 2);
}

TEST(Shapes, DSpritesIsBinaryAndEveryShapeStaysInsideTheImage) {
  const Shapes sprites(ShapesKind::DSprites);
  // The largest shapes at the corners of the position grid, at every orientation: nothing
  // touches the border (a clipped shape would have lost pixels).
  for (int64_t shape : {0, 1, 2}) {
    for (int64_t orientation = 0; orientation < 40; orientation += 3) {
      for (int64_t corner : {0, 31}) {
        const auto image = render(sprites, {shape, 5, orientation, corner, 31 - corner});
        for (int64_t i = 0; i < 64; ++i) {
          for (int64_t edge : {i, 63 * 64 + i, i * 64, i * 64 + 63}) {
            ASSERT_EQ(image[size_t(edge)], 0) << "shape " << shape << " touches the border";
          }
        }
        for (uint8_t v : image) ASSERT_TRUE(v == 0 || v == 255);
      }
    }
  }
}

TEST(Shapes, ColorShapesDrawsThePaletteColourOnTheBackground) {
  const Shapes colored(ShapesKind::ColorShapes);
  for (int64_t color = 0; color < 6; ++color) {
    const auto image = render(colored, {color, 0, 5, 10, 16, 16});
    std::set<std::array<uint8_t, 3>> seen;
    for (int64_t p = 0; p < kPixels; ++p) {
      seen.insert({image[size_t(p)], image[size_t(kPixels + p)], image[size_t(2 * kPixels + p)]});
    }
    EXPECT_EQ(seen,
              (std::set<std::array<uint8_t, 3>>{kShapeBackground, kShapeColors[size_t(color)]}));
  }
  // The geometry is dSprites' own: the same pixels are covered.
  const Shapes sprites(ShapesKind::DSprites);
  const auto gray = render(sprites, {2, 3, 7, 4, 25});
  const auto red = render(colored, {0, 2, 3, 7, 4, 25});
  for (int64_t p = 0; p < kPixels; ++p) {
    ASSERT_EQ(gray[size_t(p)] != 0, red[size_t(p)] == kShapeColors[0][0]) << p;
  }
}

TEST(Shapes, SampleIsReproducibleAndItsFactorsDescribeItsImages) {
  const Shapes sprites(ShapesKind::DSprites);
  const FactorImages a = sprites.sample(50, 7), b = sprites.sample(50, 7);
  ASSERT_EQ(a.images.shape(), (Shape{50, 64 * 64}));
  ASSERT_EQ(a.factors.shape(), (Shape{50, 5}));
  EXPECT_EQ(a.channels, 1);
  for (int64_t i = 0; i < 50 * 64 * 64; ++i) {
    ASSERT_EQ(a.images.data<float>()[i], b.images.data<float>()[i]);
  }
  for (int64_t i = 0; i < 50; ++i) {
    std::vector<int64_t> factors(a.factors.data<int64_t>() + i * 5,
                                 a.factors.data<int64_t>() + i * 5 + 5);
    const auto image = render(sprites, factors);
    for (int64_t p = 0; p < kPixels; ++p) {
      ASSERT_EQ(a.images.data<float>()[i * kPixels + p], float(image[size_t(p)]) / 255.0f);
    }
  }
  const FactorImages other = sprites.sample(50, 8);
  int64_t differing = 0;
  for (int64_t i = 0; i < 50 * 5; ++i) {
    differing += other.factors.data<int64_t>()[i] != a.factors.data<int64_t>()[i];
  }
  EXPECT_GT(differing, 50);  // another seed, another sample
}
