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

// What an IDX header declares: the element type and the dimensions, and the bytes they take.
struct IdxHeader {
  uint8_t type_code = 0;  // 0x08 ubyte ... 0x0e double
  const char* type_name = "";
  DType dtype = DType::UInt8;  // of the tensor parse_idx makes
  Shape shape;
  uint64_t header_bytes = 0;  // 4 + 4 * dimensions
  uint64_t data_bytes = 0;    // what the shape needs after the header
};

// Validates the magic number and dimensions at the start of uncompressed IDX bytes (the data
// after the header is not looked at).
IdxHeader parse_idx_header(std::span<const uint8_t> bytes, std::string_view name);

// The header of IDX bytes that may be gzip-compressed, decompressing only the header; refuses a
// header whose data would exceed max_bytes. A forged header that declares 4 GiB of labels is
// refused here, before the body is decompressed.
IdxHeader decode_idx_header(std::span<const uint8_t> file_bytes, std::string_view name,
                            size_t max_bytes = kIdxMaxBytes);

// Parses uncompressed IDX bytes. Element types map to tensor dtypes: ubyte -> uint8; sbyte,
// short and int -> int64; float -> float32; double -> float64. `name` (a file name) starts every
// error message after "read_idx: ".
Tensor parse_idx(std::span<const uint8_t> bytes, std::string_view name);

// Parses IDX bytes that may be gzip-compressed (recognised by content, not by file extension).
// The header is checked against max_bytes first; then only the bytes it declares (and one more,
// to tell a file with extra data) are decompressed.
Tensor decode_idx(std::span<const uint8_t> file_bytes, std::string_view name,
                  size_t max_bytes = kIdxMaxBytes);

// The first `rows` entries along the first dimension (all of them when rows is 0 or at least the
// declared count), decompressing only the header and those entries' bytes: a program that trains
// on 64 images does not pay for 60,000. The bytes after them are not read, so a file that is
// truncated or too long beyond them goes unnoticed.
Tensor decode_idx_rows(std::span<const uint8_t> file_bytes, std::string_view name, int64_t rows,
                       size_t max_bytes = kIdxMaxBytes);

// Reads an IDX file, compressed or not.
Tensor read_idx(const std::string& path);

}  // namespace minidl::data
