// Decoding one image file (PNG, JPEG, BMP, GIF first frame, TGA) with stb_image into a float
// tensor [channels, height, width], converted to grayscale or RGB and resized on request.
// Image files come from anywhere, so the size the header declares is checked against a limit
// before any pixel is decoded: a 100-byte file may claim to be 100000 x 100000.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "data/pixels.h"
#include "tensor/core.h"

namespace minidl::data {

// 64 Mi values (width x height x channels): a 4096 x 4096 RGBA image, 64 MiB decoded.
inline constexpr int64_t kDefaultMaxImageValues = int64_t(64) << 20;

struct ImageOptions {
  int channels = 1;    // 1: grayscale (stb's luma weights), 3: RGB. Alpha is dropped.
  int64_t height = 0;  // resize to height x width (stb_image_resize, Mitchell filter when
  int64_t width = 0;   // shrinking, Catmull-Rom when enlarging); 0 keeps the file's size
  PixelRange range = PixelRange::ZeroToOne;
  // Refuse images whose declared width x height x max(file channels, channels) is larger.
  int64_t max_values = kDefaultMaxImageValues;
};

// Decodes image bytes; `name` (a file name) follows "read_image: " in error messages.
Tensor decode_image(std::span<const uint8_t> bytes, std::string_view name,
                    const ImageOptions& options = {});

// Reads and decodes an image file.
Tensor read_image(const std::string& path, const ImageOptions& options = {});

}  // namespace minidl::data
