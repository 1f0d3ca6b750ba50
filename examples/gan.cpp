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
// A stability alarm (docs/programs.md, "gan") flags collapse or divergence.
#include <cmath>
#include <filesystem>
#include <optional>

#include "data/data.h"
#include "examples/classifier/classifier_model.h"
#include "examples/common/parallel.h"
#include "examples/common/program.h"
#include "examples/common/progress.h"
#include "examples/common/run_folder.h"
#include "examples/common/run_settings.h"
#include "examples/common/training_checkpoint.h"
#include "examples/gan/gan_training.h"
#include "examples/gan/stability.h"
#include "nn/safetensors.h"
#include "nn/optim/adam.h"

using namespace minidl;
using namespace minidl::examples;
namespace fs = std::filesystem;

// --epochs' upper bound, and so the largest epoch a checkpoint may claim.
constexpr int64_t kMaxEpochs = 100000;

int main(int argc, char** argv) {
  start_ranks(&argc, &argv);
  std::string data_dir, loss_name = "ns", classifier_path;
  int64_t epochs = 20, batch_size = 64, latent = 100, critic_steps = 0, monitor_samples = 10000;
  int64_t limit = 0;
  double lr = 0, beta1 = -1, beta2 = -1;
  RunFlags run{.out = "runs/gan"};
  CLI::App app{
      "Train an MLP GAN on Fashion-MNIST with class-coverage, Inception-Score and "
      "Fréchet monitors.",
      "gan"};
  app.add_option("--data-dir", data_dir,
                 "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist or "
                 "$MINIDL_FASHION_MNIST_DIR)");
  app.add_option("--loss", loss_name, "ns (non-saturating), wgan-gp or hinge")
      ->check(CLI::IsMember({"ns", "wgan-gp", "hinge"}))
      ->capture_default_str();
  app.add_option("--epochs", epochs, "Epochs to train (in total, when resuming)")
      ->check(CLI::Range(int64_t(1), kMaxEpochs))
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "Real images per critic step")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20))
      ->capture_default_str();
  app.add_option("--latent", latent, "Dimensions of z")
      ->check(CLI::Range(int64_t(1), int64_t(4096)))
      ->capture_default_str();
  app.add_option("--critic-steps", critic_steps,
                 "Critic steps per generator step (default: 1, or 5 for wgan-gp)")
      ->check(CLI::Range(int64_t(1), int64_t(100)));
  app.add_option("--lr", lr, "Adam learning rate (default: 2e-4, or 1e-4 for wgan-gp)")
      ->check(finite_in(0, 1, /*low_open=*/true));
  app.add_option("--beta1", beta1, "Adam beta1 (default: 0.5, or 0.0 for wgan-gp)")
      ->check(finite_in(0, 0.999999));
  app.add_option("--beta2", beta2, "Adam beta2 (default: 0.999, or 0.9 for wgan-gp)")
      ->check(finite_in(0, 0.999999));
  app.add_option("--classifier", classifier_path,
                 "Evaluator checkpoint from the classifier program (default: "
                 "runs/classifier/classifier.safetensors, trained there if missing)");
  app.add_option("--monitor-samples", monitor_samples, "Samples scored by the monitors each epoch")
      ->check(CLI::Range(int64_t(100), int64_t(1000000)))
      ->capture_default_str();
  add_limit_flag(app, limit);
  add_run_flags(app, run);
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  using enum RunSettings::OnResume;
  RunSettings settings(app);
  settings.add("--loss", loss_name);
  for (auto [flag, value] : {std::pair{"--batch-size", &batch_size},
                             {"--latent", &latent},
                             {"--critic-steps", &critic_steps},
                             {"--limit", &limit}}) {
    settings.add(flag, *value);
  }
  for (auto [flag, value] : {std::pair{"--lr", &lr}, {"--beta1", &beta1}, {"--beta2", &beta2}}) {
    settings.add(flag, *value);
  }
  settings.add("--seed", run.seed);
  settings.add("--epochs", epochs, MayChange);
  settings.add("--monitor-samples", monitor_samples, MayChange);
  settings.add("--data-dir", data_dir, MayChange);
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;

  return run_program("gan", [&] {
    setup_compute(run.threads);
    // Under mpirun rank 0 owns the folder; the others wait for its checks, then read from it.
    std::optional<RunFolder> folder;
    if (is_main_rank()) folder.emplace("gan", run);
    wait_for_ranks();
    const std::string checkpoint_path = (fs::path(run.out) / RunFolder::kCheckpoint).string();
    int64_t saved_epoch = 0;
    if (run.resume) {
      const nn::Metadata saved = nn::load_safetensors(checkpoint_path).metadata;
      saved_epoch = metadata_integer(saved, "epoch", checkpoint_path, 1, kMaxEpochs);
      print_resume_line("gan", "resuming", checkpoint_path, "epoch " + std::to_string(saved_epoch),
                        settings.resume_from(saved, checkpoint_path));
    }
    const GanLoss loss = parse_gan_loss(loss_name);
    const bool wgan = loss == GanLoss::WganGp;
    if (critic_steps == 0) critic_steps = wgan ? 5 : 1;
    if (lr == 0) lr = wgan ? 1e-4 : 2e-4;
    if (beta1 < 0) beta1 = wgan ? 0.0 : 0.5;
    if (beta2 < 0) beta2 = wgan ? 0.9 : 0.999;
    if (classifier_path.empty()) classifier_path = "runs/classifier/classifier.safetensors";

    // --- data: pixels in [-1, 1] to match G's tanh ---
    data::LabelledImages train =
        data::load_fashion_mnist(data::Split::Train, data_dir, data::PixelRange::MinusOneToOne);
    data::LabelledImages test = data::load_fashion_mnist(data::Split::Test, data_dir);  // [0, 1]
    if (limit > 0 && limit < train.size()) train.images = train.images.narrow(0, 0, limit);
    const int64_t pixels = train.images.size(1);

    // --- the evaluator and the real test set's feature statistics (computed once) ---
    metrics::Evaluator evaluator =
        make_evaluator(load_or_train_classifier(classifier_path, data_dir));
    const metrics::GaussianFit test_features = evaluator.feature_statistics(test.images);

    // --- networks: G z-256-512-1024-784 tanh, D 784-1024-512-256-1 logits ---
    Generator init(run.seed);
    GanNetworks gan;
    gan.generator = make_mlp({latent, 256, 512, 1024, pixels}, Activation::LeakyReLU, true, init);
    gan.critic = make_mlp({pixels, 1024, 512, 256, 1}, Activation::LeakyReLU, false, init);
    GradientAverager generator_averager(*gan.generator), critic_averager(*gan.critic);
    gan.synchronize_generator = [&] { generator_averager.synchronize(); };
    gan.synchronize_critic = [&] { critic_averager.synchronize(); };
    const optim::AdamOptions adam{.lr = lr, .betas = {beta1, beta2}};
    gan.generator_optimizer = std::make_unique<optim::Adam>(gan.generator->parameters(), adam);
    gan.critic_optimizer = std::make_unique<optim::Adam>(gan.critic->parameters(), adam);
    gan.loss = loss;
    gan.latent = latent;
    Generator noise(run.seed + 1 + 1000003 * uint64_t(rank()));  // each rank draws its own
    data::DataLoader loader(train.images, Tensor(),
                            sharded({.batch_size = batch_size,
                                     .shuffle = true,
                                     .drop_last = true,
                                     .seed = run.seed + 2}));
    Generator fixed(run.seed + 3);
    const Tensor fixed_z = randn({64, latent}, DType::Float32, fixed);
    CheckpointParts parts{{{"generator", gan.generator.get()}, {"critic", gan.critic.get()}},
                          {{"generator_optimizer", gan.generator_optimizer.get()},
                           {"critic_optimizer", gan.critic_optimizer.get()}},
                          {}};
    StabilityMonitor stability(loss);
    if (run.resume) {
      auto metadata = load_training_checkpoint(checkpoint_path, parts);
      generator_state_from_string(noise,
                                  require_metadata(metadata, per_rank_key("noise_generator", rank()), checkpoint_path),
                                  checkpoint_path);
      loader.load_state(data::DataLoaderState::from_string(
          require_metadata(metadata, "loader", checkpoint_path)));
      MINIDL_CHECK(loader.epoch() == saved_epoch,
                   checkpoint_path << ": metadata epoch " << saved_epoch << " but the loader's "
                                   << "state is at epoch " << loader.epoch());
      stability.load(require_metadata(metadata, "stability", checkpoint_path));
    }
    std::cout << "generator: " << *gan.generator << "critic: " << *gan.critic;
    std::printf("gan: loss %s, %lld critic step(s) per generator step, Adam lr %g betas (%g, %g)\n",
                loss_name.c_str(), (long long)critic_steps, lr, beta1, beta2);

    std::optional<data::CsvLogger> metrics;
    if (is_main_rank()) {
      metrics.emplace((fs::path(run.out) / "metrics.csv").string(),
                      std::vector<std::string>{"epoch", "d_loss", "g_loss", "d_real", "d_fake",
                                               "class_kl", "classes_covered", "inception_score",
                                               "frechet", "alarm", "seconds"},
                      data::CsvLoggerOptions{.resume = run.resume,
                                             .resume_after = double(loader.epoch())});
    }

    for (int64_t epoch = loader.epoch() + 1; epoch <= epochs; ++epoch) {
      ProgressLine progress("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs),
                            loader.batches_per_epoch());
      const auto start = std::chrono::steady_clock::now();
      double d_loss = 0, g_loss = 0, d_real = 0, d_fake = 0;
      int64_t critic_updates = 0, generator_updates = 0, seen = 0;
      // --- one epoch: a critic step per real batch, a generator step every critic_steps ---
      while (std::optional<data::Batch> batch = loader.next()) {
        const std::string where =
            "epoch " + std::to_string(epoch) + ", step " + std::to_string(critic_updates + 1);
        CriticStep d = train_critic(gan, batch->inputs, noise);
        check_finite_loss(where, "D's loss", d.loss);
        d_loss += d.loss;
        d_real += d.real_score;
        d_fake += d.fake_score;
        ++critic_updates;
        if (critic_updates % critic_steps == 0) {
          const double generator_loss = train_generator(gan, batch_size, noise);
          check_finite_loss(where, "G's loss", generator_loss);
          g_loss += generator_loss;
          ++generator_updates;
        }
        seen += batch->size();
        char text[96];
        std::snprintf(text, sizeof text, "D %.3f  G %.3f", d_loss / double(critic_updates),
                      generator_updates ? g_loss / double(generator_updates) : 0.0);
        progress.update(critic_updates, seen * ranks(), text);
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      d_loss /= double(critic_updates);
      d_real /= double(critic_updates);
      d_fake /= double(critic_updates);
      g_loss /= double(std::max<int64_t>(generator_updates, 1));

      // --- monitors on fresh samples, mapped to the evaluator's [0, 1] pixels ---
      Generator monitor_noise(run.seed + 4);
      Tensor samples = generate(*gan.generator, monitor_samples, latent, monitor_noise);
      Tensor samples01 = clamp(mul(add(samples, 1.0), 0.5), 0.0, 1.0);
      metrics::GeneratorScores scores = evaluator.score(samples01, test_features);
      const bool alarm = stability.update(
          {d_loss, g_loss, scores.coverage.classes_covered, scores.coverage.kl_from_uniform});
      char summary[200];
      std::snprintf(
          summary, sizeof summary,
          "D %.3f G %.3f | D(x) %.2f D(G(z)) %.2f | class KL %.3f, %lld/10 classes, IS %.2f, "
          "FD %.2f%s",
          d_loss, g_loss, d_real, d_fake, scores.coverage.kl_from_uniform,
          (long long)scores.coverage.classes_covered, scores.inception_score,
          scores.frechet_distance, alarm ? " | ALARM" : "");
      progress.finish(summary);
      const std::vector<std::string> noise_states =
          gather_from_ranks(generator_state_to_string(noise));
      if (!is_main_rank()) continue;
      if (alarm) std::fprintf(stderr, "gan: warning: %s\n", stability.reason().c_str());
      metrics->log({double(epoch), d_loss, g_loss, d_real, d_fake, scores.coverage.kl_from_uniform,
                   double(scores.coverage.classes_covered), scores.inception_score,
                   scores.frechet_distance, alarm ? 1.0 : 0.0, seconds});

      // --- checkpoint (first: a failure drawing must not cost the epoch), pictures, curves ---
      std::map<std::string, std::string> metadata = settings.metadata();
      metadata["epoch"] = std::to_string(epoch);
      for (int r = 0; r < ranks(); ++r) metadata[per_rank_key("noise_generator", r)] = noise_states[size_t(r)];
      metadata["loader"] = loader.state().to_string();
      metadata["stability"] = stability.save();
      save_training_checkpoint(checkpoint_path, parts, metadata);
      char name[64];
      std::snprintf(name, sizeof name, "samples_epoch%02lld.png", (long long)epoch);
      {
        NoGradGuard no_grad;
        Tensor grid = (*gan.generator)(Variable(fixed_z)).data();
        data::write_image_grid((fs::path(run.out) / name).string(), grid.reshape({64, 1, 28, 28}),
                               8, 8, data::PixelRange::MinusOneToOne);
      }
      data::plot_training_curves((fs::path(run.out) / "metrics.csv").string(),
                                 (fs::path(run.out) / "curves.png").string(),
                                 {.x_column = "epoch",
                                  .panels = {{"d_loss", "g_loss"},
                                             {"d_real", "d_fake"},
                                             {"class_kl"},
                                             {"inception_score"},
                                             {"frechet"}},
                                  .title = "GAN (" + loss_name + ") on Fashion-MNIST"});
    }

    // --- 10,000 samples in [0, 1] for other tools (minidl-info score, Python) ---
    if (!is_main_rank()) return 0;
    Generator final_noise(run.seed + 5);
    Tensor samples = generate(*gan.generator, 10000, latent, final_noise);
    data::write_npy((fs::path(run.out) / "samples.npy").string(),
                    clamp(mul(add(samples, 1.0), 0.5), 0.0, 1.0));
    std::printf("gan: wrote %s/samples.npy (10000 x %lld, pixels in [0, 1])\n", run.out.c_str(),
                (long long)pixels);
    return 0;
  });
}
