// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// exactly as torch.optim.SGD (see tensor/optim_kernels.h for the update).
#pragma once

#include "nn/optim/optimizer.h"

namespace minidl::optim {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;  // needs momentum > 0 and dampening = 0
};
using SGDParamGroup = ParamGroup<SGDOptions>;

class SGD : public OptimizerWith<SGDOptions> {
 public:
  explicit SGD(std::vector<Variable> params, SGDOptions options = {});
  explicit SGD(std::vector<SGDParamGroup> groups);

  void step() override;

 protected:
  // "momentum_buffer" (the parameter's shape) when there is momentum; plain SGD keeps nothing.
  std::vector<std::string> state_names(const SGDOptions& o) const override {
    if (o.momentum == 0.0) return {};
    return {"momentum_buffer"};
  }
};

}  // namespace minidl::optim
