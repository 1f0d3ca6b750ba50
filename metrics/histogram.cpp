#include "metrics/histogram.h"

#include <cmath>
#include <vector>

namespace minidl::metrics {

namespace {

void check_bins(const Bins& bins, const char* op) {
  MINIDL_CHECK(bins.count >= 1,
               op << ": the number of bins must be at least 1, got " << bins.count);
  MINIDL_CHECK(std::isfinite(bins.low) && std::isfinite(bins.high) && bins.low < bins.high,
               op << ": the bin range [" << bins.low << ", " << bins.high
                  << "] must be finite with low < high");
}

// Visits the elements of `values` in row-major order as doubles, whatever their dtype and layout.
template <typename Fn>
void for_each_value(const Tensor& values, Fn&& fn) {
  Tensor c = values.contiguous();
  dispatch_all(c.dtype(), [&]<typename T>() {
    const T* p = c.data<T>();
    for (int64_t i = 0; i < c.numel(); ++i) fn(i, static_cast<double>(p[i]));
  });
}

// The bin of `value`, after checking that it lies in the range; `op` and `index` name the culprit.
int64_t checked_bin(double value, const Bins& bins, const char* op, int64_t index) {
  MINIDL_CHECK(value >= bins.low && value <= bins.high,  // false for NaN too
               op << ": value " << value << " at element " << index << " is outside the bin range ["
                  << bins.low << ", " << bins.high << "]");
  return bin_index(value, bins);
}

}  // namespace

int64_t bin_index(double value, const Bins& bins) {
  // Computed in float64 from the fraction of the range, as numpy does; the clamp puts `high` (and
  // any value that rounds to the upper edge) into the last bin.
  const double fraction = (value - bins.low) / (bins.high - bins.low);
  const auto bin = static_cast<int64_t>(std::floor(fraction * static_cast<double>(bins.count)));
  return std::min(std::max<int64_t>(bin, 0), bins.count - 1);
}

Tensor histogram(const Tensor& values, const Bins& bins) {
  MINIDL_CHECK(values.defined(), "histogram: undefined tensor");
  check_bins(bins, "histogram");
  // Integer counts: exact for any number of samples, where float32 counts stop growing at 2^24.
  std::vector<int64_t> counts(static_cast<size_t>(bins.count), 0);
  for_each_value(values, [&](int64_t i, double v) {
    ++counts[static_cast<size_t>(checked_bin(v, bins, "histogram", i))];
  });
  return from_vector(std::vector<double>(counts.begin(), counts.end()), {bins.count});
}

Tensor joint_histogram(const Tensor& x, const Tensor& y, const Bins& bins_x, const Bins& bins_y) {
  MINIDL_CHECK(x.defined() && y.defined(), "joint_histogram: undefined tensor");
  MINIDL_CHECK(x.shape() == y.shape(),
               "joint_histogram: shapes " << x.shape() << " and " << y.shape() << " differ");
  check_bins(bins_x, "joint_histogram");
  check_bins(bins_y, "joint_histogram");
  std::vector<int64_t> rows(static_cast<size_t>(x.numel()));
  for_each_value(x, [&](int64_t i, double v) {
    rows[static_cast<size_t>(i)] = checked_bin(v, bins_x, "joint_histogram", i);
  });
  std::vector<int64_t> counts(static_cast<size_t>(bins_x.count * bins_y.count), 0);
  for_each_value(y, [&](int64_t i, double v) {
    const int64_t column = checked_bin(v, bins_y, "joint_histogram", i);
    ++counts[static_cast<size_t>(rows[static_cast<size_t>(i)] * bins_y.count + column)];
  });
  return from_vector(std::vector<double>(counts.begin(), counts.end()),
                     {bins_x.count, bins_y.count});
}

}  // namespace minidl::metrics
