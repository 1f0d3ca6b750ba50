// Learning-rate schedules, stepped once per epoch (or per iteration, as the program chooses):
// StepLR and CosineAnnealingLR with torch.optim.lr_scheduler's closed-form formulas. Each sets
// every group's learning rate from the group's base rate (its rate when the scheduler was made)
// and the number of steps taken, last_epoch, so the schedule never accumulates rounding and a
// resumed run reproduces it exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/optim/optimizer.h"

namespace minidl::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances last_epoch by one and sets every group's learning rate for it.
  void step();
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }

  // "last_epoch" (0-d int64) and "base_lrs.<g>" (0-d float64). Loading restores them and sets the
  // optimizer's learning rates for last_epoch; it validates everything first.
  nn::TensorMap state_dict() const;
  void load_state_dict(const nn::TensorMap& state);

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // The learning rate of a group with base rate base_lr after `epoch` steps.
  virtual double lr_at(int64_t epoch, double base_lr) const = 0;
  void apply();

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = 0;
};

// lr = base_lr * gamma ^ floor(last_epoch / step_size): decays by gamma every step_size steps.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) (1 + cos(pi last_epoch / T_max)) / 2 (Loshchilov and
// Hutter's SGDR without restarts): from base_lr down to eta_min over T_max steps, and back up
// if stepped further, as PyTorch's closed form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 protected:
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

}  // namespace minidl::optim
