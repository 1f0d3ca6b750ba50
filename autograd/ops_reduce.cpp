// Reductions on Variables. Their backward functions expand the output gradient back over the
// reduced axes: reshape to the keepdim shape, then expand (whose backward is sum_to, so these
// stay differentiable).
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

namespace {

// The output shape with the reduced axes kept as size 1.
Shape keepdim_shape(const Shape& input, const Axes& axes) {
  std::vector<int64_t> normalized = normalize_axes(axes, int64_t(input.size()), "reduce");
  Shape shape = input;
  for (int64_t axis : normalized) shape[size_t(axis)] = 1;
  return shape;
}

// Broadcasts a reduction's gradient back to the input's shape.
Variable expand_back(const Variable& grad, const Shape& input_shape, const Axes& axes) {
  return expand(reshape(grad, keepdim_shape(input_shape, axes)), input_shape);
}

int64_t reduced_count(const Shape& input, const Axes& axes) {
  int64_t count = 1;
  for (int64_t axis : normalize_axes(axes, int64_t(input.size()), "mean")) count *= input[axis];
  return count;
}

// max and min: the gradient goes to the elements equal to the extreme, split between ties.
Variable extreme(const Variable& x, const Axes& axes, bool keepdim, bool is_max) {
  Tensor value = is_max ? max(x.data(), axes, keepdim) : min(x.data(), axes, keepdim);
  return record(is_max ? "max" : "min", value, {x},
                [axes](const Variable& grad, const Inputs& in, const Variable& out) {
                  const Shape& shape = in[0].shape();
                  Tensor hits = eq(in[0].data(), out.data().reshape(keepdim_shape(shape, axes)));
                  Tensor share = div(hits, sum(hits, axes, true));
                  return Grads{expand_back(grad, shape, axes) * Variable(share)};
                });
}

}  // namespace

Variable sum(const Variable& x, const Axes& axes, bool keepdim) {
  return record("sum", sum(x.data(), axes, keepdim), {x},
                [axes](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{expand_back(grad, in[0].shape(), axes)};
                });
}

Variable mean(const Variable& x, const Axes& axes, bool keepdim) {
  return record(
      "mean", mean(x.data(), axes, keepdim), {x},
      [axes](const Variable& grad, const Inputs& in, const Variable&) {
        const Shape& shape = in[0].shape();
        return Grads{expand_back(grad * (1.0 / double(reduced_count(shape, axes))), shape, axes)};
      });
}

Variable max(const Variable& x, const Axes& axes, bool keepdim) {
  return extreme(x, axes, keepdim, true);
}

Variable min(const Variable& x, const Axes& axes, bool keepdim) {
  return extreme(x, axes, keepdim, false);
}

Variable logsumexp(const Variable& x, const Axes& axes, bool keepdim) {
  return record("logsumexp", logsumexp(x.data(), axes, keepdim), {x},
                [axes](const Variable& grad, const Inputs& in, const Variable& out) {
                  // d lse / dx = softmax(x) = exp(x - lse); x - lse <= 0, so exp cannot overflow.
                  const Shape& shape = in[0].shape();
                  Variable softmax = exp(in[0] - reshape(out, keepdim_shape(shape, axes)));
                  return Grads{expand_back(grad, shape, axes) * softmax};
                });
}

Variable var(const Variable& x, const Axes& axes, int64_t correction, bool keepdim) {
  // Composite: mean of squared deviations, rescaled for the correction.
  const double count = double(reduced_count(x.shape(), axes));
  Variable centered = x - mean(x, axes, true);
  return sum(centered * centered, axes, keepdim) * (1.0 / (count - double(correction)));
}

Variable sum_to(const Variable& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  return record("sum_to", sum_to(x.data(), shape), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{expand(grad, in[0].shape())};
                });
}

}  // namespace minidl
