// Optimizer: the base every optimizer (SGD, Adam, AdamW, RMSprop) derives from, and what
// schedulers, checkpoints and training loops hold. It owns the parameter groups and each
// parameter's state, so an optimizer writes only its options, the names of its state and step():
//
//   struct MyOptions { double lr = 1e-2; double decay = 0.9; };
//   class My : public OptimizerWith<MyOptions> {
//    public:
//     explicit My(std::vector<Variable> params, MyOptions o = {}) : OptimizerWith("My", {{params,
//     o}}) {} void step() override;  // for_each_param(...): the update of one parameter
//    protected:
//     std::vector<std::string> state_names(const MyOptions&) const override { return {"avg"}; }
//   };
//
// A parameter group is a set of parameters with their own options, as in PyTorch:
//   optim::Adam adam({{encoder->parameters(), {.lr = 1e-3}},
//                     {decoder->parameters(), {.lr = 1e-4}}});
// Parameters are numbered across groups in order (group 0's first, ...); that number names their
// state in state_dict(): "state.<i>.exp_avg". state_dict() round-trips bit-exactly, so a resumed
// run continues exactly as if it had never stopped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/variable.h"
#include "nn/safetensors.h"

namespace minidl::optim {

template <typename Options>
struct ParamGroup {
  std::vector<Variable> params;
  Options options;
};

// One parameter's optimizer state: named tensors, empty until the parameter's first step. "step"
// is special: a 0-d int64 counter of the steps taken; every other entry has the parameter's shape
// and dtype.
class ParamState {
 public:
  using Entries = std::map<std::string, Tensor>;

  bool empty() const { return tensors_.empty(); }
  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  // The named tensor (an error if there is none).
  const Tensor& at(const std::string& name) const;
  // The named tensor, created as zeros of the parameter's shape and dtype if there is none yet.
  const Tensor& buffer(const std::string& name, const Variable& param);
  // Adds one to "step" (created at 0) and returns the new count, the step being taken.
  int64_t next_step();
  // The step count so far (0 before the first step).
  int64_t steps() const;
  // Replaces or adds an entry (Adam points its moments at slices of flat buffers).
  void set(const std::string& name, Tensor value) { tensors_[name] = std::move(value); }

 private:
  friend class Optimizer;
  Entries tensors_;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (parameters without one are skipped, as in
  // PyTorch). Runs without recording a graph; allocates optimizer state on a parameter's first
  // step only.
  virtual void step() = 0;

  // Forgets every parameter's gradient, so the next backward() starts from zero.
  void zero_grad();

  const std::string& name() const { return name_; }
  size_t num_groups() const { return group_count(); }
  const std::vector<Variable>& params(size_t group = 0) const;
  double lr(size_t group = 0) const;
  void set_lr(double lr);                // every group
  void set_lr(double lr, size_t group);  // one group

  // "param_groups.<g>.lr" (0-d float64) for every group, and every parameter's state as
  // "state.<i>.<name>" (copies, so later steps do not change a saved state). Other options are not
  // saved: they come from the constructor, as when a program is restarted.
  nn::TensorMap state_dict() const;
  // Validates every key, shape and dtype first (unknown or missing keys are errors), then
  // restores. Throws "load_state_dict: ..." and changes nothing on error.
  void load_state_dict(const nn::TensorMap& state);

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}

  // The groups, as OptimizerWith stores them with the optimizer's own options type.
  virtual size_t group_count() const = 0;
  virtual const std::vector<Variable>& group_params(size_t group) const = 0;
  virtual double group_lr(size_t group) const = 0;
  virtual void set_group_lr(size_t group, double lr) = 0;
  // The names of the state a parameter of `group` has once it has stepped, in state_dict order.
  virtual std::vector<std::string> group_state_names(size_t group) const = 0;

  // Checks the groups (at least one, every parameter a leaf requiring grad) and makes room for
  // every parameter's state. OptimizerWith's constructor calls it.
  void init_state();
  ParamState& state(size_t index) { return state_[index]; }

  std::string name_;

 private:
  std::vector<ParamState> state_;  // per parameter, in numbering order
  std::vector<size_t> group_of_;   // per parameter
};

// The base an optimizer derives from: the groups with their options, and step()'s loop.
template <typename Options>
class OptimizerWith : public Optimizer {
 public:
  Options& options(size_t group = 0) {
    MINIDL_CHECK(group < groups_.size(), name_ << ": group " << group << " is out of range for "
                                               << groups_.size() << " groups");
    return groups_[group].options;
  }

 protected:
  OptimizerWith(std::string name, std::vector<ParamGroup<Options>> groups)
      : Optimizer(std::move(name)), groups_(std::move(groups)) {
    for (size_t g = 0; g < groups_.size(); ++g) {
      MINIDL_CHECK(groups_[g].options.lr >= 0, name_ << ": group " << g
                                                     << ": learning rate must be non-negative, got "
                                                     << groups_[g].options.lr);
    }
    init_state();
  }

  // The state names of a parameter whose group has options `o`.
  virtual std::vector<std::string> state_names(const Options& o) const = 0;

  // Calls fn(param, grad, options, state) for every parameter with a gradient, in numbering order,
  // with grad mode off.
  template <typename Fn>
  void for_each_param(Fn&& fn) {
    NoGradGuard no_grad;
    size_t index = 0;
    for (const ParamGroup<Options>& group : groups_) {
      for (const Variable& p : group.params) {
        ParamState& s = state(index++);
        const Variable& grad = p.grad();
        if (grad.defined()) fn(p, grad.data(), group.options, s);
      }
    }
  }

  size_t group_count() const override { return groups_.size(); }
  const std::vector<Variable>& group_params(size_t group) const override {
    return groups_[group].params;
  }
  double group_lr(size_t group) const override { return groups_[group].options.lr; }
  void set_group_lr(size_t group, double lr) override { groups_[group].options.lr = lr; }
  std::vector<std::string> group_state_names(size_t group) const override {
    return state_names(groups_[group].options);
  }

  std::vector<ParamGroup<Options>> groups_;
};

}  // namespace minidl::optim
