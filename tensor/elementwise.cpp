#include "tensor/elementwise.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "tensor/creation.h"
#include "tensor/loops.h"
#include "tensor/vector_math.h"

namespace minidl {

namespace {

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;

// For the _out forms: an input that shares memory with out without being the very same view is
// read from a copy (the results would otherwise overwrite elements not yet read). Only this rare
// path makes Tensor copies: even a handle copy costs two atomic reference-count updates.
Tensor readable_copy(const Tensor& out, const Tensor& input) {
  return detail::may_overlap(out, input) ? input.clone() : input;
}

// `out` must already have the result's shape and dtype: the _out forms never resize.
void check_out(const Tensor& out, const Shape& shape, DType dtype, const char* op) {
  MINIDL_CHECK(out.defined(), op << ": undefined out tensor");
  MINIDL_CHECK(out.dtype() == dtype,
               op << ": out is " << out.dtype() << " but the result is " << dtype);
  MINIDL_CHECK(out.shape() == shape,
               op << ": out has shape " << out.shape() << " but the result has shape " << shape);
}

// out = fn(x) with out in x's dtype (float types only); out already has x's shape.
template <typename MakeFn>
void map_floating_into(const Tensor& out, const Tensor& x, const char* op, MakeFn make_fn) {
  dispatch_floating(x.dtype(), op, [&]<typename T>() {
    detail::unary_loop<T, T>(out, x, make_fn.template operator()<T>());
  });
}

template <typename MakeFn>
Tensor map_floating(const Tensor& x, const char* op, MakeFn make_fn) {
  MINIDL_CHECK(x.defined(), op << ": undefined tensor");
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  map_floating_into(out, x, op, make_fn);
  return out;
}

template <typename MakeFn>
Tensor& map_floating_out(Tensor& out, const Tensor& x, const char* op, MakeFn make_fn) {
  MINIDL_CHECK(x.defined(), op << ": undefined tensor");
  check_out(out, x.shape(), x.dtype(), op);
  if (detail::may_overlap(out, x)) {
    map_floating_into(out, x.clone(), op, make_fn);
  } else {
    map_floating_into(out, x, op, make_fn);
  }
  return out;
}

void check_binary(const Tensor& a, const Tensor& b, const char* op) {
  MINIDL_CHECK(a.defined() && b.defined(), op << ": undefined tensor");
  MINIDL_CHECK(a.dtype() == b.dtype(),
               op << ": dtypes " << a.dtype() << " and " << b.dtype() << " differ");
}

// out = fn(a, b) elementwise, a and b broadcast to out's shape (already checked to be theirs).
// Operands of out's own shape, the common case, go straight to the loop without expanded views.
template <typename MakeFn>
void binary_into(const Tensor& out, const Tensor& a, const Tensor& b, MakeFn make_fn) {
  dispatch_all(a.dtype(), [&]<typename T>() {
    if (a.shape() == out.shape() && b.shape() == out.shape()) {
      detail::binary_loop<T, T, T>(out, a, b, make_fn.template operator()<T>());
    } else {
      detail::Broadcast ea(a, out.shape()), eb(b, out.shape());
      detail::binary_loop<T, T, T>(out, *ea, *eb, make_fn.template operator()<T>());
    }
  });
}

// The shared part of every broadcasting binary op: dtype check, output shape, the loop.
template <typename MakeFn>
Tensor broadcast_binary(const Tensor& a, const Tensor& b, const char* op, MakeFn make_fn) {
  check_binary(a, b, op);
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), op), a.dtype());
  binary_into(out, a, b, make_fn);
  return out;
}

template <typename MakeFn>
Tensor& broadcast_binary_out(Tensor& out, const Tensor& a, const Tensor& b, const char* op,
                             MakeFn make_fn) {
  check_binary(a, b, op);
  if (a.shape() == b.shape()) {
    check_out(out, a.shape(), a.dtype(), op);
  } else {
    check_out(out, broadcast_shapes(a.shape(), b.shape(), op), a.dtype(), op);
  }
  if (detail::may_overlap(out, a) || detail::may_overlap(out, b)) {
    binary_into(out, readable_copy(out, a), readable_copy(out, b), make_fn);
  } else {
    binary_into(out, a, b, make_fn);
  }
  return out;
}

