// Image data sets with known factors, rendered by minidl itself (no download): dSprites as
// Matthey, Higgins, Hassabis and Lerchner (2017) define it, and color-shapes, the same sprites in
// colour. Every image is a function of its factors, so a model's codes can be compared with the
// truth (mutual information gap, factor coverage of a generator's samples).
//
//   data::Shapes sprites(data::ShapesKind::DSprites);          // 737,280 images, none stored
//   data::FactorImages sample = sprites.sample(10000, /*seed=*/1);
//   sample.images;   // float32 [10000, 1 * 64 * 64] in [0, 1]
//   sample.factors;  // int64 [10000, 5]: shape, scale, orientation, x, y (value indices)
//
// dSprites: 64x64 binary images of one white shape on black; factors shape (square, ellipse,
// heart), scale (6 values from 0.5 to 1), orientation (40 values from 0 to 2 pi, both ends
// included, as in the original), position x and y (32 values each from 0 to 1). Every
// combination once, indexed in that order with y fastest (the original's order).
// color-shapes: a colour factor first (kShapeColors), the shape drawn in that colour on a
// constant background of kShapeBackground, 3 channels: 6 x 737,280 images.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/core.h"

namespace minidl::data {

enum class ShapesKind { DSprites, ColorShapes };

ShapesKind parse_shapes_kind(const std::string& name);  // "dsprites", "color-shapes"
std::string shapes_kind_name(ShapesKind kind);

struct Factor {
  std::string name;
  std::vector<std::string> value_names;  // for categorical factors; empty for ordered ones
  int64_t values = 0;
};

// color-shapes' palette (RGB) and background.
inline constexpr std::array<std::array<uint8_t, 3>, 6> kShapeColors{
    {{230, 25, 25}, {40, 180, 40}, {40, 80, 230}, {240, 200, 20}, {200, 40, 200}, {30, 200, 200}}};
inline constexpr std::array<uint8_t, 3> kShapeBackground{24, 24, 24};

struct FactorImages {
  Tensor images;   // float32 [N, channels * 64 * 64], pixels in [0, 1], channel-major
  Tensor factors;  // int64 [N, factors]: each image's value index of every factor
  int64_t channels = 1, height = 64, width = 64;
};

class Shapes {
 public:
  explicit Shapes(ShapesKind kind);

  ShapesKind kind() const { return kind_; }
  int64_t channels() const { return kind_ == ShapesKind::ColorShapes ? 3 : 1; }
  static constexpr int64_t kSize = 64;  // height and width
  const std::vector<Factor>& factors() const { return factors_; }
  int64_t size() const;  // the number of distinct images: the product of the factors' values

  // The factor value indices of image `index` (mixed radix, the last factor fastest), and back.
  std::vector<int64_t> factors_of(int64_t index) const;
  int64_t index_of(const std::vector<int64_t>& factors) const;

  // The image with these factor value indices: channels * 64 * 64 bytes, channel-major.
  void render(const std::vector<int64_t>& factors, uint8_t* out) const;
  // `count` images drawn uniformly (with replacement) from every combination, from `seed`.
  FactorImages sample(int64_t count, uint64_t seed) const;
  // The images at these indices, in order.
  FactorImages images(const std::vector<int64_t>& indices) const;

 private:
  ShapesKind kind_;
  std::vector<Factor> factors_;
};

}  // namespace minidl::data
