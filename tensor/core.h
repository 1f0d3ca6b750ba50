// Tensor: a cheap-to-copy handle on shared Storage with a shape, strides (in elements), an offset
// and a dtype. Copying a Tensor copies the handle, never the data; views (reshape, transpose,
// narrow, expand, ...) share storage; contiguous(), clone() and to() are the only copies.
// The free functions that compute on tensors live in the other tensor/ headers; include
// "tensor/tensor.h" to get all of them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace minidl {

class Tensor {
 public:
  Tensor() = default;  // undefined: no storage; defined() is false
  Tensor(std::shared_ptr<Storage> storage, Shape shape, Strides strides, int64_t offset,
         DType dtype);

  // A new contiguous tensor with uninitialised values.
  static Tensor empty(const Shape& shape, DType dtype = DType::Float32);

  // --- metadata ---
  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t axis) const;
  int64_t stride(int64_t axis) const;
  int64_t numel() const { return numel_; }
  size_t element_size() const { return dtype_size(dtype_); }
  bool is_contiguous() const;
  bool is_scalar() const { return shape_.empty(); }
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }

  // Pointer to the first element (index [0, ..., 0]); T must match dtype(). Elements of a
  // non-contiguous tensor are at data<T>()[sum(index[i] * stride(i))].
  template <typename T>
  T* data() const {
    MINIDL_CHECK(dtype_of<T>() == dtype_,
                 "data: tensor holds " << dtype_ << ", not " << dtype_of<T>());
    return static_cast<T*>(raw_data());
  }
  void* raw_data() const;

  // --- views: no copies ---
  Tensor view(const Shape& shape) const;     // needs compatible strides; one -1 is inferred
  Tensor reshape(const Shape& shape) const;  // a view when possible, else a contiguous copy
  Tensor flatten(int64_t start_axis = 0, int64_t end_axis = -1) const;
  Tensor transpose(int64_t axis0, int64_t axis1) const;
  Tensor t() const;  // 2-d transpose
  Tensor permute(const std::vector<int64_t>& order) const;
  Tensor narrow(int64_t axis, int64_t start, int64_t length) const;
  Tensor slice(int64_t axis, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t axis, int64_t index) const;  // drops the axis
  // Broadcast view, stride 0 on new axes; a size of -1 keeps that axis's size.
  Tensor expand(const Shape& shape) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t axis) const;
  Tensor unsqueeze(int64_t axis) const;

  // --- copies ---
  Tensor contiguous() const;  // returns *this when already contiguous
  Tensor clone() const;       // always a fresh contiguous copy
  Tensor to(DType dtype) const;

  // --- in place ---
  Tensor& copy_(const Tensor& source);  // source is broadcast to this shape and cast
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }

  // --- values ---
  double item() const;  // the single value of a one-element tensor
  template <typename T>
  std::vector<T> to_vector() const;  // the values in row-major order, cast to T

 private:
  // empty()'s: a contiguous tensor whose shape is already checked and counted.
  Tensor(std::shared_ptr<Storage> storage, const Shape& shape, int64_t numel, DType dtype);

  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Strides strides_;
  int64_t offset_ = 0;
  int64_t numel_ = 0;
  DType dtype_ = DType::Float32;
};

std::ostream& operator<<(std::ostream& os, const Tensor& tensor);

}  // namespace minidl
