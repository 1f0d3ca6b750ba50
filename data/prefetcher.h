// Builds the next batch on a background thread while the caller trains on the current one. One
// long-lived std::thread and at most one batch in flight: with Fashion-MNIST in memory a batch
// takes microseconds to gather, with an image folder it means decoding files, and either way the
// work overlaps with the training step instead of adding to it.
#pragma once

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "data/dataset.h"

namespace minidl::data {

class Prefetcher {
 public:
  explicit Prefetcher(std::shared_ptr<const Dataset> dataset);
  ~Prefetcher();  // waits for a batch in flight, then stops the thread
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // Starts building the batch of these sample indices. Nothing may be in flight.
  void start(std::vector<int64_t> indices);
  // True between start() and take() / discard().
  bool in_flight() const { return in_flight_; }
  // Waits for the batch started last and returns it; an exception thrown while building it
  // (an undecodable image, say) is rethrown here, on the caller's thread.
  Batch take();
  // Waits for the batch in flight, if any, and drops it.
  void discard();

 private:
  void run();

  std::shared_ptr<const Dataset> dataset_;
  std::mutex mutex_;
  std::condition_variable wake_;  // the worker waits here for a request or stop
  std::condition_variable done_;  // the caller waits here for the result
  std::optional<std::vector<int64_t>> request_;
  std::optional<Batch> result_;
  std::exception_ptr error_;
  bool stop_ = false;
  bool in_flight_ = false;  // only touched by the caller's thread
  std::thread thread_;      // last: started after every other member is constructed
};

}  // namespace minidl::data
