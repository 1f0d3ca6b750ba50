#include "data/dataloader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>

#include "tensor/tensor.h"
#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

namespace {

// Sample i has inputs [i, 100 + i] and label i % 3, so batches show which samples they hold.
std::shared_ptr<TensorDataset> numbered_dataset(int64_t n) {
  std::vector<float> inputs;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    inputs.push_back(float(i));
    inputs.push_back(float(100 + i));
    labels.push_back(i % 3);
  }
  return std::make_shared<TensorDataset>(from_vector(inputs, {n, 2}), from_vector(labels, {n}));
}

// Every batch of one epoch (until next() returns nullopt), checking each batch's contents
// against its indices.
std::vector<std::vector<int64_t>> one_epoch(DataLoader& loader) {
  std::vector<std::vector<int64_t>> batches;
  while (std::optional<Batch> batch = loader.next()) {
    const std::vector<float> inputs = batch->inputs.to_vector<float>();
    const std::vector<int64_t> labels = batch->labels.to_vector<int64_t>();
    EXPECT_EQ(batch->inputs.shape(), (Shape{batch->size(), 2}));
    for (int64_t i = 0; i < batch->size(); ++i) {
      const int64_t index = batch->indices[size_t(i)];
      EXPECT_EQ(inputs[size_t(2 * i)], float(index));
      EXPECT_EQ(inputs[size_t(2 * i + 1)], float(100 + index));
      EXPECT_EQ(labels[size_t(i)], index % 3);
    }
    batches.push_back(batch->indices);
  }
  return batches;
}

std::vector<int64_t> flatten(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> all;
  for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
  return all;
}

std::vector<int64_t> iota_vector(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t(0));
  return v;
}

}  // namespace

TEST(DataLoader, EachSampleExactlyOncePerEpochInBatchesOfTheRightSize) {
  for (bool prefetch : {false, true}) {
    DataLoader loader(numbered_dataset(10), {.batch_size = 3, .seed = 7, .prefetch = prefetch});
    EXPECT_EQ(loader.batches_per_epoch(), 4);
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
      EXPECT_EQ(loader.epoch(), epoch);
      const auto batches = one_epoch(loader);
      ASSERT_EQ(batches.size(), 4u);
      EXPECT_EQ(batches[0].size(), 3u);
      EXPECT_EQ(batches[3].size(), 1u);  // 10 = 3 + 3 + 3 + 1
      std::vector<int64_t> all = flatten(batches);
      std::sort(all.begin(), all.end());
      EXPECT_EQ(all, iota_vector(10));
    }
    EXPECT_EQ(loader.epoch(), 3);
  }
}

TEST(DataLoader, OrderComesFromTheSeed) {
  DataLoader a(numbered_dataset(50), {.batch_size = 8, .seed = 42});
  DataLoader b(numbered_dataset(50), {.batch_size = 8, .seed = 42});
  DataLoader c(numbered_dataset(50), {.batch_size = 8, .seed = 43});
  // The first epoch's order is the seed's first permutation, the second epoch's the next one.
  Generator reference(42);
  const std::vector<int64_t> first = randperm(50, reference).to_vector<int64_t>();
  const std::vector<int64_t> second = randperm(50, reference).to_vector<int64_t>();
  const std::vector<int64_t> a1 = flatten(one_epoch(a)), a2 = flatten(one_epoch(a));
  EXPECT_EQ(a1, first);
  EXPECT_EQ(a2, second);
  EXPECT_NE(a1, a2);  // reshuffled every epoch
  EXPECT_EQ(flatten(one_epoch(b)), a1);
  EXPECT_NE(flatten(one_epoch(c)), a1);
}

TEST(DataLoader, NoShuffleKeepsDatasetOrder) {
  DataLoader loader(numbered_dataset(7), {.batch_size = 2, .shuffle = false});
  EXPECT_EQ(flatten(one_epoch(loader)), iota_vector(7));
  EXPECT_EQ(flatten(one_epoch(loader)), iota_vector(7));
}

