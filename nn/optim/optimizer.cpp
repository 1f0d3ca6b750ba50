#include "nn/optim/optimizer.h"

#include <charconv>
#include <set>

#include "tensor/tensor.h"

namespace minidl::optim {

void Optimizer::zero_grad() {
  for (size_t g = 0; g < group_count(); ++g) {
    for (const Variable& p : group_params(g)) {
      Variable handle = p;  // shares p's gradient slot
      handle.reset_grad();
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

std::vector<Variable> Optimizer::all_params() const {
  std::vector<Variable> out;
  for (size_t g = 0; g < group_count(); ++g) {
    for (const Variable& p : group_params(g)) out.push_back(p);
  }
  return out;
}

nn::TensorMap Optimizer::state_dict() const {
  nn::TensorMap out;
  for (size_t g = 0; g < group_count(); ++g) {
    out.emplace_back("param_groups." + std::to_string(g) + ".lr", scalar(lr(g), DType::Float64));
  }
  const size_t count = all_params().size();
  for (size_t i = 0; i < count; ++i) save_state(i, out);
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

}  // namespace

void Optimizer::load_state_dict(const nn::TensorMap& state) {
  const std::vector<Variable> params = all_params();
  std::vector<double> lrs(group_count(), 0.0);
  std::vector<bool> has_lr(group_count(), false);
  std::vector<StateEntries> entries(params.size());
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
    if (!entries[i].empty()) check_state(i, entries[i], params[i]);
  }
  // Everything is valid: restore.
  for (size_t g = 0; g < group_count(); ++g) set_group_lr(g, lrs[g]);
  for (size_t i = 0; i < params.size(); ++i) restore_state(i, entries[i]);
}

}  // namespace minidl::optim
