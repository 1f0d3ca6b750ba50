// vae: trains a variational autoencoder on Fashion-MNIST (or MNIST, or a folder of images) and
// leaves its samples, reconstructions, metrics and checkpoint in an output folder.
//
//   build/examples/vae                      # 10 epochs on Fashion-MNIST, output in runs/vae
//   build/examples/vae --latent 2 --epochs 20 --out runs/vae2d    # adds a latent-manifold grid
//   build/examples/vae --resume             # continue from runs/vae/checkpoint.safetensors
//   build/examples/vae --eval-only --iw-samples 100               # -log p(x) bound of a model
//   build/examples/vae --arch conv --out runs/vae-conv   # convolutional encoder and decoder
//   build/examples/vae --betas 0.25,0.5,1,2,4 --out runs/sweep  # rate-distortion curve
//   build/examples/vae --data dsprites --latent 10 --beta 4 --mig  # codes against known factors
//   build/examples/vae --data dsprites --latent 10 --tc-beta 6 --mig   # beta-TCVAE
//   mpirun -np 2 build/examples/vae --batch-size 64              # data-parallel,
//   docs/distributed.md
//
// Read it top to bottom: flags, data, model, then the epoch loop (one training step is
// negative_elbo -> backward -> Adam step), evaluation, pictures and the checkpoint. main() runs
// that once, or once per beta of --betas (examples/vae/rate_distortion.h).
#include <cmath>
#include <filesystem>
#include <numbers>
#include <optional>

#include "data/data.h"
#include "examples/common/parallel.h"
#include "examples/common/program.h"
#include "examples/common/progress.h"
#include "examples/common/run_folder.h"
#include "examples/common/run_settings.h"
#include "examples/common/training_checkpoint.h"
#include "examples/vae/disentanglement.h"
#include "examples/vae/rate_distortion.h"
#include "examples/vae/vae_model.h"
#include "metrics/latent_information.h"
#include "nn/optim/adam.h"
#include "nn/safetensors.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;
namespace fs = std::filesystem;

