// Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019) with torch.optim's exact
// update rules: bias-corrected moments, eps added to sqrt(v_hat) after the bias correction,
// weight_decay as an L2 term added to the gradient (Adam) or as a decoupled decay of the
// parameter, p *= 1 - lr * weight_decay, before the update (AdamW). Each parameter's update is one
// fused pass over p, grad, m and v (tensor/optim_kernels.h). When a group's parameters and their
// gradients lie back to back in two flat buffers (nn::Module::flatten_parameters), the whole group
// is one pass over the flat buffers, with its moments in two flat buffers too; each parameter's
// moments stay the named slices state_dict() saves, so checkpoints are the same either way and the
// bits are the same as one pass per parameter.
#pragma once

#include <utility>

#include "nn/optim/optimizer.h"
#include "tensor/optim_kernels.h"

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
  // Whether the last step() updated the group in one pass over flat buffers.
  bool stepped_flat(size_t group = 0) const {
    return group < flat_.size() && flat_[group].stepped_flat;
  }

 protected:
  Adam(std::vector<AdamParamGroup> groups, bool decoupled_weight_decay, const char* name);
  // "step" (0-d int64), "exp_avg" and "exp_avg_sq" (the parameter's shape).
  std::vector<std::string> state_names(const AdamOptions&) const override {
    return {"step", "exp_avg", "exp_avg_sq"};
  }

 private:
  // One pass over the group's flat buffers; false (and nothing done) when they are not flat.
  bool step_flat(size_t group, size_t first_index);
  AdamUpdate update_options(const AdamOptions& o, int64_t step) const {
    return {o.lr, o.betas.first, o.betas.second, o.eps, o.weight_decay, decoupled_weight_decay_,
            step};
  }

  struct FlatMoments {
    Tensor exp_avg, exp_avg_sq;
    bool stepped_flat = false;
  };
  bool decoupled_weight_decay_;
  std::vector<FlatMoments> flat_;  // per group
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Variable> params, AdamWOptions options = {});
  explicit AdamW(std::vector<AdamWParamGroup> groups);
};

}  // namespace minidl::optim