// The scalar form: b is captured by value in the lambda, so no tensor is allocated for it.
template <typename MakeFn>
Tensor scalar_binary(const Tensor& a, double b, const char* op, MakeFn make_fn) {
  MINIDL_CHECK(a.defined(), op << ": undefined tensor");
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  dispatch_all(a.dtype(), [&]<typename T>() {
    detail::unary_loop<T, T>(out, a, make_fn.template operator()<T>(static_cast<T>(b)));
  });
  return out;
}

template <typename T>
T max_propagating_nan(T a, T b) {
  return (a > b || a != a) ? a : b;
}
template <typename T>
T min_propagating_nan(T a, T b) {
  return (a < b || a != a) ? a : b;
}

// Integer arithmetic wraps around in two's complement, as NumPy does. Signed overflow is undefined
// behaviour in C++ (and INT64_MIN / -1 traps on x86), so int64 goes through uint64; uint8 is
// promoted to int by C++ and narrowed back modulo 256. Floating types use the plain operators.
template <typename T>
T wrapping_add(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>)
    return T(uint64_t(x) + uint64_t(y));
  else
    return T(x + y);
}
template <typename T>
T wrapping_sub(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>)
    return T(uint64_t(x) - uint64_t(y));
  else
    return T(x - y);
}
template <typename T>
T wrapping_mul(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>)
    return T(uint64_t(x) * uint64_t(y));
  else
    return T(x * y);
}
// Integer division truncates toward zero, as C++; callers have already rejected a zero divisor.
template <typename T>
T wrapping_div(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>) {
    if (y == -1) return T(uint64_t(0) - uint64_t(x));
  }
  return T(x / y);
}

template <typename T>
void check_no_integer_zero(const Tensor& divisor, const char* op) {
  if constexpr (!kIsFloat<T>) {
    for (T v : divisor.to_vector<T>()) {
      MINIDL_CHECK(v != 0, op << ": integer division by zero");
    }
  }
}

}  // namespace

#define MINIDL_UNARY(name, expr)                                                               \
  Tensor name(const Tensor& x) {                                                               \
    return map_floating(x, #name, []<typename T>() { return [](T v) -> T { return expr; }; }); \
  }                                                                                            \
  Tensor& name##_out(Tensor& out, const Tensor& x) {                                           \
    return map_floating_out(out, x, #name "_out",                                              \
                            []<typename T>() { return [](T v) -> T { return expr; }; });       \
  }

MINIDL_UNARY(neg, -v)
MINIDL_UNARY(abs, std::abs(v))
MINIDL_UNARY(sign, T((v > 0) - (v < 0)))
// The transcendental functions come from tensor/vector_math.h: branch-free, so the loops vectorise,
// within 2 ulp of libm, with libm's special values.
MINIDL_UNARY(exp, vector_math::exp(v))
MINIDL_UNARY(log, vector_math::log(v))
MINIDL_UNARY(log1p, vector_math::log1p(v))
MINIDL_UNARY(expm1, vector_math::expm1(v))
MINIDL_UNARY(sqrt, std::sqrt(v))
MINIDL_UNARY(rsqrt, T(1) / std::sqrt(v))
MINIDL_UNARY(square, v* v)
MINIDL_UNARY(reciprocal, T(1) / v)
MINIDL_UNARY(sin, std::sin(v))
MINIDL_UNARY(cos, std::cos(v))
MINIDL_UNARY(erf, std::erf(v))
MINIDL_UNARY(tanh, vector_math::tanh(v))
// Both take exp of -|v| only, so nothing overflows at either end.
MINIDL_UNARY(sigmoid, vector_math::sigmoid(v))
MINIDL_UNARY(softplus, vector_math::softplus(v))
MINIDL_UNARY(relu, v < 0 ? T(0) : v)  // written so NaN passes through, as PyTorch
MINIDL_UNARY(isfinite, T(std::isfinite(v) ? 1 : 0))
#undef MINIDL_UNARY

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return map_floating(x, "leaky_relu", [negative_slope]<typename T>() {
    const T slope = T(negative_slope);
    return [slope](T v) -> T { return v < 0 ? slope * v : v; };
  });
}

Tensor elu(const Tensor& x, double alpha) {
  return map_floating(x, "elu", [alpha]<typename T>() {
    const T a = T(alpha);
    return [a](T v) -> T { return v > 0 ? v : a * vector_math::expm1(v); };
  });
}

