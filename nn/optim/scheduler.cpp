#include "nn/optim/scheduler.h"

#include <cmath>
#include <numbers>
#include <set>

#include "tensor/tensor.h"

namespace minidl::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (size_t g = 0; g < optimizer.num_groups(); ++g) base_lrs_.push_back(optimizer.lr(g));
}

void LRScheduler::apply() {
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    optimizer_.set_lr(lr_at(last_epoch_, base_lrs_[g]), g);
  }
}

void LRScheduler::step() {
  ++last_epoch_;
  apply();
}

nn::TensorMap LRScheduler::state_dict() const {
  nn::TensorMap out;
  out.emplace_back("last_epoch", scalar(double(last_epoch_), DType::Int64));
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    out.emplace_back("base_lrs." + std::to_string(g), scalar(base_lrs_[g], DType::Float64));
  }
  return out;
}

void LRScheduler::load_state_dict(const nn::TensorMap& state) {
  std::set<std::string> expected = {"last_epoch"};
  for (size_t g = 0; g < base_lrs_.size(); ++g) expected.insert("base_lrs." + std::to_string(g));
  int64_t last_epoch = 0;
  std::vector<double> base_lrs(base_lrs_.size());
  std::set<std::string> seen;
  for (const auto& [key, value] : state) {
    MINIDL_CHECK(expected.count(key),
                 "LRScheduler: load_state_dict: unexpected key '" << key << "'");
    MINIDL_CHECK(seen.insert(key).second,
                 "LRScheduler: load_state_dict: duplicate key '" << key << "'");
    const DType dtype = key == "last_epoch" ? DType::Int64 : DType::Float64;
    MINIDL_CHECK(
        value.defined() && value.dim() == 0 && value.dtype() == dtype,
        "LRScheduler: load_state_dict: '" << key << "' must be a 0-d " << dtype << " tensor");
    if (key == "last_epoch") {
      last_epoch = value.data<int64_t>()[0];
      MINIDL_CHECK(last_epoch >= 0,
                   "LRScheduler: load_state_dict: last_epoch " << last_epoch << " is negative");
    } else {
      base_lrs[std::stoul(key.substr(9))] = value.item();
    }
  }
  for (const std::string& key : expected) {
    MINIDL_CHECK(seen.count(key), "LRScheduler: load_state_dict: missing key '" << key << "'");
  }
  last_epoch_ = last_epoch;
  base_lrs_ = base_lrs;
  apply();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  MINIDL_CHECK(step_size > 0, "StepLR: step_size must be positive, got " << step_size);
}

double StepLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, double(epoch / step_size_));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  MINIDL_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got " << T_max);
}

double CosineAnnealingLR::lr_at(int64_t epoch, double base_lr) const {
  const double phase = std::numbers::pi * double(epoch) / double(T_max_);
  return eta_min_ + (base_lr - eta_min_) * (1.0 + std::cos(phase)) / 2.0;
}

}  // namespace minidl::optim
