// infogan: trains InfoGAN (Chen et al. 2016) on Fashion-MNIST: W5's DCGAN networks with a 10-way
// categorical code and 2 continuous codes in G's input, and a head Q on D's body that reads the
// codes back from G's images (examples/infogan/: the networks, the information term, the steps).
//
//   build/examples/infogan                    # 20 epochs, output in runs/infogan
//   build/examples/infogan --info-weight 0    # the same GAN without the information term
//   build/examples/infogan --resume
//   mpirun -np 2 build/examples/infogan --batch-size 32   # data-parallel, docs/distributed.md
//
// Every epoch, beside the GAN monitors of `gan` and `dcgan` (class KL, coverage, IS, Fréchet
// distance on the evaluator classifier, the stability alarm), it reports how much of the code the
// images carry, measured two ways:
//   categorical_bound, continuous_bound   InfoGAN's own lower bounds on I(c; G(z, c)) in nats
//       (epoch means over the D steps, where Q reads fakes it has not yet learned from; the
//       categorical one is at most log 10 = 2.303), by Q;
//   code_mi, code_accuracy   an independent observer: the evaluator classifier labels
//       --monitor-samples images G(z, c) with uniform codes; the plug-in mutual information
//       I(c; class) from the 10 x 10 joint histogram (biased upwards by about 81 / (2 N) nats
//       for N samples), and the share of images whose class is their code's under the best
//       one-to-one matching of codes to classes. The bound says Q can read the code; these say
//       whether the code is what a classifier of the real classes sees.
// Pictures per epoch: codes_c1_epochNN.png and codes_c2_epochNN.png, 10 x 10 grids (row: the
// categorical code; columns: continuous code 1, or 2, from -2 to 2; one noise vector for the whole
// grid, so every difference between cells is the codes' doing).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include "examples/common/image_gan.h"
#include "examples/common/parallel.h"
#include "examples/common/progress.h"
#include "examples/infogan/infogan_training.h"
#include "nn/optim/adam.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;

