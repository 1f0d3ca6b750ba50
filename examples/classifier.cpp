// classifier: trains a Fashion-MNIST classifier (cross-entropy, Adam 1e-3, batch 128, 5 epochs)
// and prints its test accuracy after every epoch: the MLP 784-256-256-10 by default, or with
// --arch conv a LeNet-style convolutional network (examples/classifier/classifier_model.h). The
// saved model (<out>/classifier.safetensors) is the evaluator the GAN monitors and
// `minidl-info score` use.
//
//   build/examples/classifier                  # output in runs/classifier
//   build/examples/classifier --epochs 10 --hidden 512
//   build/examples/classifier --arch conv --out runs/classifier-conv
//   mpirun -np 2 build/examples/classifier --batch-size 64   # data-parallel, docs/distributed.md
#include <filesystem>
#include <optional>

#include "data/data.h"
#include "examples/classifier/classifier_model.h"
#include "examples/common/parallel.h"
#include "examples/common/program.h"
#include "examples/common/run_folder.h"
#include "examples/common/run_settings.h"
#include "examples/common/training_checkpoint.h"
#include "nn/checkpoint.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;
namespace fs = std::filesystem;

// --epochs' upper bound, and so the largest epoch a checkpoint may claim.
constexpr int64_t kMaxEpochs = 100000;

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  start_ranks(&argc, &argv);
  std::string data_dir, arch = "mlp";
  int64_t epochs = 5, batch_size = 128, hidden = 0, limit = 0;
  double lr = 1e-3;
  RunFlags run{.out = "runs/classifier"};
  CLI::App app{
      "Train a Fashion-MNIST classifier, MLP or convolutional (the GAN monitors' "
      "evaluator).",
      "classifier"};
  app.add_option("--data-dir", data_dir,
                 "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist or "
                 "$MINIDL_FASHION_MNIST_DIR)");
  app.add_option("--epochs", epochs, "Epochs to train (in total, when resuming)")
      ->check(CLI::Range(int64_t(1), kMaxEpochs))
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "Images per training step (per rank under mpirun)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20))
      ->capture_default_str();
  app.add_option("--arch", arch,
                 "mlp (784-hidden-hidden-10) or conv (conv 32 3x3, pool, conv 64 3x3, pool, "
                 "fc hidden, fc 10)")
      ->check(CLI::IsMember({"mlp", "conv"}))
      ->capture_default_str();
  app.add_option("--hidden", hidden,
                 "Units in each hidden layer (mlp; default 256) or the fully connected layer "
                 "(conv; default 128)")
      ->check(CLI::Range(int64_t(1), int64_t(65536)));
  app.add_option("--lr", lr, "Adam learning rate")
      ->check(finite_in(0, 1, /*low_open=*/true))
      ->capture_default_str();
  add_limit_flag(app, limit);
  add_run_flags(app, run);
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  using enum RunSettings::OnResume;
  RunSettings settings(app);
  settings.add("--arch", arch);
  settings.add("--batch-size", batch_size);
  settings.add("--hidden", hidden);
  settings.add("--limit", limit);
  settings.add("--lr", lr);
  settings.add("--seed", run.seed);
  settings.add("--epochs", epochs, MayChange);
  settings.add("--data-dir", data_dir, MayChange);
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;

  return run_program("classifier", [&] {
    setup_compute(run.threads);
    // Rank 0 owns the folder (its lock and checks); the others wait for it, then read from it.
    std::optional<RunFolder> folder;
    if (is_main_rank()) folder.emplace("classifier", run);
    wait_for_ranks();
    const std::string checkpoint_path = (fs::path(run.out) / RunFolder::kCheckpoint).string();
    int64_t saved_epoch = 0;
    if (run.resume) {
      const nn::SafetensorsFile file = nn::load_safetensors(checkpoint_path);
      std::vector<std::pair<std::string, Shape>> tensors;
      for (const auto& [name, tensor] : file.tensors) tensors.emplace_back(name, tensor.shape());
      check_written_by("classifier", file.metadata, tensors, checkpoint_path);
      const nn::Metadata& saved = file.metadata;
      saved_epoch = metadata_integer(saved, "epoch", checkpoint_path, 1, kMaxEpochs);
      print_resume_line("classifier", "resuming", checkpoint_path,
                        "epoch " + std::to_string(saved_epoch),
                        settings.resume_from(saved, checkpoint_path));
    }
    check_same_settings_on_every_rank(
        settings, {{"--resume", run.resume ? "on" : "off"}, {"--out", run.out}});

    const ClassifierArch architecture = parse_classifier_arch(arch);
    if (hidden == 0) hidden = architecture == ClassifierArch::Conv ? 128 : 256;
    // 28x28 checked against the headers first; only the first --limit training images are read.
    data::LabelledImages train = data::load_fashion_mnist(
        data::Split::Train, data_dir, {.limit = limit, .height = 28, .width = 28});
    data::LabelledImages test =
        data::load_fashion_mnist(data::Split::Test, data_dir, {.height = 28, .width = 28});
    if (limit > 0 && limit < train.size()) {
      train.images = train.images.narrow(0, 0, limit);
      train.labels = train.labels.narrow(0, 0, limit);
    }

    Generator init(run.seed);
    Classifier classifier(
        {train.images.size(1), hidden, int64_t(train.class_names.size()), architecture}, init);
    GradientAverager averager(classifier);
    optim::Adam adam(classifier.parameters(), {.lr = lr});
    data::DataLoader loader(
        train.images, train.labels,
        sharded({.batch_size = batch_size, .shuffle = true, .seed = run.seed + 1}));
    CheckpointParts parts{{{"model", &classifier}}, {{"optimizer", &adam}}, {}};
    if (run.resume) {
      auto metadata = load_training_checkpoint(checkpoint_path, parts);
      loader.load_state(data::DataLoaderState::from_string(
          require_metadata(metadata, "loader", checkpoint_path)));
      MINIDL_CHECK(loader.epoch() == saved_epoch,
                   checkpoint_path << ": metadata epoch " << saved_epoch << " but the loader's "
                                   << "state is at epoch " << loader.epoch());
    }
    std::cout << classifier;

    std::optional<data::CsvLogger> metrics;
    if (is_main_rank()) {
      metrics.emplace(
          (fs::path(run.out) / "metrics.csv").string(),
          std::vector<std::string>{"epoch", "train_loss", "train_accuracy", "test_accuracy",
                                   "seconds"},
          data::CsvLoggerOptions{.resume = run.resume, .resume_after = double(loader.epoch())});
    }
    for (int64_t epoch = loader.epoch() + 1; epoch <= epochs; ++epoch) {
      ProgressLine progress("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs),
                            loader.batches_per_epoch());
      const auto start = std::chrono::steady_clock::now();
      EpochResult result = train_classifier_epoch(classifier, adam, loader, &progress, &averager);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      classifier.eval();
      const double test_accuracy = accuracy(classifier, test.images, test.labels);
      char summary[128];
      std::snprintf(summary, sizeof summary,
                    "loss %.4f | train accuracy %.2f%% | test accuracy %.2f%%", result.loss,
                    100 * result.accuracy, 100 * test_accuracy);
      progress.finish(summary);
      if (!is_main_rank()) continue;
      // Before the row: an epoch whose state cannot be saved leaves no row behind.
      check_finite_state(parts, checkpoint_path);
      metrics->log({double(epoch), result.loss, result.accuracy, test_accuracy, seconds});
      std::map<std::string, std::string> metadata = settings.metadata();
      metadata[kProgramKey] = "classifier";
      metadata["epoch"] = std::to_string(epoch);
      metadata["loader"] = loader.state().to_string();
      save_training_checkpoint(checkpoint_path, parts, metadata);
      nn::save(classifier, (fs::path(run.out) / "classifier.safetensors").string());
      data::plot_training_curves((fs::path(run.out) / "metrics.csv").string(),
                                 (fs::path(run.out) / "curves.png").string(),
                                 {.x_column = "epoch",
                                  .panels = {{"train_loss"}, {"train_accuracy", "test_accuracy"}},
                                  .title = "Fashion-MNIST classifier (" + arch + ")"});
    }
    std::printf("classifier: test accuracy %.2f%%, model saved to %s\n",
                100 * accuracy(classifier, test.images, test.labels),
                (fs::path(run.out) / "classifier.safetensors").c_str());
    return 0;
  });
}
