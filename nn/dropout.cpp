#include "nn/dropout.h"

#include <sstream>

#include "autograd/ops.h"
#include "tensor/tensor.h"

namespace minidl::nn {

namespace {
void check_probability(double p) {
  MINIDL_CHECK(p >= 0.0 && p <= 1.0, "dropout: probability must be in [0, 1], got " << p);
}
}  // namespace

Variable dropout(const Variable& input, double p, bool training, Generator& gen) {
  check_probability(p);
  if (!training || p == 0.0) return input;
  if (p == 1.0) return input * 0.0;  // every element dropped; 1 / (1 - p) would be inf
  // The mask is a constant: the gradient is grad * mask, zero where an element was dropped.
  Tensor mask = bernoulli(input.shape(), 1.0 - p, input.dtype(), gen);
  mul_(mask, 1.0 / (1.0 - p));
  return input * Variable(mask);
}

Dropout::Dropout(double p, Generator& gen) : p(p), gen_(&gen) { check_probability(p); }

Variable Dropout::forward(const Variable& input) { return dropout(input, p, is_training(), *gen_); }

std::string Dropout::name() const {
  std::ostringstream os;
  os << "Dropout(p=" << p << ')';
  return os.str();
}

}  // namespace minidl::nn
