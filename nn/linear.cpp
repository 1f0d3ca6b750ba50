#include "nn/linear.h"

#include <cmath>

#include "autograd/ops.h"
#include "nn/init.h"

namespace minidl::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, Generator& gen)
    : in_features(in_features), out_features(out_features) {
  MINIDL_CHECK(in_features > 0 && out_features > 0,
               "Linear: features must be positive, got " << in_features << " -> " << out_features);
  weight = register_parameter("weight", Tensor::empty({out_features, in_features}));
  kaiming_uniform_(weight, std::sqrt(5.0), gen);
  if (bias) {
    this->bias = register_parameter("bias", Tensor::empty({out_features}));
    const double bound = 1.0 / std::sqrt(double(in_features));
    uniform_(this->bias, -bound, bound, gen);
  }
}

Variable Linear::forward(const Variable& input) { return linear(input, weight, bias); }

std::string Linear::name() const {
  return "Linear(" + std::to_string(in_features) + " -> " + std::to_string(out_features) +
         (bias.defined() ? ")" : ", bias=false)");
}

}  // namespace minidl::nn
