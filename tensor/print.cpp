// operator<< for Tensor, in NumPy's layout: nested brackets, aligned columns, and "..." in place of
// the middle of any axis longer than 6 when the tensor has more than 1000 elements.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "tensor/core.h"

namespace minidl {

namespace {

constexpr int64_t kSummariseAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Printer {
  const std::vector<double>& values;
  const Shape& shape;
  bool summarise;
  bool integral;
  bool scientific;
  int width;

  std::string format(double v) const {
    std::ostringstream os;
    if (integral) {
      os << int64_t(v);
    } else if (std::isnan(v) || std::isinf(v)) {
      os << (std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    } else if (scientific) {
      os << std::scientific << std::setprecision(4) << v;
    } else {
      os << std::fixed << std::setprecision(4) << v;
    }
    return os.str();
  }

  // Prints the block starting at flat `offset` covering axes [axis, ndim).
  void print(std::ostream& os, size_t axis, int64_t offset, int indent) const {
    const int64_t n = shape[axis];
    int64_t block = 1;
    for (size_t d = axis + 1; d < shape.size(); ++d) block *= shape[d];
    os << '[';
    bool elide = summarise && n > 2 * kEdgeItems;
    for (int64_t i = 0; i < n; ++i) {
      if (elide && i == kEdgeItems) {
        os << (axis + 1 == shape.size() ? "..., "
                                        : "...,\n" + std::string(size_t(indent + 1), ' '));
        i = n - kEdgeItems;
      }
      if (axis + 1 == shape.size()) {
        os << std::setw(width) << format(values[size_t(offset + i)]);
      } else {
        print(os, axis + 1, offset + i * block, indent + 1);
      }
      if (i + 1 < n) {
        if (axis + 1 == shape.size()) {
          os << ", ";
        } else {
          os << ',' << std::string(shape.size() - axis - 1, '\n')
             << std::string(size_t(indent + 1), ' ');
        }
      }
    }
    os << ']';
  }
};

// Flat indices of the values that will be shown: all of them, or only the first and last
// kEdgeItems along each long axis when summarising.
void collect_shown(const Shape& shape, bool summarise, size_t axis, int64_t offset,
                   std::vector<int64_t>& out) {
  if (axis == shape.size()) {
    out.push_back(offset);
    return;
  }
  const int64_t n = shape[axis];
  int64_t block = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d) block *= shape[d];
  const bool elide = summarise && n > 2 * kEdgeItems;
  for (int64_t i = 0; i < n; ++i) {
    if (elide && i == kEdgeItems) i = n - kEdgeItems;
    collect_shown(shape, summarise, axis + 1, offset + i * block, out);
  }
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  std::vector<double> values = t.to_vector<double>();
  const bool summarise = t.numel() > kSummariseAbove;
  std::vector<int64_t> shown;
  if (t.numel() > 0) collect_shown(t.shape(), summarise, 0, 0, shown);
  // As NumPy, the notation and the column width depend only on the values shown.
  bool integral = !is_floating(t.dtype());
  double largest = 0, smallest_nonzero = INFINITY;
  for (int64_t i : shown) {
    const double v = values[size_t(i)];
    if (!std::isfinite(v)) continue;
    largest = std::max(largest, std::abs(v));
    if (v != 0) smallest_nonzero = std::min(smallest_nonzero, std::abs(v));
  }
  Printer printer{values,
                  t.shape(),
                  summarise,
                  integral,
                  !integral && (largest >= 1e5 || smallest_nonzero < 1e-4),
                  0};
  for (int64_t i : shown) {
    printer.width = std::max<int>(printer.width, int(printer.format(values[size_t(i)]).size()));
  }
  os << "tensor(";
  if (t.dim() == 0) {
    os << printer.format(values[0]);
  } else if (t.numel() == 0) {
    os << "[]";
  } else {
    printer.print(os, 0, 0, 7);
  }
  return os << ", dtype=" << t.dtype() << ", shape=" << t.shape() << ')';
}

}  // namespace minidl
