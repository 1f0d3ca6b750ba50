#include "tensor/fused.h"

#include <cmath>

#include "tensor/loops.h"
#include "tensor/vector_math.h"

namespace minidl {

namespace {

// out = fn(x, t) for floating x and t of the same dtype, broadcast together.
template <typename MakeFn>
Tensor floating_binary(const Tensor& x, const Tensor& t, const char* op, MakeFn make_fn) {
  MINIDL_CHECK(x.defined() && t.defined(), op << ": undefined tensor");
  MINIDL_CHECK(x.dtype() == t.dtype(),
               op << ": dtypes " << x.dtype() << " and " << t.dtype() << " differ");
  Shape shape = broadcast_shapes(x.shape(), t.shape(), op);
  Tensor out = Tensor::empty(shape, x.dtype());
  detail::Broadcast ex(x, shape), et(t, shape);
  dispatch_floating(x.dtype(), op, [&]<typename T>() {
    detail::binary_loop<T, T, T>(out, *ex, *et, make_fn.template operator()<T>());
  });
  return out;
}

}  // namespace

Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope) {
  const char* op = "leaky_relu_backward";
  if (negative_slope == 0.0) {
    return floating_binary(grad, x, op, []<typename T>() {
      return [](T g, T v) -> T { return v > T(0) ? g : T(0); };
    });
  }
  return floating_binary(grad, x, op, [negative_slope]<typename T>() {
    const T slope = T(negative_slope);
    return [slope](T g, T v) -> T { return v > T(0) ? g : g * slope; };
  });
}

Tensor elementwise_binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& targets) {
  return floating_binary(logits, targets, "elementwise_binary_cross_entropy_with_logits",
                         []<typename T>() {
                           return [](T x, T t) -> T {
                             // max(x, 0) and |x| from one comparison, so at x = 0 both kinks take
                             // the same side.
                             const bool nonnegative = x >= T(0);
                             const T positive_part = nonnegative ? x : T(0);
                             const T magnitude = nonnegative ? x : -x;
                             return positive_part - x * t + vector_math::log1p_exp_minus(magnitude);
                           };
                         });
}

Tensor sigmoid_minus(const Tensor& logits, const Tensor& targets) {
  return floating_binary(logits, targets, "sigmoid_minus", []<typename T>() {
    // vector_math::sigmoid takes exp of -|x| only: 1 / (1 + e) for x >= 0, e / (1 + e) otherwise.
    return [](T x, T t) -> T { return vector_math::sigmoid(x) - t; };
  });
}

}  // namespace minidl
