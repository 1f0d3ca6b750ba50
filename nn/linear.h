// Linear: y = x W^T + b, the fully connected layer, initialised as PyTorch's nn.Linear.
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace minidl::nn {

class Linear : public Module {
 public:
  // weight [out, in] ~ kaiming_uniform_(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)); bias [out] ~
  // U(-1/sqrt(in), 1/sqrt(in)); drawn from `gen` in that order, float32.
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         Generator& gen = default_generator());

  // x [..., in] -> [..., out]: one GEMM with the bias accumulated into it (autograd's linear).
  Variable forward(const Variable& input) override;
  std::string name() const override;  // "Linear(784 -> 400)", "Linear(2 -> 3, bias=false)"

  int64_t in_features, out_features;
  Variable weight;
  Variable bias;  // undefined without a bias
};

}  // namespace minidl::nn
