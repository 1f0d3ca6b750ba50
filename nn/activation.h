// Activation functions as modules, for use in Sequential. Each forwards to the autograd op of the
// same name (autograd/ops.h), which is stable at extreme inputs in both directions.
#pragma once

#include "nn/module.h"

namespace minidl::nn {

class ReLU : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string name() const override { return "ReLU()"; }
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Variable forward(const Variable& input) override;
  std::string name() const override;
  double negative_slope;
};

class Tanh : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string name() const override { return "Tanh()"; }
};

class Sigmoid : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string name() const override { return "Sigmoid()"; }
};

// x Phi(x) exactly (through erf), or PyTorch's approximate="tanh" form.
class GELU : public Module {
 public:
  explicit GELU(bool tanh_approximation = false) : tanh_approximation(tanh_approximation) {}
  Variable forward(const Variable& input) override;
  std::string name() const override;
  bool tanh_approximation;
};

// log(1 + exp(beta x)) / beta, and x itself where beta x > threshold, as torch.nn.Softplus.
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0);
  Variable forward(const Variable& input) override;
  std::string name() const override;
  double beta;
  double threshold;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Variable forward(const Variable& input) override;
  std::string name() const override;
  double alpha;
};

// Returns its input: a placeholder where a network has an optional layer.
class Identity : public Module {
 public:
  Variable forward(const Variable& input) override { return input; }
  std::string name() const override { return "Identity()"; }
};

}  // namespace minidl::nn
