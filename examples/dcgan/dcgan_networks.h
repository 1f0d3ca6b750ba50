// The DCGAN networks of workload W5: the InfoGAN paper's MNIST generator and discriminator (Chen et
// al. 2016, appendix), without the Q head (examples/infogan/infogan_networks.h adds it), for 28x28
// grayscale images flattened to [N, 784] with pixels in [-1, 1]. PyTorch's default initialisation
// (every layer's own).
//
//   G: z -> Linear 1024 -> BatchNorm1d -> ReLU -> Linear 7*7*128 -> BatchNorm1d -> ReLU
//        -> [128, 7, 7] -> ConvTranspose2d(128, 64, 4, 2, 1) -> BatchNorm2d -> ReLU
//        -> ConvTranspose2d(64, 1, 4, 2, 1) -> tanh -> [784]
//   D: [784] -> [1, 28, 28] -> Conv2d(1, 64, 4, 2, 1) -> LeakyReLU(0.1)
//        -> Conv2d(64, 128, 4, 2, 1) -> norm -> LeakyReLU(0.1) -> flatten (6272)
//        -> Linear 1024 -> norm -> LeakyReLU(0.1) -> Linear 1 (a logit or a score)
//
// D's norm is batch normalisation for the non-saturating and hinge losses (the published network).
// WGAN-GP penalises the gradient of each sample's score on its own, which batch statistics would
// couple across the batch, so its critic normalises each sample with LayerNorm instead, as
// Gulrajani et al. (2017) advise.
#pragma once

#include <memory>

#include "nn/sequential.h"
#include "tensor/random.h"

namespace minidl::examples {

enum class CriticNorm { Batch, Layer };

// The widths above (W5's); the trajectory tests against PyTorch build the same networks narrower.
struct DcganWidths {
  int64_t features = 1024;  // the fully connected layer's
  int64_t channels = 64;    // the 14x14 convolution's (the 7x7 one has twice as many)
};

std::shared_ptr<nn::Sequential> make_dcgan_generator(int64_t latent, Generator& init,
                                                     DcganWidths widths = {});
// D's body: everything up to and including the LeakyReLU after the 1024-wide layer ([N, 784] ->
// [N, features]). InfoGAN puts two heads on it (D's logit and Q); dcgan's critic is the body plus
// Linear(1024, 1), in one Sequential, its layers named "0" to "10".
std::shared_ptr<nn::Sequential> make_dcgan_critic_body(CriticNorm norm, Generator& init,
                                                       DcganWidths widths = {});
std::shared_ptr<nn::Sequential> make_dcgan_critic(CriticNorm norm, Generator& init,
                                                  DcganWidths widths = {});

}  // namespace minidl::examples
