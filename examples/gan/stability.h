// The GAN's stability alarm: after every epoch it looks at the losses and the class-coverage
// monitors and raises an alarm (a printed warning and a 1 in metrics.csv's `alarm` column) when
// training is diverging or collapsing. The rule, also in docs/programs.md:
//   1. diverging: a loss or a monitor is NaN or infinite;
//   2. collapsed: at most 5 of the 10 classes get at least 1% of the samples;
//   3. collapsing: the critic is winning (its loss below 0.1 for the non-saturating and hinge
//      losses; WGAN-GP critic losses have no fixed scale, so this part is skipped for it) while
//      coverage worsens: classes covered at least 2 below the best epoch so far, or the class KL
//      from uniform more than 0.25 nats above its lowest so far.
#pragma once

#include <cstdint>
#include <string>

#include "examples/gan/gan_training.h"

namespace minidl::examples {

struct EpochSignals {
  double d_loss = 0;
  double g_loss = 0;
  int64_t classes_covered = 0;
  double class_kl = 0;
};

class StabilityMonitor {
 public:
  explicit StabilityMonitor(GanLoss loss) : loss_(loss) {}

  // Returns true (and sets reason()) when this epoch's signals raise the alarm.
  bool update(const EpochSignals& signals);
  const std::string& reason() const { return reason_; }

  // The best-so-far figures, for checkpoints ("best_covered lowest_kl").
  std::string save() const;
  void load(const std::string& text);

 private:
  GanLoss loss_;
  int64_t best_covered_ = -1;
  double lowest_kl_ = 0;
  std::string reason_;
};

}  // namespace minidl::examples
