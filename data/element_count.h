// Sizes declared by file headers (IDX dimensions, .npy shapes) are untrusted: this computes how
// many bytes of data a shape needs without ever overflowing, so a forged header cannot make a
// size check wrap around and pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "tensor/shape.h"

namespace minidl::data {

// The bytes of data `shape` needs at `element_size` bytes per element, or nullopt when the shape
// is too large to be a tensor: its size, counting zero-length axes as 1 (as NumPy does when it
// refuses "array is too big"), must fit in an int64. So [0, 2^40, 2^40] is refused although it
// holds no element: its strides would not fit either.
inline std::optional<uint64_t> data_bytes(const Shape& shape, size_t element_size) {
  int64_t bound = int64_t(element_size);
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(bound, d > 0 ? d : 1, &bound)) return std::nullopt;
    empty |= d == 0;
  }
  return empty ? 0 : uint64_t(bound);
}

}  // namespace minidl::data