namespace {

// --epochs' upper bound, and so the largest epoch a checkpoint may claim.
constexpr int64_t kMaxEpochs = 100000;

struct Flags : RunFlags {  // plus --seed, --threads, --out, --resume, --overwrite
  Flags() { out = "runs/vae"; }
  std::string data = "fashion-mnist";  // fashion-mnist, mnist, folder, dsprites, color-shapes
  std::string arch = "mlp";            // mlp or conv
  std::string data_dir;
  int64_t epochs = 10;
  int64_t batch_size = 128;
  int64_t latent = 20;
  int64_t hidden = 400;
  double lr = 1e-3;
  double beta = 1.0;
  std::string betas;  // a sweep: one run per beta, each in its own sub-folder of out
  bool eval_only = false;
  int64_t iw_samples = 0;
  int64_t analyse = 0;  // test images whose KL term is taken apart at the end (0: off)
  int64_t limit = 0;    // train on the first `limit` images only (0: all)
  bool mig = false;     // at the end, the mutual information gap (generated data sets only)
  double tc_beta = 0;   // beta-TCVAE's weight of the total correlation (0: off)
  std::string tc_estimator = "mws";  // mws (minibatch-weighted) or mss (minibatch-stratified)
};

struct Dataset {
  Tensor train, test;  // float32 [N, pixels] in [0, 1]
  int64_t channels = 1, height = 28, width = 28;
  Tensor test_factors;  // int64 [N, K]: the generated data sets' factor values, else undefined
  std::vector<data::Factor> factors;
};

// The generated data sets are drawn, not read: 20,000 training images (or --limit) and 2,000 test
// images, each uniformly from every combination of the factors, from seeds of their own.
constexpr int64_t kGeneratedTrain = 20000, kGeneratedTest = 2000;

Dataset load_dataset(const Flags& flags) {
  Dataset d;
  if (flags.data == "fashion-mnist" || flags.data == "mnist") {
    // The model takes 28x28 images: the files' headers are checked against that before their
    // bodies are decompressed, and only the first --limit training images are read.
    auto load = [&](data::Split split, int64_t limit) {
      const data::IdxLoadOptions options{.limit = limit, .height = 28, .width = 28};
      return flags.data == "mnist" ? data::load_mnist(split, flags.data_dir, options)
                                   : data::load_fashion_mnist(split, flags.data_dir, options);
    };
    d.train = load(data::Split::Train, flags.limit).images;
    d.test = load(data::Split::Test, 0).images;
  } else if (flags.data == "dsprites" || flags.data == "color-shapes") {
    const data::Shapes shapes(data::parse_shapes_kind(flags.data));
    MINIDL_CHECK(flags.arch == "mlp",
                 "--data " << flags.data << " has 64x64 images; --arch conv takes 28x28 ones "
                           << "(use --arch mlp)");
    d.channels = shapes.channels();
    d.height = d.width = data::Shapes::kSize;
    d.train =
        shapes.sample(flags.limit > 0 ? flags.limit : kGeneratedTrain, 1000 + flags.seed).images;
    const data::FactorImages test = shapes.sample(kGeneratedTest, 2000 + flags.seed);
    d.test = test.images;
    d.test_factors = test.factors;
    d.factors = shapes.factors();
  } else {  // an image folder: grayscale 28x28, the last tenth held out as the test set
    MINIDL_CHECK(!flags.data_dir.empty(), "--data folder needs --data-dir PATH");
    data::ImageFolderOptions options;
    options.image = {.channels = 1, .height = 28, .width = 28};
    options.labelled = false;
    data::ImageFolder folder(flags.data_dir, options);
    std::vector<int64_t> every(static_cast<size_t>(folder.size()));
    for (size_t i = 0; i < every.size(); ++i) every[i] = int64_t(i);
    Tensor all = folder.get_batch(every).inputs.reshape({folder.size(), 28 * 28});
    const int64_t n = all.size(0), test = std::max<int64_t>(1, n / 10);
    MINIDL_CHECK(n >= 2,
                 "--data-dir " << flags.data_dir << ": need at least 2 images, found " << n);
    d.train = all.narrow(0, 0, n - test);
    d.test = all.narrow(0, n - test, test);
  }
  if (flags.limit > 0 && flags.limit < d.train.size(0)) d.train = d.train.narrow(0, 0, flags.limit);
  return d;
}

// -ELBO per image over a whole split, one z sample per image (from a fixed seed, so evaluations
// of the same model agree).
struct Evaluation {
  double nelbo = 0, reconstruction = 0, kl = 0;
};

// The KL term of the first `count` images split into I(x; z), total correlation and dimension-wise
// KL (metrics/latent_information.h), with the active units, printed in nats per image.
metrics::KlDecomposition analyse_kl(const Vae& vae, const Tensor& images, int64_t count,
                                    uint64_t seed) {
  NoGradGuard no_grad;
  const int64_t n = std::min(count, images.size(0));
  std::vector<Tensor> means, logvars;
  for (int64_t first = 0; first < n; first += 1000) {
    const Vae::Posterior q =
        vae.encode(Variable(images.narrow(0, first, std::min<int64_t>(1000, n - first))));
    means.push_back(q.mu.data().to(DType::Float64));
    logvars.push_back(q.logvar.data().to(DType::Float64));
  }
  Generator gen(seed);
  const metrics::KlDecomposition k = metrics::decompose_kl(concat(means), concat(logvars), gen);
  std::printf(
      "vae: KL term on %lld test images %.2f nats = I(x;z) %.2f + total correlation %.2f + "
      "dimension-wise KL %.2f (sum %.2f +- %.2f); active units %lld of %zu\n",
      (long long)n, k.kl, k.index_code_mi, k.total_correlation, k.dimension_wise_kl,
      k.index_code_mi + k.total_correlation + k.dimension_wise_kl, k.standard_error,
      (long long)k.active_units, k.mean_variance.size());
  return k;
}

Evaluation evaluate(const Vae& vae, const Tensor& images, uint64_t seed) {
  NoGradGuard no_grad;
  Generator noise(seed);
  Evaluation e;
  for (int64_t begin = 0; begin < images.size(0); begin += 1000) {
    Variable x(images.narrow(0, begin, std::min<int64_t>(1000, images.size(0) - begin)));
    NegativeElbo terms = negative_elbo(vae, x, noise);
    e.reconstruction += terms.reconstruction.item();
    e.kl += terms.kl.item();
  }
  e.reconstruction /= double(images.size(0));
  e.kl /= double(images.size(0));
  e.nelbo = e.reconstruction + e.kl;
  return e;
}

Tensor as_images(const Tensor& flat, const Dataset& d) {
  return flat.reshape({flat.size(0), d.channels, d.height, d.width});
}

// Pictures after each epoch: decodes of a fixed set of z (so epochs can be compared), test
// inputs over their reconstructions, and, for a 2-d latent space, the decoded manifold.
void write_pictures(const Vae& vae, const Dataset& d, const Tensor& fixed_z, int64_t epoch,
                    const fs::path& out) {
  NoGradGuard no_grad;
  char name[64];
  std::snprintf(name, sizeof name, "samples_epoch%02lld.png", (long long)epoch);
  Tensor samples = sigmoid(vae.decode(Variable(fixed_z)).data());
  data::write_image_grid((out / name).string(), as_images(samples, d), 8, 8);

  // Rows alternate: up to 8 test images, then their reconstructions (decoded posterior means);
  // up to 4 such pairs, fewer when the test set is small (a folder's held-out tenth).
  const int64_t cols = std::min<int64_t>(8, d.test.size(0));
  const int64_t pairs = std::min<int64_t>(4, d.test.size(0) / cols);
  Tensor inputs = d.test.narrow(0, 0, pairs * cols);
  Tensor reconstructions = sigmoid(vae.decode(vae.encode(Variable(inputs)).mu).data());
  std::vector<Tensor> rows;
  for (int64_t r = 0; r < pairs; ++r) {
    rows.push_back(inputs.narrow(0, cols * r, cols));
    rows.push_back(reconstructions.narrow(0, cols * r, cols));
  }
  data::write_image_grid((out / "reconstructions.png").string(), as_images(concat(rows), d),
                         2 * pairs, cols);

  if (vae.shape().latent == 2) {
    // z on a 20 x 20 grid of the prior's quantiles, so equal areas of the picture hold equal
    // probability mass: z = Phi^-1(p) = sqrt(2) erfinv(2p - 1), found by bisection on erf.
    const int64_t n = 20;
    Tensor z = Tensor::empty({n * n, 2});
    auto quantile = [](double p) {
      double lo = -10, hi = 10;
      for (int i = 0; i < 100; ++i) {
        double mid = 0.5 * (lo + hi);
        (0.5 * (1 + std::erf(mid / std::numbers::sqrt2)) < p ? lo : hi) = mid;
      }
      return 0.5 * (lo + hi);
    };
    float* p = z.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        p[2 * (i * n + j)] = float(quantile((double(j) + 0.5) / double(n)));
        p[2 * (i * n + j) + 1] = float(quantile(1.0 - (double(i) + 0.5) / double(n)));
      }
    }
    Tensor manifold = sigmoid(vae.decode(Variable(z)).data());
    data::write_image_grid((out / "latent_manifold.png").string(), as_images(manifold, d), n, n);
  }
}

