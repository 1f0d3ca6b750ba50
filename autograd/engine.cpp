#include "autograd/engine.h"

#include <unordered_map>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

namespace {

detail::NodePassState& pass(Node& node) { return detail::EngineAccess::pass(node); }

// One backward pass. Nodes keep their per-pass bookkeeping in their own fields (faster than a
// hash map per edge); the destructor clears it even when a backward function throws.
class BackwardPass {
 public:
  // targets: in grad() mode, the Variables whose gradients are wanted; empty in backward() mode,
  // where every leaf that requires grad receives its gradient.
  BackwardPass(const std::vector<Variable>& targets, bool accumulate_into_leaves)
      : targets_(targets), accumulate_(accumulate_into_leaves), results_(targets.size()) {
    for (size_t i = 0; i < targets.size(); ++i) {
      if (targets[i].grad_fn()) target_nodes_[targets[i].grad_fn().get()].push_back(i);
    }
  }

  ~BackwardPass() {
    for (const auto& node : nodes_) {
      pass(*node).pending_grad = Variable();
      pass(*node).pending_dependencies = 0;
      pass(*node).needed = false;
    }
  }

  void run(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
           bool retain_graph) {
    std::vector<Node*> roots;
    std::vector<std::pair<Variable, Variable>> leaf_outputs;  // (leaf, its seed)
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Variable& output = outputs[i];
      Variable seed = seed_gradient(output, i < grad_outputs.size() ? grad_outputs[i] : Variable());
      if (Node* node = output.grad_fn().get()) {
        roots.push_back(node);
        add_to(pass(*node).pending_grad, seed);
      } else {
        leaf_outputs.emplace_back(output, seed);  // the output is itself a leaf
      }
    }
    discover(roots);
    count_dependencies();
    for (const auto& entry : leaf_outputs) count_leaf_contribution(entry.first);
    for (const auto& entry : leaf_outputs) {
      deliver_to_leaf(entry.first, entry.second);
      leaf_contribution_done(entry.first);
    }

    std::vector<Node*> ready;
    for (Node* node : roots) {
      if (pass(*node).pending_dependencies == 0 && enqueue_once(node)) ready.push_back(node);
    }
    while (!ready.empty()) {
      Node* node = ready.back();
      ready.pop_back();
      process(node, ready, retain_graph);
    }
  }

  std::vector<Variable>& results() { return results_; }

 private:
  static Variable seed_gradient(const Variable& output, const Variable& given) {
    MINIDL_CHECK(output.defined(), "backward: undefined output");
    MINIDL_CHECK(output.requires_grad(),
                 "backward: the output does not require grad (no input requires grad, or it was "
                 "computed under NoGradGuard)");
    if (!given.defined()) {
      MINIDL_CHECK(output.numel() == 1, "backward: output of shape "
                                            << output.shape()
                                            << " is not a scalar; pass a gradient of that shape");
      return Variable(ones_like(output.data()));
    }
    MINIDL_CHECK(given.shape() == output.shape() && given.dtype() == output.dtype(),
                 "backward: gradient " << given.dtype() << given.shape()
                                       << " does not match the output " << output.dtype()
                                       << output.shape());
    return given;
  }

  // slot += gradient. Without create_graph (grad mode off) a slot that nothing else can see is
  // summed into in place: a parameter used twice in a step (a GAN critic on real, then on fake
  // images) would otherwise allocate and fill a third weight-sized tensor.
  static void add_to(Variable& slot, const Variable& gradient) {
    if (!slot.defined()) {
      slot = gradient;
    } else if (!GradMode::is_enabled() && detail::EngineAccess::is_sole_owner(slot) &&
               slot.data().is_contiguous() && slot.shape() == gradient.shape() &&
               slot.dtype() == gradient.dtype()) {
      Tensor sum = slot.data();
      add_(sum, gradient.data());
    } else {
      slot = slot + gradient;
    }
  }

  bool is_target_node(Node* node) const { return target_nodes_.count(node) > 0; }

  bool is_target_leaf(const Variable& leaf) const {
    for (const Variable& t : targets_) {
      if (t.same_as(leaf)) return true;
    }
    return false;
  }

  // Whether the gradient for `input` is wanted in this pass.
  bool wants_gradient(const Variable& input) const {
    if (!input.requires_grad()) return false;
    if (Node* node = input.grad_fn().get()) return pass(*node).needed || is_target_node(node);
    return accumulate_ || is_target_leaf(input);
  }