TEST(DataLoader, DropLast) {
  DataLoader loader(numbered_dataset(10), {.batch_size = 3, .drop_last = true, .seed = 1});
  EXPECT_EQ(loader.batches_per_epoch(), 3);
  for (int epoch = 0; epoch < 2; ++epoch) {
    const auto batches = one_epoch(loader);
    ASSERT_EQ(batches.size(), 3u);
    for (const auto& b : batches) EXPECT_EQ(b.size(), 3u);
    // The nine samples are distinct: the dropped one differs between epochs, not duplicates.
    std::vector<int64_t> all = flatten(batches);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
  }
}

TEST(DataLoader, PrefetchGivesTheSameBatches) {
  DataLoader with(numbered_dataset(23), {.batch_size = 4, .seed = 5, .prefetch = true});
  DataLoader without(numbered_dataset(23), {.batch_size = 4, .seed = 5, .prefetch = false});
  for (int epoch = 0; epoch < 3; ++epoch) EXPECT_EQ(one_epoch(with), one_epoch(without));
}

namespace {

// A dataset that records on which thread each batch is built and lets a test wait until a given
// number of batches has been built.
class ObservedDataset : public Dataset {
 public:
  int64_t size() const override { return 8; }
  Batch get_batch(std::span<const int64_t> indices) const override {
    Batch batch;
    batch.indices.assign(indices.begin(), indices.end());
    batch.inputs = zeros({int64_t(indices.size()), 1});
    std::lock_guard lock(mutex_);
    threads_.push_back(std::this_thread::get_id());
    changed_.notify_all();
    return batch;
  }
  // Waits (up to 10 s) until `count` batches have been built; false on timeout.
  bool wait_for_builds(size_t count) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return threads_.size() >= count; });
  }
  std::vector<std::thread::id> threads() const {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  mutable std::vector<std::thread::id> threads_;
};

// Throws while building the batch holding sample 5.
class FailingDataset : public Dataset {
 public:
  int64_t size() const override { return 8; }
  Batch get_batch(std::span<const int64_t> indices) const override {
    for (int64_t i : indices) MINIDL_CHECK(i != 5, "failing dataset: sample " << i << " is bad");
    Batch batch;
    batch.indices.assign(indices.begin(), indices.end());
    batch.inputs = zeros({int64_t(indices.size()), 1});
    return batch;
  }
};

}  // namespace

TEST(DataLoader, NextBatchIsBuiltInTheBackground) {
  auto dataset = std::make_shared<ObservedDataset>();
  DataLoader loader(dataset, {.batch_size = 2, .shuffle = false});
  // Batch 0 is started as the epoch begins; after taking it, batch 1 gets built while this thread
  // does nothing more (the "training step").
  std::optional<Batch> batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  ASSERT_TRUE(dataset->wait_for_builds(2)) << "batch 1 was not built in the background";
  for (std::thread::id id : dataset->threads()) EXPECT_NE(id, std::this_thread::get_id());
  EXPECT_EQ(loader.next()->indices, (std::vector<int64_t>{2, 3}));
}

