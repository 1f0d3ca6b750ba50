// Arithmetic on Variables: + - * / with broadcasting, powers, maximum/minimum and where.
// Backward functions may return gradients of the broadcast output shape; the engine sums them
// down to each input's shape.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

Variable add(const Variable& a, const Variable& b) {
  return record("add", add(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{grad, grad};
                });
}

Variable sub(const Variable& a, const Variable& b) {
  return record("sub", sub(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{grad, in.needs_grad(1) ? -grad : Variable()};
                });
}

Variable mul(const Variable& a, const Variable& b) {
  return record("mul", mul(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{in.needs_grad(0) ? grad * in[1] : Variable(),
                               in.needs_grad(1) ? grad * in[0] : Variable()};
                });
}

Variable div(const Variable& a, const Variable& b) {
  return record("div", div(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs& in, const Variable& out) {
                  // d(a/b)/db = -a/b^2 = -out/b
                  return Grads{in.needs_grad(0) ? grad / in[1] : Variable(),
                               in.needs_grad(1) ? -(grad * out) / in[1] : Variable()};
                });
}

Variable add(const Variable& a, double b) {
  return record("add_scalar", add(a.data(), b), {a},
                [](const Variable& grad, const Inputs&, const Variable&) { return Grads{grad}; });
}

Variable mul(const Variable& a, double b) {
  return record(
      "mul_scalar", mul(a.data(), b), {a},
      [b](const Variable& grad, const Inputs&, const Variable&) { return Grads{grad * b}; });
}

Variable rsub(const Variable& a, double b) {
  return record("rsub_scalar", b - a.data(), {a},
                [](const Variable& grad, const Inputs&, const Variable&) { return Grads{-grad}; });
}

Variable rdiv(const Variable& a, double b) {
  return record("rdiv_scalar", b / a.data(), {a},
                [](const Variable& grad, const Inputs& in, const Variable& out) {
                  return Grads{-(grad * out) / in[0]};  // d(b/a)/da = -b/a^2 = -out/a
                });
}

Variable neg(const Variable& x) {
  return record("neg", neg(x.data()), {x},
                [](const Variable& grad, const Inputs&, const Variable&) { return Grads{-grad}; });
}

Variable pow(const Variable& x, double exponent) {
  return record("pow_scalar", pow(x.data(), exponent), {x},
                [exponent](const Variable& grad, const Inputs& in, const Variable&) {
                  if (exponent == 0.0) return Grads{Variable()};
                  if (exponent == 1.0) return Grads{grad};
                  return Grads{grad * (exponent * pow(in[0], exponent - 1.0))};
                });
}

Variable pow(const Variable& base, const Variable& exponent) {
  return record("pow", pow(base.data(), exponent.data()), {base, exponent},
                [](const Variable& grad, const Inputs& in, const Variable& out) {
                  return Grads{
                      in.needs_grad(0) ? grad * in[1] * pow(in[0], in[1] - 1.0) : Variable(),
                      in.needs_grad(1) ? grad * out * log(in[0]) : Variable()};
                });
}

namespace {

// Shares of the gradient for the left operand of maximum/minimum: 1 where it wins, 1/2 on ties.
Tensor left_share(const Tensor& wins, const Tensor& ties) { return add(wins, mul(ties, 0.5)); }

}  // namespace

Variable maximum(const Variable& a, const Variable& b) {
  return record("maximum", maximum(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  Tensor share =
                      left_share(gt(in[0].data(), in[1].data()), eq(in[0].data(), in[1].data()));
                  return Grads{grad * Variable(share), grad * Variable(1.0 - share)};
                });
}

Variable minimum(const Variable& a, const Variable& b) {
  return record("minimum", minimum(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  Tensor share =
                      left_share(lt(in[0].data(), in[1].data()), eq(in[0].data(), in[1].data()));
                  return Grads{grad * Variable(share), grad * Variable(1.0 - share)};
                });
}

Variable where(const Tensor& condition, const Variable& a, const Variable& b) {
  return record("where", where(condition, a.data(), b.data()), {a, b},
                [condition](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{in.needs_grad(0) ? where(condition, grad, 0.0) : Variable(),
                               in.needs_grad(1) ? where(condition, 0.0, grad) : Variable()};
                });
}

Variable where(const Tensor& condition, const Variable& a, double b) {
  return record("where", where(condition, a.data(), b), {a},
                [condition](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{where(condition, grad, 0.0)};
                });
}

Variable where(const Tensor& condition, double a, const Variable& b) {
  return record("where", where(condition, a, b.data()), {b},
                [condition](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{where(condition, 0.0, grad)};
                });
}

}  // namespace minidl
