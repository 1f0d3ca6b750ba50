// The variational autoencoder of Kingma & Welling (2014), the network the `vae` program trains.
// Kept apart from vae.cpp so the tests can gradcheck its loss and run it on tiny sizes. Two
// architectures, both on images flattened to [N, input]:
//
//   mlp  encoder: x [N, 784] -> Linear 784-400 -> ReLU -> mu [N, 20], logvar [N, 20]
//        decoder: z -> Linear 20-400 -> ReLU -> Linear 400-784 -> logits of Bernoulli pixels
//   conv encoder: x -> [1, 28, 28] -> Conv2d(1, 32, 4, 2, 1) -> ReLU -> Conv2d(32, 64, 4, 2, 1)
//                 -> ReLU -> flatten (64*7*7) -> Linear -> mu, logvar
//        decoder: the mirror: z -> Linear 20-64*7*7 -> ReLU -> [64, 7, 7]
//                 -> ConvTranspose2d(64, 32, 4, 2, 1) -> ReLU -> ConvTranspose2d(32, 1, 4, 2, 1)
//                 -> logits [784]
//   z = mu + exp(logvar / 2) * eps,  eps ~ N(0, I)          (the reparameterisation trick)
//
// The loss is the negative evidence lower bound, -ELBO = E_q[-log p(x|z)] + KL(q(z|x) || p(z)):
// a Bernoulli reconstruction term (binary cross-entropy with logits, summed over pixels, stable
// for any logit) plus the Gaussian KL in closed form. Both are in nats per image.
#pragma once

#include <memory>

#include "autograd/autograd.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "nn/module.h"

namespace minidl::examples {

enum class VaeArch { Mlp, Conv };

VaeArch parse_vae_arch(const std::string& name);  // "mlp", "conv"

struct VaeShape {
  int64_t input = 784;
  int64_t hidden = 400;  // mlp only
  int64_t latent = 20;
  VaeArch arch = VaeArch::Mlp;  // conv needs input 784 (one 28x28 channel)
  int64_t channels = 32;        // conv only: the first convolution's (the second has twice as many)
};

class Vae : public nn::Module {
 public:
  Vae(VaeShape shape, Generator& generator);

  struct Posterior {
    Variable mu;      // [N, latent]
    Variable logvar;  // [N, latent]: log of the diagonal variance of q(z|x)
  };
  Posterior encode(const Variable& x) const;
  Variable decode(const Variable& z) const;  // logits [N, input]

  const VaeShape& shape() const { return shape_; }
  std::string name() const override;

 private:
  int64_t conv_features() const;  // the conv encoder's output, flattened: 2 channels x 7 x 7
  VaeShape shape_;
  std::shared_ptr<nn::Linear> encoder_hidden_, encoder_mu_, encoder_logvar_;
  std::shared_ptr<nn::Linear> decoder_hidden_, decoder_output_;  // mlp only
  std::shared_ptr<nn::Conv2d> encoder_conv1_, encoder_conv2_;    // conv only
  std::shared_ptr<nn::ConvTranspose2d> decoder_conv1_, decoder_conv2_;
};

// z = mu + sigma * eps with eps drawn from `generator`: the sample is a differentiable function of
// mu and logvar, so gradients reach the encoder.
Variable reparameterize(const Vae::Posterior& posterior, Generator& generator);

// The two terms of -ELBO for a batch, each summed over the batch (divide by N for per image).
struct NegativeElbo {
  Variable reconstruction;  // sum over images and pixels of BCE(logits, x)
  Variable kl;              // sum over images of KL(q(z|x) || N(0, I))
  Variable total(double beta = 1.0) const { return reconstruction + kl * beta; }
};
NegativeElbo negative_elbo(const Vae& vae, const Variable& x, Generator& generator);
// The same with the reparameterisation's eps [N, latent] given (the trajectory tests feed
// PyTorch's draws).
NegativeElbo negative_elbo(const Vae& vae, const Variable& x, const Tensor& eps);

// The importance-weighted bound of Burda et al. (2016) with K samples, an estimate of -log p(x)
// that tightens as K grows (K = 1 is -ELBO): per image,
//   -log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x),   z_k ~ q(z|x)
// computed with logsumexp so the weights never overflow. Returns the mean over images (nats).
double importance_weighted_nll(const Vae& vae, const Tensor& images, int64_t samples,
                               Generator& generator, int64_t batch_size = 500);

}  // namespace minidl::examples
