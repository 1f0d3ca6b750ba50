// Every differentiable op on Variables. Each is defined in one place (autograd/ops_*.cpp) with its
// forward, computed by tensor/ kernels, right beside its backward, written with these same ops so
// gradients can be differentiated again. Names and semantics follow PyTorch.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "autograd/variable.h"
#include "tensor/convolution.h"

namespace minidl {

// --- arithmetic with broadcasting (ops_arithmetic.cpp) ---
Variable neg(const Variable& x);
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
// Scalar forms: the scalar is a constant, so the graph gets one node with one input.
Variable add(const Variable& a, double b);
Variable mul(const Variable& a, double b);
Variable rsub(const Variable& a, double b);  // b - a
Variable rdiv(const Variable& a, double b);  // b / a
inline Variable sub(const Variable& a, double b) { return add(a, -b); }
inline Variable div(const Variable& a, double b) { return mul(a, 1.0 / b); }
Variable pow(const Variable& x, double exponent);
Variable pow(const Variable& base, const Variable& exponent);
Variable maximum(const Variable& a, const Variable& b);  // ties split the gradient evenly
Variable minimum(const Variable& a, const Variable& b);
// a where condition is nonzero, else b. The condition is a constant mask (not differentiable).
Variable where(const Tensor& condition, const Variable& a, const Variable& b);
Variable where(const Tensor& condition, const Variable& a, double b);
Variable where(const Tensor& condition, double a, const Variable& b);

// The operators + - * / (tensor/arithmetic_operators.h) call the functions above.
template <>
inline constexpr bool kHasArithmeticOperators<Variable> = true;

// --- elementwise functions (ops_unary.cpp) ---
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable log1p(const Variable& x);
Variable sqrt(const Variable& x);
Variable abs(const Variable& x);
Variable erf(const Variable& x);
Variable tanh(const Variable& x);
Variable sigmoid(const Variable& x);
// log(1 + exp(beta x)) / beta, and x itself where beta x > threshold, as F.softplus.
Variable softplus(const Variable& x, double beta = 1.0, double threshold = 20.0);
Variable relu(const Variable& x);
Variable leaky_relu(const Variable& x, double negative_slope = 0.01);
Variable elu(const Variable& x, double alpha = 1.0);
// Either bound may be std::nullopt (not both), as torch.clamp. The gradient passes where
// low <= x <= high, as PyTorch.
Variable clamp(const Variable& x, std::optional<double> low, std::optional<double> high);

// --- reductions (ops_reduce.cpp); an empty axis list reduces over every axis ---
Variable sum(const Variable& x, const Axes& axes = {}, bool keepdim = false);
Variable mean(const Variable& x, const Axes& axes = {}, bool keepdim = false);
// The gradient goes to the maximal elements, split evenly between ties.
Variable max(const Variable& x, const Axes& axes = {}, bool keepdim = false);
Variable min(const Variable& x, const Axes& axes = {}, bool keepdim = false);
Variable logsumexp(const Variable& x, const Axes& axes = {}, bool keepdim = false);
Variable var(const Variable& x, const Axes& axes = {}, int64_t correction = 1,
             bool keepdim = false);
// Sums a broadcast value back down to `shape`; the engine applies it to broadcast inputs.
Variable sum_to(const Variable& x, const Shape& shape);

// --- shapes and views (ops_shape.cpp) ---
Variable reshape(const Variable& x, const Shape& shape);
Variable flatten(const Variable& x, int64_t start_axis = 0, int64_t end_axis = -1);
Variable transpose(const Variable& x, int64_t axis0, int64_t axis1);
Variable permute(const Variable& x, const std::vector<int64_t>& order);
Variable slice(const Variable& x, int64_t axis, int64_t start, int64_t end, int64_t step = 1);
Variable narrow(const Variable& x, int64_t axis, int64_t start, int64_t length);
Variable select(const Variable& x, int64_t axis, int64_t index);
Variable expand(const Variable& x, const Shape& shape);
Variable squeeze(const Variable& x, int64_t axis);
Variable unsqueeze(const Variable& x, int64_t axis);
// Splits axis into `sizes` (their product must be its size; one may be -1), as torch.unflatten.
Variable unflatten(const Variable& x, int64_t axis, const Shape& sizes);
Variable concat(const std::vector<Variable>& xs, int64_t axis = 0);
Variable stack(const std::vector<Variable>& xs, int64_t axis = 0);

// --- matrix products (ops_linalg.cpp) ---
Variable matmul(const Variable& a, const Variable& b);
// x W^T + b for x [..., in], weight [out, in], bias [out] (or undefined): one GEMM with the bias
// accumulated in it. What nn::Linear calls.
Variable linear(const Variable& x, const Variable& weight, const Variable& bias = {});

// --- convolution and pooling on [N, C, H, W] (ops_convolution.cpp, ops_pooling.cpp) ---
using Size2 = std::array<int64_t, 2>;  // {height, width}
// The columns of tensor/convolution.h as differentiable ops; each is the other's gradient.
Variable im2col(const Variable& x, const Window2d& window);
Variable col2im(const Variable& columns, const Shape& image_shape, const Window2d& window);
// input [N, C, H, W], weight [OC, C / groups, KH, KW], bias [OC] or undefined -> [N, OC, OH, OW],
// OH = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1: cross-correlation, as PyTorch.
Variable conv2d(const Variable& input, const Variable& weight, const Variable& bias = {},
                Size2 stride = {1, 1}, Size2 padding = {0, 0}, Size2 dilation = {1, 1},
                int64_t groups = 1);
// The adjoint of conv2d with respect to its input: input [N, C, H, W], weight
// [C, OC / groups, KH, KW] -> [N, OC, OH, OW] with
// OH = (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1, output_padding <
// stride.
Variable conv_transpose2d(const Variable& input, const Variable& weight, const Variable& bias = {},
                          Size2 stride = {1, 1}, Size2 padding = {0, 0},
                          Size2 output_padding = {0, 0}, Size2 dilation = {1, 1},
                          int64_t groups = 1);
// Window maxima; the gradient goes to the first maximum of each window (PyTorch's choice).
// padding <= kernel / 2, as PyTorch.
Variable max_pool2d(const Variable& input, Size2 kernel, Size2 stride, Size2 padding = {0, 0},
                    Size2 dilation = {1, 1});
// Window means. count_include_pad divides by KH*KW always; otherwise by the number of taps inside
// the image.
Variable avg_pool2d(const Variable& input, Size2 kernel, Size2 stride, Size2 padding = {0, 0},
                    bool count_include_pad = true);
// Nearest-neighbour resize of [N, C, H, W] to size = {out_h, out_w}: source pixel
// floor(dst * H / out_h), as PyTorch's mode="nearest" with size=.
Variable upsample_nearest2d(const Variable& input, Size2 size);
// The same with scale factors: out = floor(H * scale), source pixel floor(dst / scale), as
// PyTorch's scale_factor= (without recompute_scale_factor).
Variable upsample_nearest2d(const Variable& input, double scale_h, double scale_w);

// --- indexing (ops_index.cpp); index tensors are int64 constants ---
Variable gather(const Variable& x, int64_t axis, const Tensor& index);
Variable scatter_add(const Shape& shape, int64_t axis, const Tensor& index, const Variable& source);
Variable index_select(const Variable& x, int64_t axis, const Tensor& index);
Variable index_add(const Shape& shape, int64_t axis, const Tensor& index, const Variable& source);

// --- fused loss primitives (ops_loss.cpp), elementwise with broadcasting ---
// max(x, 0) - x t + log1p(exp(-|x|)): binary cross-entropy of logits x against targets t, stable
// for any x; nn::binary_cross_entropy_with_logits adds the reduction.
Variable elementwise_binary_cross_entropy_with_logits(const Variable& logits,
                                                      const Variable& targets);
// sigmoid(x) - t: the gradient of the loss above with respect to x, itself differentiable.
Variable sigmoid_minus(const Variable& logits, const Variable& targets);
// -(t max(log p, -100) + (1 - t) max(log(1 - p), -100)): binary cross-entropy of probabilities p,
// with PyTorch's gradient for p, (p - t) / max(p (1 - p), 1e-12), which stays large where a
// prediction is saturated and wrong (p = 0, t = 1). The gradient for t uses the same clamped logs
// as the value, so it is finite where PyTorch's is infinite (p = 0 or 1).
Variable elementwise_binary_cross_entropy(const Variable& probs, const Variable& targets);

// --- composites (ops_composite.cpp): built from the ops above, no backward of their own ---
Variable log_softmax(const Variable& x, int64_t axis = -1);  // x - logsumexp(x): stable
Variable softmax(const Variable& x, int64_t axis = -1);      // exp(log_softmax(x))
// GELU: exact x * Phi(x) through erf, or PyTorch's approximate="tanh" form.
Variable gelu(const Variable& x, bool tanh_approximation = false);
Variable square(const Variable& x);

}  // namespace minidl
