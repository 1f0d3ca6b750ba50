// libFuzzer target: the safetensors reader (nn/safetensors.h) on arbitrary bytes. Whatever parses
// must survive a round trip through the writer unchanged (names in order, dtypes, shapes, bytes
// and metadata); everything else must be a minidl::Error.
//
// Seeds (tests/fuzz/corpus/safetensors): the Python-written fixture of tests/nn, a one-tensor file
// written by minidl, a file with only metadata, and an empty header "{}" padded to 8 bytes.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "nn/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  minidl::nn::SafetensorsFile file;
  try {
    file = minidl::nn::parse_safetensors(bytes, "fuzz");
  } catch (const minidl::Error&) {
    return 0;
  }
  const std::string encoded = minidl::nn::serialize_safetensors(file.tensors, file.metadata);
  const minidl::nn::SafetensorsFile back = minidl::nn::parse_safetensors(encoded, "round trip");
  if (back.metadata != file.metadata || back.tensors.size() != file.tensors.size()) std::abort();
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    const minidl::Tensor& a = file.tensors[i].second;
    const minidl::Tensor& b = back.tensors[i].second;
    const size_t nbytes = size_t(a.numel()) * a.element_size();
    if (back.tensors[i].first != file.tensors[i].first || a.dtype() != b.dtype() ||
        a.shape() != b.shape() || (nbytes > 0 && std::memcmp(a.raw_data(), b.raw_data(), nbytes))) {
      std::abort();
    }
  }
  return 0;
}
