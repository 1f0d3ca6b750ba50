#include "tensor/reduce.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "tensor/creation.h"
#include "tensor/elementwise.h"
#include "tensor/threading.h"

namespace minidl {

namespace {

// Accumulator type: float64 for floating inputs (float32 sums keep ~16 digits), int64 for ints.
template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// A block of a long contiguous reduction; fixed so results do not depend on the thread count.
constexpr int64_t kReduceBlock = 16384;

struct SumOp {
  template <typename T>
  static Acc<T> init() {
    return 0;
  }
  template <typename T>
  static Acc<T> combine(Acc<T> a, Acc<T> b) {
    // Integer sums wrap around like NumPy's instead of overflowing (undefined behaviour).
    if constexpr (std::is_floating_point_v<T>)
      return a + b;
    else
      return Acc<T>(uint64_t(a) + uint64_t(b));
  }
  template <typename T>
  static Acc<T> load(T v) {
    return Acc<T>(v);
  }
};
struct MaxOp {
  template <typename T>
  static Acc<T> init() {
    if constexpr (std::is_floating_point_v<T>)
      return -std::numeric_limits<double>::infinity();
    else
      return std::numeric_limits<Acc<T>>::lowest();
  }
  template <typename T>
  static Acc<T> combine(Acc<T> a, Acc<T> b) {
    return (a > b || a != a) ? a : b;  // NaN wins, as NumPy
  }
  template <typename T>
  static Acc<T> load(T v) {
    return Acc<T>(v);
  }
};
struct MinOp {
  template <typename T>
  static Acc<T> init() {
    if constexpr (std::is_floating_point_v<T>)
      return std::numeric_limits<double>::infinity();
    else
      return std::numeric_limits<Acc<T>>::max();
  }
  template <typename T>
  static Acc<T> combine(Acc<T> a, Acc<T> b) {
    return (a < b || a != a) ? a : b;
  }
  template <typename T>
  static Acc<T> load(T v) {
    return Acc<T>(v);
  }
};

// Reduces n contiguous values with 8 independent accumulators (so the loop pipelines and
// vectorises) combined in a fixed pairwise order.
template <typename Op, typename T>
Acc<T> reduce_run(const T* p, int64_t n) {
  Acc<T> acc[8];
  for (auto& a : acc) a = Op::template init<T>();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k)
      acc[k] = Op::template combine<T>(acc[k], Op::template load<T>(p[i + k]));
  }
  for (; i < n; ++i) acc[0] = Op::template combine<T>(acc[0], Op::template load<T>(p[i]));
  for (int width = 4; width >= 1; width /= 2) {
    for (int k = 0; k < width; ++k) acc[k] = Op::template combine<T>(acc[k], acc[k + width]);
  }
  return acc[0];
}

// Reduces a contiguous [outer, reduced, inner] array over its middle axis into out[outer, inner].
template <typename Op, typename T>
void reduce_middle(const T* in, int64_t outer, int64_t reduced, int64_t inner, Acc<T>* out) {
  if (inner == 1) {
    if (outer == 1 && reduced > 2 * kReduceBlock) {
      // One long reduction: fixed blocks in parallel, then combined in block order.
      const int64_t blocks = (reduced + kReduceBlock - 1) / kReduceBlock;
      std::vector<Acc<T>> partial(static_cast<size_t>(blocks));
#pragma omp parallel for schedule(static) if (should_parallelize(reduced))
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t begin = b * kReduceBlock;
        partial[b] = reduce_run<Op>(in + begin, std::min(kReduceBlock, reduced - begin));
      }
      Acc<T> acc = Op::template init<T>();
      for (Acc<T> p : partial) acc = Op::template combine<T>(acc, p);
      out[0] = acc;
      return;
    }
#pragma omp parallel for schedule(static) if (should_parallelize(outer * reduced) && outer > 1)
    for (int64_t o = 0; o < outer; ++o) out[o] = reduce_run<Op>(in + o * reduced, reduced);
    return;
  }
  // Reduced axis outside a contiguous inner run: accumulate whole rows so the inner loop
  // vectorises across output elements; each output still sums in the order r = 0, 1, 2, ...
  const int64_t chunk = 256;
  const int64_t chunks = (inner + chunk - 1) / chunk;
