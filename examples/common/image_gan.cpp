#include "examples/common/image_gan.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "data/data.h"
#include "examples/classifier/classifier_model.h"
#include "examples/common/parallel.h"
#include "examples/common/progress.h"
#include "examples/common/run_folder.h"
#include "examples/common/training_checkpoint.h"
#include "examples/gan/stability.h"
#include "nn/ema.h"
#include "nn/optim/adam.h"
#include "nn/safetensors.h"

namespace minidl::examples {

namespace fs = std::filesystem;

namespace {

// G(z) in evaluation mode (batch normalisation with its running statistics, so a sample does not
// depend on the others drawn with it), mapped from tanh's [-1, 1] to [0, 1].
Tensor sample_images01(nn::Module& generator, int64_t n, int64_t latent, Generator& noise) {
  generator.eval();
  Tensor samples = generate(generator, n, latent, noise);
  generator.train();
  return to_unit_range(samples);
}

}  // namespace

Tensor to_unit_range(const Tensor& images) { return clamp(mul(add(images, 1.0), 0.5), 0.0, 1.0); }

void add_gan_run_flags(CLI::App& app, GanRunFlags& flags, RunSettings& settings,
                       int64_t min_batch_size) {
  app.add_option("--data-dir", flags.data_dir,
                 "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist or "
                 "$MINIDL_FASHION_MNIST_DIR)");
  app.add_option("--epochs", flags.epochs, "Epochs to train (in total, when resuming)")
      ->check(CLI::Range(int64_t(1), kMaxGanEpochs))
      ->capture_default_str();
  CLI::Option* batch_size = app.add_option(
      "--batch-size", flags.batch_size, "Real images per critic (D) step (per rank under mpirun)");
  if (min_batch_size > 1) {
    // Checked here, as a flag: batch_norm would otherwise fail mid-step on a batch of one.
    batch_size->check(count_at_least(
        min_batch_size, " (batch normalisation needs at least 2 images per batch, per rank)"));
  }
  batch_size->check(CLI::Range(int64_t(1), int64_t(1) << 20))->capture_default_str();
  app.add_option("--classifier", flags.classifier,
                 "Evaluator checkpoint from the classifier program, MLP or --arch conv (default: "
                 "runs/classifier/classifier.safetensors, trained there if missing)");
  app.add_option("--monitor-samples", flags.monitor_samples,
                 "Samples scored by the monitors each epoch")
      ->check(CLI::Range(int64_t(100), int64_t(1000000)))
      ->capture_default_str();
  app.add_option("--samples", flags.samples, "Samples written to samples.npy at the end")
      ->check(CLI::Range(int64_t(1), int64_t(1000000)))
      ->capture_default_str();
  add_limit_flag(app, flags.limit);
  add_run_flags(app, flags);
  using enum RunSettings::OnResume;
  settings.add("--batch-size", flags.batch_size);
  settings.add("--limit", flags.limit);
  settings.add("--seed", flags.seed);
  settings.add("--epochs", flags.epochs, MayChange);
  settings.add("--monitor-samples", flags.monitor_samples, MayChange);
  settings.add("--samples", flags.samples, MayChange);
  settings.add("--data-dir", flags.data_dir, MayChange);
}

void add_image_gan_flags(CLI::App& app, ImageGanFlags& flags, RunSettings& settings,
                         int64_t min_batch_size) {
  add_gan_run_flags(app, flags, settings, min_batch_size);
  app.add_option("--loss", flags.loss, "ns (non-saturating), wgan-gp or hinge")
      ->check(CLI::IsMember({"ns", "wgan-gp", "hinge"}))
      ->capture_default_str();
  app.add_option("--latent", flags.latent, "Dimensions of z")
      ->check(CLI::Range(int64_t(1), int64_t(4096)))
      ->capture_default_str();
  app.add_option("--critic-steps", flags.critic_steps,
                 "Critic steps per generator step (default: 1, or 5 for wgan-gp)")
      ->check(CLI::Range(int64_t(1), int64_t(100)));
  app.add_option("--lr", flags.lr, "Adam learning rate (default: 2e-4, or 1e-4 for wgan-gp)")
      ->check(finite_in(0, 1, /*low_open=*/true));
  app.add_option("--beta1", flags.beta1, "Adam beta1 (default: 0.5, or 0.0 for wgan-gp)")
      ->check(finite_in(0, 0.999999));
  app.add_option("--beta2", flags.beta2, "Adam beta2 (default: 0.999, or 0.9 for wgan-gp)")
      ->check(finite_in(0, 0.999999));
  app.add_option("--r1", flags.r1,
                 "R1 penalty gamma: the critic also minimises gamma/2 mean ||grad_x D(x)||^2 on "
                 "real images (0: off)")
      ->check(finite_in(0, 1e6))
      ->capture_default_str();
  settings.add("--loss", flags.loss);
  settings.add("--latent", flags.latent);
  settings.add("--critic-steps", flags.critic_steps);
  settings.add("--lr", flags.lr);
  settings.add("--beta1", flags.beta1);
  settings.add("--beta2", flags.beta2);
  app.add_option("--ema-decay", flags.ema_decay,
                 "Draw the samples, grids and monitors from an exponential moving average of G's "
                 "weights with this decay, e.g. 0.999 (0: from G itself)")
      ->check(finite_in(0, 0.999999))
      ->capture_default_str();
  settings.add("--r1", flags.r1);
  settings.add("--ema-decay", flags.ema_decay);
}

namespace {

constexpr const char* kDefaultEvaluator = "runs/classifier/classifier.safetensors";
constexpr const char* kEvaluatorKey = "evaluator";
constexpr const char* kEvaluatorFileKey = "evaluator_file";

std::string metadata_or(const std::map<std::string, std::string>& metadata, const std::string& key,
                        const std::string& fallback) {
  auto it = metadata.find(key);
  return it == metadata.end() ? fallback : it->second;
}

}  // namespace

GanRun::GanRun(const std::string& program, GanRunFlags& flags, RunSettings& settings)
    : program_(program) {
  setup_compute(flags.threads);
  // Under mpirun rank 0 owns the folder; the others wait for its checks, then read from it.
  if (is_main_rank()) folder_.emplace(program, flags);
  wait_for_ranks();
  out = flags.out;
  checkpoint_path = (out / RunFolder::kCheckpoint).string();
  nn::Metadata saved;
  if (flags.resume) {
    const nn::SafetensorsFile file = nn::load_safetensors(checkpoint_path);
    std::vector<std::pair<std::string, Shape>> tensors;
    for (const auto& [name, tensor] : file.tensors) tensors.emplace_back(name, tensor.shape());
    // Before the settings: another program's checkpoint is named as such, not as a flag mismatch.
    check_written_by(program, file.metadata, tensors, checkpoint_path);
    saved = file.metadata;
    saved_epoch = metadata_integer(saved, "epoch", checkpoint_path, 1, kMaxGanEpochs);
    print_resume_line(program, "resuming", checkpoint_path, "epoch " + std::to_string(saved_epoch),
                      settings.resume_from(saved, checkpoint_path));
  }
  if (flags.classifier.empty()) flags.classifier = kDefaultEvaluator;
  check_same_settings_on_every_rank(settings, {{"--resume", flags.resume ? "on" : "off"},
                                               {"--out", flags.out},
                                               {"--classifier", flags.classifier}});
  // A loader with drop_last and fewer images than one step's batches has nothing to train on.
  const int64_t step_images = flags.batch_size * ranks();
  const std::string per_step =
      is_parallel()
          ? "--batch-size " + std::to_string(flags.batch_size) + " x " + std::to_string(ranks()) +
                " ranks = " + std::to_string(step_images) + " images per step"
          : "--batch-size " + std::to_string(flags.batch_size);
  if (flags.limit > 0 && flags.limit < step_images) {
    throw UsageError("--limit " + std::to_string(flags.limit) + " is less than one batch (" +
                     per_step + "); an epoch would hold no step: raise --limit or lower " +
                     "--batch-size");
  }
  // The evaluator the run was scored with: a missing one is not trained anew on --resume (it
  // would land in this working folder's runs/classifier and score differently).
  evaluator_file = fs::absolute(flags.classifier).lexically_normal().string();
  const std::string saved_digest = metadata_or(saved, kEvaluatorKey, "");
  const std::string saved_file = metadata_or(saved, kEvaluatorFileKey, "(not recorded)");
  if (!saved_digest.empty() && !fs::exists(flags.classifier)) {
    throw UsageError("--classifier: no evaluator at " + evaluator_file + "; " + checkpoint_path +
                     " was scored by " + saved_file + " (weights " + saved_digest +
                     "), and a newly trained one would score differently: resume with that file, "
                     "or from the folder the run was started in");
  }
  // --- data: pixels in [-1, 1] to match G's tanh; only the first --limit images are read ---
  train = data::load_fashion_mnist(
      data::Split::Train, flags.data_dir,
      {.range = data::PixelRange::MinusOneToOne, .limit = flags.limit, .height = 28, .width = 28});
  data::LabelledImages test = data::load_fashion_mnist(data::Split::Test, flags.data_dir,
                                                       {.height = 28, .width = 28});  // [0, 1]
  if (train.size() < step_images) {
    throw UsageError(flags.data_dir + ": " + std::to_string(train.size()) +
                     " training images are less than one batch (" + per_step + ")");
  }
  // --- the evaluator and the real test set's feature statistics (computed once) ---
  std::shared_ptr<Classifier> classifier =
      load_or_train_classifier(flags.classifier, flags.data_dir);
  evaluator_digest = weights_digest(*classifier);
  if (!saved_digest.empty() && saved_digest != evaluator_digest) {
    throw UsageError("--classifier: " + checkpoint_path + " was scored by the evaluator " +
                     saved_file + " (weights " + saved_digest + "), but " + evaluator_file +
                     " has weights " + evaluator_digest +
                     "; its Fréchet distances and class scores would not continue those in "
                     "metrics.csv: resume with the evaluator the run started with, or start a "
                     "new run in another folder");
  }
  evaluator = std::make_unique<metrics::Evaluator>(make_evaluator(classifier));
  test_features = evaluator->feature_statistics(test.images);
  real_inception_score = metrics::inception_score(evaluator->evaluate(test.images).probabilities);
}

std::map<std::string, std::string> GanRun::restore(const CheckpointParts& parts, Generator& noise,
                                                   data::DataLoader& loader,
                                                   StabilityMonitor& stability) {
  parts_ = parts;
  if (saved_epoch == 0) return {};
  auto metadata = load_training_checkpoint(checkpoint_path, parts);
  generator_state_from_string(
      noise, require_metadata(metadata, per_rank_key("noise_generator", rank()), checkpoint_path),
      checkpoint_path);
  loader.load_state(
      data::DataLoaderState::from_string(require_metadata(metadata, "loader", checkpoint_path)));
  MINIDL_CHECK(loader.epoch() == saved_epoch,
               checkpoint_path << ": metadata epoch " << saved_epoch << " but the loader's "
                               << "state is at epoch " << loader.epoch());
  stability.load(require_metadata(metadata, "stability", checkpoint_path));
  return metadata;
}

std::map<std::string, std::string> GanRun::checkpoint_metadata(
    const RunSettings& settings, int64_t epoch, const Generator& noise,
    const data::DataLoader& loader, const StabilityMonitor& stability) const {
  const std::vector<std::string> noise_states =
      gather_from_ranks(generator_state_to_string(noise));
  if (is_main_rank() && parts_) check_finite_state(*parts_, checkpoint_path);
  std::map<std::string, std::string> metadata = settings.metadata();
  metadata[kProgramKey] = program_;
  metadata[kEvaluatorKey] = evaluator_digest;
  metadata[kEvaluatorFileKey] = evaluator_file;
  metadata["epoch"] = std::to_string(epoch);
  for (int r = 0; r < ranks(); ++r) {
    metadata[per_rank_key("noise_generator", r)] = noise_states[size_t(r)];
  }
  metadata["loader"] = loader.state().to_string();
  metadata["stability"] = stability.save();
  return metadata;
}

data::DataLoader GanRun::make_loader(const GanRunFlags& flags) const {
  return data::DataLoader(train.images, Tensor(),
                          sharded({.batch_size = flags.batch_size,
                                   .shuffle = true,
                                   .drop_last = true,
                                   .seed = flags.seed + 2}));
}

Generator GanRun::make_noise(const GanRunFlags& flags) {
  return Generator(flags.seed + 1 + 1000003 * uint64_t(rank()));  // each rank draws its own
}

metrics::GeneratorScores GanRun::score(const metrics::Evaluation& evaluation) const {
  return metrics::generator_scores(evaluation.probabilities, evaluation.features, test_features);
}

void GanRun::write_samples(const std::string& program, const Tensor& samples01) const {
  if (!is_main_rank()) return;
  data::write_npy((out / "samples.npy").string(), samples01);
  std::printf("%s: wrote %s/samples.npy (%lld x %lld, pixels in [0, 1])\n", program.c_str(),
              out.c_str(), (long long)samples01.size(0), (long long)samples01.size(1));
}

std::string gan_summary(const GanEpoch& epoch, const metrics::GeneratorScores& scores) {
  char text[200];
  std::snprintf(text, sizeof text,
                "D %.3f G %.3f | D(x) %.2f D(G(z)) %.2f | class KL %.3f, %lld/10 classes, IS "
                "%.2f, FD %.2f",
                epoch.d_loss, epoch.g_loss, epoch.d_real, epoch.d_fake,
                scores.coverage.kl_from_uniform, (long long)scores.coverage.classes_covered,
                scores.inception_score, scores.frechet_distance);
  return text;
}

std::vector<std::string> gan_metric_columns() {
  return {"d_loss",   "g_loss",          "d_real",          "d_fake",
          "class_kl", "classes_covered", "inception_score", "frechet"};
}

std::vector<double> gan_metric_values(const GanEpoch& epoch,
                                      const metrics::GeneratorScores& scores) {
  return {epoch.d_loss,
          epoch.g_loss,
          epoch.d_real,
          epoch.d_fake,
          scores.coverage.kl_from_uniform,
          double(scores.coverage.classes_covered),
          scores.inception_score,
          scores.frechet_distance};
}

int train_image_gan(const std::string& program, const std::string& title, ImageGanFlags& flags,
                    RunSettings& settings, const BuildImageGan& build) {
  GanRun run(program, flags, settings);
  const GanLoss loss = parse_gan_loss(flags.loss);
  const bool wgan = loss == GanLoss::WganGp;
  if (flags.critic_steps == 0) flags.critic_steps = wgan ? 5 : 1;
  if (flags.lr == 0) flags.lr = wgan ? 1e-4 : 2e-4;
  if (flags.beta1 < 0) flags.beta1 = wgan ? 0.0 : 0.5;
  if (flags.beta2 < 0) flags.beta2 = wgan ? 0.9 : 0.999;
  const int64_t latent = flags.latent;
  const fs::path& out = run.out;

  // --- networks and optimizers ---
  Generator init(flags.seed);
  ImageGanNetworks networks = build(flags, loss, init);
  GanNetworks gan;
  gan.generator = networks.generator;
  gan.critic = networks.critic;
  const optim::AdamOptions adam{.lr = flags.lr, .betas = {flags.beta1, flags.beta2}};
  gan.generator_optimizer = std::make_unique<optim::Adam>(gan.generator->parameters(), adam);
  gan.critic_optimizer = std::make_unique<optim::Adam>(gan.critic->parameters(), adam);
  gan.loss = loss;
  gan.latent = latent;
  gan.r1_gamma = flags.r1;
  gan.separate_critic_passes = networks.separate_critic_passes;
  GradientAverager generator_averager(*gan.generator), critic_averager(*gan.critic);
  gan.synchronize_generator = [&] { generator_averager.synchronize(); };
  gan.synchronize_critic = [&] { critic_averager.synchronize(); };
  gan.critic_steps = flags.critic_steps;
  Generator noise = GanRun::make_noise(flags);
  GanNoise gan_noise_draws = gan_noise(noise);
  data::DataLoader loader = run.make_loader(flags);
  Generator fixed(flags.seed + 3);
  const Tensor fixed_z = randn({64, latent}, DType::Float32, fixed);
  CheckpointParts parts{{{"generator", gan.generator.get()}, {"critic", gan.critic.get()}},
                        {{"generator_optimizer", gan.generator_optimizer.get()},
                         {"critic_optimizer", gan.critic_optimizer.get()}},
                        {}};
  // With --ema-decay, a second G (built alike) holds the average of G's weights; it draws every
  // sample the run shows or scores, and is part of the checkpoint.
  std::shared_ptr<nn::Module> sampler = gan.generator;
  std::optional<nn::ExponentialMovingAverage> ema;
  if (flags.ema_decay > 0) {
    Generator unused(flags.seed);
    sampler = build(flags, loss, unused).generator;
    ema.emplace(*sampler, *gan.generator, flags.ema_decay);
    parts.modules.push_back({"generator_ema", sampler.get()});
  }
  StabilityMonitor stability(loss, run.real_inception_score);
  run.restore(parts, noise, loader, stability);
  std::cout << "generator: " << *gan.generator << "\ncritic: " << *gan.critic << '\n';
  std::printf(
      "%s: loss %s, %lld critic step(s) per generator step, Adam lr %g betas (%g, %g), R1 gamma "
      "%g\n",
      program.c_str(), flags.loss.c_str(), (long long)flags.critic_steps, flags.lr, flags.beta1,
      flags.beta2, flags.r1);

  std::optional<data::CsvLogger> metrics;
  if (is_main_rank()) {
    std::vector<std::string> columns = gan_metric_columns();
    columns.insert(columns.begin(), "epoch");
    columns.insert(columns.end(), {"alarm", "seconds"});
    metrics.emplace(
        (out / "metrics.csv").string(), columns,
        data::CsvLoggerOptions{.resume = flags.resume, .resume_after = double(loader.epoch())});
  }

  for (int64_t epoch = loader.epoch() + 1; epoch <= flags.epochs; ++epoch) {
    ProgressLine progress("epoch " + std::to_string(epoch) + "/" + std::to_string(flags.epochs),
                          loader.batches_per_epoch());
    const auto start = std::chrono::steady_clock::now();
    GanEpoch e;
    int64_t critic_updates = 0, generator_updates = 0, seen = 0;
    // --- one epoch: a critic step per real batch, a generator step every critic_steps
    // (gan_training.h: one G forward per iteration) ---
    while (std::optional<data::Batch> batch = loader.next()) {
      const std::string where =
          "epoch " + std::to_string(epoch) + ", step " + std::to_string(critic_updates + 1);
      const bool generator_turn = (critic_updates + 1) % flags.critic_steps == 0;
      const GanIteration step = gan_iteration(gan, batch->inputs, generator_turn, gan_noise_draws);
      const CriticStep& d = step.critic;
      check_finite_loss(where, "D's loss", d.loss);
      e.d_loss += d.loss;
      e.d_real += d.real_score;
      e.d_fake += d.fake_score;
      ++critic_updates;
      if (step.generator_loss) {
        if (ema) ema->update();
        check_finite_loss(where, "G's loss", *step.generator_loss);
        e.g_loss += *step.generator_loss;
        ++generator_updates;
      }
      seen += batch->size();
      char text[96];
      std::snprintf(text, sizeof text, "D %.3f  G %.3f", e.d_loss / double(critic_updates),
                    generator_updates ? e.g_loss / double(generator_updates) : 0.0);
      progress.update(critic_updates, seen * ranks(), text);
    }
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    e.d_loss /= double(critic_updates);
    e.d_real /= double(critic_updates);
    e.d_fake /= double(critic_updates);
    e.g_loss /= double(std::max<int64_t>(generator_updates, 1));

    // --- monitors on fresh samples, in the evaluator's [0, 1] pixels ---
    Generator monitor_noise(flags.seed + 4);
    Tensor samples01 = sample_images01(*sampler, flags.monitor_samples, latent, monitor_noise);
    metrics::GeneratorScores scores = run.score(run.evaluator->evaluate(samples01));
    const bool alarm = stability.update({e.d_loss, e.g_loss, scores.coverage.classes_covered,
                                         scores.coverage.kl_from_uniform, scores.inception_score});
    progress.finish(gan_summary(e, scores) + (alarm ? " | ALARM" : ""));
    const std::map<std::string, std::string> metadata =
        run.checkpoint_metadata(settings, epoch, noise, loader, stability);
    if (!is_main_rank()) continue;
    if (alarm)
      std::fprintf(stderr, "%s: warning: %s\n", program.c_str(), stability.reason().c_str());
    std::vector<double> row = gan_metric_values(e, scores);
    row.insert(row.begin(), double(epoch));
    row.insert(row.end(), {alarm ? 1.0 : 0.0, e.seconds});
    metrics->log(row);

    // --- checkpoint (first: a failure drawing must not cost the epoch), pictures, curves ---
    save_training_checkpoint(run.checkpoint_path, parts, metadata);
    char name[64];
    std::snprintf(name, sizeof name, "samples_epoch%02lld.png", (long long)epoch);
    {
      NoGradGuard no_grad;
      sampler->eval();
      Tensor grid = (*sampler)(Variable(fixed_z)).data();
      sampler->train();
      data::write_image_grid((out / name).string(), grid.reshape({64, 1, 28, 28}), 8, 8,
                             data::PixelRange::MinusOneToOne);
    }
    data::plot_training_curves((out / "metrics.csv").string(), (out / "curves.png").string(),
                               {.x_column = "epoch",
                                .panels = {{"d_loss", "g_loss"},
                                           {"d_real", "d_fake"},
                                           {"class_kl"},
                                           {"inception_score"},
                                           {"frechet"}},
                                .title = title + " (" + flags.loss + ") on Fashion-MNIST"});
  }

  // --- samples in [0, 1] for other tools (minidl-info score, Python) ---
  if (!is_main_rank()) return 0;
  Generator final_noise(flags.seed + 5);
  run.write_samples(program, sample_images01(*sampler, flags.samples, latent, final_noise));
  return 0;
}

int image_gan_main(int argc, char** argv, const ImageGanProgram& program) {
  start_ranks(&argc, &argv);
  ImageGanFlags flags;
  flags.out = "runs/" + program.name;
  CLI::App app{program.description, program.name};
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  RunSettings settings(app);
  add_image_gan_flags(app, flags, settings, program.min_batch_size);
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;
  return run_program(program.name, [&] {
    return train_image_gan(program.name, program.title, flags, settings, program.build);
  });
}

}  // namespace minidl::examples
