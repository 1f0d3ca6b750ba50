// Storage: one 64-byte-aligned, uninitialised byte buffer shared by every Tensor that views it.
// Alignment to a cache line keeps AVX loads aligned at offset 0 and avoids false sharing between
// threads writing neighbouring tensors.
//
// Buffers come from a process-wide cache of freed blocks keyed by their exact size, so a training
// loop, which allocates the same sizes step after step, stops calling malloc after its first steps.
// The cache holds at most as many bytes as the peak of live storage bytes so far (the program's own
// high-water mark): the memory held for tensors, live plus cached, stays within twice that peak,
// and equals it when the sizes recur. Least recently freed blocks go first; blocks of 32 MiB or
// more are never cached. Sanitizer builds bypass the cache so every use after free is still
// caught. docs/tensor.md describes it.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Counters of the storage allocator since the program started (all threads together).
struct StorageStats {
  int64_t allocations = 0;      // buffers that came from malloc: cache misses
  int64_t cache_hits = 0;       // buffers reused from the cache
  int64_t live_bytes = 0;       // bytes of the buffers alive now
  int64_t peak_live_bytes = 0;  // the most live_bytes has been: the cache's bound
  int64_t cached_bytes = 0;     // bytes of the freed buffers the cache holds
  int64_t cached_blocks = 0;
};
StorageStats storage_stats();
// storage_stats().allocations: how many buffers reached malloc.
int64_t storage_allocation_count();
// False in sanitizer builds, where every buffer comes from malloc and goes back to free.
bool storage_cache_enabled();
// Frees every cached block (e.g. between the phases of a program whose sizes differ).
void release_cached_storage();

}  // namespace minidl
