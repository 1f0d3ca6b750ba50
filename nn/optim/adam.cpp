#include "nn/optim/adam.h"

#include "tensor/optim_kernels.h"
#include "tensor/tensor.h"

namespace minidl::optim {

namespace {

std::vector<AdamParamGroup> as_adam_groups(std::vector<AdamWParamGroup> groups) {
  std::vector<AdamParamGroup> out;
  for (auto& g : groups) {
    const AdamWOptions& o = g.options;
    out.push_back({std::move(g.params), AdamOptions{o.lr, o.betas, o.eps, o.weight_decay}});
  }
  return out;
}

}  // namespace

Adam::Adam(std::vector<Variable> params, AdamOptions options)
    : Adam(std::vector<AdamParamGroup>{{std::move(params), options}}, false, "Adam") {}

Adam::Adam(std::vector<AdamParamGroup> groups) : Adam(std::move(groups), false, "Adam") {}

Adam::Adam(std::vector<AdamParamGroup> groups, bool decoupled_weight_decay, const char* name)
    : OptimizerWith(name, std::move(groups)), decoupled_weight_decay_(decoupled_weight_decay) {
  for (size_t g = 0; g < groups_.size(); ++g) {
    const AdamOptions& o = groups_[g].options;
    MINIDL_CHECK(
        o.betas.first >= 0 && o.betas.first < 1 && o.betas.second >= 0 && o.betas.second < 1,
        name_ << ": group " << g << ": betas must be in [0, 1), got (" << o.betas.first << ", "
              << o.betas.second << ")");
    MINIDL_CHECK(o.eps >= 0,
                 name_ << ": group " << g << ": eps must be non-negative, got " << o.eps);
    MINIDL_CHECK(o.weight_decay >= 0, name_ << ": group " << g
                                            << ": weight_decay must be non-negative, got "
                                            << o.weight_decay);
  }
}

void Adam::step() {
  for_each_param([&](const Variable& p, const Tensor& grad, const AdamOptions& o, ParamState& s) {
    const Tensor& exp_avg = s.buffer("exp_avg", p);
    const Tensor& exp_avg_sq = s.buffer("exp_avg_sq", p);
    adam_update_(p.data(), grad, exp_avg, exp_avg_sq,
                 AdamUpdate{o.lr, o.betas.first, o.betas.second, o.eps, o.weight_decay,
                            decoupled_weight_decay_, s.next_step()});
  });
}

AdamW::AdamW(std::vector<Variable> params, AdamWOptions options)
    : AdamW(std::vector<AdamWParamGroup>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<AdamWParamGroup> groups)
    : Adam(as_adam_groups(std::move(groups)), true, "AdamW") {}

}  // namespace minidl::optim
