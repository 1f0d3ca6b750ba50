// Optimizer: the interface every optimizer (SGD, Adam, AdamW) shares, and what schedulers and
// checkpoints use: parameter groups, each with its own learning rate, zero_grad(), step(), and a
// state_dict that round-trips bit-exactly, so a resumed run continues exactly as if it had never
// stopped.
//
// A parameter group is a set of parameters with their own options, as in PyTorch:
//   optim::Adam adam({{encoder->parameters(), {.lr = 1e-3}},
//                     {decoder->parameters(), {.lr = 1e-4}}});
// Parameters are numbered across groups in order (group 0's first, ...); that number names their
// state in state_dict(): "state.<i>.exp_avg".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autograd/variable.h"
#include "nn/safetensors.h"

namespace minidl::optim {

template <typename Options>
struct ParamGroup {
  std::vector<Variable> params;
  Options options;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (parameters without one are skipped, as in
  // PyTorch). Runs without recording a graph; allocates optimizer state on a parameter's first
  // step only.
  virtual void step() = 0;

  // Forgets every parameter's gradient, so the next backward() starts from zero.
  void zero_grad();

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
  // The groups, as each optimizer stores them with its own options type.
  virtual size_t group_count() const = 0;
  virtual const std::vector<Variable>& group_params(size_t group) const = 0;
  virtual double group_lr(size_t group) const = 0;
  virtual void set_group_lr(size_t group, double lr) = 0;

  // One parameter's state by name ("exp_avg", "step", ...); empty when it has none yet.
  using StateEntries = std::map<std::string, Tensor>;

  // Appends parameter `index`'s state as "state.<index>.<name>" entries (nothing if it has none).
  virtual void save_state(size_t index, nn::TensorMap& out) const = 0;
  // Throws "load_state_dict: ..." unless `entries` is a valid state for `param` (every name known,
  // shapes and dtypes right, nothing missing); empty entries (no state) are always valid.
  virtual void check_state(size_t index, const StateEntries& entries,
                           const Variable& param) const = 0;
  // Replaces parameter `index`'s state with checked entries (empty: back to no state).
  virtual void restore_state(size_t index, const StateEntries& entries) = 0;

  static std::string state_key(size_t index, const std::string& name) {
    return "state." + std::to_string(index) + "." + name;
  }
  // Every parameter, in numbering order (group 0's first).
  std::vector<Variable> all_params() const;
};

}  // namespace minidl::optim
