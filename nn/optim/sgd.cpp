#include "nn/optim/sgd.h"

#include "autograd/grad_mode.h"
#include "tensor/optim_kernels.h"
#include "tensor/tensor.h"

namespace minidl::optim {

namespace {

void check_options(const SGDOptions& o, size_t group) {
  MINIDL_CHECK(o.lr >= 0,
               "SGD: group " << group << ": learning rate must be non-negative, got " << o.lr);
  MINIDL_CHECK(o.momentum >= 0,
               "SGD: group " << group << ": momentum must be non-negative, got " << o.momentum);
  MINIDL_CHECK(o.weight_decay >= 0, "SGD: group " << group
                                                  << ": weight_decay must be non-negative, got "
                                                  << o.weight_decay);
  MINIDL_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
               "SGD: group " << group << ": nesterov needs momentum > 0 and dampening 0, got "
                             << "momentum " << o.momentum << " and dampening " << o.dampening);
}

}  // namespace

SGD::SGD(std::vector<Variable> params, SGDOptions options)
    : SGD(std::vector<SGDParamGroup>{{std::move(params), options}}) {}

SGD::SGD(std::vector<SGDParamGroup> groups) : groups_(std::move(groups)) {
  MINIDL_CHECK(!groups_.empty(), "SGD: no parameter groups");
  for (size_t g = 0; g < groups_.size(); ++g) {
    check_options(groups_[g].options, g);
    for (const Variable& p : groups_[g].params) {
      MINIDL_CHECK(p.defined() && p.is_leaf() && p.requires_grad(),
                   "SGD: group " << g << " has a parameter that is not a leaf requiring grad");
    }
  }
  momentum_buffers_.resize(all_params().size());
}

SGDOptions& SGD::options(size_t group) {
  MINIDL_CHECK(group < groups_.size(),
               "SGD: group " << group << " is out of range for " << groups_.size() << " groups");
  return groups_[group].options;
}

void SGD::step() {
  NoGradGuard no_grad;
  size_t index = 0;
  for (const SGDParamGroup& group : groups_) {
    const SGDOptions& o = group.options;
    for (const Variable& p : group.params) {
      Tensor& buffer = momentum_buffers_[index++];
      const Variable& grad = p.grad();
      if (!grad.defined()) continue;
      const bool first_step = o.momentum != 0.0 && !buffer.defined();
      if (first_step) buffer = Tensor::empty(p.shape(), p.dtype());  // the kernel fills it
      sgd_update_(p.data(), grad.data(), buffer,
                  SGDUpdate{o.lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, first_step});
    }
  }
}

void SGD::save_state(size_t index, nn::TensorMap& out) const {
  if (momentum_buffers_[index].defined()) {
    out.emplace_back(state_key(index, "momentum_buffer"), momentum_buffers_[index]);
  }
}

void SGD::check_state(size_t index, const StateEntries& entries, const Variable& param) const {
  for (const auto& [name, value] : entries) {
    MINIDL_CHECK(name == "momentum_buffer",
                 "load_state_dict: unexpected key '" << state_key(index, name) << "' for SGD");
    MINIDL_CHECK(value.shape() == param.shape() && value.dtype() == param.dtype(),
                 "load_state_dict: '" << state_key(index, name) << "' is " << value.dtype()
                                      << shape_str(value.shape()) << " but parameter " << index
                                      << " is " << param.dtype() << shape_str(param.shape()));
  }
}

void SGD::restore_state(size_t index, const StateEntries& entries) {
  auto it = entries.find("momentum_buffer");
  momentum_buffers_[index] = it == entries.end() ? Tensor() : it->second.clone();
}

}  // namespace minidl::optim
