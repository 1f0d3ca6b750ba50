#include "nn/optim/optimizer.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "tensor/tensor.h"

namespace minidl::optim {

namespace {

std::string state_key(size_t index, const std::string& name) {
  return "state." + std::to_string(index) + "." + name;
}

}  // namespace

const Tensor& ParamState::at(const std::string& name) const {
  auto it = tensors_.find(name);
  MINIDL_CHECK(it != tensors_.end(), "optimizer state: no entry '" << name << "'");
  return it->second;
}

const Tensor& ParamState::buffer(const std::string& name, const Variable& param) {
  Tensor& t = tensors_[name];
  if (!t.defined()) t = zeros(param.shape(), param.dtype());
  return t;
}

int64_t ParamState::next_step() {
  Tensor& t = tensors_["step"];
  if (!t.defined()) t = scalar(0.0, DType::Int64);
  return ++t.data<int64_t>()[0];
}

int64_t ParamState::steps() const {
  auto it = tensors_.find("step");
  return it == tensors_.end() ? 0 : it->second.data<int64_t>()[0];
}

void Optimizer::init_state() {
  MINIDL_CHECK(group_count() > 0, name_ << ": no parameter groups");
  for (size_t g = 0; g < group_count(); ++g) {
    for (const Variable& p : group_params(g)) {
      MINIDL_CHECK(
          p.defined() && p.is_leaf() && p.requires_grad(),
          name_ << ": group " << g << " has a parameter that is not a leaf requiring grad");
      group_of_.push_back(g);
    }
  }
  state_.resize(group_of_.size());
}

void Optimizer::zero_grad() {
  for (size_t g = 0; g < group_count(); ++g) {
    for (const Variable& p : group_params(g)) {
      Variable handle = p;  // shares p's gradient slot
      handle.zero_grad();
    }
  }
}

const std::vector<Variable>& Optimizer::params(size_t group) const {
  MINIDL_CHECK(group < group_count(), "Optimizer: group " << group << " is out of range for "
                                                          << group_count() << " groups");
  return group_params(group);
}

double Optimizer::lr(size_t group) const {
  MINIDL_CHECK(group < group_count(), "Optimizer: group " << group << " is out of range for "
                                                          << group_count() << " groups");
  return group_lr(group);
}

void Optimizer::set_lr(double lr, size_t group) {
  MINIDL_CHECK(group < group_count(), "Optimizer: group " << group << " is out of range for "
                                                          << group_count() << " groups");
  MINIDL_CHECK(lr >= 0, "Optimizer: learning rate must be non-negative, got " << lr);
  set_group_lr(group, lr);
}

void Optimizer::set_lr(double lr) {
  for (size_t g = 0; g < group_count(); ++g) set_lr(lr, g);
}

nn::TensorMap Optimizer::state_dict() const {
  nn::TensorMap out;
  for (size_t g = 0; g < group_count(); ++g) {
    out.emplace_back("param_groups." + std::to_string(g) + ".lr", scalar(lr(g), DType::Float64));
  }
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i].empty()) continue;
    // In the optimizer's order, the entries the parameter has: options changed between steps
    // (momentum turned on) can name one it does not have yet.
    for (const std::string& name : group_state_names(group_of_[i])) {
      if (state_[i].contains(name)) out.emplace_back(state_key(i, name), state_[i].at(name));
    }
  }
  for (auto& entry : out) entry.second = entry.second.clone();  // a snapshot, not a live view
  return out;
}

namespace {

// Parses "<number>.<rest>" into its parts; false for anything else.
bool split_index(const std::string& text, size_t& index, std::string& rest) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos || dot == 0) return false;
  const char* begin = text.data();
  auto [end, error] = std::from_chars(begin, begin + dot, index);
  if (error != std::errc() || end != begin + dot) return false;
  rest = text.substr(dot + 1);
  return !rest.empty();
}

