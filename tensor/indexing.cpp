#include "tensor/indexing.h"

#include "tensor/creation.h"
#include "tensor/elementwise.h"
#include "tensor/threading.h"

namespace minidl {

namespace {

void check_index_tensor(const Tensor& index, const char* op) {
  MINIDL_CHECK(index.defined(), op << ": undefined index tensor");
  MINIDL_CHECK(index.dtype() == DType::Int64, op << ": index must be int64, got " << index.dtype());
}

// Validates every index against the axis size before any data is touched.
std::vector<int64_t> checked_indices(const Tensor& index, int64_t axis_size, int64_t axis,
                                     const char* op) {
  std::vector<int64_t> values = index.to_vector<int64_t>();
  for (int64_t v : values) {
    MINIDL_CHECK(v >= 0 && v < axis_size, op << ": index " << v << " is out of range for axis "
                                             << axis << " of size " << axis_size);
  }
  return values;
}

// Shared walk of gather and scatter_add: visits every position p of `index` (as a row-major
// counter over index.shape()) and calls fn(offset of p in `other` with the axis replaced by the
// index value, flat position of p).
template <typename Fn>
void for_each_gather_position(const Shape& index_shape, const std::vector<int64_t>& indices,
                              const Strides& other_strides, int64_t axis, Fn fn) {
  const int64_t n = shape_numel(index_shape), ndim = int64_t(index_shape.size());
  std::vector<int64_t> counter(size_t(ndim), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t offset = 0;
    for (int64_t d = 0; d < ndim; ++d) {
      offset += (d == axis ? indices[size_t(flat)] : counter[size_t(d)]) * other_strides[size_t(d)];
    }
    fn(offset, flat);
    for (int64_t d = ndim - 1; d >= 0; --d) {
      if (++counter[size_t(d)] < index_shape[size_t(d)]) break;
      counter[size_t(d)] = 0;
    }
  }
}

void check_gather_shapes(const Shape& data_shape, const Tensor& index, int64_t axis,
                         const char* op) {
  MINIDL_CHECK(index.dim() == int64_t(data_shape.size()), op << ": index of shape " << index.shape()
                                                             << " must have the same rank as "
                                                             << data_shape);
  for (int64_t d = 0; d < index.dim(); ++d) {
    MINIDL_CHECK(d == axis || index.shape()[d] <= data_shape[d],
                 op << ": index of shape " << index.shape() << " is larger than " << data_shape
                    << " on axis " << d);
  }
}

}  // namespace

Tensor gather(const Tensor& x, int64_t axis, const Tensor& index) {
  check_index_tensor(index, "gather");
  MINIDL_CHECK(x.defined(), "gather: undefined tensor");
  int64_t a = normalize_axis(axis, x.dim(), "gather");
  if (x.dim() == 0) return x.clone();
  check_gather_shapes(x.shape(), index, a, "gather");
  std::vector<int64_t> indices = checked_indices(index, x.shape()[a], a, "gather");
  Tensor out = Tensor::empty(index.shape(), x.dtype());
  dispatch_all(x.dtype(), [&]<typename T>() {
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    for_each_gather_position(index.shape(), indices, x.strides(), a,
                             [&](int64_t offset, int64_t flat) { dst[flat] = src[offset]; });
  });
  return out;
}

Tensor scatter_add(const Shape& shape, int64_t axis, const Tensor& index, const Tensor& source) {
  check_index_tensor(index, "scatter_add");
  MINIDL_CHECK(source.shape() == index.shape(), "scatter_add: source of shape "
                                                    << source.shape() << " must match index "
                                                    << index.shape());
  Tensor out = zeros(shape, source.dtype());
  if (shape.empty()) return out.copy_(source), out;
  int64_t a = normalize_axis(axis, int64_t(shape.size()), "scatter_add");
  check_gather_shapes(shape, index, a, "scatter_add");
  std::vector<int64_t> indices = checked_indices(index, shape[a], a, "scatter_add");
  Tensor src = source.contiguous();
  dispatch_all(source.dtype(), [&]<typename T>() {
    const T* s = src.data<T>();
    T* dst = out.data<T>();
    for_each_gather_position(index.shape(), indices, out.strides(), a,
                             [&](int64_t offset, int64_t flat) { dst[offset] += s[flat]; });
  });
  return out;
}

Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index) {
  check_index_tensor(index, "index_select");
  MINIDL_CHECK(index.dim() <= 1, "index_select: index must be 1-d, got " << index.shape());
  MINIDL_CHECK(x.defined() && x.dim() >= 1, "index_select: needs a tensor of at least 1 dimension");
  int64_t a = normalize_axis(axis, x.dim(), "index_select");
  std::vector<int64_t> indices = checked_indices(index, x.shape()[a], a, "index_select");
  Shape shape = x.shape();
  shape[a] = int64_t(indices.size());
  Tensor out = Tensor::empty(shape, x.dtype());
  for (size_t i = 0; i < indices.size(); ++i) {
    out.select(a, int64_t(i)).copy_(x.select(a, indices[i]));
  }
  return out;
}

