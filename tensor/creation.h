// Making tensors: filled with a constant, ranges, and from C++ values.
#pragma once

#include <concepts>
#include <initializer_list>
#include <vector>

#include "tensor/core.h"

namespace minidl {

Tensor empty(const Shape& shape, DType dtype = DType::Float32);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
Tensor scalar(double value, DType dtype = DType::Float32);  // a 0-d tensor
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
Tensor full_like(const Tensor& like, double value);
Tensor empty_like(const Tensor& like);

// [start, end) in steps of step, as NumPy's arange: arange(0, 5) is 0 1 2 3 4.
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::Float32);
Tensor arange(int64_t end, DType dtype = DType::Int64);

// Copies values into a new tensor of the given shape (values.size() must match; an empty shape
// means a 1-d tensor of values.size() elements).
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape = {});

// One element of a 1-d literal. A class rather than a plain double so that a braced element
// such as {0} is a row of the 2-d form: with double, tensor({{0}, {1}}) would fit both forms
// equally well (both conversions are standard) and not compile; as a class, the 1-d form needs a
// user-defined conversion for {0}, and the 2-d form wins.
struct LiteralElement {
  LiteralElement(double v) : value(v) {}  // NOLINT(google-explicit-constructor): literals
  double value;
};

// Literals for tests and small examples: tensor({1, 2, 3}), tensor({{1, 2}, {3, 4}}, Float64),
// and a column: tensor({{0}, {1}, {1}, {0}}) is [4, 1].
Tensor tensor(std::initializer_list<LiteralElement> values, DType dtype = DType::Float32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows,
              DType dtype = DType::Float32);
// The 1-d form for a std::initializer_list<double> held in a variable; a template so that a
// braced list never deduces it.
template <std::same_as<std::initializer_list<double>> List>
Tensor tensor(const List& values, DType dtype = DType::Float32) {
  return from_vector(std::vector<double>(values), {int64_t(values.size())}).to(dtype);
}

}  // namespace minidl
