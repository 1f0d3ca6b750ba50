// gan2d: the standard mode-collapse test. A small GAN learns a mixture of 2-D Gaussians — 8 on a
// ring of radius 2 (ring8) or a 5x5 grid (grid25) — and is scored by how many modes its samples
// cover, how many samples are high quality (within 3 std of a mode), and the KL divergence of the
// mode histogram from uniform.
//
//   build/examples/gan2d                       # ring8, 20000 steps, output in runs/gan2d
//   build/examples/gan2d --data grid25 --out runs/grid25
//   build/examples/gan2d --r1 0 --pack 1       # the plain non-saturating GAN, for comparison
//   build/examples/gan2d --steps 5000 --lr-schedule constant --r1 0 --pack 1   # workload W4
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "data/data.h"
#include "examples/common/program.h"
#include "examples/common/progress.h"
#include "examples/common/run_folder.h"
#include "examples/common/run_settings.h"
#include "examples/common/training_checkpoint.h"
#include "examples/gan/gan_training.h"
#include "metrics/metrics.h"
#include "nn/optim/adam.h"
#include "nn/safetensors.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;
namespace fs = std::filesystem;

// --steps' upper bound, and so the largest step a checkpoint may claim.
constexpr int64_t kMaxSteps = 10000000;

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  // Defaults (docs/programs.md, "gan2d", has the measurements): the non-saturating loss with an R1
  // penalty (gamma 0.1) and a critic that sees pairs of points (PacGAN, pack 2), Adam 1e-3 betas
  // (0.5, 0.999) decayed to 0 by a cosine over 20,000 steps. The same settings for both data sets:
  // for seeds 1-5 they cover 8/8 ring8 modes with 94-97% high-quality samples and 25/25 grid25
  // modes with 85-90%. Without R1 the generator keeps circling the modes or collapses; without
  // packing grid25 loses modes on some seeds; with fewer steps grid25's samples stay blurred.
  std::string data_name = "ring8", loss_name = "ns", schedule = "cosine";
  int64_t steps = 20000, batch_size = 512, latent = 16, hidden = 128, layers = 2, pack = 2;
  int64_t critic_steps = 0;  // 0: the loss's default
  int64_t eval_every = 2000, eval_samples = 10000;
  double lr = 1e-3, beta1 = 0.5, beta2 = 0.999;
  double r1_gamma = -1;  // < 0: the loss's default
  RunFlags run{.out = "runs/gan2d"};
  CLI::App app{"Train a GAN on a 2-D Gaussian mixture and measure mode coverage.", "gan2d"};
  app.add_option("--data", data_name, "ring8 (8 Gaussians on a circle) or grid25 (5x5 grid)")
      ->check(CLI::IsMember({"ring8", "grid25"}))
      ->capture_default_str();
  app.add_option("--loss", loss_name, "ns (non-saturating), wgan-gp or hinge")
      ->check(CLI::IsMember({"ns", "wgan-gp", "hinge"}))
      ->capture_default_str();
  app.add_option("--r1", r1_gamma,
                 "Weight gamma of the R1 penalty gamma/2 E||grad_x D(x)||^2 on real points "
                 "(default: 0.1, or 0 for wgan-gp, which has its own penalty; 0 turns it off)")
      ->check(finite_in(0, 1000));
  app.add_option("--pack", pack,
                 "PacGAN packing: the critic scores this many points at once, side by side "
                 "(1: no packing); must divide --batch-size")
      ->check(CLI::Range(int64_t(1), int64_t(64)))
      ->capture_default_str();
  app.add_option("--steps", steps, "Generator steps (in total, when resuming)")
      ->check(CLI::Range(int64_t(1), kMaxSteps))
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "Points per step")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20))
      ->capture_default_str();
  app.add_option("--latent", latent, "Dimensions of z")
      ->check(CLI::Range(int64_t(1), int64_t(4096)))
      ->capture_default_str();
  app.add_option("--hidden", hidden, "Units in each hidden layer of G and D")
      ->check(CLI::Range(int64_t(1), int64_t(65536)))
      ->capture_default_str();
  app.add_option("--layers", layers, "Hidden layers in each of G and D")
      ->check(CLI::Range(int64_t(1), int64_t(16)))
      ->capture_default_str();
  app.add_option("--critic-steps", critic_steps,
                 "Critic steps per generator step (default: 1, or 5 for wgan-gp)")
      ->check(CLI::Range(int64_t(1), int64_t(100)));
  app.add_option("--lr-schedule", schedule,
                 "constant, or cosine: both learning rates decay to 0 over --steps")
      ->check(CLI::IsMember({"constant", "cosine"}))
      ->capture_default_str();
  app.add_option("--lr", lr, "Adam learning rate")
      ->check(finite_in(0, 1, /*low_open=*/true))
      ->capture_default_str();
  app.add_option("--beta1", beta1, "Adam beta1")
      ->check(finite_in(0, 0.999999))
      ->capture_default_str();
  app.add_option("--beta2", beta2, "Adam beta2")
      ->check(finite_in(0, 0.999999))
      ->capture_default_str();
  app.add_option("--eval-every", eval_every,
                 "Steps between monitors, scatter plots and checkpoints")
      ->check(CLI::Range(int64_t(1), int64_t(10000000)))
      ->capture_default_str();
  app.add_option("--eval-samples", eval_samples, "Generated points scored at each evaluation")
      ->check(CLI::Range(int64_t(100), int64_t(10000000)))
      ->capture_default_str();
  add_run_flags(app, run);
  // Runs inside parse, so a mismatch is a flag error like any other (one line, exit code 2).
  app.callback([&] {
    if (batch_size % pack != 0) {
      throw CLI::ValidationError("--pack", "packs of " + std::to_string(pack) +
                                               " do not divide "
                                               "--batch-size " +
                                               std::to_string(batch_size));
    }
  });
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  using enum RunSettings::OnResume;
  RunSettings settings(app);
  for (auto [flag, value] :
       {std::pair{"--data", &data_name}, {"--loss", &loss_name}, {"--lr-schedule", &schedule}}) {
    settings.add(flag, *value);
  }
  for (auto [flag, value] : {std::pair{"--pack", &pack},
                             {"--batch-size", &batch_size},
                             {"--latent", &latent},
                             {"--hidden", &hidden},
                             {"--layers", &layers},
                             {"--critic-steps", &critic_steps}}) {
    settings.add(flag, *value);
  }
  for (auto [flag, value] :
       {std::pair{"--r1", &r1_gamma}, {"--lr", &lr}, {"--beta1", &beta1}, {"--beta2", &beta2}}) {
    settings.add(flag, *value);
  }
  settings.add("--seed", run.seed);
  settings.add("--steps", steps, MayChange);  // but not under the cosine schedule, see below
  settings.add("--eval-every", eval_every, MayChange);
  settings.add("--eval-samples", eval_samples, MayChange);
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;

  return run_program("gan2d", [&] {
    setup_compute(run.threads);
    RunFolder folder("gan2d", run);
    const std::string checkpoint_path = folder.checkpoint();
    int64_t step = 0;
    if (run.resume) {
      const nn::Metadata saved = nn::load_safetensors(checkpoint_path).metadata;
      step = metadata_integer(saved, "step", checkpoint_path, 1, kMaxSteps);
      const std::vector<std::string> changes = settings.resume_from(saved, checkpoint_path);
      // The cosine schedule is a function of the run's length: changing --steps on resume would
      // silently switch to a different schedule.
      const std::string planned = settings.saved_value("--steps");
      if (schedule == "cosine" && !planned.empty() && planned != std::to_string(steps)) {
        throw UsageError("--steps: " + checkpoint_path + " was trained with --steps " + planned +
                         " under the cosine schedule, which depends on it; resume with the same "
                         "--steps (or leave it out)");
      }
      print_resume_line("gan2d", "resuming", checkpoint_path, "step " + std::to_string(step),
                        changes);
    }
    const GanLoss loss = parse_gan_loss(loss_name);
    if (critic_steps == 0) critic_steps = loss == GanLoss::WganGp ? 5 : 1;
    if (r1_gamma < 0) r1_gamma = loss == GanLoss::WganGp ? 0.0 : 0.1;
    MINIDL_CHECK(batch_size % pack == 0,
                 "--pack " << pack << " does not divide --batch-size " << batch_size);

    // --- the data: an endless stream of points from the mixture ---
    const metrics::GaussianMixture2d mixture =
        data_name == "ring8" ? metrics::ring8() : metrics::grid25();
    const double extent = data_name == "ring8" ? 3.0 : 6.0;  // scatter-plot axis limits

    // --- networks, by default G z-128-128-2 and D (2 pack)-128-128-1, ReLU ---
    Generator init(run.seed);
    GanNetworks gan;
    std::vector<int64_t> g_sizes{latent}, d_sizes{2 * pack};
    for (int64_t i = 0; i < layers; ++i) {
      g_sizes.push_back(hidden);
      d_sizes.push_back(hidden);
    }
    g_sizes.push_back(2);
    d_sizes.push_back(1);
    gan.generator = make_mlp(g_sizes, Activation::ReLU, false, init);
    gan.critic = make_mlp(d_sizes, Activation::ReLU, false, init);
    gan.r1_gamma = r1_gamma;
    gan.pack = pack;
    const optim::AdamOptions adam{.lr = lr, .betas = {beta1, beta2}};
    gan.generator_optimizer = std::make_unique<optim::Adam>(gan.generator->parameters(), adam);
    gan.critic_optimizer = std::make_unique<optim::Adam>(gan.critic->parameters(), adam);
    gan.loss = loss;
    gan.latent = latent;
    // Cosine decay (Loshchilov & Hutter) lets G settle on the modes instead of orbiting them.
    std::vector<std::unique_ptr<optim::LRScheduler>> schedules;
    if (schedule == "cosine") {
      schedules.push_back(
          std::make_unique<optim::CosineAnnealingLR>(*gan.generator_optimizer, steps));
      schedules.push_back(std::make_unique<optim::CosineAnnealingLR>(*gan.critic_optimizer, steps));
    }
    gan.critic_steps = critic_steps;
    Generator noise(run.seed + 1), data_stream(run.seed + 2);
    GanNoise draws = gan_noise(noise);
    Generator real_sample(run.seed + 3);
    const Tensor real_points = metrics::sample_mixture(mixture, 2000, real_sample);
    CheckpointParts parts{{{"generator", gan.generator.get()}, {"critic", gan.critic.get()}},
                          {{"generator_optimizer", gan.generator_optimizer.get()},
                           {"critic_optimizer", gan.critic_optimizer.get()}},
                          {}};
    for (size_t i = 0; i < schedules.size(); ++i) {
      parts.schedulers.emplace_back(i == 0 ? "generator_schedule" : "critic_schedule",
                                    schedules[i].get());
    }
    if (run.resume) {
      auto metadata = load_training_checkpoint(checkpoint_path, parts);
      generator_state_from_string(
          noise, require_metadata(metadata, "noise_generator", checkpoint_path), checkpoint_path);
      generator_state_from_string(data_stream,
                                  require_metadata(metadata, "data_generator", checkpoint_path),
                                  checkpoint_path);
    }
    std::printf(
        "gan2d: %s, loss %s, R1 gamma %g, pack %lld, %lld critic step(s) per generator "
        "step, batch %lld, lr %g (%s)\n",
        data_name.c_str(), loss_name.c_str(), r1_gamma, (long long)pack, (long long)critic_steps,
        (long long)batch_size, lr, schedule.c_str());
    std::fflush(stdout);  // before the progress lines on stderr, also when both go to one file

    data::CsvLogger metrics((fs::path(run.out) / "metrics.csv").string(),
                            {"step", "d_loss", "g_loss", "modes_covered", "high_quality_fraction",
                             "mode_kl", "seconds"},
                            {.resume = run.resume, .resume_after = double(step)});
    while (step < steps) {
      const int64_t interval_end = std::min(steps, (step / eval_every + 1) * eval_every);
      ProgressLine progress(
          "steps " + std::to_string(step + 1) + "-" + std::to_string(interval_end),
          interval_end - step);
      const auto start = std::chrono::steady_clock::now();
      double d_loss = 0, g_loss = 0;
      const int64_t first = step;
      // --- training: critic_steps critic updates on fresh real points, then one G update ---
      for (; step < interval_end; ++step) {
        const std::string where = "step " + std::to_string(step + 1);
        for (int64_t k = 0; k < critic_steps; ++k) {
          Tensor real = metrics::sample_mixture(mixture, batch_size, data_stream);
          const GanIteration iteration =
              gan_iteration(gan, real, /*generator_turn=*/k + 1 == critic_steps, draws);
          check_finite_loss(where, "D's loss", iteration.critic.loss);
          d_loss += iteration.critic.loss / double(critic_steps);
          if (iteration.generator_loss) {
            check_finite_loss(where, "G's loss", *iteration.generator_loss);
            g_loss += *iteration.generator_loss;
          }
        }
        for (auto& s : schedules) s->step();
        char text[64];
        std::snprintf(text, sizeof text, "D %.3f  G %.3f", d_loss / double(step - first + 1),
                      g_loss / double(step - first + 1));
        progress.update(step - first + 1, (step - first + 1) * batch_size, text);
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      d_loss /= double(step - first);
      g_loss /= double(step - first);

      // --- monitors: mode coverage and quality of fresh samples ---
      Generator eval_noise(run.seed + 4);
      Tensor points = generate(*gan.generator, eval_samples, latent, eval_noise);
      metrics::ModeMetrics modes = metrics::mode_metrics(points, mixture);
      char summary[160];
      std::snprintf(summary, sizeof summary,
                    "D %.3f G %.3f | modes %lld/%lld | high quality %.1f%% | mode KL %.3f", d_loss,
                    g_loss, (long long)modes.modes_covered, (long long)mixture.centres.size(0),
                    100 * modes.high_quality_fraction, modes.kl_from_uniform);
      progress.finish(summary);
      metrics.log({double(step), d_loss, g_loss, double(modes.modes_covered),
                   modes.high_quality_fraction, modes.kl_from_uniform, seconds});

      // The checkpoint before the picture: a failure drawing it must not cost the interval.
      std::map<std::string, std::string> metadata = settings.metadata();
      metadata["step"] = std::to_string(step);
      metadata["noise_generator"] = generator_state_to_string(noise);
      metadata["data_generator"] = generator_state_to_string(data_stream);
      save_training_checkpoint(checkpoint_path, parts, metadata);
      char name[64];
      std::snprintf(name, sizeof name, "scatter_step%06lld.png", (long long)step);
      data::write_scatter_png(
          (fs::path(run.out) / name).string(), real_points,
          points.narrow(0, 0, std::min<int64_t>(2000, points.size(0))),
          {.x_min = -extent, .x_max = extent, .y_min = -extent, .y_max = extent});
      data::plot_training_curves(
          (fs::path(run.out) / "metrics.csv").string(), (fs::path(run.out) / "curves.png").string(),
          {.x_column = "step",
           .panels =
               {{"d_loss", "g_loss"}, {"modes_covered"}, {"high_quality_fraction"}, {"mode_kl"}},
           .title = "2-D GAN (" + loss_name + ") on " + data_name});
    }
    Generator final_noise(run.seed + 5);
    data::write_npy((fs::path(run.out) / "samples.npy").string(),
                    generate(*gan.generator, eval_samples, latent, final_noise));
    return 0;
  });
}
