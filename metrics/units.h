// The unit an information quantity is reported in: nats (natural log) or bits (log base 2).
// Every estimator in metrics/ computes in nats and converts once at the end.
#pragma once

#include <numbers>

namespace minidl::metrics {

enum class Unit { Nats, Bits };

// 1 bit = ln 2 nats, so a value in nats divided by ln 2 is the same value in bits. Infinity and
// NaN pass through unchanged.
inline double from_nats(double nats, Unit unit) {
  return unit == Unit::Bits ? nats / std::numbers::ln2 : nats;
}

}  // namespace minidl::metrics
