#include "nn/optim/rmsprop.h"

#include "tensor/tensor.h"

namespace minidl::optim {

RMSprop::RMSprop(std::vector<Variable> params, RMSpropOptions options)
    : RMSprop(std::vector<RMSpropParamGroup>{{std::move(params), options}}) {}

RMSprop::RMSprop(std::vector<RMSpropParamGroup> groups)
    : OptimizerWith("RMSprop", std::move(groups)) {
  for (size_t g = 0; g < groups_.size(); ++g) {
    const RMSpropOptions& o = groups_[g].options;
    MINIDL_CHECK(o.alpha >= 0,
                 "RMSprop: group " << g << ": alpha must be non-negative, got " << o.alpha);
    MINIDL_CHECK(o.eps >= 0, "RMSprop: group " << g << ": eps must be non-negative, got " << o.eps);
    MINIDL_CHECK(o.weight_decay >= 0, "RMSprop: group " << g
                                                        << ": weight_decay must be non-negative, "
                                                           "got "
                                                        << o.weight_decay);
    MINIDL_CHECK(o.momentum >= 0,
                 "RMSprop: group " << g << ": momentum must be non-negative, got " << o.momentum);
  }
}

std::vector<std::string> RMSprop::state_names(const RMSpropOptions& o) const {
  std::vector<std::string> names = {"step", "square_avg"};
  if (o.momentum > 0) names.push_back("momentum_buffer");
  if (o.centered) names.push_back("grad_avg");
  return names;
}

void RMSprop::step() {
  for_each_param([](const Variable& p, const Tensor& grad, const RMSpropOptions& o, ParamState& s) {
    s.next_step();
    Tensor param = p.data();
    const Tensor g = o.weight_decay != 0.0 ? grad + o.weight_decay * param : grad;
    Tensor square_avg = s.buffer("square_avg", p);
    square_avg.copy_(o.alpha * square_avg + (1.0 - o.alpha) * (g * g));
    Tensor avg;
    if (o.centered) {
      Tensor grad_avg = s.buffer("grad_avg", p);
      grad_avg.copy_(o.alpha * grad_avg + (1.0 - o.alpha) * g);
      avg = sqrt(square_avg - grad_avg * grad_avg) + o.eps;
    } else {
      avg = sqrt(square_avg) + o.eps;
    }
    Tensor update = g / avg;
    if (o.momentum > 0) {
      Tensor buffer = s.buffer("momentum_buffer", p);
      buffer.copy_(o.momentum * buffer + update);
      update = buffer;
    }
    param.copy_(param - o.lr * update);
  });
}

}  // namespace minidl::optim
