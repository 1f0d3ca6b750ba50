// NumPy's .npy format (numpy.lib.format, versions 1.0 and 2.0), so tensors move to and from
// Python with np.load / np.save. A file is the magic "\x93NUMPY", a version, the header length,
// a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and a newline to a multiple of 64 bytes, then the raw elements.
// Supported: little-endian float32 ('<f4'), float64 ('<f8'), int64 ('<i8') and uint8 ('|u1'),
// C order. The reader checks the header strictly (exact keys, syntax, data size), since .npy
// files come from anywhere; the writer produces the same bytes as np.save.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tensor/core.h"

namespace minidl::data {

// Parses .npy bytes; `name` (a file name) follows "read_npy: " in error messages.
Tensor parse_npy(std::span<const uint8_t> bytes, std::string_view name);
Tensor read_npy(const std::string& path);

// The .npy bytes of a tensor (any strides; written in C order).
std::string encode_npy(const Tensor& tensor);
// Writes the tensor to `path` atomically.
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace minidl::data
