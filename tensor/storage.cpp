#include "tensor/storage.h"

#include <cstdint>
#include <cstdlib>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tensor/error.h"

namespace minidl {

namespace {

constexpr size_t kAlignment = 64;

#ifdef __GLIBC__
// glibc serves blocks above its mmap threshold (adjusted at run time between 128 KiB and 32 MiB)
// with fresh mmap()s and returns free memory above its trim threshold to the kernel, so a training
// loop that allocates and frees the same large tensors every step page-faults on every first touch
// of their pages. The fixed thresholds below keep such blocks in the heap for reuse
// (docs/benchmarks.md measures the difference). Memory freed stays reserved up to 256 MiB above the heap's live top.
// Settings from the environment win (MALLOC_*_ variables, GLIBC_TUNABLES), and so do a program's
// own mallopt() calls, which run after this initialiser.
struct KeepLargeBlocksInTheHeap {
  KeepLargeBlocksInTheHeap() {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") ||
        std::getenv("GLIBC_TUNABLES")) {
      return;
    }
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit systems
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
  }
};
const KeepLargeBlocksInTheHeap keep_large_blocks_in_the_heap;
#endif

// A few recently freed blocks per thread, reused by the next allocation of the same size. Every op
// allocates its result, and the same sizes recur step after step; for blocks above glibc's
// per-thread cache (1 KiB) a malloc/free pair of 16 KiB cost about 75 ns of the 370 ns of adding
// two 4K-element tensors (bench_elementwise). Large blocks are left to malloc (see above: the
// copy dominates there). Sanitizer builds skip the cache so every use after free is still caught.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCacheBlocks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kCacheBlocks = false;
#else
constexpr bool kCacheBlocks = true;
#endif
#else
constexpr bool kCacheBlocks = true;
#endif

// Set when this thread's cache is destroyed (thread exit; for the main thread, before static
// objects are destroyed, and a static Tensor may still free its storage then). A trivially
// destructible thread_local stays valid for the whole life of the thread.
thread_local bool block_cache_destroyed = false;

class BlockCache {
 public:
  static constexpr size_t kMaxBlockBytes = size_t(1) << 20;
  static constexpr size_t kMaxBlocks = 16;

  ~BlockCache() {
    for (size_t i = 0; i < count_; ++i) std::free(blocks_[i].allocation);
    block_cache_destroyed = true;
  }

  // A cached allocation of exactly `bytes` (as requested from malloc), or nullptr.
  void* take(size_t bytes) {
    for (size_t i = count_; i-- > 0;) {  // newest first: most likely still in cache
      if (blocks_[i].bytes == bytes) {
        void* allocation = blocks_[i].allocation;
        blocks_[i] = blocks_[--count_];
        return allocation;
      }
    }
    return nullptr;
  }

  // Keeps the block if there is room; false hands it back to the caller to free.
  bool keep(void* allocation, size_t bytes) {
    if (bytes > kMaxBlockBytes) return false;
    if (count_ == kMaxBlocks) {  // drop the oldest
      std::free(blocks_[0].allocation);
      for (size_t i = 1; i < count_; ++i) blocks_[i - 1] = blocks_[i];
      --count_;
    }
    blocks_[count_++] = {allocation, bytes};
    return true;
  }

 private:
  struct Block {
    void* allocation;
    size_t bytes;
  };
  Block blocks_[kMaxBlocks] = {};
  size_t count_ = 0;
};

thread_local BlockCache block_cache;

}  // namespace

Storage::Storage(size_t nbytes) : nbytes_(nbytes) {
  // malloc and align by hand rather than aligned_alloc: glibc's aligned_alloc carves every block
  // out of a larger chunk and took 103 ns for 16 KiB against malloc's 28 ns. A zero-byte storage
  // still gets a valid, unique pointer so empty tensors have somewhere to point.
  const size_t bytes = nbytes + kAlignment;
  allocation_ = kCacheBlocks && !block_cache_destroyed ? block_cache.take(bytes) : nullptr;
  if (allocation_ == nullptr) allocation_ = std::malloc(bytes);
  MINIDL_CHECK(allocation_ != nullptr, "Storage: out of memory allocating " << nbytes << " bytes");
  const uintptr_t address = reinterpret_cast<uintptr_t>(allocation_);
  data_ = reinterpret_cast<void*>((address + kAlignment - 1) / kAlignment * kAlignment);
}

Storage::~Storage() {
  const bool kept =
      kCacheBlocks && !block_cache_destroyed && block_cache.keep(allocation_, nbytes_ + kAlignment);
  if (!kept) std::free(allocation_);
}

}  // namespace minidl
