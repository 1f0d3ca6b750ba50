#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"

namespace minidl {

namespace {

// The storage offset (in elements) of the flat row-major element `flat` of a possibly strided
// tensor.
int64_t element_offset(const Tensor& t, int64_t flat) {
  int64_t offset = 0;
  for (int64_t axis = t.dim() - 1; axis >= 0; --axis) {
    offset += (flat % t.shape()[axis]) * t.strides()[axis];
    flat /= t.shape()[axis];
  }
  return offset;
}

std::string index_str(const Shape& shape, int64_t flat) {
  Shape index(shape.size());
  for (size_t axis = shape.size(); axis-- > 0;) {
    index[axis] = flat % shape[axis];
    flat /= shape[axis];
  }
  return shape_str(index);
}

// Grad mode stays on: f may itself take gradients (gradgradcheck's first-order function does).
std::vector<double> evaluate(const DifferentiableFunction& f, const std::vector<Variable>& inputs) {
  return f(inputs).data().to_vector<double>();
}

}  // namespace

GradcheckResult gradcheck(const DifferentiableFunction& f, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options) {
  for (size_t k = 0; k < inputs.size(); ++k) {
    MINIDL_CHECK(inputs[k].dtype() == DType::Float64,
                 "gradcheck: input " << k << " is " << inputs[k].dtype()
                                     << "; gradient checks need float64 (float32 rounding "
                                        "swamps central differences)");
  }
  Variable output = f(inputs);
  MINIDL_CHECK(output.dtype() == DType::Float64,
               "gradcheck: the function returned " << output.dtype() << ", not float64");
  const std::string name = !options.name.empty()
                               ? options.name
                               : (output.grad_fn() ? std::string(output.grad_fn()->name()) : "f");
  const int64_t n_out = output.numel();

  std::vector<size_t> checked;  // the inputs that require grad
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].requires_grad()) checked.push_back(k);
  }
  std::vector<Variable> wrt;
  for (size_t k : checked) wrt.push_back(inputs[k]);

  // Analytical Jacobian, one output element at a time: analytical[c][j][i] = d out_j / d x_c,i.
  std::vector<std::vector<std::vector<double>>> analytical(checked.size());
  for (size_t c = 0; c < checked.size(); ++c) analytical[c].resize(size_t(n_out));
  if (output.requires_grad()) {
    for (int64_t j = 0; j < n_out; ++j) {
      Tensor seed = zeros(output.shape(), DType::Float64);
      seed.data<double>()[j] = 1.0;
      GradOptions grad_options;
      grad_options.retain_graph = true;
      grad_options.allow_unused = true;
      std::vector<Variable> grads = grad({output}, wrt, {Variable(seed)}, grad_options);
      for (size_t c = 0; c < checked.size(); ++c) {
        analytical[c][size_t(j)] = grads[c].defined()
                                       ? grads[c].data().to_vector<double>()
                                       : std::vector<double>(size_t(wrt[c].numel()), 0.0);
      }
    }
  }

  GradcheckResult result;
  double worst_excess = 0;
  for (size_t c = 0; c < checked.size(); ++c) {
    const Tensor& x = inputs[checked[c]].data();
    double* base = x.data<double>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      double& element = base[element_offset(x, i)];
      const double saved = element;
      element = saved + options.eps;
      std::vector<double> plus = evaluate(f, inputs);
      element = saved - options.eps;
      std::vector<double> minus = evaluate(f, inputs);
      element = saved;
      for (int64_t j = 0; j < n_out; ++j) {
        const double numerical = (plus[size_t(j)] - minus[size_t(j)]) / (2 * options.eps);
        const double analytic =
            analytical[c][size_t(j)].empty() ? 0.0 : analytical[c][size_t(j)][size_t(i)];
        const double error = std::abs(analytic - numerical);
        const double excess = error - (options.atol + options.rtol * std::abs(numerical));
        result.worst_error = std::max(result.worst_error, error);
        const bool worse = std::isnan(error) ? worst_excess != INFINITY : excess > worst_excess;
        if (worse) {
          worst_excess = std::isnan(error) ? INFINITY : excess;
          result.passed = false;
          std::ostringstream os;
          os << "gradcheck: " << name << ": input " << checked[c] << " element "
             << index_str(x.shape(), i) << ", output element " << index_str(output.shape(), j)
             << ": analytical " << analytic << " vs numerical " << numerical << " (|difference| "
             << error << " > atol " << options.atol << " + rtol " << options.rtol
             << " * |numerical|)";
          result.message = os.str();
        }
      }
    }
  }
  return result;
}

GradcheckResult gradgradcheck(const DifferentiableFunction& f, const std::vector<Variable>& inputs,
                              const GradcheckOptions& options) {
  Variable output = f(inputs);
  // A random output gradient that is itself checked as an input of the first-order gradient.
  Generator generator(12345);
  Variable grad_output(normal(output.shape(), 0.0, 1.0, DType::Float64, generator), true);
  const size_t n_inputs = inputs.size();
  auto first_order = [&f, n_inputs](const std::vector<Variable>& args) {
    std::vector<Variable> xs(args.begin(), args.begin() + long(n_inputs));
    std::vector<Variable> wrt;
    for (const Variable& x : xs) {
      if (x.requires_grad()) wrt.push_back(x);
    }
    GradOptions grad_options;
    grad_options.create_graph = true;
    grad_options.allow_unused = true;
    std::vector<Variable> grads = grad({f(xs)}, wrt, {args.back()}, grad_options);
    std::vector<Variable> flat;
    for (size_t i = 0; i < grads.size(); ++i) {
      flat.push_back(grads[i].defined() ? reshape(grads[i], {-1})
                                        : Variable(zeros({wrt[i].numel()}, DType::Float64)));
    }
    return concat(flat, 0);
  };
  std::vector<Variable> args = inputs;
  args.push_back(grad_output);
  GradcheckOptions second = options;
  if (second.name.empty()) {
    second.name = "grad of " + (output.grad_fn() ? std::string(output.grad_fn()->name()) : "f");
  } else {
    second.name = "grad of " + second.name;
  }
  return gradcheck(first_order, args, second);
}

}  // namespace minidl
