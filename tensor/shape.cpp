#include "tensor/shape.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "tensor/error.h"

namespace minidl {

bool checked_numel(const Shape& shape, int64_t& numel) {
  numel = 1;
  bool overflow = false;
  for (int64_t d : shape) {
    if (d == 0) {  // a zero anywhere makes the count 0, however large the other dimensions
      numel = 0;
      return true;
    }
    overflow = overflow || __builtin_mul_overflow(numel, d, &numel);
  }
  return !overflow;
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 0;
  MINIDL_CHECK(checked_numel(shape, n), "shape_numel: shape "
                                            << shape_str(shape)
                                            << " has more elements than an int64 can "
                                               "count");
  return n;
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    // Size-0 axes count as 1, as in NumPy. Only an empty tensor can overflow here (a non-empty
    // one has a representable element count); its strides never address memory, so saturate.
    if (__builtin_mul_overflow(stride, std::max<int64_t>(shape[i], 1), &stride)) {
      stride = std::numeric_limits<int64_t>::max();
    }
  }
  return strides;
}

std::string shape_str(const Shape& shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << ']';
  return os.str();
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
  if (a == b) return a;
  size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  for (size_t i = 0; i < ndim; ++i) {
    int64_t da = i < ndim - a.size() ? 1 : a[i - (ndim - a.size())];
    int64_t db = i < ndim - b.size() ? 1 : b[i - (ndim - b.size())];
    MINIDL_CHECK(da == db || da == 1 || db == 1, op << ": shapes " << shape_str(a) << " and "
                                                    << shape_str(b) << " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool can_broadcast(const Shape& a, const Shape& b) {
  for (size_t i = 1; i <= std::min(a.size(), b.size()); ++i) {
    const int64_t da = a[a.size() - i], db = b[b.size() - i];
    if (da != db && da != 1 && db != 1) return false;
  }
  return true;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 1; i <= from.size(); ++i) {
    const int64_t have = from[from.size() - i];
    if (have != to[to.size() - i] && have != 1) return false;
  }
  return true;
}

int64_t normalize_axis(int64_t axis, int64_t ndim, std::string_view op) {
  int64_t extent = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts axis 0 and -1, as NumPy
  MINIDL_CHECK(axis >= -extent && axis < extent,
               op << ": axis " << axis << " is out of range for " << ndim << "-d tensor");
  return axis < 0 ? axis + extent : axis;
}

std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t ndim,
                                    std::string_view op) {
  std::vector<int64_t> out;
  if (axes.empty()) {
    for (int64_t i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (int64_t axis : axes) out.push_back(normalize_axis(axis, ndim, op));
  std::sort(out.begin(), out.end());
  auto repeated = std::adjacent_find(out.begin(), out.end());
  MINIDL_CHECK(repeated == out.end(),
               op << ": axis " << *repeated << " appears twice in " << shape_str(axes));
  if (ndim == 0) out.clear();
  return out;
}

}  // namespace minidl