namespace {

struct InfoGanFlags : GanRunFlags {
  // The paper's MNIST settings (appendix C.1): Adam with 2e-4 for D and 1e-3 for G (here G and
  // Q's head: Q is trained to maximise the same term G does), lambda = 1, batch size 64.
  double lr_d = 2e-4, lr_g = 1e-3;
  double info_weight = 1.0;
};

constexpr int64_t kNoise = 62;  // z's dimensions in the paper's MNIST model
constexpr int64_t kSweep = 10;  // rows and columns of the code pictures

// The sums over an epoch's steps, and their means at the end.
struct EpochSums {
  GanEpoch gan;
  double info_loss = 0, categorical_bound = 0, continuous_bound = 0;
  int64_t steps = 0;  // a D step and a G step each
  void add(const InfoGanStep& d, const InfoGanStep& g) {
    gan.d_loss += d.gan_loss;
    gan.d_real += d.real_score;
    gan.d_fake += d.fake_score;
    gan.g_loss += g.gan_loss;
    // From the D step: Q is scored on this batch's fakes before it learns from them (the G step
    // reads the same fakes after Q's update, an optimistic estimate).
    info_loss += d.info_loss;
    categorical_bound += d.categorical_bound;
    continuous_bound += d.continuous_bound;
    ++steps;
  }
  void finish() {
    const double n = double(std::max<int64_t>(steps, 1));
    for (double* v : {&gan.d_loss, &gan.d_real, &gan.d_fake, &gan.g_loss, &info_loss,
                      &categorical_bound, &continuous_bound}) {
      *v /= n;
    }
  }
};

std::string information_summary(const EpochSums& e, const CodeAgreement& agreement) {
  char text[160];
  std::snprintf(text, sizeof text,
                "I bounds %.3f (categorical) %.3f (continuous) nats | classifier: I(c; class) %.3f "
                "nats, matched %.1f%%",
                e.categorical_bound, e.continuous_bound, agreement.mutual_information,
                100.0 * agreement.accuracy);
  return text;
}

int train_infogan(InfoGanFlags& flags, RunSettings& settings) {
  const std::string program = "infogan";
  GanRun run(program, flags, settings);
  const std::filesystem::path& out = run.out;

  // --- networks and optimizers (three: D's body and head, Q's head, G) ---
  Generator init(flags.seed);
  InfoGanTraining t;
  t.networks = make_infogan_networks(kNoise, t.codes, init);
  t.noise = kNoise;
  t.info_weight = flags.info_weight;
  const InfoGanNetworks& n = t.networks;
  // beta1 0.5: the DCGAN setting the paper's networks come from (momentum 0.9 makes GANs
  // oscillate).
  const std::pair<double, double> betas{0.5, 0.999};
  t.discriminator_optimizer = std::make_unique<optim::Adam>(
      n.discriminator->parameters(), optim::AdamOptions{.lr = flags.lr_d, .betas = betas});
  t.q_optimizer = std::make_unique<optim::Adam>(
      n.q_head->parameters(), optim::AdamOptions{.lr = flags.lr_g, .betas = betas});
  t.generator_optimizer = std::make_unique<optim::Adam>(
      n.generator->parameters(), optim::AdamOptions{.lr = flags.lr_g, .betas = betas});
  GradientAverager discriminator_averager(*n.discriminator), q_averager(*n.q_head),
      generator_averager(*n.generator);
  t.synchronize_discriminator = [&] { discriminator_averager.synchronize(); };
  t.synchronize_q = [&] { q_averager.synchronize(); };
  t.synchronize_generator = [&] { generator_averager.synchronize(); };
  Generator noise = GanRun::make_noise(flags);
  data::DataLoader loader = run.make_loader(flags);
  Generator fixed(flags.seed + 3);
  const Tensor sweep_z = randn({1, kNoise}, DType::Float32, fixed);
  CheckpointParts parts{{{"generator", n.generator.get()},
                         {"discriminator", n.discriminator.get()},
                         {"q", n.q_head.get()}},
                        {{"generator_optimizer", t.generator_optimizer.get()},
                         {"discriminator_optimizer", t.discriminator_optimizer.get()},
                         {"q_optimizer", t.q_optimizer.get()}},
                        {}};
  StabilityMonitor stability(GanLoss::NonSaturating, run.real_inception_score);
  run.restore(parts, noise, loader, stability);
  std::cout << "generator: " << *n.generator << "discriminator: " << *n.discriminator
            << "Q head: " << *n.q_head;
  std::printf(
      "%s: %lld noise + %lld categorical + %lld continuous inputs, information weight %g, Adam "
      "lr %g (D), %g (G and Q), betas (%g, %g)\n",
      program.c_str(), (long long)kNoise, (long long)t.codes.categories,
      (long long)t.codes.continuous, flags.info_weight, flags.lr_d, flags.lr_g, betas.first,
      betas.second);

  const std::vector<std::string> info_columns{"info_loss", "categorical_bound", "continuous_bound",
                                              "code_mi", "code_accuracy"};
  std::optional<data::CsvLogger> metrics;
  if (is_main_rank()) {
    std::vector<std::string> columns = gan_metric_columns();
    columns.insert(columns.begin(), "epoch");
    columns.insert(columns.end(), info_columns.begin(), info_columns.end());
    columns.insert(columns.end(), {"alarm", "seconds"});
    metrics.emplace(
        (out / "metrics.csv").string(), columns,
        data::CsvLoggerOptions{.resume = flags.resume, .resume_after = double(loader.epoch())});
  }

  std::string last_summary;
  for (int64_t epoch = loader.epoch() + 1; epoch <= flags.epochs; ++epoch) {
    ProgressLine progress("epoch " + std::to_string(epoch) + "/" + std::to_string(flags.epochs),
                          loader.batches_per_epoch());
    const auto start = std::chrono::steady_clock::now();
    EpochSums e;
    int64_t seen = 0;
    // --- one epoch: per real batch, fake = G(z, c) once, a D (and Q) step, then a G step ---
    while (std::optional<data::Batch> batch = loader.next()) {
      const std::string where =
          "epoch " + std::to_string(epoch) + ", step " + std::to_string(e.steps + 1);
      const LatentBatch latent = sample_latent(batch->size(), kNoise, t.codes, noise);
      const auto [d, g] = infogan_iteration(t, batch->inputs, latent);
      check_finite_loss(where, "D's loss", d.gan_loss);
      check_finite_loss(where, "the information term", d.info_loss);
      check_finite_loss(where, "G's loss", g.gan_loss);
      e.add(d, g);
      seen += batch->size();
      char text[96];
      std::snprintf(text, sizeof text, "D %.3f  G %.3f  I bound %.3f",
                    e.gan.d_loss / double(e.steps), e.gan.g_loss / double(e.steps),
                    e.categorical_bound / double(e.steps));
      progress.update(e.steps, seen * ranks(), text);
    }
    e.gan.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    e.finish();

    // --- monitors on fresh samples with uniform codes, in the evaluator's [0, 1] pixels ---
    Generator monitor_noise(flags.seed + 4);
    const LatentBatch monitor =
        sample_latent(flags.monitor_samples, kNoise, t.codes, monitor_noise);
    const metrics::Evaluation evaluation =
        run.evaluator->evaluate(to_unit_range(generate_images(*n.generator, monitor.input)));
    const metrics::GeneratorScores scores = run.score(evaluation);
    const CodeAgreement agreement =
        code_agreement(monitor.codes.categorical, evaluation.probabilities, t.codes.categories);
    const bool alarm =
        stability.update({e.gan.d_loss, e.gan.g_loss, scores.coverage.classes_covered,
                          scores.coverage.kl_from_uniform, scores.inception_score});
    last_summary = gan_summary(e.gan, scores) + " | " + information_summary(e, agreement);
    progress.finish(last_summary + (alarm ? " | ALARM" : ""));
    const std::map<std::string, std::string> metadata =
        run.checkpoint_metadata(settings, epoch, noise, loader, stability);
    if (!is_main_rank()) continue;
    if (alarm)
      std::fprintf(stderr, "%s: warning: %s\n", program.c_str(), stability.reason().c_str());
    std::vector<double> row = gan_metric_values(e.gan, scores);
    row.insert(row.begin(), double(epoch));
    row.insert(row.end(),
               {e.info_loss, e.categorical_bound, e.continuous_bound, agreement.mutual_information,
                agreement.accuracy, alarm ? 1.0 : 0.0, e.gan.seconds});
    metrics->log(row);

    // --- checkpoint (first: a failure drawing must not cost the epoch), pictures, curves ---
    save_training_checkpoint(run.checkpoint_path, parts, metadata);
    for (int64_t code = 0; code < t.codes.continuous; ++code) {
      char name[64];
      std::snprintf(name, sizeof name, "codes_c%lld_epoch%02lld.png", (long long)code + 1,
                    (long long)epoch);
      const Tensor cells =
          generate_images(*n.generator, code_sweep_input(sweep_z, t.codes, code, kSweep, kSweep));
      data::write_image_grid((out / name).string(), cells.reshape({kSweep * kSweep, 1, 28, 28}),
                             kSweep, kSweep, data::PixelRange::MinusOneToOne);
    }
    data::plot_training_curves((out / "metrics.csv").string(), (out / "curves.png").string(),
                               {.x_column = "epoch",
                                .panels = {{"d_loss", "g_loss", "info_loss"},
                                           {"d_real", "d_fake"},
                                           {"categorical_bound", "code_mi"},
                                           {"continuous_bound"},
                                           {"code_accuracy"},
                                           {"class_kl"},
                                           {"inception_score"},
                                           {"frechet"}},
                                .title = "InfoGAN on Fashion-MNIST"});
  }
  if (!last_summary.empty())
    std::printf("%s: after epoch %lld: %s\n", program.c_str(), (long long)flags.epochs,
                last_summary.c_str());

  // --- samples in [0, 1] with uniform codes, for other tools (minidl-info score, Python) ---
  if (!is_main_rank()) return 0;
  Generator final_noise(flags.seed + 5);
  const LatentBatch final_latent = sample_latent(flags.samples, kNoise, t.codes, final_noise);
  run.write_samples(program, to_unit_range(generate_images(*n.generator, final_latent.input)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  start_ranks(&argc, &argv);
  InfoGanFlags flags;
  flags.out = "runs/infogan";
  CLI::App app{
      "Train InfoGAN (DCGAN networks, a Q head on D, 10 categorical and 2 continuous "
      "codes) on Fashion-MNIST, with the information bounds, the classifier's view of "
      "the codes and the GAN monitors.",
      "infogan"};
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  RunSettings settings(app);
  add_gan_run_flags(app, flags, settings, /*min_batch_size=*/2);  // batch normalisation in G, D
  app.add_option("--lr-d", flags.lr_d, "Adam learning rate of D (its body and head)")
      ->check(finite_in(0, 1, /*low_open=*/true))
      ->capture_default_str();
  app.add_option("--lr-g", flags.lr_g, "Adam learning rate of G and of Q's head")
      ->check(finite_in(0, 1, /*low_open=*/true))
      ->capture_default_str();
  app.add_option("--info-weight", flags.info_weight,
                 "lambda: weight of the information term in D's (with Q's) and G's losses (0: a "
                 "plain GAN, and Q does not learn)")
      ->check(finite_in(0, 100))
      ->capture_default_str();
  settings.add("--lr-d", flags.lr_d);
  settings.add("--lr-g", flags.lr_g);
  settings.add("--info-weight", flags.info_weight);
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;
  return run_program("infogan", [&] { return train_infogan(flags, settings); });
}
