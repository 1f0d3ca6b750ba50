// Matrix products on Variables. The backward GEMMs are Variable matmuls of transposed views: BLAS
// reads the transposes through its flags, so no copies, and the gradients stay differentiable.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

namespace {

Variable matrix_transpose(const Variable& x) { return transpose(x, -1, -2); }

// matmul of operands with at least 2 dimensions; batch axes broadcast (the engine sums the
// gradient of a broadcast operand back to its shape).
Variable matmul_matrices(const Variable& a, const Variable& b) {
  return record("matmul", matmul(a.data(), b.data()), {a, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{
                      in.needs_grad(0) ? matmul(grad, matrix_transpose(in[1])) : Variable(),
                      in.needs_grad(1) ? matmul(matrix_transpose(in[0]), grad) : Variable()};
                });
}

}  // namespace

Variable matmul(const Variable& a, const Variable& b) {
  MINIDL_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: operands must have at least 1 dimension, got "
                                                 << a.shape() << " x " << b.shape());
  // Vectors become a row (left) or a column (right), and the added axis is removed again.
  if (a.dim() == 1 && b.dim() == 1) {
    MINIDL_CHECK(a.size(0) == b.size(0),
                 "matmul: inner dimensions differ: " << a.shape() << " x " << b.shape());
  }
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), b.dim() == 1 ? 0 : -2);
  if (b.dim() == 1) return squeeze(matmul_matrices(a, unsqueeze(b, 1)), -1);
  return matmul_matrices(a, b);
}

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  MINIDL_CHECK(weight.dim() == 2,
               "linear: weight must be [out_features, in_features], got " << weight.shape());
  MINIDL_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1),
               "linear: input of shape " << x.shape() << " does not end in in_features = "
                                         << weight.size(1) << " (weight " << weight.shape() << ")");
  MINIDL_CHECK(!bias.defined() || bias.shape() == Shape{weight.size(0)},
               "linear: bias of shape " << bias.shape() << " does not match out_features "
                                        << weight.size(0));
  if (x.dim() != 2) {  // [..., in] -> [N, in] -> [..., out]
    Shape out_shape = x.shape();
    out_shape.back() = weight.size(0);
    return reshape(linear(reshape(x, {-1, x.size(-1)}), weight, bias), out_shape);
  }
  // x [N, in] @ W^T [in, out] (+ b): W.t() is a view that BLAS reads with its transpose flag.
  Tensor value = bias.defined() ? addmm(bias.data(), x.data(), weight.data().t())
                                : matmul(x.data(), weight.data().t());
  std::vector<Variable> inputs = {x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return record("linear", value, std::move(inputs),
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  Grads grads(in.size());
                  if (in.needs_grad(0)) grads[0] = matmul(grad, in[1]);  // [N, in]
                  if (in.needs_grad(1))
                    grads[1] = matmul(transpose(grad, 0, 1), in[0]);                  // [out, in]
                  if (in.size() == 3 && in.needs_grad(2)) grads[2] = sum(grad, {0});  // [out]
                  return grads;
                });
}

}  // namespace minidl
