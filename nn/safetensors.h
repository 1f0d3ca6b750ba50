// Reading and writing the safetensors format (github.com/huggingface/safetensors), so checkpoints
// move between minidl and Python (numpy, PyTorch, the safetensors package) unchanged:
//
//   8 bytes      N, the header length, unsigned 64-bit little-endian
//   N bytes      JSON: {"__metadata__": {"key": "value", ...},
//                       "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
//                padded with spaces so the data starts at a multiple of 8 bytes
//   the rest     the data section: each tensor's values, row-major, little-endian, at
//                [begin, end) relative to the start of the data section
//
// minidl reads and writes the dtypes it has: F32, F64, I64, U8. It also reads half-precision
// files (F16, BF16, as PyTorch often saves weights) when asked to, as float32: every half value
// is exactly a float32. Tensors are written in the given order and read back in file order, so a
// TensorMap round-trips with its order.
//
// The format has no checksum, so a flipped bit in tensor data would load silently. minidl adds
// one to the metadata for every tensor it writes, "crc32:<name>": "<8 hex digits>" (zlib's CRC-32
// of the tensor's bytes, as Python's zlib.crc32 computes it). Other readers see ordinary metadata;
// load_safetensors verifies every checksum a file has and hides them from the metadata it returns.
// Files without them (numpy's, PyTorch's) load as before.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor/core.h"

namespace minidl::nn {

using TensorMap = std::vector<std::pair<std::string, Tensor>>;  // ordered: names and values
using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
  TensorMap tensors;
  Metadata metadata;
};

// The file's bytes. Names must be unique, non-empty and not "__metadata__"; tensors may be any
// views (they are written contiguously).
std::string serialize_safetensors(const TensorMap& tensors, const Metadata& metadata = {});

// Writes atomically (temporary file, fsync, rename, fsync of the directory): a crash mid-save
// leaves the previous file intact.
void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const Metadata& metadata = {});

struct SafetensorsReadOptions {
  // Read F16 and BF16 tensors as float32 (exact) instead of refusing them.
  bool half_as_float32 = false;
};

// Parses and validates a whole file before returning anything: the header length against the
// file size and a 100 MB bound, the JSON, every dtype, shape and offset, that the tensors'
// byte ranges tile the data section exactly (in bounds, no overlaps, no gaps), and the checksums.
// Any problem throws one line: "load_safetensors: <path>: <what is wrong>". Only regular files
// are read (a directory or a FIFO is named as such).
SafetensorsFile load_safetensors(const std::string& path,
                                 const SafetensorsReadOptions& options = {});

// The same from bytes in memory; `source` names them in error messages (the fuzz target uses it).
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source,
                                  const SafetensorsReadOptions& options = {});

// The largest header load_safetensors accepts, as the reference implementation.
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// The metadata key prefix of the per-tensor checksums; callers' metadata may not use it.
inline constexpr std::string_view kSafetensorsChecksumPrefix = "crc32:";

}  // namespace minidl::nn