  // Iterative post-order walk from the roots: collects every reachable node and marks it `needed`
  // when its backward must run (some input leads to a leaf or target that wants a gradient).
  void discover(const std::vector<Node*>& roots) {
    struct Frame {
      Node* node;
      size_t next_input;
    };
    std::vector<Frame> stack;
    for (Node* root : roots) {
      if (!mark_visited(root)) continue;
      stack.push_back({root, 0});
      while (!stack.empty()) {
        Frame& frame = stack.back();
        Node* node = frame.node;
        MINIDL_CHECK(!node->released(),
                     "backward: the graph through '"
                         << node->name()
                         << "' was already freed by an earlier backward pass; call "
                            "backward(gradient, /*retain_graph=*/true) the first time to "
                            "backpropagate through it twice");
        const auto& inputs = node->inputs();
        if (frame.next_input < inputs.size()) {
          Node* child = inputs[frame.next_input++].grad_fn().get();
          if (child && mark_visited(child)) stack.push_back({child, 0});
          continue;
        }
        // All children done: decide whether this node's backward must run.
        bool needed = false;
        for (const Variable& input : inputs) needed = needed || wants_gradient(input);
        pass(*node).needed = needed;
        nodes_.push_back(node->shared_from_this());
        stack.pop_back();
      }
    }
  }

  bool receives(Node* node) const { return pass(*node).needed || is_target_node(node); }

  void count_dependencies() {
    for (const auto& node : nodes_) {
      if (!pass(*node).needed) continue;
      for (const Variable& input : node->inputs()) {
        Node* child = input.grad_fn().get();
        if (child && receives(child)) ++pass(*child).pending_dependencies;
        if (!child && wants_gradient(input)) count_leaf_contribution(input);
      }
    }
  }

  // Leaves with grad-ready hooks: how many contributions each still expects in this pass (one per
  // edge from a node whose backward runs, whether or not that edge carries a gradient).
  void count_leaf_contribution(const Variable& leaf) {
    if (accumulate_ && leaf.requires_grad() && leaf.has_grad_ready_hooks())
      ++leaf_pending_[leaf.id()];
  }
  void leaf_contribution_done(const Variable& leaf) {
    if (!accumulate_ || !leaf.requires_grad() || !leaf.has_grad_ready_hooks()) return;
    auto it = leaf_pending_.find(leaf.id());
    if (it != leaf_pending_.end() && --it->second == 0) {
      leaf_pending_.erase(it);
      detail::EngineAccess::run_grad_ready_hooks(leaf);
    }
  }

  // Per-pass marks on the nodes themselves instead of hash sets: each pass has a new id, so
  // marks left by earlier passes never match. True the first time for this pass.
  bool mark_visited(Node* node) {
    if (pass(*node).visited_in_pass == pass_id_) return false;
    pass(*node).visited_in_pass = pass_id_;
    return true;
  }
  // True the first time a node is queued: a node reached from two roots runs once.
  bool enqueue_once(Node* node) {
    if (pass(*node).queued_in_pass == pass_id_) return false;
    pass(*node).queued_in_pass = pass_id_;
    return true;
  }
  static uint64_t next_pass_id() {
    static thread_local uint64_t counter = 0;
    return ++counter;
  }

  // The leaf's persistent gradient storage (autograd/variable.h): the pass's first contribution
  // is copied into it, later ones added in place, so no gradient tensor is allocated after the
  // first step. False when grad() holds something else (a gradient set by hand or recorded with
  // create_graph) or a caller holds grad() (`Variable g = w.grad()`, which keeps its values, as
  // in PyTorch): the caller then sums out of place.
  static bool accumulate_into_storage(const Variable& leaf, const Tensor& gradient) {
    VariableImpl& impl = detail::EngineAccess::impl(leaf);
    Tensor& storage = impl.grad_storage;
    if (impl.grad.defined()) {
      const Tensor& current = impl.grad.data();
      if (!storage.defined() || !current.shares_storage_with(storage) ||
          current.offset() != storage.offset() || current.shape() != storage.shape() ||
          impl.grad.grad_fn() || detail::EngineAccess::handle_count(impl.grad) != 1)
        return false;
      add_(storage, gradient);
      return true;
    }
    if (storage.defined() && storage.shape() == leaf.shape() && storage.dtype() == leaf.dtype())
      storage.copy_(gradient);
    else
      storage = gradient.clone();  // a node's output may be shared: never adopt it
    impl.grad = Variable(storage);
    return true;
  }

