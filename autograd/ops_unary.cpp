// Elementwise functions on Variables. Where a derivative is piecewise constant (relu, abs, clamp,
// leaky_relu) the backward uses a constant mask from the input's value: the mask's own derivative
// is zero almost everywhere, so the result is still correct under double backward. Everything
// else is written with Variable ops on the input or the output.
#include <limits>
#include <numbers>

#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

Variable exp(const Variable& x) {
  return record(
      "exp", exp(x.data()), {x},
      [](const Variable& grad, const Inputs&, const Variable& out) { return Grads{grad * out}; });
}

Variable log(const Variable& x) {
  return record(
      "log", log(x.data()), {x},
      [](const Variable& grad, const Inputs& in, const Variable&) { return Grads{grad / in[0]}; });
}

Variable log1p(const Variable& x) {
  return record("log1p", log1p(x.data()), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{grad / (in[0] + 1.0)};
                });
}

Variable sqrt(const Variable& x) {
  return record("sqrt", sqrt(x.data()), {x},
                [](const Variable& grad, const Inputs&, const Variable& out) {
                  return Grads{grad / (out * 2.0)};
                });
}

Variable abs(const Variable& x) {
  return record("abs", abs(x.data()), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{grad * Variable(sign(in[0].data()))};
                });
}

Variable erf(const Variable& x) {
  return record("erf", erf(x.data()), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  // d erf(x)/dx = 2/sqrt(pi) exp(-x^2)
                  return Grads{grad * (exp(-(in[0] * in[0])) * (2.0 * std::numbers::inv_sqrtpi))};
                });
}

// tanh, sigmoid and softplus are primitives rather than compositions of exp: a composed sigmoid
// 1/(1+exp(-x)) has a finite value at x = -1000 but its backward computes inf/inf = NaN.
Variable tanh(const Variable& x) {
  return record("tanh", tanh(x.data()), {x},
                [](const Variable& grad, const Inputs&, const Variable& out) {
                  return Grads{grad * (1.0 - out * out)};
                });
}

Variable sigmoid(const Variable& x) {
  return record("sigmoid", sigmoid(x.data()), {x},
                [](const Variable& grad, const Inputs&, const Variable& out) {
                  return Grads{grad * (out * (1.0 - out))};
                });
}

Variable softplus(const Variable& x, double beta, double threshold) {
  MINIDL_CHECK(beta > 0, "softplus: beta must be positive, got " << beta);
  // Above the threshold PyTorch returns x itself (and the gradient 1): the two differ there by
  // less than log1p(exp(-threshold)) / beta.
  const Tensor beta_x = beta == 1.0 ? x.data() : mul(x.data(), beta);
  const Tensor linear = gt(beta_x, threshold);
  Tensor smooth = softplus(beta_x);
  if (beta != 1.0) smooth = mul(smooth, 1.0 / beta);
  return record(OpDescriptor("softplus", {{"beta", beta}, {"threshold", threshold}}),
                where(linear, x.data(), smooth), {x},
                [beta, linear](const Variable& grad, const Inputs& in, const Variable&) {
                  const Variable beta_x = beta == 1.0 ? in[0] : in[0] * beta;
                  return Grads{grad * where(linear, 1.0, sigmoid(beta_x))};
                });
}

namespace {

// The gradient of leaky_relu (relu: slope 0) as one op and one pass over the data, rather than a
// mask and a select (two passes, three for leaky_relu). It is linear in grad and piecewise
// constant in x, so x enters only as a constant mask, and its own gradient is itself again.
Variable leaky_relu_backward(const Variable& grad, const Tensor& x, double negative_slope) {
  return record("leaky_relu_backward", leaky_relu_backward(grad.data(), x, negative_slope), {grad},
                [x, negative_slope](const Variable& grad_grad, const Inputs&, const Variable&) {
                  return Grads{leaky_relu_backward(grad_grad, x, negative_slope)};
                });
}

}  // namespace

Variable relu(const Variable& x) {
  return record("relu", relu(x.data()), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{leaky_relu_backward(grad, in[0].data(), 0.0)};
                });
}

Variable leaky_relu(const Variable& x, double negative_slope) {
  return record(OpDescriptor("leaky_relu", {{"negative_slope", negative_slope}}),
                leaky_relu(x.data(), negative_slope), {x},
                [negative_slope](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{leaky_relu_backward(grad, in[0].data(), negative_slope)};
                });
}

Variable elu(const Variable& x, double alpha) {
  return record(OpDescriptor("elu", {{"alpha", alpha}}), elu(x.data(), alpha), {x},
                [alpha](const Variable& grad, const Inputs& in, const Variable& out) {
                  // For x <= 0, d/dx alpha (e^x - 1) = alpha e^x = out + alpha.
                  return Grads{where(gt(in[0].data(), 0.0), grad, grad * (out + alpha))};
                });
}

Variable clamp(const Variable& x, std::optional<double> low, std::optional<double> high) {
  const Tensor value = clamp(x.data(), low, high);
  const double lo = low.value_or(-std::numeric_limits<double>::infinity());
  const double hi = high.value_or(std::numeric_limits<double>::infinity());
  std::vector<OpAttribute> bounds;
  if (low) bounds.emplace_back("low", *low);
  if (high) bounds.emplace_back("high", *high);
  return record(OpDescriptor("clamp", std::move(bounds)), value, {x},
                [lo, hi](const Variable& grad, const Inputs& in, const Variable&) {
                  const Tensor& v = in[0].data();
                  return Grads{where(mul(ge(v, lo), le(v, hi)), grad, 0.0)};
                });
}

}  // namespace minidl
