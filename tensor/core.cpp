#include "tensor/core.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "tensor/loops.h"

namespace minidl {

Tensor::Tensor(std::shared_ptr<Storage> storage, Shape shape, Strides strides, int64_t offset,
               DType dtype)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset),
      numel_(shape_numel(shape_)),
      dtype_(dtype) {
  for (int64_t d : shape_) MINIDL_CHECK(d >= 0, "tensor: negative dimension in shape " << shape_);
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  for (int64_t d : shape) MINIDL_CHECK(d >= 0, "empty: negative dimension in shape " << shape);
  // Reject sizes whose element or byte count overflows before they wrap into a small allocation.
  int64_t numel = 0;
  MINIDL_CHECK(checked_numel(shape, numel) &&
                   numel <= std::numeric_limits<int64_t>::max() / int64_t(dtype_size(dtype)),
               "empty: shape " << shape << " of " << dtype << " is too large to allocate");
  return Tensor(std::make_shared<Storage>(size_t(numel) * dtype_size(dtype)), shape, numel, dtype);
}

Tensor::Tensor(std::shared_ptr<Storage> storage, const Shape& shape, int64_t numel, DType dtype)
    : storage_(std::move(storage)),
      shape_(shape),
      strides_(contiguous_strides(shape)),
      numel_(numel),
      dtype_(dtype) {}

int64_t Tensor::size(int64_t axis) const { return shape_[normalize_axis(axis, dim(), "size")]; }

int64_t Tensor::stride(int64_t axis) const {
  return strides_[normalize_axis(axis, dim(), "stride")];
}

void* Tensor::raw_data() const {
  MINIDL_CHECK(defined(), "tensor: use of an undefined tensor");
  return static_cast<char*>(storage_->data()) + offset_ * int64_t(element_size());
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] == 1) continue;
    if (strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

namespace {

// Resolves one -1 in a requested shape against the element count.
Shape infer_shape(const Shape& requested, int64_t numel, std::string_view op, const Shape& from) {
  Shape shape = requested;
  int64_t infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      MINIDL_CHECK(infer_at < 0, op << ": only one dimension can be -1, got " << requested);
      infer_at = int64_t(i);
      shape[i] = 1;  // counted as 1 until inferred
    } else {
      MINIDL_CHECK(shape[i] >= 0, op << ": negative dimension in " << requested);
    }
  }
  int64_t known = 0;
  const bool fits = checked_numel(shape, known);
  if (infer_at >= 0) {
    MINIDL_CHECK(fits && known != 0 && numel % known == 0,
                 op << ": cannot infer -1 in " << requested << " for " << numel << " elements");
    shape[infer_at] = numel / known;
    known = numel;
  }
  MINIDL_CHECK(fits && known == numel, op << ": shape " << from << " (" << numel
                                          << " elements) cannot become " << requested);
  return shape;
}

// Strides that view `old` memory as `shape` without copying, or an empty optional-like result
// (returned as false) when the layout does not allow it. Same algorithm as NumPy's
// _attempt_nocopy_reshape: match groups of old and new axes whose products agree, and require each
// old group to be contiguous in itself.
bool view_strides(const Shape& old_shape, const Strides& old_strides, const Shape& shape,
                  Strides& out) {
  Shape os;
  Strides ost;
  for (size_t i = 0; i < old_shape.size(); ++i) {
    if (old_shape[i] != 1) {
      os.push_back(old_shape[i]);
      ost.push_back(old_strides[i]);
    }
  }
  out.assign(shape.size(), 0);
  size_t oi = 0, ni = 0;
  while (ni < shape.size() && oi < os.size()) {
    if (shape[ni] == 1) {
      out[ni] = 1;
      ++ni;
      continue;
    }
    size_t nj = ni + 1, oj = oi + 1;
    int64_t np = shape[ni], op = os[oi];
    while (np != op) {
      if (np < op) {
        np *= shape[nj++];
      } else {
        op *= os[oj++];
      }
    }
    for (size_t k = oi; k + 1 < oj; ++k) {
      if (ost[k] != ost[k + 1] * os[k + 1]) return false;
    }
    out[nj - 1] = ost[oj - 1];
    for (size_t k = nj - 1; k > ni; --k) out[k - 1] = out[k] * shape[k];
    ni = nj;
    oi = oj;
  }
  for (; ni < shape.size(); ++ni) out[ni] = 1;  // trailing size-1 axes
  return true;
}

}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel_, "view", shape_);
  Strides strides;
  if (numel_ == 0) {
    strides = contiguous_strides(shape);
  } else {
    MINIDL_CHECK(view_strides(shape_, strides_, shape, strides),
                 "view: a tensor of shape " << shape_ << " with strides " << strides_
                                            << " cannot be viewed as " << shape
                                            << " without a copy; use reshape()");
  }
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::reshape(const Shape& requested) const {
  Shape shape = infer_shape(requested, numel_, "reshape", shape_);
  Strides strides;
  if (numel_ == 0) return Tensor(storage_, shape, contiguous_strides(shape), offset_, dtype_);
  if (view_strides(shape_, strides_, shape, strides)) {
    return Tensor(storage_, shape, strides, offset_, dtype_);
  }
  return contiguous().view(shape);
}

