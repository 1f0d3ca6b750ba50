#include "nn/reshape.h"

#include "autograd/ops.h"

namespace minidl::nn {

Variable Flatten::forward(const Variable& input) { return flatten(input, start_axis, end_axis); }

std::string Flatten::name() const {
  return "Flatten(start_axis=" + std::to_string(start_axis) +
         ", end_axis=" + std::to_string(end_axis) + ")";
}

Variable Unflatten::forward(const Variable& input) { return unflatten(input, axis, sizes); }

std::string Unflatten::name() const {
  return "Unflatten(axis=" + std::to_string(axis) + ", sizes=" + shape_str(sizes) + ")";
}

Variable Reshape::forward(const Variable& input) { return reshape(input, shape); }

std::string Reshape::name() const { return "Reshape(" + shape_str(shape) + ")"; }

}  // namespace minidl::nn
