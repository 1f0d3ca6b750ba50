// Elementwise math: unary functions, binary arithmetic and comparisons with NumPy broadcasting,
// where(), and the operators + - * / on tensors and scalars. Every function returns a new
// contiguous tensor (the op_out forms write into one you give); inputs may be any views.
// Comparisons return a mask of 0 and 1 in the inputs' dtype, so masks multiply directly with
// values. Integer arithmetic wraps around on overflow (as NumPy) and integer division truncates
// toward zero (as C++); an integer zero divisor throws.
#pragma once

#include <optional>

#include "tensor/arithmetic_operators.h"
#include "tensor/core.h"

namespace minidl {

// --- unary (float32 / float64) ---
Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);  // -1, 0 or 1
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);   // stable at both ends: never exp of a large positive number
Tensor softplus(const Tensor& x);  // log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|))
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope);
Tensor elu(const Tensor& x, double alpha = 1.0);
// Either bound may be std::nullopt (not both), as torch.clamp.
Tensor clamp(const Tensor& x, std::optional<double> low, std::optional<double> high);
Tensor pow(const Tensor& x, double exponent);
Tensor isfinite(const Tensor& x);  // mask: 1 where finite

// --- binary with broadcasting (same dtype on both sides) ---
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);  // NaN in either gives NaN, as NumPy
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// Scalar forms: the scalar takes the tensor's dtype.
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor rsub(const Tensor& a, double b);  // b - a
Tensor rdiv(const Tensor& a, double b);  // b / a
Tensor maximum(const Tensor& a, double b);
Tensor minimum(const Tensor& a, double b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);

// where(condition, a, b): a where condition is nonzero, else b; all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, double b);
Tensor where(const Tensor& condition, double a, const Tensor& b);

// In place, for optimizers and gradient accumulation: a += alpha * b (b broadcast to a).
Tensor& add_(Tensor& a, const Tensor& b, double alpha = 1.0);
Tensor& mul_(Tensor& a, double factor);

// --- writing into an existing tensor ---
// op_out(out, ...) computes op(...) into `out` and returns it, allocating nothing: for loops that
// reuse their buffers (and for comparing minidl fairly with a plain loop over a preallocated
// array, bench/bench_elementwise). out must already have the result's shape and dtype (it may be
// any view, and may be one of the inputs: relu_out(x, x)). Argument order as PyTorch's C++
// at::add_out(out, a, b).
Tensor& neg_out(Tensor& out, const Tensor& x);
Tensor& abs_out(Tensor& out, const Tensor& x);
Tensor& sign_out(Tensor& out, const Tensor& x);
Tensor& exp_out(Tensor& out, const Tensor& x);
Tensor& log_out(Tensor& out, const Tensor& x);
Tensor& log1p_out(Tensor& out, const Tensor& x);
Tensor& expm1_out(Tensor& out, const Tensor& x);
Tensor& sqrt_out(Tensor& out, const Tensor& x);
Tensor& rsqrt_out(Tensor& out, const Tensor& x);
Tensor& square_out(Tensor& out, const Tensor& x);
Tensor& reciprocal_out(Tensor& out, const Tensor& x);
Tensor& sin_out(Tensor& out, const Tensor& x);
Tensor& cos_out(Tensor& out, const Tensor& x);
Tensor& erf_out(Tensor& out, const Tensor& x);
Tensor& tanh_out(Tensor& out, const Tensor& x);
Tensor& sigmoid_out(Tensor& out, const Tensor& x);
Tensor& softplus_out(Tensor& out, const Tensor& x);
Tensor& relu_out(Tensor& out, const Tensor& x);
Tensor& isfinite_out(Tensor& out, const Tensor& x);
Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& mul_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& pow_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& maximum_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& minimum_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& eq_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& ne_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& lt_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& le_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& gt_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor& ge_out(Tensor& out, const Tensor& a, const Tensor& b);

// The operators + - * / (tensor/arithmetic_operators.h) call the functions above.
template <>
inline constexpr bool kHasArithmeticOperators<Tensor> = true;

}  // namespace minidl
