// What the Fashion-MNIST GAN programs share. `gan` (MLP networks) and `dcgan` (convolutional
// networks) differ only in the networks they build, and train_image_gan is their whole loop: the
// flags and their checks, the epoch loop (critic and generator steps), the monitors on the
// evaluator classifier's outputs (class coverage, class KL, IS-analogue, Fréchet distance, the
// stability alarm), the progress line, metrics.csv, curves.png, a sample grid per epoch from a
// fixed z, samples.npy at the end, atomic checkpoints and bit-exact resume. `infogan` has its own
// step (codes, a Q head) and loop, built from the pieces below that do not depend on the networks
// (GanRun, the summary line and the GAN columns of metrics.csv).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/data.h"
#include "examples/common/program.h"
#include "examples/common/run_folder.h"
#include "examples/common/run_settings.h"
#include "examples/common/training_checkpoint.h"
#include "examples/gan/gan_training.h"
#include "examples/gan/stability.h"
#include "metrics/evaluator.h"
#include "nn/module.h"

namespace minidl::examples {

// The flags of every Fashion-MNIST GAN trainer (gan, dcgan, infogan).
struct GanRunFlags : RunFlags {  // plus --seed, --threads, --out, --resume, --overwrite
  std::string data_dir;
  std::string classifier;  // evaluator checkpoint ("" : runs/classifier/classifier.safetensors)
  int64_t epochs = 20;
  int64_t batch_size = 64;
  int64_t monitor_samples = 10000;
  int64_t samples = 10000;  // written to samples.npy at the end
  int64_t limit = 0;
};

// Adds GanRunFlags' flags to `app` and registers, in `settings`, those a resumed run must agree on
// (and --seed; --epochs, --monitor-samples, --samples and --data-dir may change). Networks with
// batch normalisation need `min_batch_size` 2: one image per batch has no batch statistics.
void add_gan_run_flags(CLI::App& app, GanRunFlags& flags, RunSettings& settings,
                       int64_t min_batch_size = 1);

struct ImageGanFlags : GanRunFlags {
  std::string loss = "ns";
  int64_t latent = 100;
  int64_t critic_steps = 0;               // 0: the loss's default
  double lr = 0, beta1 = -1, beta2 = -1;  // < 0 (lr 0): the loss's default
  double r1 = 0;                          // R1's gamma (0: off)
  double ema_decay = 0;  // samples and monitors from an EMA of G's weights (0: from G itself)
};

// Adds the shared flags to `app` and registers, in `settings`, those a resumed run must agree on.
void add_image_gan_flags(CLI::App& app, ImageGanFlags& flags, RunSettings& settings,
                         int64_t min_batch_size = 1);

// What a GAN trainer sets up before it builds its networks, and the pieces of its epoch loop that
// do not depend on the networks. Constructing it sets up the threads, takes the run folder (rank 0;
// the other ranks wait for its checks), reads the checkpoint's settings on --resume (refusing a
// checkpoint another program wrote, printing the resume line), checks that every rank was given
// the same settings and that --limit holds a batch, loads the training images in [-1, 1] (only
// the first --limit are read), and the evaluator with the real test set's feature statistics
// (computed once). The evaluator is part of the run: checkpoints record the digest of its weights,
// and --resume refuses another one (its Fréchet distances would not continue metrics.csv's) or a
// missing one (which would otherwise be trained anew, into the working folder).
class GanRun {
 public:
  GanRun(const std::string& program, GanRunFlags& flags, RunSettings& settings);

  // On --resume: loads `parts` and restores the noise generator (this rank's), the loader's place
  // and the stability monitor; returns the checkpoint's metadata. Does nothing else otherwise.
  // Either way it records `parts` (which must outlive the run) for checkpoint_metadata.
  std::map<std::string, std::string> restore(const CheckpointParts& parts, Generator& noise,
                                             data::DataLoader& loader, StabilityMonitor& stability);

  // The epoch's checkpoint metadata: the settings, the program, the evaluator's digest, the epoch,
  // every rank's noise generator, the loader and the stability monitor. Collective: every rank
  // calls it (rank 0 uses the result). It comes before the epoch's metrics row, so it is also
  // where rank 0 refuses (DivergedError) a state holding a NaN or an infinity: the row of an
  // epoch that cannot be saved is never logged.
  std::map<std::string, std::string> checkpoint_metadata(const RunSettings& settings,
                                                         int64_t epoch, const Generator& noise,
                                                         const data::DataLoader& loader,
                                                         const StabilityMonitor& stability) const;

  // The class-coverage, IS and Fréchet monitors for samples' evaluator outputs.
  metrics::GeneratorScores score(const metrics::Evaluation& evaluation) const;

  // The loader over this rank's shard of every batch of the training images (--batch-size per
  // rank), shuffled from the seed, and the noise generator of this rank's draws.
  data::DataLoader make_loader(const GanRunFlags& flags) const;
  static Generator make_noise(const GanRunFlags& flags);

  // samples.npy: `samples01` [N, 784] in [0, 1], announced on stdout (rank 0 only).
  void write_samples(const std::string& program, const Tensor& samples01) const;

  std::filesystem::path out;
  std::string checkpoint_path;
  int64_t saved_epoch = 0;  // the checkpoint's epoch on --resume, else 0
  data::LabelledImages train;
  std::unique_ptr<metrics::Evaluator> evaluator;
  std::string evaluator_digest;  // weights_digest of the evaluator classifier
  std::string evaluator_file;    // its absolute path
  metrics::GaussianFit test_features;
  double real_inception_score = 0;  // the real test set's, for the stability alarm

 private:
  std::string program_;
  std::optional<RunFolder> folder_;
  std::optional<CheckpointParts> parts_;
};

// The losses' part of an epoch's summary line and metrics.csv row, the same in every GAN trainer.
struct GanEpoch {
  double d_loss = 0, g_loss = 0, d_real = 0, d_fake = 0;
  double seconds = 0;
};
// "D 0.812 G 1.203 | D(x) 0.61 D(G(z)) 0.38 | class KL 0.041, 10/10 classes, IS 7.12, FD 3.05"
std::string gan_summary(const GanEpoch& epoch, const metrics::GeneratorScores& scores);
// The metrics.csv columns after "epoch" (d_loss ... frechet) and their values.
std::vector<std::string> gan_metric_columns();
std::vector<double> gan_metric_values(const GanEpoch& epoch,
                                      const metrics::GeneratorScores& scores);

// G's output [N, 784] in tanh's [-1, 1] mapped to [0, 1], the evaluator's and samples.npy's range.
Tensor to_unit_range(const Tensor& images);

// --epochs' upper bound, and so the largest epoch a checkpoint may claim.
constexpr int64_t kMaxGanEpochs = 100000;

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
  int64_t min_batch_size = 1;  // 2 for networks with batch normalisation
};
int image_gan_main(int argc, char** argv, const ImageGanProgram& program);

}  // namespace minidl::examples
