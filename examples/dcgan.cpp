// dcgan: trains the DCGAN of workload W5 on Fashion-MNIST, convolutional G and D
// (examples/dcgan/dcgan_networks.h), with the same monitors and outputs as `gan`.
//
//   build/examples/dcgan                      # 20 epochs, non-saturating loss, output in runs/dcgan
//   build/examples/dcgan --loss wgan-gp       # WGAN-GP (5 critic steps, a LayerNorm critic)
//   build/examples/dcgan --loss hinge --r1 1  # hinge loss with an R1 penalty on real images
//   build/examples/dcgan --classifier runs/classifier-conv/classifier.safetensors   # conv features
//   build/examples/dcgan --resume
//
// The training loop, the monitors (class coverage, class KL, IS-analogue, Fréchet distance on the
// evaluator classifier's features, the stability alarm) and the run folder are those of `gan`
// (examples/common/image_gan.h); only the networks differ. The gradient penalties (WGAN-GP's and
// R1) differentiate D's input gradient, a double backward through the convolutions.
#include "examples/common/image_gan.h"
#include "examples/dcgan/dcgan_networks.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;

// W5's networks; WGAN-GP's critic normalises each sample on its own (dcgan_networks.h says why).
ImageGanNetworks build_dcgan(const ImageGanFlags& flags, GanLoss loss, Generator& init) {
  const bool wgan = loss == GanLoss::WganGp;
  ImageGanNetworks networks;
  networks.generator = make_dcgan_generator(flags.latent, init);
  networks.critic = make_dcgan_critic(wgan ? CriticNorm::Layer : CriticNorm::Batch, init);
  networks.separate_critic_passes = !wgan;  // batch statistics of real and fake kept apart
  return networks;
}

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  return image_gan_main(argc, argv,
                        {.name = "dcgan",
                         .description = "Train a DCGAN (convolutional G and D) on Fashion-MNIST "
                                        "with class-coverage, Inception-Score and Fréchet "
                                        "monitors.",
                         .title = "DCGAN",
                         .build = build_dcgan,
                         .min_batch_size = 2});  // G's (and D's) batch normalisation
}