TEST(DataLoader, ErrorsFromTheBackgroundReachTheCaller) {
  DataLoader loader(std::make_shared<FailingDataset>(), {.batch_size = 2, .shuffle = false});
  EXPECT_EQ(loader.next()->indices, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(loader.next()->indices, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(error_message([&] { loader.next(); }), "failing dataset: sample 5 is bad");
  // The failed batch is not skipped: asking again rebuilds it and fails again.
  EXPECT_EQ(error_message([&] { loader.next(); }), "failing dataset: sample 5 is bad");
  EXPECT_EQ(loader.batch_in_epoch(), 2);
}

TEST(DataLoader, ResumesBitExactlyFromItsState) {
  const DataLoaderOptions options{.batch_size = 4, .seed = 11};
  DataLoader original(numbered_dataset(18), options);  // 5 batches per epoch
  // Record the whole run, and the state before every next() call.
  std::vector<DataLoaderState> states;
  std::vector<std::optional<std::vector<int64_t>>> calls;
  for (int i = 0; i < 3 * 6; ++i) {
    states.push_back(original.state());
    std::optional<Batch> batch = original.next();
    calls.push_back(batch ? std::optional(batch->indices) : std::nullopt);
  }
  // Resuming from any of those states (through its text form, as a checkpoint stores it) must
  // replay exactly the same calls from there on.
  for (size_t start = 0; start < calls.size(); ++start) {
    DataLoader resumed(numbered_dataset(18), options);
    resumed.load_state(DataLoaderState::from_string(states[start].to_string()));
    EXPECT_EQ(resumed.state(), states[start]);
    for (size_t i = start; i < calls.size(); ++i) {
      std::optional<Batch> batch = resumed.next();
      ASSERT_EQ(batch.has_value(), calls[i].has_value()) << "call " << i << " from " << start;
      if (batch) {
        EXPECT_EQ(batch->indices, *calls[i]) << "call " << i << " from " << start;
      }
    }
  }
  EXPECT_EQ(states[8].epoch, 1);  // 6 calls per epoch: 5 batches and the end-of-epoch nullopt
  EXPECT_EQ(states[8].batch, 2);
}

TEST(DataLoader, StateText) {
  DataLoaderState state{.epoch = 3, .batch = 17, .generator = {1, 2, 3, 4, 0, 5}};
  EXPECT_EQ(state.to_string(), "3 17 1 2 3 4 0 5");
  EXPECT_EQ(DataLoaderState::from_string("3 17 1 2 3 4 0 5"), state);
  EXPECT_THAT(error_message([] { DataLoaderState::from_string("3 17 1 2"); }),
              HasSubstr("DataLoaderState: cannot parse \"3 17 1 2\""));
  EXPECT_THAT(error_message([] { DataLoaderState::from_string("3 17 1 2 3 4 0 5 9"); }),
              HasSubstr("expected 8 non-negative integers"));
  // Parsed whole: no wrapping of "-1", no "12abc" read as 12, no stray spaces or signs.
  for (const char* bad : {"3 17 -1 2 3 4 0 5", "3 17 1 2 3 4 0 5abc", "3 17 1 2 3 4 0 5 ",
                          " 3 17 1 2 3 4 0 5", "3  17 1 2 3 4 0 5", "+3 17 1 2 3 4 0 5",
                          "3 17 1 2 3 4 0 18446744073709551616", "-3 17 1 2 3 4 0 5"}) {
    EXPECT_THAT(error_message([&] { DataLoaderState::from_string(bad); }),
                HasSubstr("expected 8 non-negative integers"))
        << bad;
  }
}

TEST(DataLoader, BadArguments) {
  EXPECT_EQ(error_message([] { DataLoader(numbered_dataset(4), {.batch_size = 0}); }),
            "DataLoader: batch_size must be positive, got 0");
  EXPECT_EQ(
      error_message([] { DataLoader(numbered_dataset(4), {.batch_size = 5, .drop_last = true}); }),
      "DataLoader: drop_last with batch_size 5 leaves no batch of a 4-sample dataset");
  EXPECT_EQ(error_message([] {
              DataLoader(zeros({0, 3}), Tensor(), {});
            }),
            "DataLoader: the dataset is empty");
  EXPECT_EQ(error_message([] {
              TensorDataset(zeros({4, 3}), zeros({3}, DType::Int64));
            }),
            "TensorDataset: 4 inputs but 3 labels");
  EXPECT_EQ(error_message([] {
              TensorDataset(zeros({4, 3}), zeros({4}));
            }),
            "TensorDataset: labels must be int64 [N], got float32 [4]");
  DataLoader loader(numbered_dataset(4), {.batch_size = 2});
  EXPECT_EQ(error_message([&] { loader.load_state({.epoch = 0, .batch = 3, .generator = {1}}); }),
            "DataLoader::load_state: batch 3 of epoch 0 is outside this loader's 2 batches per "
            "epoch");
  EXPECT_THAT(error_message([&] { loader.load_state({.epoch = 0, .batch = 1, .generator = {}}); }),
              HasSubstr("all-zero state"));
  EXPECT_EQ(loader.state().batch, 0);  // a rejected state changes nothing
  // The end of an epoch counts one more: INT64_MAX would wrap epoch() to INT64_MIN.
  EXPECT_EQ(error_message([&] {
              loader.load_state(
                  {.epoch = std::numeric_limits<int64_t>::max(), .batch = 2, .generator = {1}});
            }),
            "DataLoader::load_state: epoch 9223372036854775807 leaves no room to count the next "
            "epoch");
  EXPECT_EQ(loader.epoch(), 0);
}

TEST(DataLoader, UnlabelledData) {
  DataLoader loader(zeros({5, 2}), Tensor(), {.batch_size = 5});
  std::optional<Batch> batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_FALSE(batch->labels.defined());
  EXPECT_EQ(batch->inputs.shape(), (Shape{5, 2}));
}

TEST(DataLoaderShards, ShardsOfBatchBAreTheSlicesOfOneLoaderWithBatchNTimesB) {
  // 23 samples, 3 shards of batch 2: global batches of 6, then a last one of 5 split 2 + 2 + 1.
  const int64_t shards = 3;
  DataLoader whole(numbered_dataset(23), {.batch_size = 2 * shards, .seed = 9});
  std::vector<std::unique_ptr<DataLoader>> parts;
  for (int64_t r = 0; r < shards; ++r) {
    parts.push_back(std::make_unique<DataLoader>(
        numbered_dataset(23),
        DataLoaderOptions{.batch_size = 2, .seed = 9, .num_shards = shards, .shard = r}));
    EXPECT_EQ(parts.back()->batches_per_epoch(), whole.batches_per_epoch());
  }
  for (int epoch = 0; epoch < 2; ++epoch) {
    const auto expected = one_epoch(whole);
    std::vector<std::vector<std::vector<int64_t>>> got;
    for (auto& part : parts) got.push_back(one_epoch(*part));
    ASSERT_EQ(expected.size(), 4u);
    for (size_t b = 0; b < expected.size(); ++b) {
      std::vector<int64_t> joined;
      for (int64_t r = 0; r < shards; ++r) {
        ASSERT_EQ(got[size_t(r)].size(), expected.size());
        const auto& slice = got[size_t(r)][b];
        EXPECT_EQ(slice.size(), b < 3 ? 2u : (r < 2 ? 2u : 1u)) << "batch " << b << " shard " << r;
        joined.insert(joined.end(), slice.begin(), slice.end());
      }
      EXPECT_EQ(joined, expected[b]) << "batch " << b;
    }
  }
}

TEST(DataLoaderShards, ALastBatchSmallerThanTheShardCountIsDropped) {
  // 13 = 2 * 6 + 1: the last sample cannot be split among 3 shards without empty batches.
  DataLoader part(numbered_dataset(13), {.batch_size = 2, .seed = 1, .num_shards = 3, .shard = 2});
  EXPECT_EQ(part.batches_per_epoch(), 2);
  for (const auto& b : one_epoch(part)) EXPECT_EQ(b.size(), 2u);
}

TEST(DataLoaderShards, ResumeRestoresTheShardsPosition) {
  const DataLoaderOptions options{.batch_size = 3, .seed = 4, .num_shards = 2, .shard = 1};
  DataLoader original(numbered_dataset(20), options);
  for (int i = 0; i < 5; ++i) original.next();  // into the second epoch
  const DataLoaderState state = original.state();
  DataLoader resumed(numbered_dataset(20), options);
  resumed.load_state(state);
  for (int i = 0; i < 8; ++i) {
    std::optional<Batch> a = original.next(), b = resumed.next();
    ASSERT_EQ(a.has_value(), b.has_value());
    if (a) {
      EXPECT_EQ(a->indices, b->indices);
    }
  }
}

TEST(DataLoaderShards, BadShardIsAnError) {
  try {
    DataLoader loader(numbered_dataset(5), {.num_shards = 2, .shard = 2});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("shard 2 of 2 shards"));
  }
}
