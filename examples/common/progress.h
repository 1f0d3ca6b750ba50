// The progress line the trainers print while an epoch runs:
//   epoch 3/10  [##########----------]  234/469  loss 251.32  18,204 samples/s  ETA 0:07
// On a terminal it is redrawn in place (at most 10 times a second); when the output is a file or
// a pipe (CI logs), it prints a plain line at every 25% instead, so logs stay short and readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace minidl::examples {

class ProgressLine {
 public:
  // `label` starts the line ("epoch 3/10"); `total_steps` is the number of batches in the epoch.
  ProgressLine(std::string label, int64_t total_steps);

  // After step `step` (1-based) of the epoch, which processed `samples` samples in total so far;
  // `metrics` is the running loss text ("loss 251.32").
  void update(int64_t step, int64_t samples, const std::string& metrics);

  // Ends the line with the epoch's summary (always printed, terminal or not).
  void finish(const std::string& summary);

 private:
  std::string render(int64_t step, int64_t samples, const std::string& metrics) const;

  std::string label_;
  int64_t total_steps_;
  bool interactive_;
  bool silent_;  // on every rank but 0 of a data-parallel run
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t next_plain_quarter_ = 1;
  size_t last_width_ = 0;
};

// "1:02:03" or "2:03".
std::string format_duration(double seconds);
// 18204.7 -> "18,205".
std::string format_thousands(double value);

}  // namespace minidl::examples
