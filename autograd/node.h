// Node: one recorded op in the graph — its inputs (the graph's edges), the function that turns the
// gradient of its output into gradients of its inputs, and its output's value.
//
// record() is how every differentiable op is written: compute the value with tensor/ kernels, then
// hand record() the value, the inputs and the backward function, side by side:
//
//   Variable tanh(const Variable& x) {
//     return record("tanh", tanh(x.data()), {x},
//                   [](const Variable& grad, const Inputs& in, const Variable& out) {
//                     return Grads{grad * (1.0 - out * out)};
//                   });
//   }
//
// Backward functions use Variable ops only, so the backward pass is itself differentiable (double
// backward: WGAN-GP's gradient penalty). They get the output as a Variable connected to this node;
// the node stores only the output's Tensor and rebuilds that Variable on demand, because holding
// the output Variable itself would make a reference cycle (node -> output -> node) and leak every
// graph. Gradients of broadcast inputs are summed back to the input's shape by the engine, so a
// backward function may return a gradient of the output's (broadcast) shape. A program outside
// minidl defines its own ops the same way (docs/autograd.md, "Your own op").
#pragma once

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "autograd/variable.h"

namespace minidl {

// The inputs as a backward function sees them: their values, and which of them need a gradient in
// this backward pass. A backward function may return an undefined Variable for an input that does
// not need one (skipping, say, the GEMM for the gradient of a network's input).
class Inputs {
 public:
  Inputs(const std::vector<Variable>& values, const std::vector<bool>& needs)
      : values_(values), needs_(needs) {}
  const Variable& operator[](size_t i) const { return values_[i]; }
  size_t size() const { return values_.size(); }
  bool needs_grad(size_t i) const { return needs_[i]; }

 private:
  const std::vector<Variable>& values_;
  const std::vector<bool>& needs_;
};

using Grads = std::vector<Variable>;
using BackwardFn =
    std::function<Grads(const Variable& grad, const Inputs& inputs, const Variable& output)>;

// One attribute of a recorded op, printed as text: ("beta", 2), ("shape", [3, 4]).
struct OpAttribute {
  template <typename T>
  OpAttribute(std::string attribute_name, const T& attribute_value)
      : name(std::move(attribute_name)), value(format(attribute_value)) {}
  std::string name;
  std::string value;

 private:
  template <typename T>
  static std::string format(const T& v) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return std::string(std::string_view(v));
    } else if constexpr (std::is_same_v<T, Shape>) {
      return shape_str(v);
    } else {
      std::ostringstream os;
      os << std::boolalpha << v;
      return os.str();
    }
  }
};

// What a node records about its op, for printing and exporting graphs (autograd/graph.h): the
// op's name and its non-tensor arguments. The name is a copy, so any string will do (an op built
// outside the library may make its name at run time); most of minidl's op names fit in the
// string's inline buffer, and a longer one costs one small allocation beside the op's tensor.
struct OpDescriptor {
  explicit OpDescriptor(std::string_view op_name, std::vector<OpAttribute> op_attributes = {})
      : name(op_name), attributes(std::move(op_attributes)) {}
  std::string name;
  std::vector<OpAttribute> attributes;
};

namespace detail {
struct EngineAccess;

// The backward engine's bookkeeping on a node during one pass (autograd/engine.cpp).
struct NodePassState {
  int pending_dependencies = 0;
  bool needed = false;
  Variable pending_grad;
  uint64_t visited_in_pass = 0;
  uint64_t queued_in_pass = 0;
};
}  // namespace detail

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(OpDescriptor op, std::vector<Variable> inputs, BackwardFn backward, Tensor output)
      : op_(std::move(op)),
        inputs_(std::move(inputs)),
        backward_(std::move(backward)),
        output_(std::move(output)) {}
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  std::string_view name() const { return op_.name; }
  const OpDescriptor& op() const { return op_; }
  const std::vector<Variable>& inputs() const { return inputs_; }
  // The output's value; undefined once a backward pass has released the node.
  const Tensor& output() const { return output_; }
  bool released() const { return released_; }

 private:
  friend struct detail::EngineAccess;

  // Runs the backward function.
  Grads apply(const Variable& grad, const std::vector<bool>& needs);
  // Drops the saved inputs and output after a backward pass that did not retain the graph.
  void release();

  OpDescriptor op_;
  std::vector<Variable> inputs_;
  BackwardFn backward_;
  Tensor output_;
  bool released_ = false;
  detail::NodePassState pass_;
};

// Records an op: returns `value` as a Variable whose node runs `backward` — or, when grad mode is
// off or no input requires grad, a plain Variable with no history.
Variable record(std::string_view name, Tensor value, std::vector<Variable> inputs,
                BackwardFn backward);
// The same, with the op's attributes: record(OpDescriptor("softplus", {{"beta", beta}}), ...).
Variable record(OpDescriptor op, Tensor value, std::vector<Variable> inputs, BackwardFn backward);

namespace detail {
// The engine's and the recorder's access to what Node and Variable keep private.
struct EngineAccess {
  static NodePassState& pass(Node& node) { return node.pass_; }
  static Grads apply(Node& node, const Variable& grad, const std::vector<bool>& needs) {
    return node.apply(grad, needs);
  }
  static void release(Node& node) { node.release(); }
  static Variable from_node(Tensor data, std::shared_ptr<Node> node) {
    return Variable::from_node(std::move(data), std::move(node));
  }
  static std::shared_ptr<Node> take_node_if_last_owner(Variable& v) {
    return v.take_node_if_last_owner();
  }
  static bool is_sole_owner(const Variable& v) { return v.is_sole_owner(); }
  static void run_grad_ready_hooks(const Variable& v) { v.run_grad_ready_hooks(); }
  static VariableImpl& impl(const Variable& v) { return *v.impl_; }
  static long handle_count(const Variable& v) { return v.impl_.use_count(); }
};
}  // namespace detail

// Checks a value for NaN/Inf when anomaly mode is on; `what` describes where it came from.
void check_anomaly(const Tensor& value, std::string_view op, std::string_view what);

}  // namespace minidl
