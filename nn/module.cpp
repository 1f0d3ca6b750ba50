#include "nn/module.h"

#include "tensor/tensor.h"

#include <cxxabi.h>

#include <cstdlib>
#include <string_view>
#include <typeinfo>

namespace minidl::nn {

Module::~Module() = default;

Variable Module::forward(const Variable&) {
  MINIDL_FAIL(name() << ": forward(Variable) not implemented");
}

void Module::check_new_name(const std::string& name, const char* what) const {
  MINIDL_CHECK(!name.empty(), this->name() << ": register_" << what << ": empty name");
  MINIDL_CHECK(name.find('.') == std::string::npos,
               this->name() << ": register_" << what << ": name '" << name
                            << "' contains '.', which separates the levels of dotted names");
  bool taken = false;
  for (const auto& entry : parameters_) taken = taken || entry.first == name;
  for (const auto& entry : buffers_) taken = taken || entry.first == name;
  for (const auto& entry : children_) taken = taken || entry.first == name;
  MINIDL_CHECK(!taken, this->name() << ": register_" << what << ": name '" << name
                                    << "' is already registered");
}

Variable& Module::register_parameter(const std::string& name, Tensor value, bool requires_grad) {
  check_new_name(name, "parameter");
  MINIDL_CHECK(value.defined(),
               this->name() << ": register_parameter: '" << name << "' is an undefined tensor");
  parameters_.emplace_back(name, Variable(std::move(value), requires_grad));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name, "buffer");
  MINIDL_CHECK(value.defined(),
               this->name() << ": register_buffer: '" << name << "' is an undefined tensor");
  buffers_.emplace_back(name, std::move(value));
  return buffers_.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "module");
  MINIDL_CHECK(module != nullptr, this->name()
                                      << ": register_module: '" << name << "' is a null pointer");
  MINIDL_CHECK(module.get() != this,
               this->name() << ": register_module: '" << name << "' is the module itself");
  children_.emplace_back(name, std::move(module));
}

void Module::collect_parameters(const std::string& prefix, bool recurse,
                                std::vector<std::pair<std::string, Variable>>& out) const {
  for (const auto& [name, parameter] : parameters_) out.emplace_back(prefix + name, parameter);
  if (!recurse) return;
  for (const auto& [name, child] : children_) {
    child->collect_parameters(prefix + name + ".", true, out);
  }
}

void Module::collect_buffers(const std::string& prefix, bool recurse,
                             std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, buffer] : buffers_) out.emplace_back(prefix + name, buffer);
  if (!recurse) return;
  for (const auto& [name, child] : children_)
    child->collect_buffers(prefix + name + ".", true, out);
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Variable>> out;
  collect_parameters("", recurse, out);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& entry : named_parameters()) out.push_back(std::move(entry.second));
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect_buffers("", recurse, out);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() const {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  for (const auto& [name, child] : children_) {
    out.emplace_back(name, child);
    for (auto& [sub_name, sub] : child->named_modules()) {
      out.emplace_back(name + "." + sub_name, std::move(sub));
    }
  }
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& entry : children_) entry.second->train(on);
}

void Module::zero_grad() {
  if (parameters_are_flat()) {
    flat_gradients_.zero_();  // one fill instead of one per parameter
    for (Variable& parameter : parameters()) parameter.reset_grad();
    return;
  }
  for (Variable& parameter : parameters()) parameter.zero_grad();
}

namespace {

// parameters() without repeats: a parameter shared by two submodules is listed twice.
std::vector<Variable> unique_parameters(const std::vector<Variable>& parameters) {
  std::vector<Variable> out;
  for (const Variable& p : parameters) {
    bool seen = false;
    for (const Variable& q : out) seen = seen || q.same_as(p);
    if (!seen) out.push_back(p);
  }
  return out;
}

}  // namespace

void Module::flatten_parameters() {
  std::vector<Variable> params = unique_parameters(parameters());
  MINIDL_CHECK(!params.empty(), name() << ": flatten_parameters: the module has no parameters");
  const DType dtype = params.front().dtype();
  int64_t total = 0;
  for (const Variable& p : params) {
    MINIDL_CHECK(p.dtype() == dtype, name() << ": flatten_parameters: parameters of dtypes "
                                            << dtype << " and " << p.dtype()
                                            << " cannot share one buffer");
    total += p.numel();
  }
  Tensor values = Tensor::empty({total}, dtype);
  Tensor grads = zeros({total}, dtype);
  int64_t offset = 0;
  for (Variable& p : params) {
    const int64_t n = p.numel();
    Tensor value = values.narrow(0, offset, n).view(p.shape());
    value.copy_(p.data());
    p.set_data(value);
    // Gradients are stored for every parameter, so the gradient slices line up with the values.
    p.set_grad_storage(grads.narrow(0, offset, n).view(p.shape()));
    offset += n;
  }
  flat_parameters_ = values;
  flat_gradients_ = grads;
}

Module& Module::to(DType dtype) {
  MINIDL_CHECK(is_floating(dtype), name() << ": to: parameters and buffers can be cast to float32 "
                                          << "or float64, not " << dtype);
  const bool was_flat = flat_parameters_.defined();
  for (auto& [name, parameter] : parameters_) {
    if (is_floating(parameter.dtype()) && parameter.dtype() != dtype) {
      parameter.set_data(parameter.data().to(dtype));
    }
  }
  for (auto& [name, buffer] : buffers_) {
    if (is_floating(buffer.dtype()) && buffer.dtype() != dtype) buffer = buffer.to(dtype);
  }
  for (auto& [name, child] : children_) child->to(dtype);
  if (was_flat) flatten_parameters();
  return *this;
}

bool Module::parameters_are_flat() const {
  if (!flat_parameters_.defined()) return false;
  int64_t offset = 0;
  for (const Variable& p : unique_parameters(parameters())) {
    const Tensor& value = p.data();
    const Tensor& grad = p.grad_storage();
    if (!value.shares_storage_with(flat_parameters_) ||
        value.offset() != flat_parameters_.offset() + offset || !value.is_contiguous() ||
        !grad.defined() || !grad.shares_storage_with(flat_gradients_) ||
        grad.offset() != flat_gradients_.offset() + offset)
      return false;
    offset += p.numel();
  }
  return offset == flat_parameters_.numel();
}

int64_t Module::parameter_count() const {
  int64_t count = 0;
  for (const Variable& parameter : parameters()) count += parameter.numel();
  return count;
}

std::string Module::name() const {
  // The dynamic type's name, demangled, without its namespaces: "minidl::nn::Sequential" ->
  // "Sequential". Template arguments (rare for modules) would keep their namespaces.
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string full = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);
  size_t template_start = full.find('<');
  size_t last_colon = full.rfind("::", template_start);
  return last_colon == std::string::npos ? full : full.substr(last_colon + 2);
}

namespace {

void print_tree(std::ostream& os, const Module& module, int indent) {
  os << module.name();
  if (module.children().empty()) return;
  os << "(\n";
  for (const auto& [name, child] : module.children()) {
    os << std::string(size_t(indent + 2), ' ') << '(' << name << "): ";
    print_tree(os, *child, indent + 2);
    os << '\n';
  }
  os << std::string(size_t(indent), ' ') << ')';
}

// 3141592 -> "3,141,592": parameter counts are read at a glance.
std::string with_thousands_separators(int64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Module& module) {
  print_tree(os, module, 0);
  return os << "\nparameters: " << with_thousands_separators(module.parameter_count()) << '\n';
}

}  // namespace minidl::nn