Tensor Tensor::flatten(int64_t start_axis, int64_t end_axis) const {
  if (dim() == 0) return reshape({1});
  int64_t start = normalize_axis(start_axis, dim(), "flatten");
  int64_t end = normalize_axis(end_axis, dim(), "flatten");
  MINIDL_CHECK(start <= end,
               "flatten: start axis " << start_axis << " is after end axis " << end_axis);
  Shape shape(shape_.begin(), shape_.begin() + start);
  int64_t merged = 1;
  for (int64_t i = start; i <= end; ++i) merged *= shape_[i];
  shape.push_back(merged);
  shape.insert(shape.end(), shape_.begin() + end + 1, shape_.end());
  return reshape(shape);
}

Tensor Tensor::transpose(int64_t axis0, int64_t axis1) const {
  if (dim() == 0) return *this;
  int64_t a = normalize_axis(axis0, dim(), "transpose");
  int64_t b = normalize_axis(axis1, dim(), "transpose");
  Shape shape = shape_;
  Strides strides = strides_;
  std::swap(shape[a], shape[b]);
  std::swap(strides[a], strides[b]);
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::t() const {
  MINIDL_CHECK(dim() <= 2, "t: expects a tensor of at most 2 dimensions, got " << shape_);
  return dim() < 2 ? *this : transpose(0, 1);
}

Tensor Tensor::permute(const std::vector<int64_t>& order) const {
  MINIDL_CHECK(int64_t(order.size()) == dim(), "permute: order has "
                                                   << order.size()
                                                   << " axes but the tensor has shape " << shape_);
  Shape shape(order.size());
  Strides strides(order.size());
  std::vector<bool> seen(order.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    int64_t axis = normalize_axis(order[i], dim(), "permute");
    MINIDL_CHECK(!seen[axis], "permute: axis " << order[i] << " appears twice");
    seen[axis] = true;
    shape[i] = shape_[axis];
    strides[i] = strides_[axis];
  }
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::narrow(int64_t axis, int64_t start, int64_t length) const {
  MINIDL_CHECK(dim() > 0, "narrow: cannot narrow a 0-d tensor");
  int64_t a = normalize_axis(axis, dim(), "narrow");
  if (start < 0) start += shape_[a];
  MINIDL_CHECK(start >= 0 && length >= 0 && start + length <= shape_[a],
               "narrow: range [" << start << ", " << start + length << ") is outside axis " << a
                                 << " of size " << shape_[a]);
  Shape shape = shape_;
  shape[a] = length;
  return Tensor(storage_, shape, strides_, offset_ + start * strides_[a], dtype_);
}

Tensor Tensor::slice(int64_t axis, int64_t start, int64_t end, int64_t step) const {
  MINIDL_CHECK(dim() > 0, "slice: cannot slice a 0-d tensor");
  MINIDL_CHECK(step > 0, "slice: step must be positive, got " << step);
  int64_t a = normalize_axis(axis, dim(), "slice");
  const int64_t n = shape_[a];
  // Python semantics: negative bounds count from the end, out-of-range bounds are clamped.
  auto clamp_bound = [n](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
  start = clamp_bound(start);
  end = std::max(start, clamp_bound(end));
  Shape shape = shape_;
  Strides strides = strides_;
  shape[a] = (end - start + step - 1) / step;
  strides[a] *= step;
  return Tensor(storage_, shape, strides, offset_ + start * strides_[a], dtype_);
}

Tensor Tensor::select(int64_t axis, int64_t index) const {
  MINIDL_CHECK(dim() > 0, "select: cannot select from a 0-d tensor");
  int64_t a = normalize_axis(axis, dim(), "select");
  int64_t i = index < 0 ? index + shape_[a] : index;
  MINIDL_CHECK(i >= 0 && i < shape_[a], "select: index " << index << " is out of range for axis "
                                                         << a << " of size " << shape_[a]);
  Shape shape = shape_;
  Strides strides = strides_;
  shape.erase(shape.begin() + a);
  strides.erase(strides.begin() + a);
  return Tensor(storage_, shape, strides, offset_ + i * strides_[a], dtype_);
}

Tensor Tensor::expand(const Shape& shape) const {
  MINIDL_CHECK(shape.size() >= shape_.size(),
               "expand: cannot expand " << shape_ << " to fewer dimensions " << shape);
  const size_t lead = shape.size() - shape_.size();
  Shape sizes = shape;
  Strides strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {  // new leading axes repeat with stride 0
      MINIDL_CHECK(shape[i] >= 0, "expand: size " << shape[i] << " for new leading axis " << i
                                                  << " of " << shape << " (the tensor is " << shape_
                                                  << "; -1 keeps an existing axis)");
      continue;
    }
    const int64_t have = shape_[i - lead];
    if (shape[i] == -1) sizes[i] = have;  // -1 keeps this axis's size, as PyTorch
    MINIDL_CHECK(sizes[i] >= 0 && (have == sizes[i] || have == 1),
                 "expand: shape " << shape_ << " cannot be broadcast to " << shape);
    strides[i] = have == sizes[i] ? strides_[i - lead] : 0;
  }
  return Tensor(storage_, sizes, strides, offset_, dtype_);
}

Tensor Tensor::squeeze() const {
  Shape shape;
  Strides strides;
  for (size_t i = 0; i < shape_.size(); ++i) {
    if (shape_[i] != 1) {
      shape.push_back(shape_[i]);
      strides.push_back(strides_[i]);
    }
  }
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::squeeze(int64_t axis) const {
  if (dim() == 0) return *this;
  int64_t a = normalize_axis(axis, dim(), "squeeze");
  if (shape_[a] != 1) return *this;  // as PyTorch: squeezing a non-1 axis is a no-op
  Shape shape = shape_;
  Strides strides = strides_;
  shape.erase(shape.begin() + a);
  strides.erase(strides.begin() + a);
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::unsqueeze(int64_t axis) const {
  // The new axis can go anywhere in [0, dim()], so the valid range is one wider than the rank.
  const int64_t n = dim() + 1;
  MINIDL_CHECK(axis >= -n && axis < n, "unsqueeze: axis " << axis << " is out of range for "
                                                          << dim() << "-d tensor (" << -n << " to "
                                                          << n - 1 << ")");
  const int64_t a = axis < 0 ? axis + n : axis;
  Shape shape = shape_;
  Strides strides = strides_;
  int64_t stride = a < dim() ? strides_[a] * shape_[a] : 1;
  shape.insert(shape.begin() + a, 1);
  strides.insert(strides.begin() + a, stride);
  return Tensor(storage_, shape, strides, offset_, dtype_);
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape_, dtype_);
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out = empty(shape_, dtype);
  out.copy_(*this);
  return out;
}

Tensor& Tensor::copy_(const Tensor& source) {
  MINIDL_CHECK(defined() && source.defined(), "copy_: undefined tensor");
  // x.narrow(0, 1, 3).copy_(x.narrow(0, 0, 3)) must shift, not smear: read a snapshot.
  Tensor snapshot;
  if (detail::may_overlap(*this, source)) snapshot = source.clone();
  const Tensor& from = snapshot.defined() ? snapshot : source;
  Tensor src = from.expand(broadcast_shapes(source.shape(), shape_, "copy_"));
  MINIDL_CHECK(src.shape() == shape_,
               "copy_: source of shape " << source.shape() << " does not fit " << shape_);
  if (dtype_ == src.dtype() && is_contiguous() && src.is_contiguous()) {
    std::memcpy(raw_data(), src.raw_data(), size_t(numel_) * element_size());
    return *this;
  }
  dispatch_all(dtype_, [&]<typename Out>() {
    dispatch_all(src.dtype(), [&]<typename In>() {
      detail::unary_loop<Out, In>(*this, src, [](In v) { return static_cast<Out>(v); });
    });
  });
  return *this;
}

Tensor& Tensor::fill_(double value) {
  dispatch_all(dtype_, [&]<typename T>() {
    const T v = static_cast<T>(value);
    Tensor scalar = Tensor::empty({}, dtype_);
    *scalar.data<T>() = v;
    detail::unary_loop<T, T>(*this, scalar.expand(shape_), [](T x) { return x; });
  });
  return *this;
}

double Tensor::item() const {
  MINIDL_CHECK(numel_ == 1,
               "item: tensor of shape " << shape_ << " has " << numel_ << " elements, not 1");
  return dispatch_all(dtype_, [&]<typename T>() { return double(*data<T>()); });
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> values(static_cast<size_t>(numel_));
  if (numel_ == 0) return values;
  Tensor out(std::make_shared<Storage>(values.size() * sizeof(T)), shape_,
             contiguous_strides(shape_), 0, dtype_of<T>());
  out.copy_(*this);
  std::memcpy(values.data(), out.raw_data(), values.size() * sizeof(T));
  return values;
}

template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;

}  // namespace minidl
