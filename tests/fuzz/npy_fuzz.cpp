// libFuzzer target: the .npy reader on arbitrary bytes. Whatever parses must survive a round trip
// through the writer unchanged (dtype, shape and bytes); everything else must be a minidl::Error.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "data/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minidl::Tensor t;
  try {
    t = minidl::data::parse_npy(std::span<const uint8_t>(data, size), "fuzz");
  } catch (const minidl::Error&) {
    return 0;
  }
  const std::string encoded = minidl::data::encode_npy(t);
  const minidl::Tensor back = minidl::data::parse_npy(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(encoded.data()), encoded.size()),
      "round trip");
  const size_t bytes = size_t(t.numel()) * t.element_size();
  if (back.dtype() != t.dtype() || back.shape() != t.shape() ||
      (bytes > 0 && std::memcmp(back.raw_data(), t.raw_data(), bytes) != 0)) {
    std::abort();
  }
  return 0;
}
