// Indexing ops on Variables. gather and scatter_add are each other's adjoints, as are index_select
// and index_add, so each backward is the other op and both stay differentiable.
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

Variable gather(const Variable& x, int64_t axis, const Tensor& index) {
  return record("gather", gather(x.data(), axis, index), {x},
                [axis, index](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{scatter_add(in[0].shape(), axis, index, grad)};
                });
}

Variable scatter_add(const Shape& shape, int64_t axis, const Tensor& index,
                     const Variable& source) {
  return record("scatter_add", scatter_add(shape, axis, index, source.data()), {source},
                [axis, index](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{gather(grad, axis, index)};
                });
}

Variable index_select(const Variable& x, int64_t axis, const Tensor& index) {
  return record("index_select", index_select(x.data(), axis, index), {x},
                [axis, index](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{index_add(in[0].shape(), axis, index, grad)};
                });
}

Variable index_add(const Shape& shape, int64_t axis, const Tensor& index, const Variable& source) {
  return record("index_add", index_add(shape, axis, index, source.data()), {source},
                [axis, index](const Variable& grad, const Inputs&, const Variable&) {
                  return Grads{index_select(grad, axis, index)};
                });
}

}  // namespace minidl
