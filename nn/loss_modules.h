// The losses of nn/losses.h as modules that remember their options, as PyTorch's nn.*Loss
// classes: CrossEntropyLoss loss(Reduction::Mean, 0.1); Variable l = loss(logits, targets);
// They take two inputs, so they are called with (input, target), not through Sequential.
#pragma once

#include "nn/losses.h"
#include "nn/module.h"

namespace minidl::nn {

class CrossEntropyLoss : public Module {
 public:
  explicit CrossEntropyLoss(Reduction reduction = Reduction::Mean, double label_smoothing = 0.0)
      : reduction(reduction), label_smoothing(label_smoothing) {}
  using Module::forward;  // the one-input form throws: a loss needs its targets
  using Module::operator();
  Variable forward(const Variable& logits, const Tensor& targets);
  Variable operator()(const Variable& logits, const Tensor& targets) {
    return forward(logits, targets);
  }
  std::string name() const override;
  Reduction reduction;
  double label_smoothing;
};

class NLLLoss : public Module {
 public:
  explicit NLLLoss(Reduction reduction = Reduction::Mean) : reduction(reduction) {}
  using Module::forward;
  using Module::operator();
  Variable forward(const Variable& log_probs, const Tensor& targets);
  Variable operator()(const Variable& log_probs, const Tensor& targets) {
    return forward(log_probs, targets);
  }
  std::string name() const override;
  Reduction reduction;
};

// The losses that compare two tensors of the same shape share one shape: a reduction and a
// function of (input, target).
class PairLoss : public Module {
 public:
  using Module::forward;
  using Module::operator();
  virtual Variable forward(const Variable& input, const Variable& target) = 0;
  Variable operator()(const Variable& input, const Variable& target) {
    return forward(input, target);
  }
  std::string name() const override;  // "<ClassName>(reduction=mean)"
  Reduction reduction = Reduction::Mean;

 protected:
  explicit PairLoss(Reduction reduction) : reduction(reduction) {}
};

// A PairLoss that is one function of nn/losses.h applied with the module's reduction.
template <Variable (*Loss)(const Variable&, const Variable&, Reduction)>
class ReducedPairLoss : public PairLoss {
 public:
  explicit ReducedPairLoss(Reduction reduction = Reduction::Mean) : PairLoss(reduction) {}
  using PairLoss::forward;
  Variable forward(const Variable& input, const Variable& target) override {
    return Loss(input, target, reduction);
  }
};

class BCEWithLogitsLoss : public ReducedPairLoss<binary_cross_entropy_with_logits> {
  using ReducedPairLoss::ReducedPairLoss;
};
class BCELoss : public ReducedPairLoss<binary_cross_entropy> {
  using ReducedPairLoss::ReducedPairLoss;
};
class MSELoss : public ReducedPairLoss<mse_loss> {
  using ReducedPairLoss::ReducedPairLoss;
};
class L1Loss : public ReducedPairLoss<l1_loss> {
  using ReducedPairLoss::ReducedPairLoss;
};

class KLDivLoss : public PairLoss {
 public:
  explicit KLDivLoss(Reduction reduction = Reduction::Mean, bool log_target = false)
      : PairLoss(reduction), log_target(log_target) {}
  using PairLoss::forward;
  Variable forward(const Variable& input_log_probs, const Variable& target) override;
  std::string name() const override;
  bool log_target;
};

}  // namespace minidl::nn
