#include "tensor/storage.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tensor/error.h"

namespace minidl {

namespace {

constexpr size_t kAlignment = 64;

// Blocks at least this large are never cached. glibc maps each of them on its own (the mmap
// threshold set below), so freeing one hands its pages back to the kernel; caching it would keep a
// program's one-off buffers, such as a data set's raw bytes while they are decoded, resident for
// the rest of the run. A training step's temporaries are far smaller.
constexpr size_t kLargestCachedBlock = size_t(32) << 20;

#ifdef __GLIBC__
// glibc serves blocks above its mmap threshold (adjusted at run time between 128 KiB and 32 MiB)
// with fresh mmap()s and returns free memory above its trim threshold to the kernel, so a program
// that allocates and frees the same large tensors page-faults on every first touch of their
// pages. The block cache below keeps a training loop's buffers, but blocks it misses or evicts, and
// every other allocation, still go to malloc: the fixed thresholds keep them in the heap for reuse
// (docs/benchmarks.md measures the difference). Memory freed stays reserved up to 256 MiB above
// the heap's live top. Settings from the environment win (MALLOC_*_ variables, GLIBC_TUNABLES),
// and so do a program's own mallopt() calls, which run after this initialiser.
struct KeepLargeBlocksInTheHeap {
  KeepLargeBlocksInTheHeap() {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") ||
        std::getenv("GLIBC_TUNABLES")) {
      return;
    }
    mallopt(M_MMAP_THRESHOLD, int(kLargestCachedBlock));  // glibc's maximum on 64-bit systems
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
  }
};
const KeepLargeBlocksInTheHeap keep_large_blocks_in_the_heap;
#endif

// Sanitizer builds skip the cache so every use after free is still caught.
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

// A cached block's bookkeeping lives in the block itself (every block has at least kAlignment
// bytes), so caching a block never allocates.
struct FreeBlock {
  size_t bytes;
  FreeBlock* older;  // every cached block, in the order they were freed
  FreeBlock* newer;
  FreeBlock* older_same_size;  // the blocks of one size, newest first
  FreeBlock* newer_same_size;
};
static_assert(sizeof(FreeBlock) <= kAlignment);

// Freed blocks of every thread, by exact size. One cache for the whole process, behind one mutex:
// a buffer is often freed on another thread than the one that allocated it (the DataLoader's
// prefetcher makes the batches the training loop frees; a tensor made in an OpenMP region may die
// on the main thread), and per-thread caches would keep those blocks where they are never asked
// for again. The lock is uncontended in practice: kernels allocate before and after their parallel
// loops, not inside them.
//
// Bound: the cached bytes never exceed the peak of live bytes so far. A training loop's temporaries
// are at most that peak, so they all stay cached; blocks of sizes that stop recurring are evicted,
// least recently freed first, once a new block would not fit. Blocks of kLargestCachedBlock or more
// are never cached.
class BlockCache {
 public:
  // Accounts for a new buffer of `bytes` and returns a cached block of that size, or nullptr.
  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_bytes_ += bytes;
    peak_live_bytes_ = std::max(peak_live_bytes_, live_bytes_);
    if (Bin* bin = find(bytes); bin != nullptr && bin->newest != nullptr) {
      FreeBlock* block = bin->newest;  // the newest: most likely still in the CPU caches
      unlink(block, *bin);
      ++cache_hits_;
      return block;
    }
    ++allocations_;
    return nullptr;
  }

  // A malloc for a counted buffer failed: it is not live after all.
  void forget(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_bytes_ -= bytes;
  }

