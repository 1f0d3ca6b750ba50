#include "nn/loss_modules.h"

#include <sstream>

namespace minidl::nn {

namespace {
std::string describe(const std::string& layer, Reduction reduction) {
  std::ostringstream os;
  os << layer << "(reduction=" << reduction << ')';
  return os.str();
}
}  // namespace

Variable CrossEntropyLoss::forward(const Variable& logits, const Tensor& targets) {
  return cross_entropy(logits, targets, reduction, label_smoothing);
}
std::string CrossEntropyLoss::name() const {
  std::ostringstream os;
  os << "CrossEntropyLoss(reduction=" << reduction << ", label_smoothing=" << label_smoothing
     << ')';
  return os.str();
}

Variable NLLLoss::forward(const Variable& log_probs, const Tensor& targets) {
  return nll_loss(log_probs, targets, reduction);
}
std::string NLLLoss::name() const { return describe("NLLLoss", reduction); }

std::string PairLoss::name() const { return describe(Module::name(), reduction); }

Variable KLDivLoss::forward(const Variable& input_log_probs, const Variable& target) {
  return kl_div(input_log_probs, target, reduction, log_target);
}
std::string KLDivLoss::name() const {
  std::ostringstream os;
  os << "KLDivLoss(reduction=" << reduction << ", log_target=" << (log_target ? "true" : "false")
     << ')';
  return os.str();
}

}  // namespace minidl::nn
