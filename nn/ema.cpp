#include "nn/ema.h"

#include "tensor/elementwise.h"

namespace minidl::nn {

namespace {

template <typename T>
const Tensor& value_of(const T& entry) {
  if constexpr (std::is_same_v<T, Variable>) {
    return entry.data();
  } else {
    return entry;
  }
}

template <typename T>
std::vector<std::pair<T, T>> pair_up(const std::vector<std::pair<std::string, T>>& shadow,
                                     const std::vector<std::pair<std::string, T>>& source,
                                     const char* what) {
  MINIDL_CHECK(shadow.size() == source.size(), "ExponentialMovingAverage: the shadow has "
                                                   << shadow.size() << " " << what
                                                   << "s, the source " << source.size());
  std::vector<std::pair<T, T>> pairs;
  for (size_t i = 0; i < shadow.size(); ++i) {
    const auto& [shadow_name, shadow_value] = shadow[i];
    const auto& [source_name, source_value] = source[i];
    const Tensor &s = value_of(shadow_value), &t = value_of(source_value);
    MINIDL_CHECK(shadow_name == source_name && s.shape() == t.shape(),
                 "ExponentialMovingAverage: " << what << " " << i << " is " << shadow_name << " "
                                              << shape_str(s.shape()) << " in the shadow but "
                                              << source_name << " " << shape_str(t.shape())
                                              << " in the source");
    pairs.emplace_back(shadow_value, source_value);
  }
  return pairs;
}

}  // namespace

ExponentialMovingAverage::ExponentialMovingAverage(Module& shadow, const Module& source,
                                                   double decay)
    : parameters_(pair_up(shadow.named_parameters(), source.named_parameters(), "parameter")),
      buffers_(pair_up(shadow.named_buffers(), source.named_buffers(), "buffer")),
      decay_(decay) {
  MINIDL_CHECK(decay >= 0 && decay < 1,
               "ExponentialMovingAverage: decay must be in [0, 1), got " << decay);
  for (auto& [s, t] : parameters_) {
    Tensor shadow_value = s.data();
    shadow_value.copy_(t.data());
  }
  for (auto& [s, t] : buffers_) s.copy_(t);
}

void ExponentialMovingAverage::update() {
  // In place: the shadow module's own tensors change.
  for (auto& [s, t] : parameters_) {
    Tensor shadow_value = s.data();
    mul_(shadow_value, decay_);
    add_(shadow_value, t.data(), 1.0 - decay_);
  }
  for (auto& [s, t] : buffers_) s.copy_(t);
}

}  // namespace minidl::nn
