// Shapes and strides (both in elements), and the small pure functions on them: element counts,
// contiguous strides, NumPy broadcasting, axis normalisation and printing.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/dim_vector.h"

namespace minidl {

// Both hold their first six dimensions inline (tensor/dim_vector.h), so making or copying the
// shape of an ordinary tensor allocates nothing.
using Shape = DimVector;
using Strides = DimVector;

// The element count; throws if it does not fit in an int64 (checked_numel reports it instead).
int64_t shape_numel(const Shape& shape);
bool checked_numel(const Shape& shape, int64_t& numel);
Strides contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[64, 784]"

// NumPy broadcasting; throws "<op>: shapes [a] and [b] cannot be broadcast".
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);
bool can_broadcast(const Shape& a, const Shape& b);
// True when `from` broadcasts to exactly `to` (expand() would accept it).
bool broadcasts_to(const Shape& from, const Shape& to);

// Maps a possibly negative axis into [0, ndim); throws "<op>: axis 3 is out of range for 2-d
// tensor" otherwise.
int64_t normalize_axis(int64_t axis, int64_t ndim, std::string_view op);

// The sorted, de-duplicated, normalised axes; an empty list means every axis.
std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t ndim,
                                    std::string_view op);

inline std::ostream& operator<<(std::ostream& os, const Shape& shape) {
  return os << shape_str(shape);
}

}  // namespace minidl