Tensor clamp(const Tensor& x, std::optional<double> low_bound, std::optional<double> high_bound) {
  MINIDL_CHECK(low_bound || high_bound, "clamp: at least one of low and high is needed");
  const double low = low_bound.value_or(-std::numeric_limits<double>::infinity());
  const double high = high_bound.value_or(std::numeric_limits<double>::infinity());
  MINIDL_CHECK(!(low > high), "clamp: low " << low << " is greater than high " << high);
  return map_floating(x, "clamp", [low, high]<typename T>() {
    const T lo = T(low), hi = T(high);
    return [lo, hi](T v) -> T { return v < lo ? lo : (v > hi ? hi : v); };
  });
}

Tensor pow(const Tensor& x, double exponent) {
  if (exponent == 2.0) return square(x);
  if (exponent == 1.0) return x.clone();
  if (exponent == 0.5) return sqrt(x);
  return map_floating(x, "pow", [exponent]<typename T>() {
    const T e = T(exponent);
    return [e](T v) -> T { return std::pow(v, e); };
  });
}

#define MINIDL_BINARY(name, expr)                                                                 \
  Tensor name(const Tensor& a, const Tensor& b) {                                                 \
    return broadcast_binary(a, b, #name,                                                          \
                            []<typename T>() { return [](T x, T y) -> T { return expr; }; });     \
  }                                                                                               \
  Tensor& name##_out(Tensor& out, const Tensor& a, const Tensor& b) {                             \
    return broadcast_binary_out(out, a, b, #name "_out",                                          \
                                []<typename T>() { return [](T x, T y) -> T { return expr; }; }); \
  }                                                                                               \
  Tensor name(const Tensor& a, double b) {                                                        \
    return scalar_binary(a, b, #name,                                                             \
                         []<typename T>(T y) { return [y](T x) -> T { return expr; }; });         \
  }

MINIDL_BINARY(add, wrapping_add(x, y))
MINIDL_BINARY(sub, wrapping_sub(x, y))
MINIDL_BINARY(mul, wrapping_mul(x, y))
MINIDL_BINARY(maximum, max_propagating_nan(x, y))
MINIDL_BINARY(minimum, min_propagating_nan(x, y))
MINIDL_BINARY(eq, T(x == y))
MINIDL_BINARY(ne, T(x != y))
MINIDL_BINARY(lt, T(x < y))
MINIDL_BINARY(le, T(x <= y))
MINIDL_BINARY(gt, T(x > y))
MINIDL_BINARY(ge, T(x >= y))
#undef MINIDL_BINARY

Tensor div(const Tensor& a, const Tensor& b) {
  if (a.defined() && b.defined() && a.dtype() == b.dtype()) {
    dispatch_all(b.dtype(), [&]<typename T>() { check_no_integer_zero<T>(b, "div"); });
  }
  return broadcast_binary(
      a, b, "div", []<typename T>() { return [](T x, T y) -> T { return wrapping_div(x, y); }; });
}

Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b) {
  if (a.defined() && b.defined() && a.dtype() == b.dtype()) {
    dispatch_all(b.dtype(), [&]<typename T>() { check_no_integer_zero<T>(b, "div_out"); });
  }
  return broadcast_binary_out(out, a, b, "div_out", []<typename T>() {
    return [](T x, T y) -> T { return wrapping_div(x, y); };
  });
}

// True division, not a multiply by 1 / b: x / 10 must give the double nearest x / 10 (as NumPy),
// and the loop is memory-bound, so the division costs nothing measurable.
Tensor div(const Tensor& a, double b) {
  return scalar_binary(a, b, "div", []<typename T>(T y) {
    // Checked after the conversion to T: 0.5 becomes an integer 0 divisor.
    if constexpr (!kIsFloat<T>) MINIDL_CHECK(y != 0, "div: integer division by zero");
    return [y](T x) -> T { return wrapping_div(x, y); };
  });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  return broadcast_binary(
      a, b, "pow", []<typename T>() { return [](T x, T y) -> T { return T(std::pow(x, y)); }; });
}

