// libFuzzer target: the IDX reader (with gzip decompression) on arbitrary bytes. Every input must
// either parse into a tensor consistent with its header or throw minidl::Error; a crash, a
// sanitizer report, another exception or a broken invariant is a bug.
#include <cstdint>
#include <cstdlib>

#include "data/gzip.h"
#include "data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  try {
    // A small decompression limit keeps gzip bombs from exhausting the fuzzer's memory.
    const minidl::Tensor t = minidl::data::decode_idx(bytes, "fuzz", size_t(1) << 24);
    if (!minidl::data::is_gzip(bytes)) {
      // Uncompressed: header (4 + 4 per dimension) plus the elements is exactly the input.
      const size_t file_element_size = data[2] == 0x08 || data[2] == 0x09 ? 1
                                       : data[2] == 0x0b                  ? 2
                                       : data[2] == 0x0e                  ? 8
                                                                          : 4;
      if (4 + 4 * size_t(t.dim()) + size_t(t.numel()) * file_element_size != size) std::abort();
    }
  } catch (const minidl::Error&) {
  }
  return 0;
}
