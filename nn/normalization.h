// Normalisation layers: BatchNorm1d, BatchNorm2d (Ioffe and Szegedy, 2015) and LayerNorm (Ba et
// al., 2016), with PyTorch's semantics, and their functional forms (which the gradcheck tests
// exercise in float64).
#pragma once

#include "nn/module.h"

namespace minidl::nn {

// Batch normalisation of x [N, C], [N, C, L] or [N, C, H, W] over every axis but the channel
// axis 1. Training: normalises with the batch mean and biased variance and, when running_mean and
// running_var are defined, updates them in place as PyTorch does:
//   running = (1 - momentum) running + momentum * batch statistic
// with the *unbiased* batch variance for running_var. Evaluation: normalises with the running
// statistics. weight and bias [C] may be undefined (no affine transform).
Variable batch_norm(const Variable& input, const Tensor& running_mean, const Tensor& running_var,
                    const Variable& weight, const Variable& bias, bool training,
                    double momentum = 0.1, double eps = 1e-5);

// Normalises over the trailing axes given by normalized_shape (the input must end in them) with
// the biased variance, then applies weight and bias of that shape (either may be undefined).
Variable layer_norm(const Variable& input, const Shape& normalized_shape, const Variable& weight,
                    const Variable& bias, double eps = 1e-5);

// What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm): the parameters, the running
// statistics and the normalisation; each layer adds only the input shapes it accepts.
class BatchNorm : public Module {
 public:
  std::string name() const override;  // "BatchNorm1d(64, eps=1e-05, momentum=0.1)"

  int64_t num_features;
  double eps, momentum;
  Variable weight, bias;
  // The registered buffers themselves (references into the module's registry, so they follow
  // Module::to). They are updated in place (as checkpoints load them), so write into them (copy_,
  // fill_) rather than assigning new tensors to these members.
  Tensor &running_mean, &running_var, &num_batches_tracked;

 protected:
  // weight = 1, bias = 0; buffers running_mean = 0, running_var = 1 and num_batches_tracked
  // (int64, counted as PyTorch does, so state dicts have the same keys). `kind` names the layer
  // in its name() and its errors.
  BatchNorm(const char* kind, int64_t num_features, double eps, double momentum);
  // batch_norm in this module's mode, counting the batches seen in training.
  Variable normalize(const Variable& input);

 private:
  const char* kind_;
};

// Inputs [N, C] or [N, C, L].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1);
  Variable forward(const Variable& input) override;
};

// Images [N, C, H, W]: statistics per channel over N, H and W.
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1);
  Variable forward(const Variable& input) override;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t num_features, double eps = 1e-5);
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5);
  Variable forward(const Variable& input) override;
  std::string name() const override;  // "LayerNorm([64], eps=1e-05)"

  Shape normalized_shape;
  double eps;
  Variable weight, bias;
};

}  // namespace minidl::nn
