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

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Variable> params, AdamOptions options = {});
  explicit Adam(std::vector<AdamParamGroup> groups);

  void step() override;
  AdamOptions& options(size_t group = 0);

 protected:
  Adam(std::vector<AdamParamGroup> groups, bool decoupled_weight_decay, const char* name);

  size_t group_count() const override { return groups_.size(); }
  const std::vector<Variable>& group_params(size_t group) const override {
    return groups_[group].params;
  }
  double group_lr(size_t group) const override { return groups_[group].options.lr; }
  void set_group_lr(size_t group, double lr) override { groups_[group].options.lr = lr; }
  // State per parameter: "step" (0-d int64), "exp_avg" and "exp_avg_sq" (the parameter's shape).
  void save_state(size_t index, nn::TensorMap& out) const override;
  void check_state(size_t index, const StateEntries& entries, const Variable& param) const override;
  void restore_state(size_t index, const StateEntries& entries) override;

 private:
  struct State {
    int64_t step = 0;  // 0: no state yet (the moments are allocated on the first step)
    Tensor exp_avg, exp_avg_sq;
  };
  std::vector<AdamParamGroup> groups_;
  std::vector<State> state_;
  bool decoupled_weight_decay_;
  const char* name_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Variable> params, AdamWOptions options = {});
  explicit AdamW(std::vector<AdamWParamGroup> groups);
};

}  // namespace minidl::optim
