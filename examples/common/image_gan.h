// What the two Fashion-MNIST GAN programs share: `gan` (MLP networks) and `dcgan` (convolutional
// networks) differ only in the networks they build. Everything else is here: the flags and their
// checks, the epoch loop (critic and generator steps), the monitors on the evaluator classifier's
// outputs (class coverage, class KL, IS-analogue, Fréchet distance, the stability alarm), the
// progress line, metrics.csv, curves.png, a sample grid per epoch from a fixed z, samples.npy at
// the end, atomic checkpoints and bit-exact resume.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "examples/common/program.h"
#include "examples/common/run_settings.h"
#include "examples/gan/gan_training.h"
#include "nn/module.h"

namespace minidl::examples {

struct ImageGanFlags : RunFlags {  // plus --seed, --threads, --out, --resume, --overwrite
  std::string data_dir;
  std::string loss = "ns";
  std::string classifier;  // evaluator checkpoint ("" : runs/classifier/classifier.safetensors)
  int64_t epochs = 20;
  int64_t batch_size = 64;
  int64_t latent = 100;
  int64_t critic_steps = 0;  // 0: the loss's default
  int64_t monitor_samples = 10000;
  int64_t samples = 10000;  // written to samples.npy at the end
  int64_t limit = 0;
  double lr = 0, beta1 = -1, beta2 = -1;  // < 0 (lr 0): the loss's default
  double r1 = 0;                          // R1's gamma (0: off)
};

// Adds the shared flags to `app` and registers, in `settings`, those a resumed run must agree on.
void add_image_gan_flags(CLI::App& app, ImageGanFlags& flags, RunSettings& settings);

// The two networks of a program, for pixels flattened to [N, 784] in [-1, 1]: G maps z [N, latent]
// to [N, 784], the critic [N, 784] to scores [N, 1].
struct ImageGanNetworks {
  std::shared_ptr<nn::Module> generator;
  std::shared_ptr<nn::Module> critic;
  // A critic with batch normalisation must see real and fake batches in separate passes (one
  // joint pass would normalise them with shared statistics, which changes the game).
  bool separate_critic_passes = false;
};

using BuildImageGan = std::function<ImageGanNetworks(const ImageGanFlags&, GanLoss, Generator&)>;

// Trains the networks `build` makes (from the flags, the loss and the seed's generator) and
// writes the run folder. `title` names the model in curves.png ("GAN", "DCGAN"). Returns the exit
// code; errors are thrown, for run_program.
int train_image_gan(const std::string& program, const std::string& title, ImageGanFlags& flags,
                    RunSettings& settings, const BuildImageGan& build);

// A whole image GAN program's main(): its flags (output in runs/<name>), then train_image_gan
// under run_program (one-line errors, exit codes).
struct ImageGanProgram {
  std::string name;         // "dcgan": the program, its messages and its default --out
  std::string description;  // the first line of --help
  std::string title;        // for curves.png
  BuildImageGan build;
};
int image_gan_main(int argc, char** argv, const ImageGanProgram& program);

}  // namespace minidl::examples
