// gan: trains an MLP GAN on Fashion-MNIST and watches it with information-theoretic monitors.
//
//   build/examples/gan                       # 20 epochs, non-saturating loss, output in runs/gan
//   build/examples/gan --loss wgan-gp        # WGAN with gradient penalty (5 critic steps)
//   build/examples/gan --resume
//   mpirun -np 2 build/examples/gan --batch-size 32   # data-parallel, docs/distributed.md
//
// Every epoch an evaluator classifier (trained by the `classifier` program, or trained and cached
// here when none is given) labels 10,000 samples. From its outputs:
//   class KL         KL(predicted-class histogram || uniform): rises when modes collapse;
//   classes covered  classes with at least 1% of the samples;
//   inception score  exp(E_x KL(p(y|x) || p(y))): high when samples are confidently classified
//                    AND spread over the classes;
//   frechet          Fréchet distance between Gaussians fitted to evaluator features of the
//                    samples and of the real test set.
// A stability alarm (docs/programs.md, "gan") flags collapse or divergence. The loop, monitors
// and run folder are shared with `dcgan` (examples/common/image_gan.h); only the networks differ.
#include "examples/common/image_gan.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;

// --- networks: G z-256-512-1024-784 tanh, D 784-1024-512-256-1 logits ---
ImageGanNetworks build_mlp_gan(const ImageGanFlags& flags, GanLoss, Generator& init) {
  const int64_t pixels = 28 * 28;
  ImageGanNetworks networks;
  networks.generator =
      make_mlp({flags.latent, 256, 512, 1024, pixels}, Activation::LeakyReLU, true, init);
  networks.critic = make_mlp({pixels, 1024, 512, 256, 1}, Activation::LeakyReLU, false, init);
  return networks;
}

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  return image_gan_main(argc, argv,
                        {.name = "gan",
                         .description = "Train an MLP GAN on Fashion-MNIST with class-coverage, "
                                        "Inception-Score and Fréchet monitors.",
                         .title = "GAN",
                         .build = build_mlp_gan});
}