// Throws "load_state_dict: ..." unless `entries` is a whole state for parameter `index`: exactly
// the names its group's options give, "step" a 0-d int64 >= 1, the rest of the parameter's shape
// and dtype.
void check_state(const std::string& optimizer, size_t index, const ParamState::Entries& entries,
                 const std::vector<std::string>& names, const Variable& param) {
  for (const std::string& name : names) {
    MINIDL_CHECK(entries.count(name),
                 "load_state_dict: missing key '" << state_key(index, name) << "'");
  }
  for (const auto& [name, value] : entries) {
    const std::string key = state_key(index, name);
    MINIDL_CHECK(std::find(names.begin(), names.end(), name) != names.end(),
                 "load_state_dict: unexpected key '" << key << "' for " << optimizer);
    if (name == "step") {
      MINIDL_CHECK(value.dim() == 0 && value.dtype() == DType::Int64 && value.item() >= 1,
                   "load_state_dict: '" << key << "' must be a 0-d int64 tensor >= 1, got "
                                        << value.dtype() << shape_str(value.shape()));
    } else {
      MINIDL_CHECK(value.shape() == param.shape() && value.dtype() == param.dtype(),
                   "load_state_dict: '" << key << "' is " << value.dtype()
                                        << shape_str(value.shape()) << " but parameter " << index
                                        << " is " << param.dtype() << shape_str(param.shape()));
    }
  }
}

}  // namespace

void Optimizer::load_state_dict(const nn::TensorMap& state) {
  std::vector<Variable> params;
  for (size_t g = 0; g < group_count(); ++g) {
    for (const Variable& p : group_params(g)) params.push_back(p);
  }
  std::vector<double> lrs(group_count(), 0.0);
  std::vector<bool> has_lr(group_count(), false);
  std::vector<ParamState::Entries> entries(params.size());
  std::set<std::string> seen;

  for (const auto& [key, value] : state) {
    MINIDL_CHECK(seen.insert(key).second, "load_state_dict: duplicate key '" << key << "'");
    MINIDL_CHECK(value.defined(), "load_state_dict: '" << key << "' is undefined");
    size_t index = 0;
    std::string rest;
    if (key.rfind("param_groups.", 0) == 0) {
      MINIDL_CHECK(split_index(key.substr(13), index, rest) && rest == "lr",
                   "load_state_dict: unexpected key '" << key << "'");
      MINIDL_CHECK(index < group_count(), "load_state_dict: '" << key << "' is for group " << index
                                                               << " but the optimizer has "
                                                               << group_count() << " groups");
      MINIDL_CHECK(value.dim() == 0 && value.dtype() == DType::Float64,
                   "load_state_dict: '" << key << "' must be a 0-d float64 tensor, got "
                                        << value.dtype() << shape_str(value.shape()));
      lrs[index] = value.item();
      has_lr[index] = true;
    } else if (key.rfind("state.", 0) == 0) {
      MINIDL_CHECK(split_index(key.substr(6), index, rest),
                   "load_state_dict: unexpected key '" << key << "'");
      MINIDL_CHECK(index < params.size(), "load_state_dict: '" << key << "' is for parameter "
                                                               << index << " but the optimizer has "
                                                               << params.size() << " parameters");
      entries[index][rest] = value;
    } else {
      MINIDL_FAIL("load_state_dict: unexpected key '" << key << "'");
    }
  }
  for (size_t g = 0; g < group_count(); ++g) {
    MINIDL_CHECK(has_lr[g], "load_state_dict: missing key 'param_groups." << g << ".lr'");
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (!entries[i].empty()) {
      check_state(name_, i, entries[i], group_state_names(group_of_[i]), params[i]);
    }
  }
  // Everything is valid: restore.
  for (size_t g = 0; g < group_count(); ++g) set_group_lr(g, lrs[g]);
  for (size_t i = 0; i < params.size(); ++i) {
    state_[i].tensors_.clear();
    for (const auto& [name, value] : entries[i]) state_[i].tensors_[name] = value.clone();
  }
}

}  // namespace minidl::optim
