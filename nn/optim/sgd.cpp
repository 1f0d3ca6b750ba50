#include "nn/optim/sgd.h"

#include "tensor/optim_kernels.h"
#include "tensor/tensor.h"

namespace minidl::optim {

namespace {

void check_options(const SGDOptions& o, size_t group) {
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

SGD::SGD(std::vector<SGDParamGroup> groups) : OptimizerWith("SGD", std::move(groups)) {
  for (size_t g = 0; g < groups_.size(); ++g) check_options(groups_[g].options, g);
}

void SGD::step() {
  for_each_param([](const Variable& p, const Tensor& grad, const SGDOptions& o, ParamState& s) {
    Tensor buffer;
    const bool first_step = o.momentum != 0.0 && !s.contains("momentum_buffer");
    if (o.momentum != 0.0) buffer = s.buffer("momentum_buffer", p);  // the kernel fills it
    sgd_update_(p.data(), grad, buffer,
                SGDUpdate{o.lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, first_step});
  });
}

}  // namespace minidl::optim
