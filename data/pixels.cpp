#include "data/pixels.h"

#include <array>

namespace minidl::data {

Tensor pixels_from_bytes(const Tensor& bytes, PixelRange range) {
  MINIDL_CHECK(bytes.defined() && bytes.dtype() == DType::UInt8,
               "pixels_from_bytes: expected a uint8 tensor");
  // 256 possible inputs: a lookup table is both exact and faster than converting each value.
  std::array<float, 256> table;
  for (int v = 0; v < 256; ++v) table[size_t(v)] = pixel_from_byte(uint8_t(v), range);
  const Tensor source = bytes.contiguous();
  Tensor out = Tensor::empty(source.shape(), DType::Float32);
  const uint8_t* in = source.data<uint8_t>();
  float* dst = out.data<float>();
  for (int64_t i = 0; i < source.numel(); ++i) dst[i] = table[in[i]];
  return out;
}

}  // namespace minidl::data
