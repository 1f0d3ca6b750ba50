// Dropout (Srivastava et al., 2014), "inverted": in training each element is zeroed with
// probability p and the survivors are scaled by 1 / (1 - p), so the expected value is unchanged
// and evaluation needs no rescaling; in evaluation it is the identity.
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace minidl::nn {

// The functional form: a fresh mask from `gen` on every call in training.
Variable dropout(const Variable& input, double p, bool training,
                 Generator& gen = default_generator());

class Dropout : public Module {
 public:
  // The generator must outlive the module.
  explicit Dropout(double p = 0.5, Generator& gen = default_generator());
  Variable forward(const Variable& input) override;
  std::string name() const override;
  double p;

 private:
  Generator* gen_;
};

}  // namespace minidl::nn
