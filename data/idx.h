// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic
// number (0, 0, element type, number of dimensions), the dimensions as big-endian uint32, then the
// elements in row-major order, big-endian. Files may be gzip-compressed, as they are distributed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tensor/core.h"

namespace minidl::data {

// Bytes a gzip'd IDX file may decompress to before read_idx refuses it (Fashion-MNIST's largest
// file is 47 MB).
inline constexpr size_t kIdxMaxBytes = size_t(1) << 31;

// Parses uncompressed IDX bytes. Element types map to tensor dtypes: ubyte -> uint8; sbyte,
// short and int -> int64; float -> float32; double -> float64. `name` (a file name) starts every
// error message after "read_idx: ".
Tensor parse_idx(std::span<const uint8_t> bytes, std::string_view name);

// Parses IDX bytes that may be gzip-compressed (recognised by content, not by file extension).
Tensor decode_idx(std::span<const uint8_t> file_bytes, std::string_view name,
                  size_t max_bytes = kIdxMaxBytes);

// Reads an IDX file, compressed or not.
Tensor read_idx(const std::string& path);

}  // namespace minidl::data
