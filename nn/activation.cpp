#include "nn/activation.h"

#include <sstream>

#include "autograd/ops.h"

namespace minidl::nn {

namespace {

std::string with_argument(const char* layer, const char* argument, double value) {
  std::ostringstream os;
  os << layer << '(' << argument << '=' << value << ')';
  return os.str();
}

}  // namespace

Variable ReLU::forward(const Variable& input) { return relu(input); }

Variable LeakyReLU::forward(const Variable& input) { return leaky_relu(input, negative_slope); }
std::string LeakyReLU::name() const {
  return with_argument("LeakyReLU", "negative_slope", negative_slope);
}

Variable Tanh::forward(const Variable& input) { return tanh(input); }

Variable Sigmoid::forward(const Variable& input) { return sigmoid(input); }

Variable GELU::forward(const Variable& input) { return gelu(input, tanh_approximation); }
std::string GELU::name() const { return tanh_approximation ? "GELU(approximate=tanh)" : "GELU()"; }

Softplus::Softplus(double beta, double threshold) : beta(beta), threshold(threshold) {
  MINIDL_CHECK(beta > 0, "Softplus: beta must be positive, got " << beta);
}
Variable Softplus::forward(const Variable& input) { return softplus(input, beta, threshold); }
std::string Softplus::name() const {
  // PyTorch's defaults are left out, as in the other layers' names.
  std::ostringstream os;
  os << "Softplus(";
  if (beta != 1.0) os << "beta=" << beta;
  if (threshold != 20.0) os << (beta != 1.0 ? ", " : "") << "threshold=" << threshold;
  os << ')';
  return os.str();
}

Variable ELU::forward(const Variable& input) { return elu(input, alpha); }
std::string ELU::name() const { return with_argument("ELU", "alpha", alpha); }

}  // namespace minidl::nn
