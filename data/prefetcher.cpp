#include "data/prefetcher.h"

#include <utility>

namespace minidl::data {

Prefetcher::Prefetcher(std::shared_ptr<const Dataset> dataset)
    : dataset_(std::move(dataset)), thread_([this] { run(); }) {}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Prefetcher::start(std::vector<int64_t> indices) {
  MINIDL_CHECK(!in_flight_, "Prefetcher: start() while a batch is already in flight");
  {
    std::lock_guard lock(mutex_);
    request_ = std::move(indices);
  }
  in_flight_ = true;
  wake_.notify_one();
}

Batch Prefetcher::take() {
  MINIDL_CHECK(in_flight_, "Prefetcher: take() with no batch in flight");
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return result_.has_value() || error_ != nullptr; });
  in_flight_ = false;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  Batch batch = std::move(*result_);
  result_.reset();
  return batch;
}

void Prefetcher::discard() {
  if (!in_flight_) return;
  try {
    (void)take();
  } catch (...) {
    // The batch is being thrown away, and so is whatever went wrong while building it.
  }
}

void Prefetcher::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || request_.has_value(); });
    if (stop_) return;
    std::vector<int64_t> indices = std::move(*request_);
    request_.reset();
    lock.unlock();  // build without the lock so take() can wait on it
    std::optional<Batch> batch;
    std::exception_ptr error;
    try {
      batch = dataset_->get_batch(indices);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    result_ = std::move(batch);
    error_ = error;
    done_.notify_one();
  }
}

}  // namespace minidl::data
