// Shape ops and views on Variables. Each backward is the inverse rearrangement of the gradient
// (reshape back, transpose back, sum a broadcast away, place a slice into zeros), written with
// Variable ops so it is differentiable in turn.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

namespace {

std::vector<int64_t> inverse_permutation(const std::vector<int64_t>& order, int64_t ndim) {
  std::vector<int64_t> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    inverse[size_t(normalize_axis(order[i], ndim, "permute"))] = int64_t(i);
  }
  return inverse;
}

// The adjoint of slice: a zero tensor of `shape` with `grad` written into the slice.
Variable slice_backward(const Variable& grad, const Shape& shape, int64_t axis, int64_t start,
                        int64_t end, int64_t step) {
  Tensor value = zeros(shape, grad.dtype());
  value.slice(axis, start, end, step).copy_(grad.data());
  return record("slice_backward", value, {grad},
                [axis, start, end, step](const Variable& g, const Inputs&, const Variable&) {
                  return Grads{slice(g, axis, start, end, step)};
                });
}

}  // namespace

Variable reshape(const Variable& x, const Shape& shape) {
  return record(OpDescriptor("reshape", {{"shape", shape}}), x.data().reshape(shape), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{reshape(grad, in[0].shape())};
                });
}

Variable flatten(const Variable& x, int64_t start_axis, int64_t end_axis) {
  return reshape(x, x.data().flatten(start_axis, end_axis).shape());
}

Variable unflatten(const Variable& x, int64_t axis, const Shape& sizes) {
  const int64_t a = normalize_axis(axis, x.dim(), "unflatten");
  MINIDL_CHECK(!sizes.empty(),
               "unflatten: sizes are empty for axis " << a << " of input " << shape_str(x.shape()));
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && inferred < 0) {
      inferred = int64_t(i);
    } else {
      MINIDL_CHECK(sizes[i] >= 0, "unflatten: sizes " << shape_str(sizes)
                                                      << " may hold one -1 and no other negative");
      known *= sizes[i];
    }
  }
  Shape resolved = sizes;
  if (inferred >= 0 && known > 0 && x.size(a) % known == 0) {
    resolved[size_t(inferred)] = x.size(a) / known;
    known = x.size(a);
  }
  MINIDL_CHECK(known == x.size(a), "unflatten: sizes " << shape_str(sizes) << " do not multiply to "
                                                       << x.size(a) << ", the size of axis " << a
                                                       << " of input " << shape_str(x.shape()));
  Shape shape(x.shape().begin(), x.shape().begin() + a);
  shape.insert(shape.end(), resolved.begin(), resolved.end());
  shape.insert(shape.end(), x.shape().begin() + a + 1, x.shape().end());
  return reshape(x, shape);
}

Variable transpose(const Variable& x, int64_t axis0, int64_t axis1) {
  return record(OpDescriptor("transpose", {{"axis0", axis0}, {"axis1", axis1}}),
                x.data().transpose(axis0, axis1), {x},
                [axis0, axis1](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{transpose(grad, axis0, axis1)};
                });
}

Variable permute(const Variable& x, const std::vector<int64_t>& order) {
  return record("permute", x.data().permute(order), {x},
                [order](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{permute(grad, inverse_permutation(order, in[0].dim()))};
                });
}

Variable slice(const Variable& x, int64_t axis, int64_t start, int64_t end, int64_t step) {
  return record("slice", x.data().slice(axis, start, end, step), {x},
                [axis, start, end, step](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{slice_backward(grad, in[0].shape(), axis, start, end, step)};
                });
}

Variable narrow(const Variable& x, int64_t axis, int64_t start, int64_t length) {
  x.data().narrow(axis, start, length);  // validates the range with narrow's own message
  if (start < 0) start += x.size(axis);
  return slice(x, axis, start, start + length);
}

Variable select(const Variable& x, int64_t axis, int64_t index) {
  x.data().select(axis, index);  // validates with select's own message
  const int64_t a = normalize_axis(axis, x.dim(), "select");
  const int64_t i = index < 0 ? index + x.size(a) : index;
  return squeeze(slice(x, a, i, i + 1), a);
}

Variable expand(const Variable& x, const Shape& shape) {
  Tensor value = x.data().expand(shape);
  if (value.shape() == x.shape()) return x;
  return record(OpDescriptor("expand", {{"shape", shape}}), std::move(value), {x},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{sum_to(grad, in[0].shape())};
                });
}

Variable squeeze(const Variable& x, int64_t axis) {
  return reshape(x, x.data().squeeze(axis).shape());
}

Variable unsqueeze(const Variable& x, int64_t axis) {
  return reshape(x, x.data().unsqueeze(axis).shape());
}

Variable concat(const std::vector<Variable>& xs, int64_t axis) {
  std::vector<Tensor> values;
  for (const Variable& x : xs) values.push_back(x.data());
  Tensor value = concat(values, axis);
  const int64_t a = normalize_axis(axis, value.dim(), "concat");
  return record("concat", value, xs, [a](const Variable& grad, const Inputs& in, const Variable&) {
    Grads grads;
    int64_t start = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      const int64_t length = in[i].size(a);
      grads.push_back(in.needs_grad(i) ? slice(grad, a, start, start + length) : Variable());
      start += length;
    }
    return grads;
  });
}

Variable stack(const std::vector<Variable>& xs, int64_t axis) {
  MINIDL_CHECK(!xs.empty(), "stack: needs at least one tensor");
  const int64_t a = normalize_axis(axis, xs.front().dim() + 1, "stack");
  std::vector<Variable> expanded;
  for (size_t i = 0; i < xs.size(); ++i) {
    MINIDL_CHECK(xs[i].shape() == xs.front().shape(),
                 "stack: tensor " << i << " of shape " << xs[i].shape()
                                  << " differs from tensor 0 of shape " << xs.front().shape());
    expanded.push_back(unsqueeze(xs[i], a));
  }
  return concat(expanded, a);
}

}  // namespace minidl
