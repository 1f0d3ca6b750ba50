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

// The KL term of a batch taken apart as beta-TCVAE does (Chen, Li, Grosse and Duvenaud, 2018),
// for posteriors q(z|x_i) = N(mu_i, exp(logvar_i)) [M, D] and one sample z_i [M, D] of each,
// with the aggregate posterior q(z) and its marginals q(z_d) estimated from the batch:
//   index_code_mi      mean_i [log q(z_i|x_i) - log q(z_i)]
//   total_correlation  mean_i [log q(z_i) - sum_d log q(z_id)]
//   dimension_wise_kl  mean_i [sum_d log q(z_id) - log p(z_i)]
// (nats per image; their sum estimates the KL term's batch mean). The estimators of q(z):
//   MinibatchWeighted    q(z) ~ (1/M) sum_j q(z | x_j): every batch point weighs the same. The
//                        paper's code subtracts log(N M) instead of log M, a constant that moves
//                        the reported terms but not their gradients; log M makes the three add
//                        up to the KL term (and equal metrics::decompose_kl's when the batch is the
//                        whole data set).
//   MinibatchStratified  the paper's stratified weights for a data set of `dataset_size` N
//                        points: the draw's own posterior 1/N, one other (N - M + 1) / (N (M - 1)),
//                        the rest 1 / (M - 1). The weighted estimator caps I(x; z) at log M (a
//                        draw's own posterior holds 1/M of q(z)); this one is not capped, and can
//                        overshoot instead (tests/examples/tcvae_test.cpp: a 5.9-nat encoder,
//                        batches of 64 from 4,000 points: 4.0 weighted, 7.2 stratified).
// Every term is differentiable in mu, logvar and z (gradcheck in float64).
enum class TcEstimator { MinibatchWeighted, MinibatchStratified };
struct KlTerms {
  Variable index_code_mi, total_correlation, dimension_wise_kl;
};
KlTerms decompose_kl_terms(const Variable& z, const Vae::Posterior& posterior,
                           TcEstimator estimator = TcEstimator::MinibatchWeighted,
                           int64_t dataset_size = 0);

// beta-TCVAE's loss for a batch, summed over it like NegativeElbo: the reconstruction term plus
// M (index-code MI + tc_beta x total correlation + dimension-wise KL); tc_beta = 1 is the ELBO's
// KL term, estimated. `terms` receives the batch's KL terms (per image), for reporting.
Variable tc_vae_loss(const Vae& vae, const Variable& x, Generator& generator, double tc_beta,
                     TcEstimator estimator, int64_t dataset_size, KlTerms* terms = nullptr,
                     Variable* reconstruction = nullptr);

// The importance-weighted bound of Burda et al. (2016) with K samples, an estimate of -log p(x)
// that tightens as K grows (K = 1 is -ELBO): per image,
//   -log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x),   z_k ~ q(z|x)
// computed with logsumexp so the weights never overflow. Returns the mean over images (nats).
double importance_weighted_nll(const Vae& vae, const Tensor& images, int64_t samples,
                               Generator& generator, int64_t batch_size = 500);

}  // namespace minidl::examples
