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

class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Variable> params, SGDOptions options = {});
  explicit SGD(std::vector<SGDParamGroup> groups);

  void step() override;
  SGDOptions& options(size_t group = 0);

 protected:
  size_t group_count() const override { return groups_.size(); }
  const std::vector<Variable>& group_params(size_t group) const override {
    return groups_[group].params;
  }
  double group_lr(size_t group) const override { return groups_[group].options.lr; }
  void set_group_lr(size_t group, double lr) override { groups_[group].options.lr = lr; }
  void save_state(size_t index, nn::TensorMap& out) const override;
  void check_state(size_t index, const StateEntries& entries, const Variable& param) const override;
  void restore_state(size_t index, const StateEntries& entries) override;

 private:
  std::vector<SGDParamGroup> groups_;
  std::vector<Tensor> momentum_buffers_;  // per parameter; undefined until its first step
};

}  // namespace minidl::optim
