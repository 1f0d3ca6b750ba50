#include "data/dataloader.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <numeric>
#include <sstream>

namespace minidl::data {

std::string DataLoaderState::to_string() const {
  std::ostringstream out;
  out << epoch << ' ' << batch;
  for (uint64_t word : generator) out << ' ' << word;
  return out.str();
}

DataLoaderState DataLoaderState::from_string(std::string_view text) {
  // Exactly what to_string writes: 8 decimal integers separated by single spaces. (istream would
  // read "-1" as a generator word of 2^64 - 1 and "12abc" as 12.)
  DataLoaderState state;
  const char* p = text.data();
  const char* end = p + text.size();
  bool ok = true;
  auto next = [&](auto& value, bool first) {
    if (!first) ok = ok && p < end && *p++ == ' ';
    if (!ok) return;
    const auto [after, error] = std::from_chars(p, end, value);
    ok = error == std::errc() && after != p;
    p = after;
  };
  next(state.epoch, true);
  next(state.batch, false);
  for (uint64_t& word : state.generator) next(word, false);
  MINIDL_CHECK(ok && p == end && state.epoch >= 0 && state.batch >= 0,
               "DataLoaderState: cannot parse \""
                   << text
                   << "\": expected 8 non-negative integers (epoch, batch, 6 generator words)");
  return state;
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options), generator_(options.seed) {
  MINIDL_CHECK(dataset_ != nullptr, "DataLoader: no dataset");
  MINIDL_CHECK(options_.batch_size > 0,
               "DataLoader: batch_size must be positive, got " << options_.batch_size);
  MINIDL_CHECK(dataset_->size() > 0, "DataLoader: the dataset is empty");
  MINIDL_CHECK(options_.num_shards > 0 && options_.shard >= 0 &&
                   options_.shard < options_.num_shards,
               "DataLoader: shard " << options_.shard << " of " << options_.num_shards
                                    << " shards: need num_shards > 0 and 0 <= shard < num_shards");
  MINIDL_CHECK(batches_per_epoch() > 0, "DataLoader: drop_last with batch_size "
                                            << options_.batch_size << " leaves no batch of a "
                                            << dataset_->size() << "-sample dataset");
  if (options_.prefetch) prefetcher_ = std::make_unique<Prefetcher>(dataset_);
  begin_epoch();
}

DataLoader::DataLoader(Tensor inputs, Tensor labels, DataLoaderOptions options)
    : DataLoader(std::make_shared<TensorDataset>(std::move(inputs), std::move(labels)), options) {}

int64_t DataLoader::batches_per_epoch() const {
  const int64_t n = dataset_->size(), b = options_.batch_size * options_.num_shards;
  const int64_t remainder = n % b;
  const bool keep_last = !options_.drop_last && remainder >= options_.num_shards;
  return n / b + (keep_last ? 1 : 0);
}

void DataLoader::begin_epoch() {
  epoch_start_ = generator_.state();
  if (options_.shuffle) {
    order_ = randperm(dataset_->size(), generator_).to_vector<int64_t>();
  } else {
    order_.resize(size_t(dataset_->size()));
    std::iota(order_.begin(), order_.end(), int64_t(0));
  }
  batch_ = 0;
  prefetch_current();
}

std::vector<int64_t> DataLoader::batch_indices(int64_t batch) const {
  // The whole batch of all shards, then this shard's slice of it.
  const int64_t shards = options_.num_shards, shard = options_.shard;
  const int64_t global = options_.batch_size * shards;
  const int64_t begin = batch * global;
  const int64_t size = std::min(global, int64_t(order_.size()) - begin);
  const int64_t base = size / shards, extra = size % shards;
  const int64_t first = begin + shard * base + std::min(shard, extra);
  const int64_t count = base + (shard < extra ? 1 : 0);
  return {order_.begin() + first, order_.begin() + first + count};
}

void DataLoader::prefetch_current() {
  if (prefetcher_ && batch_ < batches_per_epoch()) prefetcher_->start(batch_indices(batch_));
}

std::optional<Batch> DataLoader::next() {
  if (batch_ == batches_per_epoch()) {
    // load_state refuses INT64_MAX, so this holds; the check keeps the count from wrapping.
    MINIDL_CHECK(epoch_ < std::numeric_limits<int64_t>::max(),
                 "DataLoader::next: the epoch count " << epoch_ << " cannot go up");
    ++epoch_;
    begin_epoch();
    return std::nullopt;
  }
  // Nothing is in flight without prefetching, or when building this batch threw last time (the
  // call is then simply retried here).
  Batch batch = prefetcher_ && prefetcher_->in_flight()
                    ? prefetcher_->take()
                    : dataset_->get_batch(batch_indices(batch_));
  ++batch_;
  prefetch_current();
  return batch;
}

DataLoaderState DataLoader::state() const { return {epoch_, batch_, epoch_start_}; }

void DataLoader::load_state(const DataLoaderState& state) {
  MINIDL_CHECK(state.epoch >= 0 && state.batch >= 0 && state.batch <= batches_per_epoch(),
               "DataLoader::load_state: batch " << state.batch << " of epoch " << state.epoch
                                                << " is outside this loader's "
                                                << batches_per_epoch() << " batches per epoch");
  // The end of the epoch adds one: at INT64_MAX epoch() would wrap to INT64_MIN.
  MINIDL_CHECK(
      state.epoch < std::numeric_limits<int64_t>::max(),
      "DataLoader::load_state: epoch " << state.epoch << " leaves no room to count the next epoch");
  Generator restored;
  restored.set_state(state.generator);  // validates before anything changes
  if (prefetcher_) prefetcher_->discard();
  generator_ = restored;
  epoch_ = state.epoch;
  begin_epoch();
  if (prefetcher_) prefetcher_->discard();  // begin_epoch prefetched batch 0
  batch_ = state.batch;
  prefetch_current();
}

}  // namespace minidl::data
