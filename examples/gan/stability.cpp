#include "examples/gan/stability.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace minidl::examples {

bool StabilityMonitor::update(const EpochSignals& s) {
  reason_.clear();
  char text[200];
  if (!std::isfinite(s.d_loss) || !std::isfinite(s.g_loss) || !std::isfinite(s.class_kl)) {
    reason_ = "training diverged: a loss or monitor is NaN or infinite";
    return true;
  }
  const bool first = best_covered_ < 0;
  const int64_t best = first ? s.classes_covered : best_covered_;
  const double lowest = first ? s.class_kl : lowest_kl_;
  best_covered_ = std::max(best, s.classes_covered);
  lowest_kl_ = std::min(lowest, s.class_kl);

  if (s.classes_covered <= 5) {
    std::snprintf(text, sizeof text,
                  "mode collapse: only %lld of 10 classes get at least 1%% of the samples",
                  (long long)s.classes_covered);
    reason_ = text;
    return true;
  }
  if (real_inception_score_ > 0 && s.inception_score < kNoiseScoreShare * real_inception_score_) {
    std::snprintf(text, sizeof text,
                  "no images: the samples' Inception Score %.2f is below %.0f%% of the real test "
                  "set's %.2f (noise or a texture the evaluator cannot place)",
                  s.inception_score, 100 * kNoiseScoreShare, real_inception_score_);
    reason_ = text;
    return true;
  }
  const bool critic_winning = loss_ == GanLoss::WganGp || s.d_loss < 0.1;
  const bool coverage_falling = s.classes_covered <= best - 2 || s.class_kl > lowest + 0.25;
  if (critic_winning && coverage_falling) {
    std::snprintf(text, sizeof text,
                  "collapsing: %lld classes covered (best %lld), class KL %.3f nats (lowest %.3f) "
                  "while the critic's loss is %.3f",
                  (long long)s.classes_covered, (long long)best, s.class_kl, lowest, s.d_loss);
    reason_ = text;
    return true;
  }
  return false;
}

std::string StabilityMonitor::save() const {
  std::ostringstream os;
  os.precision(17);
  os << best_covered_ << ' ' << lowest_kl_;
  return os.str();
}

void StabilityMonitor::load(const std::string& text) {
  std::istringstream is(text);
  MINIDL_CHECK(bool(is >> best_covered_ >> lowest_kl_),
               "stability monitor: corrupt saved state '" << text << "'");
}

}  // namespace minidl::examples
