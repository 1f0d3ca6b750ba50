// Switches that change what the op recorder does, per thread:
// - grad mode: off inside NoGradGuard (evaluation, optimizer updates, the ordinary backward pass),
//   so ops compute values without recording a graph;
// - anomaly mode: off by default; when on, every op's forward value and every backward gradient is
//   checked for NaN/Inf, and the first one found throws an error naming the op.
#pragma once

namespace minidl {

class GradMode {
 public:
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

class AnomalyMode {
 public:
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// RAII: sets Mode (GradMode or AnomalyMode) to `enabled` while it lives, then restores it.
template <typename Mode>
class ModeGuard {
 public:
  explicit ModeGuard(bool enabled) : previous_(Mode::is_enabled()) { Mode::set_enabled(enabled); }
  ~ModeGuard() { Mode::set_enabled(previous_); }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  bool previous_;
};

// Grad mode set while it lives (the engine uses it for create_graph).
using GradModeGuard = ModeGuard<GradMode>;

// No graph is recorded while it lives.
class NoGradGuard : public ModeGuard<GradMode> {
 public:
  NoGradGuard() : ModeGuard(false) {}
};

// Anomaly detection on while it lives.
class DetectAnomalyGuard : public ModeGuard<AnomalyMode> {
 public:
  DetectAnomalyGuard() : ModeGuard(true) {}
};

}  // namespace minidl
