// Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019) with torch.optim's exact
// update rules: bias-corrected moments, eps added to sqrt(v_hat) after the bias correction,
// weight_decay as an L2 term added to the gradient (Adam) or as a decoupled decay of the
// parameter, p *= 1 - lr * weight_decay, before the update (AdamW). Each parameter's update is one
// fused pass over p, grad, m and v (tensor/optim_kernels.h).
#pragma once

#include <utility>

#include "nn/optim/optimizer.h"

namespace minidl::optim {

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
};
using AdamParamGroup = ParamGroup<AdamOptions>;

// AdamW's options differ only in the default weight decay, as in PyTorch.
struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
};
using AdamWParamGroup = ParamGroup<AdamWOptions>;

class Adam : public OptimizerWith<AdamOptions> {
 public:
  explicit Adam(std::vector<Variable> params, AdamOptions options = {});
  explicit Adam(std::vector<AdamParamGroup> groups);

  void step() override;

 protected:
  Adam(std::vector<AdamParamGroup> groups, bool decoupled_weight_decay, const char* name);
  // "step" (0-d int64), "exp_avg" and "exp_avg_sq" (the parameter's shape).
  std::vector<std::string> state_names(const AdamOptions&) const override {
    return {"step", "exp_avg", "exp_avg_sq"};
  }

 private:
  bool decoupled_weight_decay_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Variable> params, AdamWOptions options = {});
  explicit AdamW(std::vector<AdamWParamGroup> groups);
};

}  // namespace minidl::optim
