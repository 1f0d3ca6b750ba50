#include "nn/optim/adam.h"

#include "autograd/grad_mode.h"
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
    : groups_(std::move(groups)), decoupled_weight_decay_(decoupled_weight_decay), name_(name) {
  MINIDL_CHECK(!groups_.empty(), name_ << ": no parameter groups");
  for (size_t g = 0; g < groups_.size(); ++g) {
    const AdamOptions& o = groups_[g].options;
    MINIDL_CHECK(o.lr >= 0,
                 name_ << ": group " << g << ": learning rate must be non-negative, got " << o.lr);
    MINIDL_CHECK(
        o.betas.first >= 0 && o.betas.first < 1 && o.betas.second >= 0 && o.betas.second < 1,
        name_ << ": group " << g << ": betas must be in [0, 1), got (" << o.betas.first << ", "
              << o.betas.second << ")");
    MINIDL_CHECK(o.eps >= 0,
                 name_ << ": group " << g << ": eps must be non-negative, got " << o.eps);
    MINIDL_CHECK(o.weight_decay >= 0, name_ << ": group " << g
                                            << ": weight_decay must be non-negative, got "
                                            << o.weight_decay);
    for (const Variable& p : groups_[g].params) {
      MINIDL_CHECK(
          p.defined() && p.is_leaf() && p.requires_grad(),
          name_ << ": group " << g << " has a parameter that is not a leaf requiring grad");
    }
  }
  state_.resize(all_params().size());
}

AdamOptions& Adam::options(size_t group) {
  MINIDL_CHECK(group < groups_.size(), name_ << ": group " << group << " is out of range for "
                                             << groups_.size() << " groups");
  return groups_[group].options;
}

void Adam::step() {
  NoGradGuard no_grad;
  size_t index = 0;
  for (const AdamParamGroup& group : groups_) {
    const AdamOptions& o = group.options;
    for (const Variable& p : group.params) {
      State& s = state_[index++];
      const Variable& grad = p.grad();
      if (!grad.defined()) continue;
      if (s.step == 0) {  // the only allocation: on the parameter's first step
        s.exp_avg = zeros(p.shape(), p.dtype());
        s.exp_avg_sq = zeros(p.shape(), p.dtype());
      }
      ++s.step;
      adam_update_(p.data(), grad.data(), s.exp_avg, s.exp_avg_sq,
                   AdamUpdate{o.lr, o.betas.first, o.betas.second, o.eps, o.weight_decay,
                              decoupled_weight_decay_, s.step});
    }
  }
}

void Adam::save_state(size_t index, nn::TensorMap& out) const {
  const State& s = state_[index];
  if (s.step == 0) return;
  out.emplace_back(state_key(index, "step"), scalar(double(s.step), DType::Int64));
  out.emplace_back(state_key(index, "exp_avg"), s.exp_avg);
  out.emplace_back(state_key(index, "exp_avg_sq"), s.exp_avg_sq);
}

void Adam::check_state(size_t index, const StateEntries& entries, const Variable& param) const {
  for (const char* name : {"step", "exp_avg", "exp_avg_sq"}) {
    MINIDL_CHECK(entries.count(name),
                 "load_state_dict: missing key '" << state_key(index, name) << "'");
  }
  for (const auto& [name, value] : entries) {
    const std::string key = state_key(index, name);
    if (name == "step") {
      MINIDL_CHECK(value.dim() == 0 && value.dtype() == DType::Int64 && value.item() >= 1,
                   "load_state_dict: '" << key << "' must be a 0-d int64 tensor >= 1, got "
                                        << value.dtype() << shape_str(value.shape()));
    } else {
      MINIDL_CHECK(name == "exp_avg" || name == "exp_avg_sq",
                   "load_state_dict: unexpected key '" << key << "' for " << name_);
      MINIDL_CHECK(value.shape() == param.shape() && value.dtype() == param.dtype(),
                   "load_state_dict: '" << key << "' is " << value.dtype()
                                        << shape_str(value.shape()) << " but parameter " << index
                                        << " is " << param.dtype() << shape_str(param.shape()));
    }
  }
}

void Adam::restore_state(size_t index, const StateEntries& entries) {
  State& s = state_[index];
  if (entries.empty()) {
    s = State{};
    return;
  }
  s.step = entries.at("step").data<int64_t>()[0];
  s.exp_avg = entries.at("exp_avg").clone();
  s.exp_avg_sq = entries.at("exp_avg_sq").clone();
}

AdamW::AdamW(std::vector<Variable> params, AdamWOptions options)
    : AdamW(std::vector<AdamWParamGroup>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<AdamWParamGroup> groups)
    : Adam(as_adam_groups(std::move(groups)), true, "AdamW") {}

}  // namespace minidl::optim
