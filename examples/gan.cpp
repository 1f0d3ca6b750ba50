// gan: trains an MLP GAN on Fashion-MNIST and watches it with information-theoretic monitors.
//
//   build/examples/gan                       # 20 epochs, non-saturating loss, output in runs/gan
//   build/examples/gan --loss wgan-gp        # WGAN with gradient penalty (5 critic steps)
//   build/examples/gan --resume
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

using namespace minidl;
using namespace minidl::examples;

int main(int argc, char** argv) {
  ImageGanFlags flags;
  flags.out = "runs/gan";
  CLI::App app{
      "Train an MLP GAN on Fashion-MNIST with class-coverage, Inception-Score and "
      "Fréchet monitors.",
      "gan"};
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  RunSettings settings(app);
  add_image_gan_flags(app, flags, settings);
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;

  return run_program("gan", [&] {
    // --- networks: G z-256-512-1024-784 tanh, D 784-1024-512-256-1 logits ---
    auto build = [](const ImageGanFlags& f, GanLoss, Generator& init) {
      const int64_t pixels = 28 * 28;
      ImageGanNetworks networks;
      networks.generator =
          make_mlp({f.latent, 256, 512, 1024, pixels}, Activation::LeakyReLU, true, init);
      networks.critic = make_mlp({pixels, 1024, 512, 256, 1}, Activation::LeakyReLU, false, init);
      return networks;
    };
    return train_image_gan("gan", "GAN", flags, settings, build);
  });
}
