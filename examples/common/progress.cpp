#include "examples/common/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "examples/common/parallel.h"

namespace minidl::examples {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  int64_t total = int64_t(std::llround(seconds));
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", (long long)(total / 3600),
                  (long long)(total / 60 % 60), (long long)(total % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", (long long)(total / 60),
                  (long long)(total % 60));
  }
  return buffer;
}

std::string format_thousands(double value) {
  std::string digits = std::to_string(int64_t(std::llround(value)));
  std::string out;
  size_t first = digits[0] == '-' ? 1 : 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

ProgressLine::ProgressLine(std::string label, int64_t total_steps)
    : label_(std::move(label)),
      total_steps_(total_steps),
      interactive_(isatty(fileno(stderr)) != 0),
      silent_(!is_main_rank()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string ProgressLine::render(int64_t step, int64_t samples, const std::string& metrics) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_steps_ > 0 ? double(step) / double(total_steps_) : 1.0;
  constexpr int kBarWidth = 20;
  const int filled = int(fraction * kBarWidth);
  std::ostringstream os;
  os << label_ << "  [" << std::string(size_t(filled), '#')
     << std::string(size_t(kBarWidth - filled), '-') << "]  " << step << '/' << total_steps_;
  if (!metrics.empty()) os << "  " << metrics;
  if (elapsed > 0) os << "  " << format_thousands(double(samples) / elapsed) << " samples/s";
  if (step > 0) os << "  ETA " << format_duration(elapsed / fraction - elapsed);
  return os.str();
}

void ProgressLine::update(int64_t step, int64_t samples, const std::string& metrics) {
  if (silent_) return;
  const auto now = std::chrono::steady_clock::now();
  if (interactive_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && step < total_steps_) return;
    last_draw_ = now;
    std::string line = render(step, samples, metrics);
    // Pad with spaces so a shorter line fully covers the previous one.
    const size_t width = line.size();
    if (width < last_width_) line += std::string(last_width_ - width, ' ');
    last_width_ = width;
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
    return;
  }
  if (total_steps_ > 0 && step * 4 >= next_plain_quarter_ * total_steps_ && step < total_steps_) {
    while (step * 4 >= next_plain_quarter_ * total_steps_) ++next_plain_quarter_;
    std::fprintf(stderr, "%s\n", render(step, samples, metrics).c_str());
  }
}

void ProgressLine::finish(const std::string& summary) {
  if (silent_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = label_ + "  " + summary + "  (" + format_duration(elapsed) + ")";
  if (interactive_ && line.size() < last_width_) line += std::string(last_width_ - line.size(), ' ');
  std::fprintf(stderr, "%s%s\n", interactive_ ? "\r" : "", line.c_str());
  std::fflush(stderr);
}

}  // namespace minidl::examples
