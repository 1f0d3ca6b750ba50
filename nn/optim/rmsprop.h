// RMSprop (Hinton's lecture notes, 2012) with torch.optim.RMSprop's exact update rule. With
// g = grad + weight_decay * param:
//   square_avg = alpha square_avg + (1 - alpha) g^2
//   centered:  grad_avg = alpha grad_avg + (1 - alpha) g;  avg = sqrt(square_avg - grad_avg^2) +
//   eps otherwise: avg = sqrt(square_avg) + eps momentum > 0: buf = momentum buf + g / avg;  param
//   -= lr buf otherwise:    param -= lr g / avg
// eps is added after the square root, as PyTorch does.
#pragma once

#include "nn/optim/optimizer.h"

namespace minidl::optim {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
};
using RMSpropParamGroup = ParamGroup<RMSpropOptions>;

class RMSprop : public OptimizerWith<RMSpropOptions> {
 public:
  explicit RMSprop(std::vector<Variable> params, RMSpropOptions options = {});
  explicit RMSprop(std::vector<RMSpropParamGroup> groups);

  void step() override;

 protected:
  // As PyTorch: "step" and "square_avg" always, "momentum_buffer" with momentum, "grad_avg" when
  // centered.
  std::vector<std::string> state_names(const RMSpropOptions& o) const override;
};

}  // namespace minidl::optim
