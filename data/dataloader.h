// The DataLoader: batches of a Dataset in a seeded order, reshuffled every epoch, with the next
// batch built on a background thread. Typical use, which also resumes correctly from a
// checkpoint (the loop starts at the restored epoch and next() continues mid-epoch):
//
//   data::DataLoader loader(dataset, {.batch_size = 128, .shuffle = true, .seed = 0});
//   loader.load_state(saved_state);                   // when resuming
//   for (int64_t epoch = loader.epoch(); epoch < epochs; ++epoch) {
//     while (std::optional<data::Batch> batch = loader.next()) {
//       ... train on batch->inputs, batch->labels ...
//     }
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "data/prefetcher.h"
#include "tensor/random.h"

namespace minidl::data {

struct DataLoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;     // a new random order every epoch, else 0, 1, 2, ...
  bool drop_last = false;  // skip the last batch of an epoch when it is smaller than batch_size
  uint64_t seed = 0;       // seeds the loader's own Generator: same seed, same orders
  bool prefetch = true;    // build the next batch on a background thread
  // Data-parallel training: `num_shards` processes (ranks) each take a disjoint slice of every
  // batch of the same seeded order. Batch k of shard r is slice r of batch k of one loader with
  // batch_size * num_shards, so N shards of batch B see exactly the samples one process sees with
  // batch N * B. An epoch's last, smaller batch is split into near-equal slices (the first ranks
  // take one sample more); when it has fewer samples than shards it is dropped, so no rank gets an
  // empty batch.
  int64_t num_shards = 1;
  int64_t shard = 0;  // this process's slice, 0 <= shard < num_shards
};

// Everything needed to continue the exact sequence of batches after a restart.
struct DataLoaderState {
  int64_t epoch = 0;  // epochs completed
  int64_t batch = 0;  // batches handed out in the current epoch
  // The loader's generator at the start of the current epoch, before that epoch's shuffle: the
  // permutation is drawn again from it on restore (cheaper to store than the permutation).
  Generator::State generator{};

  // One line of decimal integers ("epoch batch g0 g1 g2 g3 g4 g5"), for checkpoint metadata.
  std::string to_string() const;
  static DataLoaderState from_string(std::string_view text);
  bool operator==(const DataLoaderState&) const = default;
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});
  // In-memory data: samples are the rows of `inputs`, with optional int64 labels.
  DataLoader(Tensor inputs, Tensor labels, DataLoaderOptions options = {});

  // The next batch of the current epoch. At the end of an epoch it returns std::nullopt once,
  // epoch() goes up by one and the next call starts the following epoch in a new order.
  std::optional<Batch> next();

  int64_t epoch() const { return epoch_; }
  int64_t batch_in_epoch() const { return batch_; }
  int64_t batches_per_epoch() const;  // the same on every shard
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }

  DataLoaderState state() const;
  void load_state(const DataLoaderState& state);

 private:
  void begin_epoch();  // records the generator state, draws the epoch's order, prefetches batch 0
  std::vector<int64_t> batch_indices(int64_t batch) const;
  void prefetch_current();

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  Generator generator_;
  Generator::State epoch_start_{};
  std::vector<int64_t> order_;  // this epoch's sample order
  int64_t epoch_ = 0;
  int64_t batch_ = 0;
  std::unique_ptr<Prefetcher> prefetcher_;  // null when options.prefetch is false
};

}  // namespace minidl::data
