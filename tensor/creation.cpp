#include "tensor/creation.h"

#include <cmath>
#include <cstring>

namespace minidl {

Tensor empty(const Shape& shape, DType dtype) { return Tensor::empty(shape, dtype); }

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor out = Tensor::empty(shape, dtype);
  out.fill_(value);
  return out;
}

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor scalar(double value, DType dtype) { return full({}, value, dtype); }
Tensor zeros_like(const Tensor& like) { return zeros(like.shape(), like.dtype()); }
Tensor ones_like(const Tensor& like) { return ones(like.shape(), like.dtype()); }
Tensor full_like(const Tensor& like, double value) {
  return full(like.shape(), value, like.dtype());
}
Tensor empty_like(const Tensor& like) { return Tensor::empty(like.shape(), like.dtype()); }

Tensor arange(double start, double end, double step, DType dtype) {
  MINIDL_CHECK(step != 0, "arange: step must not be zero");
  MINIDL_CHECK(std::isfinite(start) && std::isfinite(end) && std::isfinite(step),
               "arange: bounds must be finite, got " << start << ", " << end << ", " << step);
  int64_t n = std::max<int64_t>(0, int64_t(std::ceil((end - start) / step)));
  Tensor out = Tensor::empty({n}, dtype);
  dispatch_all(dtype, [&]<typename T>() {
    T* p = out.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + double(i) * step);
  });
  return out;
}

Tensor arange(int64_t end, DType dtype) { return arange(0.0, double(end), 1.0, dtype); }

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  Shape s = shape.empty() && values.size() != 1 ? Shape{int64_t(values.size())} : shape;
  MINIDL_CHECK(shape_numel(s) == int64_t(values.size()),
               "from_vector: " << values.size() << " values do not fill shape " << s);
  Tensor out = Tensor::empty(s, dtype_of<T>());
  if (!values.empty()) std::memcpy(out.raw_data(), values.data(), values.size() * sizeof(T));
  return out;
}

template Tensor from_vector<float>(const std::vector<float>&, const Shape&);
template Tensor from_vector<double>(const std::vector<double>&, const Shape&);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, const Shape&);
template Tensor from_vector<uint8_t>(const std::vector<uint8_t>&, const Shape&);

Tensor tensor(std::initializer_list<LiteralElement> values, DType dtype) {
  std::vector<double> doubles;
  doubles.reserve(values.size());
  for (const LiteralElement& v : values) doubles.push_back(v.value);
  return from_vector(doubles, {int64_t(values.size())}).to(dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, DType dtype) {
  std::vector<double> values;
  const int64_t columns = rows.size() ? int64_t(rows.begin()->size()) : 0;
  for (const auto& row : rows) {
    MINIDL_CHECK(int64_t(row.size()) == columns, "tensor: rows have different lengths ("
                                                     << columns << " and " << row.size() << ")");
    values.insert(values.end(), row.begin(), row.end());
  }
  return from_vector(values, {int64_t(rows.size()), columns}).to(dtype);
}

}  // namespace minidl
