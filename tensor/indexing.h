// Indexing with integer tensors and joining tensors: gather / scatter_add (each other's
// gradients), index_select / index_add, concat and stack, one_hot. Index tensors are int64;
// an index out of range throws an error naming the index and the axis size.
#pragma once

#include <vector>

#include "tensor/core.h"

namespace minidl {

// out[i][j] = x[index[i][j]][j] for axis 0 (PyTorch's gather): index has x's rank and its sizes
// may be smaller than x's on every axis but `axis`.
Tensor gather(const Tensor& x, int64_t axis, const Tensor& index);
// The adjoint of gather: a tensor of `shape` with source[i][j] added at [index[i][j]][j].
Tensor scatter_add(const Shape& shape, int64_t axis, const Tensor& index, const Tensor& source);

// Picks whole slices along `axis` by a 1-d index: out.select(axis, i) = x.select(axis, index[i]).
Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index);
// The adjoint of index_select: slices of source summed into a zero tensor of `shape`.
Tensor index_add(const Shape& shape, int64_t axis, const Tensor& index, const Tensor& source);

Tensor concat(const std::vector<Tensor>& tensors, int64_t axis = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t axis = 0);

// [N] int64 class indices -> [N, classes] of 0 and 1 in dtype.
Tensor one_hot(const Tensor& labels, int64_t classes, DType dtype = DType::Float32);

}  // namespace minidl
