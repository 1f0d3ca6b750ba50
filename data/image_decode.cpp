#include "data/image_decode.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <vector>

#include "data/jpeg_guard.h"
#include "data/read_file.h"

namespace minidl::data {

namespace {

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

Tensor decode_image(std::span<const uint8_t> bytes, std::string_view name,
                    const ImageOptions& options) {
  MINIDL_CHECK(options.channels == 1 || options.channels == 3,
               "read_image: " << name << ": channels must be 1 (grayscale) or 3 (RGB), got "
                              << options.channels);
  MINIDL_CHECK(options.height >= 0 && options.width >= 0 && options.height <= INT_MAX &&
                   options.width <= INT_MAX && (options.height == 0) == (options.width == 0),
               "read_image: " << name << ": resize to " << options.height << "x" << options.width
                              << ": give both sizes, or neither (0) to keep the file's size");
  MINIDL_CHECK(bytes.size() <= size_t(INT_MAX),
               "read_image: " << name << ": " << bytes.size() << " bytes is too large a file");
  const auto* data = bytes.data();
  const int length = int(bytes.size());

  // Before stb reads anything: its JPEG header parser (stbi_info included) builds Huffman
  // tables, and Debian's stb_image 2.27 overflows on forged ones.
  const std::string jpeg_problem = jpeg_defect(bytes);
  MINIDL_CHECK(jpeg_problem.empty(), "read_image: " << name << ": corrupt JPEG: " << jpeg_problem);

  // The header alone, before decoding anything. stb tries each format in turn, so its failure
  // reason is always the last one's ("unknown image type"): say what it can mean instead. (stb
  // also refuses headers declaring more than 2^30 bytes of pixels here.)
  int width = 0, height = 0, file_channels = 0;
  MINIDL_CHECK(stbi_info_from_memory(data, length, &width, &height, &file_channels) == 1,
               "read_image: " << name
                              << ": cannot decode: not a PNG, JPEG, BMP, GIF or TGA image, or "
                                 "its header is corrupt or declares more than 2^30 bytes");
  // stb 2.27 "decodes" a BMP declaring width 0 into an empty image; resizing that divides by 0.
  MINIDL_CHECK(width > 0 && height > 0, "read_image: " << name << ": the image is " << width << "x"
                                                       << height << " pixels: empty");
  const int64_t values =
      int64_t(width) * int64_t(height) * std::max<int64_t>(file_channels, options.channels);
  MINIDL_CHECK(values <= options.max_values,
               "read_image: " << name << ": declared size " << width << "x" << height << " with "
                              << file_channels << " channels is " << values
                              << " values, over the limit of " << options.max_values
                              << " (ImageOptions::max_values)");

  int decoded_width = 0, decoded_height = 0, ignored = 0;
  std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(
      data, length, &decoded_width, &decoded_height, &ignored, options.channels));
  MINIDL_CHECK(pixels != nullptr,
               "read_image: " << name << ": cannot decode: " << stbi_failure_reason());
  MINIDL_CHECK(decoded_width == width && decoded_height == height,
               "read_image: " << name << ": header says " << width << "x" << height
                              << " but the decoded image is " << decoded_width << "x"
                              << decoded_height);

  const int out_height = options.height > 0 ? int(options.height) : height;
  const int out_width = options.width > 0 ? int(options.width) : width;
  const int c = options.channels;
  const stbi_uc* source = pixels.get();
  std::vector<stbi_uc> resized;
  if (out_height != height || out_width != width) {
    MINIDL_CHECK(int64_t(out_height) * out_width * c <= options.max_values,
                 "read_image: " << name << ": resize target " << out_height << "x" << out_width
                                << " is over the limit of " << options.max_values << " values");
    resized.resize(size_t(out_height) * size_t(out_width) * size_t(c));
    // stb_image_resize treats values as linear intensities (no sRGB decoding), as torchvision's
    // Resize on tensors does.
    MINIDL_CHECK(stbir_resize_uint8(source, width, height, 0, resized.data(), out_width, out_height,
                                    0, c) == 1,
                 "read_image: " << name << ": resizing " << width << "x" << height << " to "
                                << out_width << "x" << out_height << " failed");
    source = resized.data();
  }

  // stb gives interleaved rows (height, width, channels); tensors use planes (channels, ...).
  Tensor interleaved = Tensor::empty({out_height, out_width, c}, DType::UInt8);
  std::memcpy(interleaved.data<uint8_t>(), source, size_t(interleaved.numel()));
  return pixels_from_bytes(interleaved, options.range).permute({2, 0, 1}).contiguous();
}

Tensor read_image(const std::string& path, const ImageOptions& options) {
  // No image file near the decoded limit is larger than this, whatever its format.
  constexpr size_t kMaxImageFileBytes = size_t(256) << 20;
  return decode_image(read_file(path, "read_image", kMaxImageFileBytes), path, options);
}

}  // namespace minidl::data
