#include "tensor/storage.h"

#include <cstdlib>
#include <new>

#include "tensor/error.h"

namespace minidl {

namespace {
constexpr size_t kAlignment = 64;
}

Storage::Storage(size_t nbytes) : nbytes_(nbytes) {
  // aligned_alloc needs a size that is a multiple of the alignment; a zero-byte storage still
  // gets a valid, unique pointer so empty tensors have somewhere to point.
  size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  data_ = std::aligned_alloc(kAlignment, rounded);
  MINIDL_CHECK(data_ != nullptr, "Storage: out of memory allocating " << nbytes << " bytes");
}

Storage::~Storage() { std::free(data_); }

}  // namespace minidl
