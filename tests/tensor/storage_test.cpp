// The storage cache: freed buffers are reused by size across threads, counted, and bounded by the
// peak of live storage bytes.
#include <gtest/gtest.h>

#include <thread>

#include "tensor/tensor.h"

using namespace minidl;

namespace {

class StorageCache : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!storage_cache_enabled()) GTEST_SKIP() << "sanitizer build: storage bypasses the cache";
  }
};

TEST_F(StorageCache, AFreedBufferServesTheNextOfItsSizeWithoutMalloc) {
  const void* first = nullptr;
  { first = Tensor::empty({12345}, DType::Float32).storage()->data(); }
  const StorageStats before = storage_stats();
  Tensor again = Tensor::empty({12345}, DType::Float32);
  const StorageStats after = storage_stats();
  EXPECT_EQ(again.storage()->data(), first);
  EXPECT_EQ(after.allocations, before.allocations);
  EXPECT_EQ(after.cache_hits, before.cache_hits + 1);
}

TEST_F(StorageCache, AnotherSizeReachesMalloc) {
  { Tensor t = Tensor::empty({1000}, DType::Float32); }
  const int64_t before = storage_allocation_count();
  Tensor other = Tensor::empty({1000 + 77777}, DType::Float32);
  EXPECT_EQ(storage_allocation_count(), before + 1);
}

TEST_F(StorageCache, ABufferFreedOnAnotherThreadIsReusedHere) {
  Tensor made_here = Tensor::empty({54321}, DType::Float64);
  const void* data = made_here.storage()->data();
  std::thread([t = std::move(made_here)]() mutable { t = Tensor(); }).join();
  const int64_t before = storage_allocation_count();
  Tensor again = Tensor::empty({54321}, DType::Float64);
  EXPECT_EQ(storage_allocation_count(), before);
  EXPECT_EQ(again.storage()->data(), data);
}

TEST_F(StorageCache, CachedBytesStayWithinThePeakOfLiveBytes) {
  // Many sizes that never recur: the cache evicts rather than grows.
  for (int64_t i = 1; i <= 300; ++i) {
    Tensor t = Tensor::empty({1000 * i + 13}, DType::Float32);
    const StorageStats s = storage_stats();
    ASSERT_LE(s.cached_bytes, s.peak_live_bytes) << "after size " << i;
    ASSERT_LE(s.live_bytes, s.peak_live_bytes);
  }
  const StorageStats s = storage_stats();
  EXPECT_LE(s.cached_bytes, s.peak_live_bytes);
  EXPECT_GT(s.cached_blocks, 0);
}

TEST_F(StorageCache, ABlockOf32MiBOrMoreGoesBackToMalloc) {
  // A one-off buffer that large (a data set's raw bytes) must not stay resident for the whole run.
  const int64_t cached_before = storage_stats().cached_bytes;
  { Tensor large = Tensor::empty({int64_t(8) << 20}, DType::Float32); }
  const StorageStats s = storage_stats();
  EXPECT_EQ(s.cached_bytes, cached_before);
  Tensor again = Tensor::empty({int64_t(8) << 20}, DType::Float32);
  EXPECT_EQ(storage_allocation_count(), s.allocations + 1);
}

TEST_F(StorageCache, ReleaseEmptiesTheCache) {
  { Tensor t = Tensor::empty({4096}, DType::Float32); }
  EXPECT_GT(storage_stats().cached_blocks, 0);
  release_cached_storage();
  const StorageStats s = storage_stats();
  EXPECT_EQ(s.cached_blocks, 0);
  EXPECT_EQ(s.cached_bytes, 0);
  const int64_t before = storage_allocation_count();
  Tensor t = Tensor::empty({4096}, DType::Float32);
  EXPECT_EQ(storage_allocation_count(), before + 1);
}

TEST(StorageCounters, LiveBytesFollowBuffers) {
  const int64_t before = storage_stats().live_bytes;
  Tensor t = Tensor::empty({1 << 16}, DType::Float32);
  EXPECT_GE(storage_stats().live_bytes - before, int64_t(4) << 16);
  t = Tensor();
  EXPECT_EQ(storage_stats().live_bytes, before);
}

}  // namespace
