// Every program's training step replayed against PyTorch, step by step. The fixtures
// (tests/examples/fixtures/trajectory_<case>.safetensors, written by make_trajectories.py with
// python3-torch) hold PyTorch's initial weights for narrow versions of each program's networks, a
// small data set, the batches, every random draw (z, WGAN-GP's eps, InfoGAN's codes, the VAE's
// eps) and what PyTorch computed over 20 steps: the losses of each step and fingerprints of every
// gradient and weight after it. minidl loads the same weights, is fed the same batches and draws,
// and takes the steps with the programs' own step functions (gan_iteration, infogan_iteration,
// train_classifier_step, the VAE's negative_elbo).
//
// Float64: every loss, gradient and weight fingerprint agrees to 1e-9 relative at every step.
// Float32: the same run with everything cast to float32 must stay within kFloat32Tolerance *
// (1 + step) of PyTorch's float64 trajectory, gradients measured against their network's whole
// gradient; a wrong step, a missed update or a different schedule moves the fingerprints by orders
// of magnitude more.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "examples/classifier/classifier_model.h"
#include "examples/dcgan/dcgan_networks.h"
#include "examples/gan/gan_training.h"
#include "examples/infogan/infogan_training.h"
#include "examples/vae/vae_model.h"
#include "nn/optim/adam.h"
#include "nn/safetensors.h"

using namespace minidl;
using namespace minidl::examples;

namespace {

constexpr int64_t kSteps = 20;
constexpr double kFloat64Tolerance = 1e-9;
constexpr double kFloat32Tolerance = 5e-4;
// A gradient whose norm is below this is rounding noise: a bias followed by batch normalisation has
// a gradient of exactly zero in exact arithmetic (the normalisation removes any shift), and each
// side computes its own noise there (1e-16 in float64, 1e-8 in float32). Such gradients are
// compared on this absolute scale.
double noise_floor(DType dtype) { return dtype == DType::Float64 ? 1e-12 : 1e-5; }

class Fixture {
 public:
  explicit Fixture(const std::string& name) {
    const std::string path =
        MINIDL_SOURCE_DIR "/tests/examples/fixtures/trajectory_" + name + ".safetensors";
    for (auto& [key, value] : nn::load_safetensors(path).tensors) tensors_.emplace(key, value);
  }
  const Tensor& operator[](const std::string& key) const {
    auto it = tensors_.find(key);
    if (it == tensors_.end()) throw std::runtime_error("trajectory fixture has no " + key);
    return it->second;
  }

 private:
  std::map<std::string, Tensor> tensors_;
};

// The draws of one kind, handed out in the order the run made them.
class Draws {
 public:
  Draws(const Tensor& all, DType dtype) : all_(all.to(dtype)) {}
  Tensor next(const Shape& shape) {
    if (next_ >= all_.size(0)) throw std::runtime_error("trajectory: more draws than PyTorch made");
    Tensor draw = all_.select(0, next_++).contiguous();
    if (draw.shape() != shape) {
      throw std::runtime_error("trajectory: a draw of " + shape_str(shape) +
                               " where PyTorch drew " + shape_str(draw.shape()));
    }
    return draw;
  }
  int64_t used() const { return next_; }

 private:
  Tensor all_;
  int64_t next_ = 0;
};

using Networks = std::vector<std::pair<std::string, nn::Module*>>;

void load_initial_weights(const Fixture& f, const Networks& networks, DType dtype) {
  for (auto& [net, module] : networks) {
    for (auto& [name, parameter] : module->named_parameters()) {
      const Tensor& init = f["init." + net + "." + name];
      ASSERT_EQ(init.shape(), parameter.data().shape()) << net << "." << name;
      parameter.set_data(init.to(dtype).clone());
    }
  }
}

// (sum of squares, dot with two fixed patterns), as make_trajectories.py computes them.
std::array<double, 3> fingerprint(const Tensor& t) {
  const Tensor flat = t.to(DType::Float64).contiguous().reshape({-1});
  const double* x = flat.data<double>();
  std::array<double, 3> out{0, 0, 0};
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double p1 = double(i * 7919 % 1999) / 999.5 - 1.0;
    const double p2 = double(i * 104729 % 2003) / 1001.5 - 1.0;
    out[0] += x[i] * x[i];
    out[1] += x[i] * p1;
    out[2] += x[i] * p2;
  }
  return out;
}

