// libFuzzer target: image decoding (stb_image behind minidl's size limit) on arbitrary bytes.
// The first byte picks the options (grayscale or RGB, resized or not, value range), the rest is
// the file. Decoded images must have the requested shape and values in range.
#include <cstdint>
#include <cstdlib>

#include "data/image_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  minidl::data::ImageOptions options;
  options.channels = data[0] & 1 ? 3 : 1;
  if (data[0] & 2) {
    options.height = 1 + (data[0] >> 4);  // 1..16
    options.width = 1 + ((data[0] >> 2) & 3) * 5;
  }
  options.range = data[0] & 0x80 ? minidl::data::PixelRange::MinusOneToOne
                                 : minidl::data::PixelRange::ZeroToOne;
  // Small enough that no input makes the fuzzer run out of memory, large enough for real images.
  options.max_values = int64_t(1) << 20;
  try {
    const minidl::Tensor image =
        minidl::data::decode_image(std::span<const uint8_t>(data + 1, size - 1), "fuzz", options);
    if (image.dim() != 3 || image.size(0) != options.channels) std::abort();
    if (options.height > 0 && (image.size(1) != options.height || image.size(2) != options.width)) {
      std::abort();
    }
    const float low = options.range == minidl::data::PixelRange::ZeroToOne ? 0.0f : -1.0f;
    const float* values = image.data<float>();
    for (int64_t i = 0; i < image.numel(); ++i) {
      if (!(values[i] >= low && values[i] <= 1.0f)) std::abort();
    }
  } catch (const minidl::Error&) {
  }
  return 0;
}
