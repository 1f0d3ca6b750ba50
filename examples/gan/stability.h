// The GAN's stability alarm: after every epoch it looks at the losses and the class-coverage
// monitors and raises an alarm (a printed warning and a 1 in metrics.csv's `alarm` column) when
// training is diverging or collapsing. The rule, also in docs/programs.md:
//   1. diverging: a loss or a monitor is NaN or infinite;
//   2. collapsed: at most 5 of the 10 classes get at least 1% of the samples;
//   3. collapsing: the critic is winning (its loss below 0.1 for the non-saturating and hinge
//      losses; WGAN-GP critic losses have no fixed scale, so this part is skipped for it) while
//      coverage worsens: classes covered at least 2 below the best epoch so far, or the class KL
//      from uniform more than 0.25 nats above its lowest so far;
//   4. no images: the samples' Inception Score is below kNoiseScoreShare of the real test set's
//      under the same evaluator. Noise or a texture can still be spread over many classes (a
//      failed DCGAN run's checkerboards covered 6), but the evaluator is unsure of each one, so
//      the score falls near 1. Healthy runs score well above the threshold from their first
//      epoch (0.67 to 0.73 of the real images' after one DCGAN epoch).
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
  double inception_score = 0;  // of the samples; only read when the real one is known
};

inline constexpr double kNoiseScoreShare = 0.3;

class StabilityMonitor {
 public:
  // `real_inception_score`: the real test set's under the monitors' evaluator (0: rule 4 off).
  explicit StabilityMonitor(GanLoss loss, double real_inception_score = 0)
      : loss_(loss), real_inception_score_(real_inception_score) {}

  // Returns true (and sets reason()) when this epoch's signals raise the alarm.
  bool update(const EpochSignals& signals);
  const std::string& reason() const { return reason_; }

  // The best-so-far figures, for checkpoints ("best_covered lowest_kl").
  std::string save() const;
  void load(const std::string& text);

 private:
  GanLoss loss_;
  double real_inception_score_;
  int64_t best_covered_ = -1;
  double lowest_kl_ = 0;
  std::string reason_;
};

}  // namespace minidl::examples