Tensor& pow_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return broadcast_binary_out(out, a, b, "pow_out", []<typename T>() {
    return [](T x, T y) -> T { return T(std::pow(x, y)); };
  });
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  MINIDL_CHECK(condition.defined() && a.defined() && b.defined(), "where: undefined tensor");
  MINIDL_CHECK(a.dtype() == b.dtype(),
               "where: dtypes " << a.dtype() << " and " << b.dtype() << " differ");
  Shape shape =
      broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(shape, a.dtype());
  dispatch_all(a.dtype(), [&]<typename T>() {
    dispatch_all(condition.dtype(), [&]<typename C>() {
      detail::ternary_loop<T, C>(out, condition.expand(shape), a.expand(shape), b.expand(shape),
                                 [](C c, T x, T y) { return detail::blend(c != C(0), x, y); });
    });
  });
  return out;
}

namespace {

// where() with one side a scalar (relu's backward is where(x > 0, grad, 0)): a two-operand loop
// with the scalar captured, so the common contiguous case vectorises.
Tensor where_scalar(const Tensor& condition, const Tensor& values, double scalar_value,
                    bool scalar_when_true) {
  MINIDL_CHECK(condition.defined() && values.defined(), "where: undefined tensor");
  Shape shape = broadcast_shapes(condition.shape(), values.shape(), "where");
  Tensor out = Tensor::empty(shape, values.dtype());
  dispatch_all(values.dtype(), [&]<typename T>() {
    const T s = static_cast<T>(scalar_value);
    dispatch_all(condition.dtype(), [&]<typename C>() {
      if (scalar_when_true) {
        detail::binary_loop<T, C, T>(out, condition.expand(shape), values.expand(shape),
                                     [s](C c, T x) -> T { return detail::blend(c != C(0), s, x); });
      } else {
        detail::binary_loop<T, C, T>(out, condition.expand(shape), values.expand(shape),
                                     [s](C c, T x) -> T { return detail::blend(c != C(0), x, s); });
      }
    });
  });
  return out;
}

}  // namespace

Tensor where(const Tensor& condition, const Tensor& a, double b) {
  return where_scalar(condition, a, b, /*scalar_when_true=*/false);
}

Tensor where(const Tensor& condition, double a, const Tensor& b) {
  return where_scalar(condition, b, a, /*scalar_when_true=*/true);
}

Tensor& add_(Tensor& a, const Tensor& b, double alpha) {
  MINIDL_CHECK(a.dtype() == b.dtype(),
               "add_: dtypes " << a.dtype() << " and " << b.dtype() << " differ");
  Tensor snapshot;  // see Tensor::copy_
  if (detail::may_overlap(a, b)) snapshot = b.clone();
  const Tensor& from = snapshot.defined() ? snapshot : b;
  Tensor bb = from.expand(broadcast_shapes(b.shape(), a.shape(), "add_"));
  MINIDL_CHECK(bb.shape() == a.shape(),
               "add_: shape " << b.shape() << " cannot be added in place to " << a.shape());
  dispatch_all(a.dtype(), [&]<typename T>() {
    const T scale = T(alpha);
    if (alpha == 1.0) {
      detail::binary_loop<T, T, T>(a, a, bb, [](T x, T y) -> T { return wrapping_add(x, y); });
    } else {
      detail::binary_loop<T, T, T>(
          a, a, bb, [scale](T x, T y) -> T { return wrapping_add(x, wrapping_mul(scale, y)); });
    }
  });
  return a;
}

Tensor& mul_(Tensor& a, double factor) {
  dispatch_all(a.dtype(), [&]<typename T>() {
    const T f = T(factor);
    detail::unary_loop<T, T>(a, a, [f](T x) -> T { return wrapping_mul(x, f); });
  });
  return a;
}

Tensor rsub(const Tensor& a, double b) {
  return scalar_binary(
      a, b, "sub", []<typename T>(T x) { return [x](T y) -> T { return wrapping_sub(x, y); }; });
}
Tensor rdiv(const Tensor& a, double b) {
  MINIDL_CHECK(a.defined(), "div: undefined tensor");
  if (!is_floating(a.dtype())) {
    dispatch_all(a.dtype(), [&]<typename T>() { check_no_integer_zero<T>(a, "div"); });
  }
  return scalar_binary(
      a, b, "div", []<typename T>(T x) { return [x](T y) -> T { return wrapping_div(x, y); }; });
}

}  // namespace minidl
