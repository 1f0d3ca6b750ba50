// Making tensors: filled with a constant, ranges, and from C++ values.
#pragma once

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

// Literals for tests and small examples: tensor({1, 2, 3}), tensor({{1, 2}, {3, 4}}, Float64).
Tensor tensor(std::initializer_list<double> values, DType dtype = DType::Float32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows,
              DType dtype = DType::Float32);

}  // namespace minidl