class Trajectory {
 public:
  Trajectory(const Fixture& f, Networks networks, DType dtype)
      : f_(f), networks_(std::move(networks)), dtype_(dtype) {}

  double tolerance(int64_t step) const {
    return dtype_ == DType::Float64 ? kFloat64Tolerance : kFloat32Tolerance * double(1 + step);
  }

  // Compares step `step`'s losses (NaN: not computed by this step) and every fingerprint; stops
  // the test at the first step that differs, naming it.
  void check(int64_t step, const std::vector<double>& losses,
             const std::set<std::string>& updated) {
    const double tol = tolerance(step);
    const Tensor expected_losses = f_["losses"].select(0, step).to(DType::Float64).contiguous();
    ASSERT_EQ(int64_t(losses.size()), expected_losses.numel());
    for (size_t j = 0; j < losses.size(); ++j) {
      const double e = expected_losses.data<double>()[j];
      if (std::isnan(e)) {
        ASSERT_TRUE(std::isnan(losses[j]))
            << "step " << step + 1 << ": loss " << j << " computed where PyTorch computed none";
        continue;
      }
      ASSERT_NEAR(losses[j], e, tol * std::max(1.0, std::abs(e)))
          << "step " << step + 1 << ": loss " << j;
      worst_ = std::max(worst_, std::abs(losses[j] - e) / std::max(1.0, std::abs(e)));
    }
    for (auto& [net, module] : networks_) {
      // In float32 a gradient is compared on the scale of its network's whole gradient: a small
      // tensor whose value is a sum that nearly cancels (the last layer's single bias) carries
      // float32's rounding at the scale of the terms, not of the sum.
      double network_gradient = 0;
      if (dtype_ == DType::Float32 && updated.count(net)) {
        for (auto& [name, parameter] : module->named_parameters()) {
          network_gradient += f_["grad." + net + "." + name].select(0, step).to_vector<double>()[0];
        }
        network_gradient = std::sqrt(network_gradient);
      }
      for (auto& [name, parameter] : module->named_parameters()) {
        const std::string key = net + "." + name;
        if (updated.count(net)) {
          ASSERT_TRUE(parameter.grad().defined())
              << "step " << step + 1 << ": no gradient for " << key;
          if (compare(step, "gradient of " + key, fingerprint(parameter.grad().data()),
                      f_["grad." + key], parameter.data().numel(), tol, noise_floor(dtype_),
                      network_gradient)) {
            noise_only_.insert(key);
          }
        }
        // Adam turns a noise gradient g into a step of lr g / (|g| + 1e-8): 1e-12 in float64, about
        // lr in float32, different on each side. Such a bias has no effect on any output (the
        // normalisation after it removes it), so its weight is not compared.
        if (noise_only_.count(key)) continue;
        compare(step, "weight " + key, fingerprint(parameter.data()), f_["weight." + key],
                parameter.data().numel(), tol, 0.0);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }

  double worst() const { return worst_; }

 private:
  // Returns whether the expected tensor is below `floor` (rounding noise; a weight's floor is 0).
  // Differences are relative to the tensor's norm, or to `scale` when that is larger.
  bool compare(int64_t step, const std::string& what, const std::array<double, 3>& actual,
               const Tensor& table, int64_t numel, double tol, double floor, double scale = 0) {
    const Tensor row = table.select(0, step).to(DType::Float64).contiguous();
    const double* e = row.data<double>();
    EXPECT_FALSE(std::isnan(e[0])) << "step " << step + 1 << ": PyTorch did not update " << what;
    if (e[0] == 0) {  // an untouched zero tensor (a bias before G's first update)
      EXPECT_EQ(actual[0], 0.0) << "step " << step + 1 << ": " << what << " is not zero";
      return false;
    }
    if (std::sqrt(e[0]) < floor) {  // noise on both sides, or a real gradient where none should be
      EXPECT_LT(std::sqrt(actual[0]), floor)
          << "step " << step + 1 << ": " << what << " is not zero as PyTorch's is";
      return true;
    }
    const double norm = std::max(std::sqrt(e[0]), scale);
    // |dot| <= ||x|| ||p|| <= ||x|| sqrt(n): the dots are compared on that scale.
    const double errors[3] = {std::abs(actual[0] - e[0]) / (norm * norm),
                              std::abs(actual[1] - e[1]) / (norm * std::sqrt(double(numel))),
                              std::abs(actual[2] - e[2]) / (norm * std::sqrt(double(numel)))};
    for (int i = 0; i < 3; ++i) {
      worst_ = std::max(worst_, errors[i]);
      EXPECT_LE(errors[i], tol) << "step " << step + 1 << ": " << what << ", fingerprint " << i
                                << ": minidl " << actual[i] << ", PyTorch " << e[i];
    }
    return false;
  }

  const Fixture& f_;
  Networks networks_;
  DType dtype_;
  std::set<std::string> noise_only_;  // parameters whose gradient is rounding noise
  double worst_ = 0;
};

Tensor batch_rows(const Fixture& f, const std::string& key, int64_t step, DType dtype) {
  const Tensor rows = f["batches"].select(0, step).contiguous();
  const Tensor all = f[key];
  const Tensor picked = index_select(all, 0, rows);
  return all.dtype() == DType::Int64 ? picked : picked.to(dtype);
}

// --- GAN programs: gan (MLP), dcgan; non-saturating and WGAN-GP -------------------------------
struct GanCase {
  std::string name;
  bool convolutional;
  GanLoss loss;
  int64_t critic_steps;
  double lr, beta1, beta2;
};

void PrintTo(const GanCase& c, std::ostream* os) { *os << c.name; }

void run_gan(const GanCase& c, DType dtype) {
  const Fixture f(c.name);
  Generator init(0);  // overwritten by PyTorch's weights
  GanNetworks gan;
  const int64_t latent = 8;
  if (c.convolutional) {  // as examples/dcgan.cpp builds them, narrower
    const DcganWidths widths{.features = 16, .channels = 4};
    const bool wgan = c.loss == GanLoss::WganGp;
    gan.generator = make_dcgan_generator(latent, init, widths);
    gan.critic = make_dcgan_critic(wgan ? CriticNorm::Layer : CriticNorm::Batch, init, widths);
    gan.separate_critic_passes = !wgan;
  } else {  // as examples/gan.cpp, on 7x7 images
    gan.generator = make_mlp({latent, 16, 16, 49}, Activation::LeakyReLU, true, init);
    gan.critic = make_mlp({49, 16, 8, 1}, Activation::LeakyReLU, false, init);
  }
  const Networks networks{{"generator", gan.generator.get()}, {"critic", gan.critic.get()}};
  load_initial_weights(f, networks, dtype);
  const optim::AdamOptions adam{.lr = c.lr, .betas = {c.beta1, c.beta2}};
  gan.generator_optimizer = std::make_unique<optim::Adam>(gan.generator->parameters(), adam);
  gan.critic_optimizer = std::make_unique<optim::Adam>(gan.critic->parameters(), adam);
  gan.loss = c.loss;
  gan.latent = latent;
  gan.critic_steps = c.critic_steps;

  Draws latents(f["noise.latent"], dtype);
  std::optional<Draws> mixes;
  if (c.loss == GanLoss::WganGp) mixes.emplace(f["noise.penalty_mix"], dtype);
  GanNoise noise{.latent =
                     [&](int64_t n, int64_t dims) {
                       return latents.next({n, dims});
                     },
                 .penalty_mix = [&](const Shape& shape) { return mixes->next(shape); }};
  Trajectory trajectory(f, networks, dtype);
  for (int64_t step = 0; step < kSteps; ++step) {
    const bool generator_turn = (step + 1) % c.critic_steps == 0;
    const GanIteration it =
        gan_iteration(gan, batch_rows(f, "data.x", step, dtype), generator_turn, noise);
    std::set<std::string> updated{"critic"};
    if (it.generator_loss) updated.insert("generator");
    trajectory.check(step, {it.critic.loss, it.generator_loss.value_or(std::nan(""))}, updated);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_EQ(latents.used(), f["noise.latent"].size(0)) << "every z PyTorch drew was used";
  std::printf("%s %s: worst relative difference %.3g\n", c.name.c_str(),
              dtype == DType::Float64 ? "float64" : "float32", trajectory.worst());
}

const GanCase kGanCases[] = {
    {"gan", false, GanLoss::NonSaturating, 1, 2e-4, 0.5, 0.999},
    {"gan_wgan_gp", false, GanLoss::WganGp, 5, 1e-4, 0.0, 0.9},
    {"dcgan", true, GanLoss::NonSaturating, 1, 2e-4, 0.5, 0.999},
    {"dcgan_wgan_gp", true, GanLoss::WganGp, 5, 1e-4, 0.0, 0.9},
};

// --- infogan
// --------------------------------------------------------------------------------------
void run_infogan(DType dtype) {
  const Fixture f("infogan");
  Generator init(0);
  InfoGanTraining t;
  t.codes = InfoCodes{.categories = 3, .continuous = 2, .continuous_weight = 0.1};
  t.noise = 6;
  t.networks = make_infogan_networks(t.noise, t.codes, init, {.features = 16, .channels = 4}, 8);
  InfoGanNetworks& n = t.networks;
  const Networks networks{{"generator", n.generator.get()},
                          {"body", n.body.get()},
                          {"d_head", n.d_head.get()},
                          {"q_head", n.q_head.get()}};
  load_initial_weights(f, networks, dtype);
  // As examples/infogan.cpp: D at 2e-4, Q's head and G at 1e-3, betas (0.5, 0.999).
  const std::pair<double, double> betas{0.5, 0.999};
  t.discriminator_optimizer = std::make_unique<optim::Adam>(
      n.discriminator->parameters(), optim::AdamOptions{.lr = 2e-4, .betas = betas});
  t.q_optimizer = std::make_unique<optim::Adam>(n.q_head->parameters(),
                                                optim::AdamOptions{.lr = 1e-3, .betas = betas});
  t.generator_optimizer = std::make_unique<optim::Adam>(
      n.generator->parameters(), optim::AdamOptions{.lr = 1e-3, .betas = betas});
  Trajectory trajectory(f, networks, dtype);
  for (int64_t step = 0; step < kSteps; ++step) {
    // The codes as PyTorch drew them, in the run's dtype (float32 in the program).
    LatentBatch latent;
    latent.codes.categorical = f["noise.categorical"].select(0, step).contiguous();
    latent.codes.continuous = f["noise.continuous"].select(0, step).to(dtype).contiguous();
    latent.input =
        generator_input(f["noise.latent"].select(0, step).to(dtype), latent.codes, t.codes);
    const auto [d, g] = infogan_iteration(t, batch_rows(f, "data.x", step, dtype), latent);
    trajectory.check(step, {d.gan_loss, d.info_loss, g.gan_loss, g.info_loss},
                     {"generator", "body", "d_head", "q_head"});
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("infogan %s: worst relative difference %.3g\n",
              dtype == DType::Float64 ? "float64" : "float32", trajectory.worst());
}

// --- vae (mlp, conv): the step of examples/vae.cpp ----------------------------------------------
void run_vae(const std::string& name, VaeArch arch, DType dtype) {
  const Fixture f(name);
  Generator init(0);
  Vae vae(VaeShape{.input = arch == VaeArch::Conv ? 784 : 49,
                   .hidden = 16,
                   .latent = 4,
                   .arch = arch,
                   .channels = 2},
          init);
  const Networks networks{{"model", &vae}};
  load_initial_weights(f, networks, dtype);
  optim::Adam adam(vae.parameters(), {.lr = 1e-3});
  Draws eps(f["noise.eps"], dtype);
  Trajectory trajectory(f, networks, dtype);
  for (int64_t step = 0; step < kSteps; ++step) {
    const Variable x(batch_rows(f, "data.x", step, dtype));
    NegativeElbo terms = negative_elbo(vae, x, eps.next({x.data().size(0), 4}));
    Variable loss = terms.total(1.0);
    vae.zero_grad();
    loss.backward();
    adam.step();
    trajectory.check(step, {terms.reconstruction.item(), terms.kl.item()}, {"model"});
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("%s %s: worst relative difference %.3g\n", name.c_str(),
              dtype == DType::Float64 ? "float64" : "float32", trajectory.worst());
}

// --- classifier (mlp, conv): train_classifier_step
// ------------------------------------------------
void run_classifier(const std::string& name, ClassifierArch arch, DType dtype) {
  const Fixture f(name);
  Generator init(0);
  Classifier classifier(ClassifierShape{.input = arch == ClassifierArch::Conv ? 784 : 49,
                                        .hidden = 16,
                                        .classes = 10,
                                        .arch = arch,
                                        .channels = 2},
                        init);
  const Networks networks{{"model", &classifier}};
  load_initial_weights(f, networks, dtype);
  optim::Adam adam(classifier.parameters(), {.lr = 1e-3});
  Trajectory trajectory(f, networks, dtype);
  for (int64_t step = 0; step < kSteps; ++step) {
    const ClassifierStep s =
        train_classifier_step(classifier, adam, batch_rows(f, "data.x", step, dtype),
                              batch_rows(f, "data.y", step, dtype), "trajectory");
    trajectory.check(step, {s.loss}, {"model"});
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("%s %s: worst relative difference %.3g\n", name.c_str(),
              dtype == DType::Float64 ? "float64" : "float32", trajectory.worst());
}

}  // namespace

class GanTrajectory : public ::testing::TestWithParam<GanCase> {};

TEST_P(GanTrajectory, Float64MatchesPyTorchAtEveryStep) { run_gan(GetParam(), DType::Float64); }
TEST_P(GanTrajectory, Float32StaysWithinItsTolerance) { run_gan(GetParam(), DType::Float32); }

INSTANTIATE_TEST_SUITE_P(Programs, GanTrajectory, ::testing::ValuesIn(kGanCases),
                         [](const auto& info) { return info.param.name; });

TEST(InfoGanTrajectory, Float64MatchesPyTorchAtEveryStep) { run_infogan(DType::Float64); }
TEST(InfoGanTrajectory, Float32StaysWithinItsTolerance) { run_infogan(DType::Float32); }

TEST(VaeTrajectory, MlpFloat64MatchesPyTorchAtEveryStep) {
  run_vae("vae", VaeArch::Mlp, DType::Float64);
}
TEST(VaeTrajectory, MlpFloat32StaysWithinItsTolerance) {
  run_vae("vae", VaeArch::Mlp, DType::Float32);
}
TEST(VaeTrajectory, ConvFloat64MatchesPyTorchAtEveryStep) {
  run_vae("vae_conv", VaeArch::Conv, DType::Float64);
}
TEST(VaeTrajectory, ConvFloat32StaysWithinItsTolerance) {
  run_vae("vae_conv", VaeArch::Conv, DType::Float32);
}

TEST(ClassifierTrajectory, MlpFloat64MatchesPyTorchAtEveryStep) {
  run_classifier("classifier", ClassifierArch::Mlp, DType::Float64);
}
TEST(ClassifierTrajectory, MlpFloat32StaysWithinItsTolerance) {
  run_classifier("classifier", ClassifierArch::Mlp, DType::Float32);
}
TEST(ClassifierTrajectory, ConvFloat64MatchesPyTorchAtEveryStep) {
  run_classifier("classifier_conv", ClassifierArch::Conv, DType::Float64);
}
TEST(ClassifierTrajectory, ConvFloat32StaysWithinItsTolerance) {
  run_classifier("classifier_conv", ClassifierArch::Conv, DType::Float32);
}