  // Takes back a buffer's block: cached, or freed when it cannot be.
  void give_back(void* allocation, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_bytes_ -= bytes;
    if (!kCacheBlocks || bytes > peak_live_bytes_ || bytes >= kLargestCachedBlock) {
      std::free(allocation);
      return;
    }
    while (cached_bytes_ + bytes > peak_live_bytes_) evict(oldest_);
    Bin* bin = find_or_add(bytes);
    if (bin == nullptr) {  // too many distinct sizes cached at once
      std::free(allocation);
      return;
    }
    auto* block = static_cast<FreeBlock*>(allocation);
    *block = {bytes, newest_, nullptr, bin->newest, nullptr};
    if (newest_ != nullptr) newest_->newer = block;
    newest_ = block;
    if (oldest_ == nullptr) oldest_ = block;
    if (bin->newest != nullptr) bin->newest->newer_same_size = block;
    bin->newest = block;
    cached_bytes_ += bytes;
    ++cached_blocks_;
  }

  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    while (oldest_ != nullptr) evict(oldest_);
  }

  StorageStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {allocations_,           cache_hits_,           int64_t(live_bytes_),
            int64_t(peak_live_bytes_), int64_t(cached_bytes_), cached_blocks_};
  }

 private:
  struct Bin {
    size_t bytes = 0;  // 0: an empty slot (a block has at least kAlignment bytes)
    FreeBlock* newest = nullptr;
  };
  // An open-addressing table of sizes, so looking a size up never allocates. Sizes whose blocks
  // are all gone keep their slot until the table fills up and is rebuilt without them.
  static constexpr size_t kBins = 1024;
  static constexpr size_t kMaxUsedBins = kBins * 3 / 4;

  static size_t slot_of(size_t bytes) { return (bytes * 0x9E3779B97F4A7C15ull) >> 54; }

  Bin* find(size_t bytes) {
    for (size_t i = slot_of(bytes);; i = (i + 1) % kBins) {
      if (bins_[i].bytes == bytes) return &bins_[i];
      if (bins_[i].bytes == 0) return nullptr;
    }
  }

  Bin* find_or_add(size_t bytes) {
    if (Bin* bin = find(bytes)) return bin;
    if (used_bins_ == kMaxUsedBins) {
      rebuild();
      if (used_bins_ == kMaxUsedBins) return nullptr;
    }
    size_t i = slot_of(bytes);
    while (bins_[i].bytes != 0) i = (i + 1) % kBins;
    bins_[i].bytes = bytes;
    ++used_bins_;
    return &bins_[i];
  }

  // Drops the sizes with no cached block.
  void rebuild() {
    Bin old[kBins];
    std::copy(bins_, bins_ + kBins, old);
    std::fill(bins_, bins_ + kBins, Bin{});
    used_bins_ = 0;
    for (const Bin& bin : old) {
      if (bin.newest == nullptr) continue;
      size_t i = slot_of(bin.bytes);
      while (bins_[i].bytes != 0) i = (i + 1) % kBins;
      bins_[i] = bin;
      ++used_bins_;
    }
  }

  void unlink(FreeBlock* block, Bin& bin) {
    (block->older ? block->older->newer : oldest_) = block->newer;
    (block->newer ? block->newer->older : newest_) = block->older;
    if (block->older_same_size) block->older_same_size->newer_same_size = block->newer_same_size;
    (block->newer_same_size ? block->newer_same_size->older_same_size : bin.newest) =
        block->older_same_size;
    cached_bytes_ -= block->bytes;
    --cached_blocks_;
  }

  void evict(FreeBlock* block) {
    unlink(block, *find(block->bytes));
    std::free(block);
  }

  std::mutex mutex_;
  Bin bins_[kBins];
  size_t used_bins_ = 0;
  FreeBlock* oldest_ = nullptr;
  FreeBlock* newest_ = nullptr;
  size_t live_bytes_ = 0;
  size_t peak_live_bytes_ = 0;
  size_t cached_bytes_ = 0;
  int64_t cached_blocks_ = 0;
  int64_t allocations_ = 0;
  int64_t cache_hits_ = 0;
};

// Never destroyed: a static Tensor may free its storage after every other static object is gone.
BlockCache& block_cache() {
  alignas(BlockCache) static unsigned char memory[sizeof(BlockCache)];
  static BlockCache* cache = new (memory) BlockCache();
  return *cache;
}

}  // namespace

Storage::Storage(size_t nbytes) : nbytes_(nbytes) {
  // malloc and align by hand rather than aligned_alloc: glibc's aligned_alloc carves every block
  // out of a larger chunk and took 103 ns for 16 KiB against malloc's 28 ns. A zero-byte storage
  // still gets a valid, unique pointer so empty tensors have somewhere to point.
  const size_t bytes = nbytes + kAlignment;
  allocation_ = block_cache().take(bytes);
  if (allocation_ == nullptr) allocation_ = std::malloc(bytes);
  if (allocation_ == nullptr) block_cache().forget(bytes);
  MINIDL_CHECK(allocation_ != nullptr, "Storage: out of memory allocating " << nbytes << " bytes");
  const uintptr_t address = reinterpret_cast<uintptr_t>(allocation_);
  data_ = reinterpret_cast<void*>((address + kAlignment - 1) / kAlignment * kAlignment);
}

Storage::~Storage() { block_cache().give_back(allocation_, nbytes_ + kAlignment); }

StorageStats storage_stats() { return block_cache().stats(); }

int64_t storage_allocation_count() { return storage_stats().allocations; }

bool storage_cache_enabled() { return kCacheBlocks; }

void release_cached_storage() { block_cache().release(); }

}  // namespace minidl