// What one run leaves for main(): the final test evaluation and, with --analyse, its KL term
// taken apart.
struct RunResult {
  Evaluation test;
  metrics::KlDecomposition kl{};
  int64_t analysed = 0;  // test images in kl (0: not analysed)
};

// One run into flags.out: trains (or, with --eval-only, evaluates) and reports on the test set.
// `settings` refers to fields of `flags`, and --resume may set them from the checkpoint.
RunResult train_and_evaluate(Flags& flags, RunSettings& settings) {
  const fs::path out = flags.out;
  // --eval-only reads the folder and writes nothing, so it takes neither the lock nor the guard.
  // Under mpirun rank 0 owns the folder; the others wait for its checks, then read from it.
  std::optional<RunFolder> folder;
  if (!flags.eval_only && is_main_rank()) folder.emplace("vae", flags);
  wait_for_ranks();
  const std::string checkpoint_path = (out / RunFolder::kCheckpoint).string();
  int64_t saved_epoch = 0;
  if (flags.resume || flags.eval_only) {
    MINIDL_CHECK(
        fs::exists(checkpoint_path),
        checkpoint_path << ": no checkpoint to " << (flags.eval_only ? "evaluate" : "resume from"));
    const nn::SafetensorsFile file = nn::load_safetensors(checkpoint_path);
    std::vector<std::pair<std::string, Shape>> tensors;
    for (const auto& [name, tensor] : file.tensors) tensors.emplace_back(name, tensor.shape());
    check_written_by("vae", file.metadata, tensors, checkpoint_path);
    const nn::Metadata& saved = file.metadata;
    saved_epoch = metadata_integer(saved, "epoch", checkpoint_path, 1, kMaxEpochs);
    const std::vector<std::string> changes = settings.resume_from(saved, checkpoint_path);
    print_resume_line("vae", flags.eval_only ? "evaluating" : "resuming", checkpoint_path,
                      "epoch " + std::to_string(saved_epoch), changes);
  }
  // Also what only the end of the run or a --betas sweep reads: a rank with another list of betas
  // would train a run of its own after the others have finished.
  check_same_settings_on_every_rank(settings, {{"--resume", flags.resume ? "on" : "off"},
                                               {"--eval-only", flags.eval_only ? "on" : "off"},
                                               {"--out", flags.out},
                                               {"--betas", flags.betas},
                                               {"--iw-samples", std::to_string(flags.iw_samples)},
                                               {"--analyse", std::to_string(flags.analyse)}});

  // --- data ---
  Dataset d = load_dataset(flags);
  MINIDL_CHECK(!flags.mig || d.test_factors.defined(),
               "--mig needs a data set with known factors (--data dsprites or color-shapes)");
  const int64_t pixels = d.train.size(1);
  std::printf("vae: %lld training and %lld test images of %lldx%lld, output in %s\n",
              (long long)d.train.size(0), (long long)d.test.size(0), (long long)d.height,
              (long long)d.width, out.c_str());

  const TcEstimator tc_estimator = flags.tc_estimator == "mss" ? TcEstimator::MinibatchStratified
                                                               : TcEstimator::MinibatchWeighted;

  // --- model, optimizer, random streams ---
  Generator init(flags.seed);
  Vae vae({pixels, flags.hidden, flags.latent, parse_vae_arch(flags.arch)}, init);
  GradientAverager averager(vae);
  optim::Adam adam(vae.parameters(), optim::AdamOptions{.lr = flags.lr});
  // The reparameterisation's eps, saved in checkpoints; each rank draws its own.
  Generator noise(flags.seed + 1 + 1000003 * uint64_t(rank()));
  data::DataLoader loader(
      d.train, Tensor(),
      sharded({.batch_size = flags.batch_size, .shuffle = true, .seed = flags.seed + 2}));
  Generator sample_generator(flags.seed + 3);
  const Tensor fixed_z = randn({64, flags.latent}, DType::Float32, sample_generator);
  CheckpointParts parts{{{"model", &vae}}, {{"optimizer", &adam}}, {}};

  if (flags.resume || flags.eval_only) {
    auto metadata = load_training_checkpoint(checkpoint_path, parts);
    generator_state_from_string(
        noise, require_metadata(metadata, per_rank_key("noise_generator", rank()), checkpoint_path),
        checkpoint_path);
    loader.load_state(
        data::DataLoaderState::from_string(require_metadata(metadata, "loader", checkpoint_path)));
    MINIDL_CHECK(loader.epoch() == saved_epoch,
                 checkpoint_path << ": metadata epoch " << saved_epoch << " but the loader's state "
                                 << "is at epoch " << loader.epoch());
  }
  std::cout << vae;

  if (!flags.eval_only) {
    std::optional<data::CsvLogger> metrics;
    if (is_main_rank()) {
      metrics.emplace(
          (out / "metrics.csv").string(),
          std::vector<std::string>{"epoch", "train_nelbo", "train_reconstruction", "train_kl",
                                   "test_nelbo", "test_reconstruction", "test_kl", "seconds"},
          data::CsvLoggerOptions{.resume = flags.resume, .resume_after = double(loader.epoch())});
    }
    // --- the epoch loop ---
    for (int64_t epoch = loader.epoch() + 1; epoch <= flags.epochs; ++epoch) {
      vae.train();
      ProgressLine progress("epoch " + std::to_string(epoch) + "/" + std::to_string(flags.epochs),
                            loader.batches_per_epoch());
      const auto start = std::chrono::steady_clock::now();
      double reconstruction_sum = 0, kl_sum = 0;
      int64_t seen = 0, step = 0;
      while (std::optional<data::Batch> batch = loader.next()) {
        // One training step: -ELBO summed over the batch (beta-VAE: the KL term weighted by
        // beta; beta-TCVAE: its total-correlation part weighted by tc_beta), backward, Adam.
        Variable x(batch->inputs);
        Variable loss;
        double reconstruction = 0, kl = 0;
        if (flags.tc_beta > 0) {
          KlTerms parts;
          Variable recon;
          loss = tc_vae_loss(vae, x, noise, flags.tc_beta, tc_estimator, d.train.size(0), &parts,
                             &recon);
          reconstruction = recon.item();
          kl = (parts.index_code_mi + parts.total_correlation + parts.dimension_wise_kl).item() *
               double(batch->size());
        } else {
          NegativeElbo terms = negative_elbo(vae, x, noise);
          reconstruction = terms.reconstruction.item(), kl = terms.kl.item();
          loss = terms.total(flags.beta);
        }
        const std::string where =
            "epoch " + std::to_string(epoch) + ", step " + std::to_string(step + 1);
        check_finite_loss(where, "the reconstruction term", reconstruction);
        check_finite_loss(where, "the KL term", kl);
        // The loss sums over the batch; averaging the ranks' gradients would divide that sum
        // by the number of ranks, so each rank's share is scaled back up first.
        if (is_parallel()) loss = loss * double(ranks());
        vae.zero_grad();
        loss.backward();
        averager.synchronize();
        adam.step();

        reconstruction_sum += reconstruction;
        kl_sum += kl;
        seen += batch->size();
        char text[64];
        std::snprintf(text, sizeof text, "-ELBO %.2f",
                      (reconstruction_sum + kl_sum) / double(seen));
        progress.update(++step, seen * ranks(), text);
      }
      reconstruction_sum = sum_over_ranks(reconstruction_sum);
      kl_sum = sum_over_ranks(kl_sum);
      seen = int64_t(sum_over_ranks(double(seen)));
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

      vae.eval();
      Evaluation test = evaluate(vae, d.test, flags.seed + 4);
      const std::string where = "the evaluation after epoch " + std::to_string(epoch);
      check_finite_loss(where, "the test reconstruction term", test.reconstruction);
      check_finite_loss(where, "the test KL term", test.kl);
      const double train_reconstruction = reconstruction_sum / double(seen);
      const double train_kl = kl_sum / double(seen);
      char summary[160];
      std::snprintf(summary, sizeof summary,
                    "train -ELBO %.2f | test -ELBO %.2f (reconstruction %.2f, KL %.2f) nats/image",
                    train_reconstruction + train_kl, test.nelbo, test.reconstruction, test.kl);
      progress.finish(summary);
      const std::vector<std::string> noise_states =
          gather_from_ranks(generator_state_to_string(noise));
      if (!is_main_rank()) continue;
      // Before the row: an epoch whose state cannot be saved leaves no row behind.
      check_finite_state(parts, checkpoint_path);
      metrics->log({double(epoch), train_reconstruction + train_kl, train_reconstruction, train_kl,
                    test.nelbo, test.reconstruction, test.kl, seconds});

      // The checkpoint before the pictures: a failure drawing them must not cost the epoch.
      std::map<std::string, std::string> metadata = settings.metadata();
      metadata[kProgramKey] = "vae";
      metadata["epoch"] = std::to_string(epoch);
      for (int r = 0; r < ranks(); ++r)
        metadata[per_rank_key("noise_generator", r)] = noise_states[size_t(r)];
      metadata["loader"] = loader.state().to_string();
      save_training_checkpoint(checkpoint_path, parts, metadata);
      write_pictures(vae, d, fixed_z, epoch, out);
      data::plot_training_curves(
          (out / "metrics.csv").string(), (out / "curves.png").string(),
          {.x_column = "epoch",
           .panels = {{"train_nelbo", "test_nelbo"}, {"test_reconstruction"}, {"test_kl"}},
           .title = "VAE on " + flags.data + ": negative ELBO (nats/image)"});
    }
  }

  // --- final evaluation ---
  vae.eval();
  Evaluation test = evaluate(vae, d.test, flags.seed + 4);
  std::printf("vae: test negative ELBO %.2f nats/image (reconstruction %.2f, KL %.2f)\n",
              test.nelbo, test.reconstruction, test.kl);
  if (flags.iw_samples > 0) {
    Generator iw(flags.seed + 5);
    const double nll = importance_weighted_nll(vae, d.test, flags.iw_samples, iw);
    std::printf("vae: test -log p(x) <= %.2f nats/image (importance-weighted bound, K = %lld)\n",
                nll, (long long)flags.iw_samples);
  }
  RunResult result{.test = test};
  if (flags.mig) {
    if (is_main_rank()) {
      report_disentanglement(vae, d.test, d.test_factors, d.factors,
                             {d.channels, d.height, d.width}, out, flags.seed + 7);
    }
  }
  if (flags.analyse > 0) {
    result.kl = analyse_kl(vae, d.test, flags.analyse, flags.seed + 6);
    result.analysed = std::min(flags.analyse, d.test.size(0));
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  start_ranks(&argc, &argv);
  Flags flags;
  CLI::App app{
      "Train a variational autoencoder (784-400-20 MLP by default, or convolutional) on "
      "Fashion-MNIST.",
      "vae"};
  app.add_option("--data", flags.data,
                 "Data set: fashion-mnist, mnist, folder, or the generated dsprites and "
                 "color-shapes (64x64, known factors; 20,000 training images or --limit)")
      ->check(CLI::IsMember({"fashion-mnist", "mnist", "folder", "dsprites", "color-shapes"}))
      ->capture_default_str();
  app.add_option("--data-dir", flags.data_dir,
                 "Where the data set is (default: /usr/share/datasets/fashion-mnist, or "
                 "$MINIDL_FASHION_MNIST_DIR / $MINIDL_MNIST_DIR); required for --data folder");
  app.add_option("--epochs", flags.epochs, "Epochs to train (in total, when resuming)")
      ->check(CLI::Range(int64_t(1), kMaxEpochs))
      ->capture_default_str();
  app.add_option("--batch-size", flags.batch_size,
                 "Images per training step (per rank under mpirun)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20))
      ->capture_default_str();
  app.add_option("--latent", flags.latent, "Latent dimensions (2 adds latent_manifold.png)")
      ->check(CLI::Range(int64_t(1), int64_t(4096)))
      ->capture_default_str();
  app.add_option("--arch", flags.arch,
                 "mlp, or conv: Conv2d(1, 32, 4, 2, 1) -> ReLU -> Conv2d(32, 64, 4, 2, 1) -> ReLU "
                 "-> Linear encoder and its ConvTranspose2d mirror as decoder")
      ->check(CLI::IsMember({"mlp", "conv"}))
      ->capture_default_str();
  app.add_option("--hidden", flags.hidden, "Hidden units of encoder and decoder (mlp)")
      ->check(CLI::Range(int64_t(1), int64_t(65536)))
      ->capture_default_str();
  app.add_option("--lr", flags.lr, "Adam learning rate")
      ->check(finite_in(0, 1, /*low_open=*/true))
      ->capture_default_str();
  CLI::Option* beta_option =
      app.add_option("--beta", flags.beta,
                     "Weight of the KL term (1 is the ELBO; beta-VAE otherwise)")
          ->check(finite_in(0, 1000))
          ->capture_default_str();
  CLI::Option* betas_option =
      app.add_option(
             "--betas", flags.betas,
             "A rate-distortion sweep, e.g. 0.25,0.5,1,2,4: one model per beta in "
             "<out>/beta_<B>/, then <out>/rate_distortion.csv and .png (rate = test KL, "
             "distortion = test reconstruction, nats/image, with I(x;z) of --analyse N test "
             "images, default 10000)")
          ->check(betas_list())
          ->excludes(beta_option);
  CLI::Option* tc_beta_option =
      app.add_option("--tc-beta", flags.tc_beta,
                     "beta-TCVAE: weight of the total correlation in the KL term, estimated on "
                     "each batch (Chen et al. 2018); 0: off")
          ->check(finite_in(0, 1000))
          ->excludes(beta_option)
          ->excludes(betas_option);
  app.add_option("--tc-estimator", flags.tc_estimator,
                 "beta-TCVAE's estimator of q(z): mws (minibatch-weighted) or mss "
                 "(minibatch-stratified)")
      ->check(CLI::IsMember({"mws", "mss"}))
      ->capture_default_str()
      ->needs(tc_beta_option);
  add_run_flags(app, flags);
  app.add_flag("--eval-only", flags.eval_only,
               "Evaluate <out>/checkpoint.safetensors on the test set and exit");
  app.add_option("--iw-samples", flags.iw_samples,
                 "At the end, also estimate -log p(x) with the importance-weighted bound using "
                 "this many samples per image (0: off)")
      ->check(CLI::Range(int64_t(0), int64_t(100000)))
      ->capture_default_str();
  app.add_option("--analyse", flags.analyse,
                 "At the end, split the KL term of this many test images into I(x;z), total "
                 "correlation and dimension-wise KL, and count the active units (0: off; "
                 "quadratic in N: 10000 takes tens of seconds)")
      ->check(CLI::Range(int64_t(0), int64_t(100000)))
      ->capture_default_str();
  app.add_flag("--mig", flags.mig,
               "At the end, the mutual information gap between the code and the known factors "
               "(dsprites, color-shapes): mutual_information.csv and .png, traversals.png");
  add_limit_flag(app, flags.limit);
  // What a resumed run must agree on with its checkpoint (flags left out are taken from it).
  using enum RunSettings::OnResume;
  RunSettings settings(app);
  settings.add("--data", flags.data);
  settings.add("--arch", flags.arch);
  // The same Fashion-MNIST files may have moved; under --data folder the folder is the data set.
  settings.add("--data-dir", flags.data_dir,
               [&flags] { return flags.data == "folder" ? MustMatch : MayChange; });
  settings.add("--limit", flags.limit);
  settings.add("--batch-size", flags.batch_size);
  settings.add("--latent", flags.latent);
  settings.add("--hidden", flags.hidden);
  settings.add("--lr", flags.lr);
  settings.add("--beta", flags.beta);
  settings.add("--tc-beta", flags.tc_beta);
  settings.add("--tc-estimator", flags.tc_estimator);
  settings.add("--seed", flags.seed);
  settings.add("--epochs", flags.epochs, MayChange);  // train for longer (or stop sooner)
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;

  return run_program("vae", [&] {
    setup_compute(flags.threads);
    if (app.count("--betas") == 0) {
      train_and_evaluate(flags, settings);
      return 0;
    }
    // The sweep: I(x; z) of every point needs --analyse, on the whole test set unless told.
    if (app.count("--analyse") == 0) flags.analyse = 10000;
    if (flags.analyse == 0) {
      throw UsageError("--betas needs --analyse N > 0: each point reports I(x;z) of N test images");
    }
    const fs::path sweep_out = flags.out;
    // Each beta's run sets the fields that `settings` refers to, so its checkpoint records its own
    // --beta and --out.
    run_rate_distortion_sweep(
        "vae", parse_betas(flags.betas), sweep_out,
        [&](double beta, const fs::path& folder) {
          flags.beta = beta;
          flags.out = folder.string();
          const RunResult run = train_and_evaluate(flags, settings);
          return RateDistortionPoint{.beta = beta,
                                     .rate = run.test.kl,
                                     .distortion = run.test.reconstruction,
                                     .kl = run.kl,
                                     .analysed = run.analysed};
        },
        is_main_rank());
    return 0;
  });
}
