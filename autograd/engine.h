// The backward engine: from output Variables it finds every Node that leads to them, orders the
// nodes so each runs only after all gradients into its output have arrived (reverse topological
// order, found iteratively — a 100,000-op chain needs no deep recursion), and runs their backward
// functions, summing gradients that meet (shared sub-expressions) and summing gradients of
// broadcast inputs back to the input's shape.
#pragma once

#include <optional>
#include <vector>

#include "autograd/variable.h"

namespace minidl {

// What Variable::backward runs: accumulates into grad() of every reachable leaf that requires
// grad. An undefined entry in grad_outputs means "ones" for a one-element output.
void run_backward(const std::vector<Variable>& outputs, const std::vector<Variable>& grad_outputs,
                  bool retain_graph, bool create_graph);

struct GradOptions {
  bool create_graph = false;
  std::optional<bool> retain_graph;  // defaults to create_graph, as PyTorch
  bool allow_unused = false;         // an input the outputs do not depend on: undefined result
};

// Like torch.autograd.grad: the gradients of sum(outputs[i] * grad_outputs[i]) with respect to
// each input, returned without touching any grad(). With create_graph the results are themselves
// differentiable (gradient penalties).
std::vector<Variable> grad(const std::vector<Variable>& outputs,
                           const std::vector<Variable>& inputs,
                           const std::vector<Variable>& grad_outputs = {},
                           const GradOptions& options = {});

}  // namespace minidl