#pragma omp parallel for collapse(2) \
    schedule(static) if (should_parallelize(outer * reduced * inner))
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t begin = c * chunk, end = std::min(inner, begin + chunk);
      Acc<T>* dst = out + o * inner;
      for (int64_t j = begin; j < end; ++j) dst[j] = Op::template init<T>();
      for (int64_t r = 0; r < reduced; ++r) {
        const T* row = in + (o * reduced + r) * inner;
        for (int64_t j = begin; j < end; ++j) {
          dst[j] = Op::template combine<T>(dst[j], Op::template load<T>(row[j]));
        }
      }
    }
  }
}

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& axes, bool keepdim) {
  Shape out;
  size_t k = 0;
  for (int64_t i = 0; i < int64_t(shape.size()); ++i) {
    bool reduced = k < axes.size() && axes[k] == i;
    if (reduced) ++k;
    if (!reduced)
      out.push_back(shape[i]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

// Reduces x over `axes` with Op, handling one maximal run of adjacent reduced axes per pass.
template <typename Op>
Tensor reduce(const Tensor& x, const Axes& axes_in, bool keepdim, const char* op) {
  MINIDL_CHECK(x.defined(), op << ": undefined tensor");
  std::vector<int64_t> axes = normalize_axes(axes_in, x.dim(), op);
  Shape out_shape = reduced_shape(x.shape(), axes, keepdim);
  if (std::is_same_v<Op, MaxOp> || std::is_same_v<Op, MinOp>) {
    for (int64_t axis : axes) {
      MINIDL_CHECK(x.shape()[axis] > 0,
                   op << ": cannot reduce over empty axis " << axis << " of shape " << x.shape());
    }
  }
  // Integer sums come back as int64, as NumPy and PyTorch: a sum of 300 uint8 ones is 300.
  const DType result_dtype =
      std::is_same_v<Op, SumOp> && !is_floating(x.dtype()) ? DType::Int64 : x.dtype();
  return dispatch_all(x.dtype(), [&]<typename T>() -> Tensor {
    using A = Acc<T>;
    // Work in the accumulator type; the current array is contiguous with shape `shape`.
    Tensor current = x.contiguous();
    Shape shape = x.shape();
    std::vector<bool> is_reduced(shape.size(), false);
    for (int64_t axis : axes) is_reduced[axis] = true;
    Tensor acc_tensor;
    bool first = true;
    // Process reduced groups from the innermost outwards so earlier passes shrink the data most.
    int64_t i = int64_t(shape.size()) - 1;
    while (i >= 0) {
      if (!is_reduced[i]) {
        --i;
        continue;
      }
      int64_t end = i + 1, start = i;
      while (start > 0 && is_reduced[start - 1]) --start;
      int64_t outer = 1, reduced = 1, inner = 1;
      for (int64_t k = 0; k < start; ++k) outer *= shape[k];
      for (int64_t k = start; k < end; ++k) reduced *= shape[k];
      for (int64_t k = end; k < int64_t(shape.size()); ++k) inner *= shape[k];
      Tensor next = Tensor::empty({outer * inner}, dtype_of<A>());
      if (first) {
        reduce_middle<Op, T>(current.data<T>(), outer, reduced, inner, next.data<A>());
      } else {
        // Later passes read accumulators; load() is the identity on them.
        reduce_middle<Op, A>(acc_tensor.data<A>(), outer, reduced, inner, next.data<A>());
      }
      acc_tensor = next;
      first = false;
      for (int64_t k = start; k < end; ++k) shape[k] = 1;
      i = start - 1;
    }
    if (first) {  // no axes to reduce (0-d input or empty axis list on 0-d)
      return current.to(result_dtype).clone().view(out_shape);
    }
    return acc_tensor.view(out_shape).to(result_dtype);
  });
}

}  // namespace

Tensor sum(const Tensor& x, const Axes& axes, bool keepdim) {
  return reduce<SumOp>(x, axes, keepdim, "sum");
}

Tensor max(const Tensor& x, const Axes& axes, bool keepdim) {
  return reduce<MaxOp>(x, axes, keepdim, "max");
}

Tensor min(const Tensor& x, const Axes& axes, bool keepdim) {
  return reduce<MinOp>(x, axes, keepdim, "min");
}

Tensor mean(const Tensor& x, const Axes& axes, bool keepdim) {
  MINIDL_CHECK(x.defined(), "mean: undefined tensor");
  MINIDL_CHECK(is_floating(x.dtype()),
               "mean: dtype " << x.dtype() << " is not supported (float32 or float64 needed)");
  std::vector<int64_t> normalized = normalize_axes(axes, x.dim(), "mean");
  int64_t count = 1;
  for (int64_t axis : normalized) count *= x.shape()[axis];
  // The sum is accumulated in float64 and rounded once; the division adds one more rounding.
  return div(reduce<SumOp>(x, axes, keepdim, "mean"), double(count));
}

Tensor logsumexp(const Tensor& x, const Axes& axes_in, bool keepdim) {
  MINIDL_CHECK(x.defined(), "logsumexp: undefined tensor");
  MINIDL_CHECK(is_floating(x.dtype()),
               "logsumexp: dtype " << x.dtype() << " is not supported (float32 or float64 needed)");
  const Axes axes = normalize_axes(axes_in, x.dim(), "logsumexp");
  Tensor m = max(x, axes, true);
  // An all -inf (or +inf) slice would give inf - inf = NaN; shifting by 0 there is harmless.
  Tensor shift = where(isfinite(m), m, 0.0);
  Tensor out = add(log(sum(exp(sub(x, shift)), axes, true)), shift);
  if (keepdim) return out;
  return out.view(reduced_shape(x.shape(), axes, false));
}

Tensor var(const Tensor& x, const Axes& axes, int64_t correction, bool keepdim) {
  MINIDL_CHECK(x.defined(), "var: undefined tensor");
  MINIDL_CHECK(is_floating(x.dtype()),
               "var: dtype " << x.dtype() << " is not supported (float32 or float64 needed)");
  std::vector<int64_t> normalized = normalize_axes(axes, x.dim(), "var");
  int64_t count = 1;
  for (int64_t axis : normalized) count *= x.shape()[axis];
  Tensor centered = sub(x.to(DType::Float64), mean(x.to(DType::Float64), axes, true));
  Tensor squares = sum(mul(centered, centered), axes, keepdim);
  // As PyTorch: no more samples than the correction divides by 0, giving inf (or NaN for 0 / 0).
  return div(squares, double(std::max<int64_t>(count - correction, 0))).to(x.dtype());
}

namespace {

template <bool kMax>
Tensor arg_extreme(const Tensor& x, int64_t axis, bool keepdim, const char* op) {
  MINIDL_CHECK(x.defined(), op << ": undefined tensor");
  int64_t a = normalize_axis(axis, x.dim(), op);
  // Move the reduced axis last, keeping the others in order, so rows come in the output's order.
  std::vector<int64_t> order;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d != a) order.push_back(d);
  }
  order.push_back(a);
  Tensor moved = x.dim() == 0 ? x.reshape({1}) : x.permute(order).contiguous();
  const int64_t n = moved.shape().back();
  MINIDL_CHECK(n > 0, op << ": cannot reduce over empty axis " << a << " of shape " << x.shape());
  const int64_t rows = moved.numel() / n;
  Shape out_shape = reduced_shape(
      x.shape(), x.dim() == 0 ? std::vector<int64_t>{} : std::vector<int64_t>{a}, keepdim);
  Tensor out = Tensor::empty(out_shape, DType::Int64);
  int64_t* dst = out.data<int64_t>();
  dispatch_all(x.dtype(), [&]<typename T>() {
    const T* src = moved.data<T>();
#pragma omp parallel for schedule(static) if (should_parallelize(moved.numel()))
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = src + r * n;
      int64_t best = 0;
      for (int64_t j = 1; j < n; ++j) {
        if (row[best] != row[best]) break;  // first NaN wins, as PyTorch
        bool better = kMax ? (row[j] > row[best] || row[j] != row[j])
                           : (row[j] < row[best] || row[j] != row[j]);
        if (better) best = j;
      }
      dst[r] = best;
    }
  });
  return out;
}

}  // namespace

Tensor argmax(const Tensor& x, int64_t axis, bool keepdim) {
  return arg_extreme<true>(x, axis, keepdim, "argmax");
}

Tensor argmin(const Tensor& x, int64_t axis, bool keepdim) {
  return arg_extreme<false>(x, axis, keepdim, "argmin");
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  MINIDL_CHECK(shape.size() <= x.shape().size(),
               "sum_to: shape " << x.shape() << " cannot be summed to " << shape);
  const size_t lead = x.shape().size() - shape.size();
  Axes axes;
  for (size_t i = 0; i < x.shape().size(); ++i) {
    if (i < lead) {
      axes.push_back(int64_t(i));
    } else if (shape[i - lead] == 1 && x.shape()[i] != 1) {
      axes.push_back(int64_t(i));
    } else {
      MINIDL_CHECK(shape[i - lead] == x.shape()[i],
                   "sum_to: shape " << x.shape() << " cannot be summed to " << shape);
    }
  }
  if (axes.empty()) return x.reshape(shape);
  return sum(x, axes, true).reshape(shape);
}

}  // namespace minidl