  void deliver_to_leaf(const Variable& leaf, const Variable& gradient) {
    if (!leaf.requires_grad()) return;
    if (accumulate_) {
      if (!GradMode::is_enabled() && accumulate_into_storage(leaf, gradient.data())) return;
      // With create_graph the gradient keeps its history, so it cannot live in the storage.
      Variable g = GradMode::is_enabled() ? gradient : gradient.detach();
      Variable& current = const_cast<Variable&>(leaf.grad());
      if (current.defined())
        add_to(current, g);
      else
        const_cast<Variable&>(leaf).set_grad(g);
      return;
    }
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (targets_[i].same_as(leaf)) add_to(results_[i], gradient);
    }
  }

  void process(Node* node, std::vector<Node*>& ready, bool retain_graph) {
    Variable grad = pass(*node).pending_grad;
    pass(*node).pending_grad = Variable();
    if (auto it = target_nodes_.find(node); it != target_nodes_.end() && grad.defined()) {
      for (size_t i : it->second) add_to(results_[i], grad);
    }
    const std::vector<Variable>& inputs = node->inputs();  // valid until release() below
    if (pass(*node).needed) {
      std::vector<bool> needs(inputs.size());
      for (size_t i = 0; i < inputs.size(); ++i) needs[i] = wants_gradient(inputs[i]);
      Grads grads;
      if (grad.defined()) grads = detail::EngineAccess::apply(*node, grad, needs);
      for (size_t i = 0; i < inputs.size(); ++i) {
        const Variable& input = inputs[i];
        Variable g = i < grads.size() && needs[i] ? grads[i] : Variable();
        if (g.defined()) {
          if (g.shape() != input.shape()) g = sum_to(g, input.shape());
          check_anomaly(g.data(), node->name(),
                        "the gradient for input " + std::to_string(i) + " from the backward");
        }
        Node* child = input.grad_fn().get();
        if (child && receives(child)) {
          if (g.defined()) add_to(pass(*child).pending_grad, g);
          if (--pass(*child).pending_dependencies == 0 && enqueue_once(child))
            ready.push_back(child);
        } else if (!child && needs[i]) {
          if (g.defined()) deliver_to_leaf(input, g);
          leaf_contribution_done(input);
        }
      }
    }
    if (!retain_graph) detail::EngineAccess::release(*node);
  }

  const std::vector<Variable> targets_;
  bool accumulate_;
  std::vector<Variable> results_;
  std::unordered_map<Node*, std::vector<size_t>> target_nodes_;
  std::unordered_map<const void*, int> leaf_pending_;  // leaves with grad-ready hooks
  // Owning references: releasing a node drops its inputs, which may hold the last reference to
  // a node still queued in this pass.
  std::vector<std::shared_ptr<Node>> nodes_;
  const uint64_t pass_id_ = next_pass_id();
};

}  // namespace

void run_backward(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
                  bool retain_graph, bool create_graph) {
  GradModeGuard mode(create_graph);
  BackwardPass pass({}, /*accumulate_into_leaves=*/true);
  pass.run(outputs, grad_outputs, retain_graph || create_graph);
}

std::vector<Variable> grad(const std::vector<Variable>& outputs,
                           const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs, const GradOptions& options) {
  MINIDL_CHECK(!outputs.empty(), "grad: no outputs given");
  MINIDL_CHECK(
      grad_outputs.empty() || grad_outputs.size() == outputs.size(),
      "grad: " << grad_outputs.size() << " grad_outputs for " << outputs.size() << " outputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    MINIDL_CHECK(inputs[i].requires_grad(), "grad: input " << i << " does not require grad");
  }
  GradModeGuard mode(options.create_graph);
  BackwardPass pass(inputs, /*accumulate_into_leaves=*/false);
  pass.run(outputs, grad_outputs, options.retain_graph.value_or(options.create_graph));
  std::vector<Variable> results = pass.results();
  for (size_t i = 0; i < results.size(); ++i) {
    MINIDL_CHECK(results[i].defined() || options.allow_unused,
                 "grad: input " << i
                                << " is not used to compute the outputs (set allow_unused to get "
                                   "an undefined gradient instead)");
  }
  return results;
}

}  // namespace minidl
