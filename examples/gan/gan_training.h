// The pieces both GAN programs (gan: Fashion-MNIST, gan2d: 2-D mixtures) share: MLP generator and
// discriminator builders, the three losses, WGAN-GP's gradient penalty, and one training step of
// each network.
//
// Losses, for discriminator (critic) outputs D(x) as logits / scores:
//   non-saturating (Goodfellow et al. 2014): D minimises BCE(D(x), 1) + BCE(D(G(z)), 0);
//     G minimises BCE(D(G(z)), 1) = softplus(-D(G(z))), which keeps G's gradient alive early on.
//   wgan-gp (Gulrajani et al. 2017): the critic minimises mean D(G(z)) - mean D(x) + lambda GP,
//     GP = mean (||grad_x D(x_hat)||_2 - 1)^2 at x_hat = eps x + (1 - eps) G(z); G minimises
//     -mean D(G(z)). The penalty's gradient flows back through grad_x D: a double backward.
//   hinge (Lim & Ye 2017; Miyato et al. 2018): D minimises mean relu(1 - D(x)) +
//     mean relu(1 + D(G(z))); G minimises -mean D(G(z)).
// Two additions that apply to any of the losses:
//   R1 (Mescheder et al. 2018, "Which training methods for GANs actually converge?"): the critic
//     also minimises gamma/2 mean ||grad_x D(x)||^2 on real x. It penalises D for a slope at the
//     data, so at the equilibrium (G = data) D is flat and G stops being pushed around: the
//     oscillation around the modes that plain GANs show dies out. Another double backward.
//   packing (PacGAN, Lin et al. 2018): D scores m samples at once, concatenated into one input of
//     m times the width. A set of m fakes from a collapsed G looks unlike m real points (which
//     come from m different modes most of the time), so D can see and punish mode collapse.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "nn/optim/optimizer.h"
#include "nn/sequential.h"

namespace minidl::examples {

enum class GanLoss { NonSaturating, WganGp, Hinge };

GanLoss parse_gan_loss(const std::string& name);  // "ns", "wgan-gp", "hinge"
std::string gan_loss_name(GanLoss loss);

enum class Activation { ReLU, LeakyReLU };

// An MLP sizes[0] -> sizes[1] -> ... -> sizes.back() with `hidden` activations between layers
// (LeakyReLU has slope 0.2) and tanh on the output when `tanh_output`.
std::shared_ptr<nn::Sequential> make_mlp(const std::vector<int64_t>& sizes, Activation hidden,
                                         bool tanh_output, Generator& generator);

// ||grad_x D(x_hat)||_2 penalised towards 1 at x_hat = eps real + (1 - eps) fake, eps [N, 1, ...]
// uniform in [0, 1) per sample, averaged over the batch; differentiable in D's parameters
// (create_graph).
Variable gradient_penalty(nn::Module& critic, const Tensor& real, const Tensor& fake,
                          const Tensor& eps);

// gamma/2 mean_i ||grad_x D(x_i)||^2 for the scores D(x) of real points x: `real` must be a leaf
// that requires grad and `real_scores` the critic's output on it. Differentiable in D's parameters
// (create_graph).
Variable r1_penalty(const Variable& real, const Variable& real_scores, double gamma);

// PacGAN's packing: [n, d...] -> [n / m, m * prod(d...)], each row m consecutive samples side by
// side. n must be a multiple of m.
Tensor pack_samples(const Tensor& x, int64_t m);
Variable pack_samples(const Variable& x, int64_t m);

struct GanNetworks {
  std::shared_ptr<nn::Module> generator;
  std::shared_ptr<nn::Module> critic;
  std::unique_ptr<optim::Optimizer> generator_optimizer;
  std::unique_ptr<optim::Optimizer> critic_optimizer;
  GanLoss loss = GanLoss::NonSaturating;
  int64_t latent = 100;
  int64_t critic_steps = 1;      // critic updates per generator update
  double penalty_weight = 10.0;  // WGAN-GP's lambda
  double r1_gamma = 0.0;         // R1's gamma; 0 turns it off
  int64_t pack = 1;              // samples per critic input (1: no packing)
  // Real and fake batches through the critic in two passes rather than one joint pass: needed
  // when the critic has batch normalisation, whose statistics would otherwise mix the two.
  bool separate_critic_passes = false;
  // Data-parallel runs: average each network's gradients over the ranks before its step.
  std::function<void()> synchronize_generator, synchronize_critic;
};

// Where a GAN step's random numbers come from. The programs draw them from their noise generator
// (gan_noise); the trajectory tests against PyTorch feed the draws PyTorch made instead.
struct GanNoise {
  std::function<Tensor(int64_t n, int64_t latent)> latent;  // z ~ N(0, I), [n, latent]
  std::function<Tensor(const Shape& shape)> penalty_mix;    // WGAN-GP's eps ~ U(0, 1)
};
GanNoise gan_noise(Generator& generator, DType dtype = DType::Float32);

struct CriticStep {
  double loss = 0;
  double real_score = 0;  // mean sigmoid(D(x)) for non-saturating, mean D(x) otherwise
  double fake_score = 0;
};

// One update of the critic on a batch of real samples and as many fakes, which carry no graph
// (with packing, the batch size must be a multiple of `pack`).
CriticStep train_critic(GanNetworks& gan, const Tensor& real, const Tensor& fake, GanNoise& noise);
// One update of the generator through the critic's scores of `fake` = G(z), a Variable whose graph
// reaches G's parameters; returns G's loss.
double train_generator(GanNetworks& gan, const Variable& fake);

// One iteration of the game on a real batch, as PyTorch's examples/dcgan takes it when
// critic_steps is 1: fake = G(z) once; D is updated on fake.detach(); then G is updated through
// the updated D on the same fake (one generator forward per iteration). With several critic steps
// (WGAN-GP's 5), each critic step draws its own z and G's step draws another, as Gulrajani et
// al.'s reference code does; G's step comes after every critic_steps-th critic step, the caller's
// `generator_turn`.
struct GanIteration {
  CriticStep critic;
  std::optional<double> generator_loss;  // set when G was updated
};
GanIteration gan_iteration(GanNetworks& gan, const Tensor& real, bool generator_turn,
                           GanNoise& noise);

// While G trains, D's parameters are frozen: the backward pass still goes through D to reach G,
// but skips the GEMMs for D's weight gradients, which nothing would use. Scoped: the parameters
// require grad again when it ends.
class FreezeParameters {
 public:
  explicit FreezeParameters(nn::Module& module);
  ~FreezeParameters();
  FreezeParameters(const FreezeParameters&) = delete;
  FreezeParameters& operator=(const FreezeParameters&) = delete;

 private:
  std::vector<Variable> parameters_;
};

// G(z) for n latent draws, without a graph, in batches.
Tensor generate(nn::Module& generator, int64_t n, int64_t latent, Generator& noise);

}  // namespace minidl::examples
