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
// backward function may return a gradient of the output's (broadcast) shape.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
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

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(std::string_view name, std::vector<Variable> inputs, BackwardFn backward, Tensor output)
      : name_(name),
        inputs_(std::move(inputs)),
        backward_(std::move(backward)),
        output_(std::move(output)) {}
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  std::string_view name() const { return name_; }
  const std::vector<Variable>& inputs() const { return inputs_; }
  bool released() const { return released_; }

  // Runs the backward function (the engine calls this).
  Grads apply(const Variable& grad, const std::vector<bool>& needs);
  // Drops the saved inputs and output after a backward pass that did not retain the graph.
  void release();

  // Engine bookkeeping for one backward pass.
  int pending_dependencies = 0;
  bool needed = false;
  Variable pending_grad;
  uint64_t visited_in_pass = 0;
  uint64_t queued_in_pass = 0;

 private:
  std::string_view name_;  // a string literal: op names live for the whole program
  std::vector<Variable> inputs_;
  BackwardFn backward_;
  Tensor output_;
  bool released_ = false;
};

// Records an op: returns `value` as a Variable whose node runs `backward` — or, when grad mode is
// off or no input requires grad, a plain Variable with no history.
Variable record(std::string_view name, Tensor value, std::vector<Variable> inputs,
                BackwardFn backward);

// Checks a value for NaN/Inf when anomaly mode is on; `what` describes where it came from.
void check_anomaly(const Tensor& value, std::string_view op, std::string_view what);

}  // namespace minidl
