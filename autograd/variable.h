// Variable: a Tensor value plus what reverse-mode autodiff needs — whether it requires a gradient,
// its accumulated gradient (itself a Variable, so gradients can be differentiated again), and the
// Node of the op that produced it (none for leaves such as parameters and inputs).
//
// A Variable is a handle like Tensor: copies share the same value, grad and node.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace minidl {

class Node;
struct VariableImpl;
namespace detail {
struct EngineAccess;
}

class Variable {
 public:
  Variable() = default;  // undefined
  // A leaf. With requires_grad, backward() accumulates into its grad().
  explicit Variable(Tensor data, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const;  // the value; in-place edits of it are invisible to autograd
  // Replaces the value. A leaf may change shape or dtype (its grad is then reset); a non-leaf may
  // not.
  void set_data(Tensor data);

  bool requires_grad() const;
  Variable& set_requires_grad(bool requires_grad);  // leaves only
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;

  // The accumulated gradient, undefined until a backward pass reaches this leaf.
  const Variable& grad() const;
  void set_grad(const Variable& grad);
  void reset_grad();  // makes grad() undefined again; the gradient storage is kept
  // reset_grad() after zeroing the gradient storage in place (what Module::zero_grad does): the
  // storage then reads as zeros for a leaf this step's backward pass does not reach.
  void zero_grad();

  // Where backward() puts this leaf's gradient: a contiguous tensor of the leaf's shape and dtype
  // that persists across steps. A pass's first contribution is copied into it and later ones are
  // added in place, so grad() is a view of the same memory every step. Created by the first
  // backward pass that reaches the leaf, or given here (a view into a flat buffer of all a
  // model's gradients, nn::Module::flatten_parameters).
  const Tensor& grad_storage() const;
  void set_grad_storage(Tensor storage);

  // Hooks called once per backward() pass, when this leaf's gradient is final: no contribution
  // is still to come in that pass (data-parallel training starts communicating then, before the
  // rest of the backward pass has run). Leaves only; the id removes the hook.
  using GradReadyHook = std::function<void(const Variable& leaf)>;
  int add_grad_ready_hook(GradReadyHook hook);
  void remove_grad_ready_hook(int id);
  bool has_grad_ready_hooks() const;

  // Backpropagates from this Variable into the grads of every leaf that requires grad. Without an
  // explicit gradient the Variable must hold one element (a loss). The graph's saved values are
  // freed afterwards unless retain_graph; create_graph records the backward pass itself so the
  // gradients can be differentiated again (it implies retain_graph).
  void backward(const Variable& gradient = {}, bool retain_graph = false,
                bool create_graph = false) const;

  Variable detach() const;  // same value, no history, no grad

  // Shorthands for the value's metadata.
  const Shape& shape() const { return data().shape(); }
  int64_t dim() const { return data().dim(); }
  int64_t size(int64_t axis) const { return data().size(axis); }
  int64_t numel() const { return data().numel(); }
  DType dtype() const { return data().dtype(); }
  double item() const { return data().item(); }

  bool same_as(const Variable& other) const { return impl_ == other.impl_; }
  // The same for every handle to one Variable (for maps keyed by Variable).
  const void* id() const { return impl_.get(); }

 private:
  friend struct detail::EngineAccess;

  // Built by the op recorder and the engine: a non-leaf produced by `node`.
  static Variable from_node(Tensor data, std::shared_ptr<Node> node);
  // For Node's destructor: when this handle is the last one to its Variable and that Variable
  // holds the last reference to its node, hands the node over (the Variable, about to die, loses
  // its history); otherwise nullptr. Lets a long graph be freed without recursion.
  std::shared_ptr<Node> take_node_if_last_owner();
  // True when nothing else can observe this Variable's value: this is the only handle to it, its
  // Tensor the only handle to the storage, and no graph made it. The engine then accumulates
  // gradients into it in place instead of allocating a sum.
  void run_grad_ready_hooks() const;
  bool is_sole_owner() const {
    return impl_ && impl_.use_count() == 1 && !grad_fn() && data().storage().use_count() == 1;
  }

 private:
  std::shared_ptr<VariableImpl> impl_;
};

struct VariableImpl {
  Tensor data;
  Variable grad;
  Tensor grad_storage;
  std::vector<std::pair<int, Variable::GradReadyHook>> grad_ready_hooks;
  int next_hook_id = 0;
  std::shared_ptr<Node> grad_fn;
  bool requires_grad = false;
};

std::ostream& operator<<(std::ostream& os, const Variable& v);

}  // namespace minidl
