// Module: the base class of every layer and network. A module owns named parameters (Variables
// that the optimizer updates), named buffers (Tensors that are part of its state but not trained,
// such as BatchNorm's running statistics) and named submodules, all in registration order. From
// them it derives the recursive views the rest of the framework needs: parameters() for the
// optimizer, named_parameters() / named_buffers() with dotted names ("encoder.0.weight") for
// checkpoints, train()/eval() for layers that behave differently in training, and printing.
//
// Parameters are registered once, in the constructor, and keep their identity for the module's
// life: loading a checkpoint copies values into them in place, so an optimizer built on
// parameters() stays attached to the model.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"

namespace minidl::nn {

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module();
  // Modules are shared through std::shared_ptr; a copy would silently share every parameter.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The layer's computation. Modules with one input override it; the default throws
  // "<name>: forward(Variable) not implemented".
  virtual Variable forward(const Variable& input);
  Variable operator()(const Variable& input) { return forward(input); }

  // Registration, normally from a subclass constructor. Names must be non-empty, contain no '.',
  // and be unique within this module. The returned references stay valid for the module's life.
  Variable& register_parameter(const std::string& name, Tensor value, bool requires_grad = true);
  Tensor& register_buffer(const std::string& name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Recursive views, in registration order: this module's own entries first, then each child's
  // (only this module's own with recurse = false).
  std::vector<Variable> parameters() const;
  std::vector<std::pair<std::string, Variable>> named_parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  // Direct children, and every module below this one in pre-order with dotted names (not this
  // module itself), e.g. to re-initialise every Linear layer of a network.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules() const;

  // Training mode (the default) vs evaluation mode, for Dropout and BatchNorm; propagates to every
  // submodule.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Forgets every parameter's gradient (backward() accumulates into grad(), so call this before
  // each backward pass that should start from zero). The gradient storage is zeroed in place and
  // kept: grad() is undefined until the next backward pass reaches the parameter, then a view of
  // the same memory as the step before.
  void zero_grad();
  int64_t parameter_count() const;  // total elements over parameters()

  // Moves every parameter's value into one flat buffer and its gradient storage into another, in
  // parameters() order (a parameter shared by two submodules once); each parameter becomes a view
  // of its slice. Values and gradients are unchanged and the Variables keep their identity, so an
  // optimizer already built stays attached. The buffers persist across steps: zero_grad is then
  // one fill, and a data-parallel wrapper averages gradients in place, slice by slice. Needs one
  // dtype for all parameters; call it again after replacing parameter values with set_data.
  void flatten_parameters();
  // The flat buffers (undefined before flatten_parameters), and whether every parameter is still
  // the view flatten_parameters made (set_data on a parameter replaces its view).
  const Tensor& flat_parameters() const { return flat_parameters_; }
  const Tensor& flat_gradients() const { return flat_gradients_; }
  bool parameters_are_flat() const;

  // Casts every floating-point parameter and buffer, in this module and all below it, to `dtype`
  // (float32 or float64), as PyTorch's module.to(dtype); integer buffers (BatchNorm's
  // num_batches_tracked) keep theirs. Parameters keep their identity (their values are replaced
  // with set_data, and their gradients dropped), so a Variable handle on one sees the new dtype;
  // an optimizer's state does not follow, so build optimizers after the cast. Buffers are
  // replaced in the module's registry: keep the reference register_buffer returns, not a copy of
  // the handle. A module whose parameters were flat is flattened again. Returns *this.
  //   model.to(DType::Float64);  // then gradcheck the whole model
  Module& to(DType dtype);

  // One-line description for printing, e.g. "Linear(784 -> 400)". The default is the class name
  // without namespaces ("VAE" for a user's class VAE), so containers need not override it.
  virtual std::string name() const;

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect_parameters(const std::string& prefix, bool recurse,
                          std::vector<std::pair<std::string, Variable>>& out) const;
  void collect_buffers(const std::string& prefix, bool recurse,
                       std::vector<std::pair<std::string, Tensor>>& out) const;

  // Deques, so the references register_parameter/register_buffer return stay valid.
  std::deque<std::pair<std::string, Variable>> parameters_;
  std::deque<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  Tensor flat_parameters_;
  Tensor flat_gradients_;
};

// Prints the module tree, one child per line, and the parameter count, ending with a newline as
// every line does:
//   Sequential(
//     (0): Linear(784 -> 400)
//     (1): ReLU()
//   )
//   parameters: 314,000
std::ostream& operator<<(std::ostream& os, const Module& module);

// Convenience for building networks: make<Linear>(784, 400) is std::make_shared<Linear>(784, 400).
template <typename M, typename... Args>
std::shared_ptr<M> make(Args&&... args) {
  return std::make_shared<M>(std::forward<Args>(args)...);
}

}  // namespace minidl::nn
