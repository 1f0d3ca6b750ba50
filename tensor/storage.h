// Storage: one 64-byte-aligned, uninitialised byte buffer shared by every Tensor that views it.
// Alignment to a cache line keeps AVX loads aligned at offset 0 and avoids false sharing between
// threads writing neighbouring tensors.
#pragma once

#include <cstddef>
#include <memory>

namespace minidl {

class Storage {
 public:
  explicit Storage(size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

 private:
  void* allocation_ = nullptr;  // what malloc returned; data_ is its first 64-byte boundary
  void* data_ = nullptr;
  size_t nbytes_ = 0;
};

}  // namespace minidl
