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

namespace {

// The 1-d tensor of `numel` elements that `first` starts, in first's storage.
Tensor span_from(const Tensor& first, int64_t numel) {
  return Tensor(first.storage(), Shape{numel}, Strides{1}, first.offset(), first.dtype());
}

// True when the tensors are contiguous and back to back in one storage, in order.
bool back_to_back(const std::vector<const Tensor*>& tensors) {
  const Tensor& first = *tensors.front();
  int64_t offset = first.offset();
  for (const Tensor* t : tensors) {
    if (!t->defined() || !t->shares_storage_with(first) || !t->is_contiguous() ||
        t->offset() != offset || t->dtype() != first.dtype())
      return false;
    offset += t->numel();
  }
  return true;
}

}  // namespace

bool Adam::step_flat(size_t group, size_t first_index) {
  const std::vector<Variable>& params = groups_[group].params;
  if (params.empty()) return false;
  std::vector<const Tensor*> values, grads;
  int64_t total = 0;
  const int64_t steps = state(first_index).steps();
  for (size_t i = 0; i < params.size(); ++i) {
    const Variable& grad = params[i].grad();
    // Every parameter needs a gradient this step and the same step count (bias corrections).
    if (!grad.defined() || state(first_index + i).steps() != steps) return false;
    values.push_back(&params[i].data());
    grads.push_back(&grad.data());
    total += params[i].numel();
  }
  if (!back_to_back(values) || !back_to_back(grads)) return false;

  // The moments: each parameter's entries must be the slices of the group's flat buffers. On the
  // first step, or after load_state_dict put separate tensors there, they are gathered into new
  // flat buffers (zeros where a parameter has no state yet).
  FlatMoments& flat = flat_[group];
  bool sliced = flat.exp_avg.defined() && flat.exp_avg.numel() == total &&
                flat.exp_avg.dtype() == values.front()->dtype();
  for (size_t i = 0; sliced && i < params.size(); ++i) {
    const ParamState& s = state(first_index + i);
    sliced = s.contains("exp_avg") && s.contains("exp_avg_sq") &&
             s.at("exp_avg").shares_storage_with(flat.exp_avg) &&
             s.at("exp_avg_sq").shares_storage_with(flat.exp_avg_sq);
  }
  if (!sliced) {
    flat.exp_avg = zeros({total}, values.front()->dtype());
    flat.exp_avg_sq = zeros({total}, values.front()->dtype());
    int64_t offset = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      ParamState& s = state(first_index + i);
      const int64_t n = params[i].numel();
      for (auto [name, buffer] : {std::pair{"exp_avg", flat.exp_avg},
                                  std::pair{"exp_avg_sq", flat.exp_avg_sq}}) {
        Tensor slice = buffer.narrow(0, offset, n).view(params[i].shape());
        if (s.contains(name)) slice.copy_(s.at(name));
        s.set(name, slice);
      }
      offset += n;
    }
  }
  int64_t step = 0;
  for (size_t i = 0; i < params.size(); ++i) step = state(first_index + i).next_step();
  adam_update_(span_from(*values.front(), total), span_from(*grads.front(), total), flat.exp_avg,
               flat.exp_avg_sq, update_options(groups_[group].options, step));
  return true;
}

void Adam::step() {
  NoGradGuard no_grad;
  flat_.resize(groups_.size());
  size_t first_index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::vector<Variable>& params = groups_[g].params;
    flat_[g].stepped_flat = step_flat(g, first_index);
    for (size_t i = 0; i < params.size() && !flat_[g].stepped_flat; ++i) {
      const Variable& p = params[i];
      const Variable& grad = p.grad();
      if (!grad.defined()) continue;  // skipped, as in PyTorch
      ParamState& s = state(first_index + i);
      const Tensor& exp_avg = s.buffer("exp_avg", p);
      const Tensor& exp_avg_sq = s.buffer("exp_avg_sq", p);
      adam_update_(p.data(), grad.data(), exp_avg, exp_avg_sq,
                   update_options(groups_[g].options, s.next_step()));
    }
    first_index += params.size();
  }
}

AdamW::AdamW(std::vector<Variable> params, AdamWOptions options)
    : AdamW(std::vector<AdamWParamGroup>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<AdamWParamGroup> groups)
    : Adam(as_adam_groups(std::move(groups)), true, "AdamW") {}

}  // namespace minidl::optim
