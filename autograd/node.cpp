#include "autograd/node.h"

#include <cmath>

#include "autograd/grad_mode.h"

namespace minidl {

namespace {
// Set while a backward function runs: anomalies inside it are reported by the engine against the
// forward op whose gradient broke, not against the helper ops the backward happens to use.
thread_local bool running_backward = false;

class RunningBackward {
 public:
  RunningBackward() : previous_(running_backward) { running_backward = true; }
  ~RunningBackward() { running_backward = previous_; }

 private:
  bool previous_;
};
}  // namespace

Grads Node::apply(const Variable& grad, const std::vector<bool>& needs) {
  MINIDL_CHECK(!released_, "backward: the graph through '"
                               << op_.name
                               << "' was already freed by an earlier backward pass; call "
                                  "backward(gradient, /*retain_graph=*/true) the first time to "
                                  "backpropagate through it twice");
  // The output as a Variable connected to this node, so backward functions that use it (tanh,
  // sigmoid, exp, ...) stay differentiable under create_graph.
  Variable output = detail::EngineAccess::from_node(output_, shared_from_this());
  Grads grads;
  {
    RunningBackward scope;
    grads = backward_(grad, Inputs(inputs_, needs), output);
  }
  MINIDL_CHECK(grads.size() == inputs_.size(), "backward of '" << op_.name << "' returned "
                                                               << grads.size() << " gradients for "
                                                               << inputs_.size() << " inputs");
  return grads;
}

Node::~Node() {
  // Freeing a node frees its inputs, whose nodes free their inputs, and so on: for a chain of
  // 100,000 ops kept alive (retain_graph, or a graph dropped without a backward pass) that
  // recursion overflows the stack. So the nodes that would die with this one are collected here
  // and each is destroyed with its inputs already taken away: the depth stays at one.
  std::vector<std::shared_ptr<Node>> dying;
  auto take_nodes_of = [&dying](std::vector<Variable>& inputs) {
    for (Variable& input : inputs) {
      if (std::shared_ptr<Node> node = detail::EngineAccess::take_node_if_last_owner(input)) {
        dying.push_back(std::move(node));
      }
      input = Variable();  // drop this handle now, so a later one to the same Variable is the last
    }
    inputs.clear();
  };
  take_nodes_of(inputs_);
  while (!dying.empty()) {
    std::shared_ptr<Node> node = std::move(dying.back());
    dying.pop_back();
    take_nodes_of(node->inputs_);
  }  // `node` dies here with no inputs left
}

void Node::release() {
  inputs_.clear();
  inputs_.shrink_to_fit();
  backward_ = nullptr;
  output_ = Tensor();
  released_ = true;
}

void check_anomaly(const Tensor& value, std::string_view op, std::string_view what) {
  if (!AnomalyMode::is_enabled() || !value.defined() || !is_floating(value.dtype())) return;
  std::vector<double> values = value.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    MINIDL_CHECK(std::isfinite(values[i]), "anomaly: " << what << " of '" << op << "' has "
                                                       << values[i] << " at flat index " << i
                                                       << " (shape " << value.shape() << ")");
  }
}

Variable record(std::string_view name, Tensor value, std::vector<Variable> inputs,
                BackwardFn backward) {
  return record(OpDescriptor(name), std::move(value), std::move(inputs), std::move(backward));
}

Variable record(OpDescriptor op, Tensor value, std::vector<Variable> inputs, BackwardFn backward) {
  if (!running_backward) check_anomaly(value, op.name, "the forward value");
  bool needs_graph = false;
  if (GradMode::is_enabled()) {
    for (const Variable& input : inputs) needs_graph = needs_graph || input.requires_grad();
  }
  if (!needs_graph) return Variable(std::move(value), false);
  auto node = std::make_shared<Node>(std::move(op), std::move(inputs), std::move(backward), value);
  return detail::EngineAccess::from_node(std::move(value), std::move(node));
}

}  // namespace minidl
