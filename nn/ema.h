// An exponential moving average of a module's weights (Polyak averaging), as GAN trainers keep of
// their generator to draw samples from (Karras et al. 2018, Yazici et al. 2019): after each
// optimizer step of the source,
//   shadow = decay * shadow + (1 - decay) * source      for every parameter
//   shadow = source                                     for every buffer (running statistics)
// The shadow is a second module of the same architecture (same names and shapes), so it samples,
// prints and checkpoints like any module.
//
//   auto g_ema = make_generator(...);                  // built like g
//   nn::ExponentialMovingAverage ema(*g_ema, *g, 0.999);  // copies g into g_ema
//   ... g's optimizer step ...; ema.update();
//   Tensor samples = (*g_ema)(z).data();
#pragma once

#include "nn/module.h"

namespace minidl::nn {

class ExponentialMovingAverage {
 public:
  // decay in [0, 1); the shadow starts as a copy of the source. Errors name the first parameter
  // or buffer whose name or shape differs.
  ExponentialMovingAverage(Module& shadow, const Module& source, double decay);

  void update();
  double decay() const { return decay_; }

 private:
  // (shadow, source) pairs. Parameters are held as Variables and read at each update, since a
  // parameter's tensor may be replaced (set_data, flatten_parameters); buffers are updated in
  // place by their modules.
  std::vector<std::pair<Variable, Variable>> parameters_;
  std::vector<std::pair<Tensor, Tensor>> buffers_;
  double decay_;
};

}  // namespace minidl::nn
