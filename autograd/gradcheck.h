// Gradient checking, as PyTorch's torch.autograd.gradcheck: the Jacobian from backward passes is
// compared element by element with central differences (f(x + eps) - f(x - eps)) / (2 eps), in
// float64, with PyTorch's defaults eps 1e-6, atol 1e-5, rtol 1e-3. gradgradcheck does the same for
// the gradient itself (second derivatives), which is what gradient penalties rely on.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.h"

namespace minidl {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  std::string name;  // used in failure messages; defaults to the output's op name
};

struct GradcheckResult {
  bool passed = true;
  std::string message;     // on failure: op, input, worst element, analytical vs numerical
  double worst_error = 0;  // max |analytical - numerical| seen
  explicit operator bool() const { return passed; }
};

using DifferentiableFunction = std::function<Variable(const std::vector<Variable>&)>;

// Checks d f(inputs) / d inputs[i] for every input that requires grad. Inputs must be float64;
// they may be non-contiguous views. f must be deterministic.
GradcheckResult gradcheck(const DifferentiableFunction& f, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options = {});

// Checks the second derivatives: gradcheck of (inputs, v) -> grad(f(inputs), inputs, v,
// create_graph) for a random output gradient v (seeded, so the check is reproducible).
GradcheckResult gradgradcheck(const DifferentiableFunction& f, const std::vector<Variable>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace minidl
