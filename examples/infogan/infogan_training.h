// One training step of each side of InfoGAN (Chen et al. 2016), with the non-saturating GAN loss
// (BCE with logits) and the information term of information.h weighted by `info_weight` (the
// paper's lambda, 1 for discrete codes).
//
// Which parameters each loss trains follows the paper's reference code (openai/InfoGAN, where Q is
// part of the discriminator's variables and the information term is added to both losses):
//   D step, on a real batch and as many fakes G(z, c) (G not trained here):
//     BCE(D(x), 1) + BCE(D(G(z, c)), 0) + lambda L_info(Q(G(z, c)), c)
//     trains D's body, D's head and Q's head. The body is shared, so it learns features that both
//     tell real from fake and let Q read the code back.
//   G step, on the same fakes (D's body and both heads frozen, already updated):
//     BCE(D(G(z, c)), 1) + lambda L_info(Q(G(z, c)), c)
//     trains G: it must fool D and make images whose code Q can recover.
// Three Adam optimizers: D's (body and head) at D's rate, Q's head and G at G's rate (the paper's
// 2e-4 for D and 1e-3 for G; Q's head learns at G's rate as in the common PyTorch ports).
#pragma once

#include <functional>
#include <memory>

#include "examples/infogan/infogan_networks.h"
#include "nn/optim/optimizer.h"

namespace minidl::examples {

struct InfoGanTraining {
  InfoGanNetworks networks;
  InfoCodes codes;
  int64_t noise = 62;  // dimensions of z
  double info_weight = 1.0;
  std::unique_ptr<optim::Optimizer> discriminator_optimizer, q_optimizer, generator_optimizer;
  // Data-parallel runs: average each optimizer's gradients over the ranks before its step.
  std::function<void()> synchronize_discriminator, synchronize_q, synchronize_generator;
};

// G's input for n draws: z ~ N(0, I) [n, noise] and codes from `gen`, and the codes drawn.
struct LatentBatch {
  Tensor input;  // [n, noise + categories + continuous]
  CodeSample codes;
};
LatentBatch sample_latent(int64_t n, int64_t noise, const InfoCodes& codes, Generator& gen);

struct InfoGanStep {
  double gan_loss = 0;                                 // the BCE part of the side's loss
  double info_loss = 0;                                // L_info (unweighted)
  double real_score = 0;                               // mean sigmoid(D(x)), D step only
  double fake_score = 0;                               // mean sigmoid(D(G(z, c)))
  double categorical_bound = 0, continuous_bound = 0;  // information.h's, nats
};

// The D step on a batch of real images [N, 784] in [-1, 1] and the fakes G(latent) (no graph).
InfoGanStep train_discriminator(InfoGanTraining& t, const Tensor& real, const LatentBatch& latent,
                                const Tensor& fake);
// The G step through the (updated) discriminator and Q on fake = G(latent), whose graph reaches
// G's parameters.
InfoGanStep train_generator(InfoGanTraining& t, const LatentBatch& latent, const Variable& fake);

// One iteration as PyTorch's examples/dcgan takes a GAN step (examples/gan/gan_training.h): fake =
// G(z, c) once; D and Q are updated on its values, then G through the updated D and Q on the same
// fake. The caller draws `latent` (sample_latent), [N] rows like `real`.
struct InfoGanIteration {
  InfoGanStep discriminator, generator;
};
InfoGanIteration infogan_iteration(InfoGanTraining& t, const Tensor& real,
                                   const LatentBatch& latent);

// G(input) in evaluation mode (batch normalisation with its running statistics, so a sample does
// not depend on the others drawn with it), without a graph, in batches; pixels in [-1, 1].
Tensor generate_images(nn::Module& generator, const Tensor& input);

// G's inputs for a picture of what the codes do: rows x columns cells, row r with the categorical
// code r, column j with continuous code `swept` at -2 + 4 j / (columns - 1) (beyond the training
// range [-1, 1], to show where the effect goes), the other continuous codes at 0, and the same
// noise z [1, noise] in every cell, so every difference between cells is the codes' doing.
// Rows are at most codes.categories.
Tensor code_sweep_input(const Tensor& z, const InfoCodes& codes, int64_t swept, int64_t rows,
                        int64_t columns);

// How well an independent observer recovers the categorical code: the evaluator classifier's
// predicted classes of G(z, c) against the codes c, through their joint histogram
// [categories, classes].
struct CodeAgreement {
  // Plug-in I(c; class) in nats, at most log(categories). Biased upwards by about
  // (categories - 1)(classes - 1) / (2 N) nats for N samples (metrics/mutual_information.h):
  // 0.008 nats for 10 x 10 bins and 5,000 samples.
  double mutual_information = 0;
  // The share of samples whose class is their code's under the best one-to-one matching of code
  // values to classes (metrics::best_code_matching); 0.1 by chance for 10 uniform codes.
  double accuracy = 0;
};
// `categorical` int64 [N] codes, `probabilities` [N, classes] the evaluator's outputs.
CodeAgreement code_agreement(const Tensor& categorical, const Tensor& probabilities,
                             int64_t categories);

}  // namespace minidl::examples