Tensor index_add(const Shape& shape, int64_t axis, const Tensor& index, const Tensor& source) {
  check_index_tensor(index, "index_add");
  MINIDL_CHECK(index.dim() <= 1, "index_add: index must be 1-d, got " << index.shape());
  MINIDL_CHECK(!shape.empty(), "index_add: needs a shape of at least 1 dimension");
  int64_t a = normalize_axis(axis, int64_t(shape.size()), "index_add");
  std::vector<int64_t> indices = checked_indices(index, shape[a], a, "index_add");
  Shape expected = shape;
  expected[a] = int64_t(indices.size());
  MINIDL_CHECK(source.shape() == expected,
               "index_add: source of shape " << source.shape() << " must be " << expected);
  Tensor out = zeros(shape, source.dtype());
  for (size_t i = 0; i < indices.size(); ++i) {
    Tensor slot = out.select(a, indices[i]);
    add_(slot, source.select(a, int64_t(i)));
  }
  return out;
}

Tensor concat(const std::vector<Tensor>& tensors, int64_t axis) {
  MINIDL_CHECK(!tensors.empty(), "concat: needs at least one tensor");
  const Tensor& first = tensors.front();
  MINIDL_CHECK(first.dim() >= 1, "concat: cannot concatenate 0-d tensors; use stack");
  int64_t a = normalize_axis(axis, first.dim(), "concat");
  Shape shape = first.shape();
  shape[a] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    MINIDL_CHECK(t.dtype() == first.dtype(), "concat: tensor " << i << " has dtype " << t.dtype()
                                                               << ", tensor 0 has "
                                                               << first.dtype());
    bool fits = t.dim() == first.dim();
    for (int64_t d = 0; fits && d < t.dim(); ++d) fits = d == a || t.shape()[d] == first.shape()[d];
    MINIDL_CHECK(fits, "concat: tensor " << i << " of shape " << t.shape()
                                         << " does not match tensor 0 of shape " << first.shape()
                                         << " outside axis " << a);
    shape[a] += t.shape()[a];
  }
  Tensor out = Tensor::empty(shape, first.dtype());
  int64_t start = 0;
  for (const Tensor& t : tensors) {
    out.narrow(a, start, t.shape()[a]).copy_(t);
    start += t.shape()[a];
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t axis) {
  MINIDL_CHECK(!tensors.empty(), "stack: needs at least one tensor");
  const int64_t rank = tensors.front().dim(), n = rank + 1;  // the new axis goes in [0, rank]
  MINIDL_CHECK(axis >= -n && axis < n, "stack: axis " << axis << " is out of range for " << rank
                                                      << "-d tensors (" << -n << " to " << n - 1
                                                      << ")");
  const int64_t a = axis < 0 ? axis + n : axis;
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    MINIDL_CHECK(tensors[i].shape() == tensors.front().shape(),
                 "stack: tensor " << i << " of shape " << tensors[i].shape()
                                  << " differs from tensor 0 of shape " << tensors.front().shape());
    expanded.push_back(tensors[i].unsqueeze(a));
  }
  return concat(expanded, a);
}

Tensor one_hot(const Tensor& labels, int64_t classes, DType dtype) {
  check_index_tensor(labels, "one_hot");
  MINIDL_CHECK(classes > 0, "one_hot: number of classes must be positive, got " << classes);
  std::vector<int64_t> values = labels.to_vector<int64_t>();
  for (int64_t v : values) {
    MINIDL_CHECK(v >= 0 && v < classes,
                 "one_hot: label " << v << " is out of range for " << classes << " classes");
  }
  Shape shape = labels.shape();
  shape.push_back(classes);
  Tensor out = zeros(shape, dtype);
  dispatch_all(dtype, [&]<typename T>() {
    T* p = out.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[int64_t(i) * classes + values[i]] = T(1);
  });
  return out;
}

}  // namespace minidl
