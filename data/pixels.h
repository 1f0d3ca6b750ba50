// Pixel value conventions shared by the data sets and the image writers: 8-bit pixels become
// float32 in [0, 1] or in [-1, 1] (the range a tanh generator produces), and back.
#pragma once

#include <cmath>
#include <cstdint>

#include "tensor/core.h"

namespace minidl::data {

enum class PixelRange {
  ZeroToOne,      // v / 255, as torchvision's ToTensor()
  MinusOneToOne,  // (v / 255 - 0.5) / 0.5, as ToTensor() then Normalize(0.5, 0.5)
};

// The float value of an 8-bit pixel. Computed in float32 in the same order as torchvision so that
// data fed to minidl and to PyTorch match bit for bit.
inline float pixel_from_byte(uint8_t byte, PixelRange range) {
  const float unit = float(byte) / 255.0f;
  return range == PixelRange::ZeroToOne ? unit : (unit - 0.5f) / 0.5f;
}

// The nearest 8-bit value of a float pixel; values outside the range are clamped and NaN gives 0.
inline uint8_t byte_from_pixel(double value, PixelRange range) {
  double unit = range == PixelRange::ZeroToOne ? value : (value + 1.0) * 0.5;
  if (!(unit > 0.0)) return 0;  // also catches NaN
  if (unit >= 1.0) return 255;
  return uint8_t(std::lround(unit * 255.0));
}

// A uint8 tensor of any shape as float32 pixels of the same shape.
Tensor pixels_from_bytes(const Tensor& bytes, PixelRange range);

}  // namespace minidl::data
