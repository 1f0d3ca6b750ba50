#include "examples/gan/gan_training.h"

#include "nn/activation.h"
#include "nn/linear.h"
#include "nn/losses.h"

namespace minidl::examples {

GanLoss parse_gan_loss(const std::string& name) {
  if (name == "ns") return GanLoss::NonSaturating;
  if (name == "wgan-gp") return GanLoss::WganGp;
  if (name == "hinge") return GanLoss::Hinge;
  MINIDL_FAIL("--loss: unknown loss '" << name << "' (choose ns, wgan-gp or hinge)");
}

std::string gan_loss_name(GanLoss loss) {
  switch (loss) {
    case GanLoss::NonSaturating:
      return "ns";
    case GanLoss::WganGp:
      return "wgan-gp";
    case GanLoss::Hinge:
      return "hinge";
  }
  return "?";
}

std::shared_ptr<nn::Sequential> make_mlp(const std::vector<int64_t>& sizes, Activation hidden,
                                         bool tanh_output, Generator& generator) {
  auto mlp = std::make_shared<nn::Sequential>();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    mlp->push_back(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1], true, generator));
    if (i + 2 < sizes.size()) {
      if (hidden == Activation::ReLU)
        mlp->push_back(std::make_shared<nn::ReLU>());
      else
        mlp->push_back(std::make_shared<nn::LeakyReLU>(0.2));
    }
  }
  if (tanh_output) mlp->push_back(std::make_shared<nn::Tanh>());
  return mlp;
}

Variable gradient_penalty(nn::Module& critic, const Tensor& real, const Tensor& fake,
                          const Tensor& eps) {
  const int64_t n = real.size(0);
  // x_hat is a leaf: the penalty differentiates D at these points, not through G.
  Variable x_hat(add(mul(eps, real), mul(1.0 - eps, fake)), true);
  Variable scores = critic(x_hat);
  GradOptions options;
  options.create_graph = true;
  Variable gradient = grad({sum(scores)}, {x_hat}, {}, options)[0];
  Variable norm = sqrt(sum(square(reshape(gradient, {n, -1})), {1}) + 1e-12);
  return mean(square(norm - 1.0));
}

Variable r1_penalty(const Variable& real, const Variable& real_scores, double gamma) {
  MINIDL_CHECK(real.requires_grad(), "r1_penalty: the real points must require grad");
  GradOptions options;
  options.create_graph = true;
  Variable gradient = grad({sum(real_scores)}, {real}, {}, options)[0];
  const int64_t n = real.data().size(0);
  return mean(sum(square(reshape(gradient, {n, -1})), {1})) * (0.5 * gamma);
}

namespace {

void check_pack(const Shape& shape, int64_t m) {
  MINIDL_CHECK(m >= 1, "pack_samples: pack size must be >= 1, got " << m);
  MINIDL_CHECK(!shape.empty() && shape[0] % m == 0,
               "pack_samples: " << (shape.empty() ? 0 : shape[0])
                                << " samples do not split into packs of " << m);
}

}  // namespace

Tensor pack_samples(const Tensor& x, int64_t m) {
  check_pack(x.shape(), m);
  return m == 1 ? x : x.reshape({x.size(0) / m, -1});
}

Variable pack_samples(const Variable& x, int64_t m) {
  check_pack(x.data().shape(), m);
  return m == 1 ? x : reshape(x, {x.data().size(0) / m, -1});
}

GanNoise gan_noise(Generator& generator, DType dtype) {
  return {.latent =
              [&generator, dtype](int64_t n, int64_t latent) {
                return randn({n, latent}, dtype, generator);
              },
          .penalty_mix =
              [&generator, dtype](const Shape& shape) {
                return uniform(shape, 0.0, 1.0, dtype, generator);
              }};
}

namespace {

double mean_of(const Tensor& t) { return mean(t).item(); }

// WGAN-GP's eps: one draw per sample, broadcast over its features.
Tensor penalty_mix(GanNoise& noise, const Tensor& real) {
  Shape shape(size_t(real.dim()), 1);
  shape[0] = real.size(0);
  return noise.penalty_mix(shape);
}

}  // namespace

CriticStep train_critic(GanNetworks& gan, const Tensor& real, const Tensor& fake_images,
                        GanNoise& noise) {
  // With R1 the real points are a leaf that requires grad: the penalty differentiates D there.
  Variable real_input(pack_samples(real, gan.pack), gan.r1_gamma > 0);
  const Tensor fake = pack_samples(fake_images, gan.pack);
  Variable real_scores, fake_scores;
  if (gan.r1_gamma > 0 || gan.separate_critic_passes) {
    // R1 differentiates the real scores with respect to the real points: two passes keep that
    // double-backward graph to the real half. Batch normalisation in the critic needs them too.
    real_scores = gan.critic->forward(real_input);
    fake_scores = gan.critic->forward(Variable(fake));
  } else {
    // One pass over real and fake together computes the same loss and gradients, with GEMMs twice
    // as tall (faster per row: the W3 critic's layers see 128 rows instead of 64) and the weight
    // gradients summed inside the GEMM rather than by an extra add.
    const int64_t rows = real_input.size(0);
    Variable scores = gan.critic->forward(concat({real_input, Variable(fake)}, 0));
    real_scores = narrow(scores, 0, 0, rows);
    fake_scores = narrow(scores, 0, rows, fake.size(0));
  }
  Variable loss;
  CriticStep step;
  switch (gan.loss) {
    case GanLoss::NonSaturating: {
      Variable ones(ones_like(real_scores.data())), zeros(zeros_like(fake_scores.data()));
      loss = nn::binary_cross_entropy_with_logits(real_scores, ones) +
             nn::binary_cross_entropy_with_logits(fake_scores, zeros);
      step.real_score = mean_of(sigmoid(real_scores.data()));
      step.fake_score = mean_of(sigmoid(fake_scores.data()));
      break;
    }
    case GanLoss::WganGp: {
      const Tensor eps = penalty_mix(noise, real_input.data());
      loss = mean(fake_scores) - mean(real_scores) +
             gradient_penalty(*gan.critic, real_input.data(), fake, eps) * gan.penalty_weight;
      break;
    }
    case GanLoss::Hinge:
      loss = mean(relu(1.0 - real_scores)) + mean(relu(1.0 + fake_scores));
      break;
  }
  if (gan.r1_gamma > 0) loss = loss + r1_penalty(real_input, real_scores, gan.r1_gamma);
  if (gan.loss != GanLoss::NonSaturating) {
    step.real_score = mean_of(real_scores.data());
    step.fake_score = mean_of(fake_scores.data());
  }
  gan.critic->zero_grad();
  loss.backward();
  if (gan.synchronize_critic) gan.synchronize_critic();
  gan.critic_optimizer->step();
  step.loss = loss.item();
  return step;
}

FreezeParameters::FreezeParameters(nn::Module& module) : parameters_(module.parameters()) {
  for (Variable& p : parameters_) p.set_requires_grad(false);
}

FreezeParameters::~FreezeParameters() {
  for (Variable& p : parameters_) p.set_requires_grad(true);
}

double train_generator(GanNetworks& gan, const Variable& fake) {
  FreezeParameters frozen(*gan.critic);
  Variable fake_scores = gan.critic->forward(pack_samples(fake, gan.pack));
  Variable loss = gan.loss == GanLoss::NonSaturating
                      ? nn::binary_cross_entropy_with_logits(
                            fake_scores, Variable(ones_like(fake_scores.data())))
                      : -mean(fake_scores);
  gan.generator->zero_grad();
  loss.backward();
  if (gan.synchronize_generator) gan.synchronize_generator();
  gan.generator_optimizer->step();
  return loss.item();
}

GanIteration gan_iteration(GanNetworks& gan, const Tensor& real, bool generator_turn,
                           GanNoise& noise) {
  const int64_t n = real.size(0);
  GanIteration result;
  if (gan.critic_steps == 1 && generator_turn) {
    // fake = G(z) once, with its graph: D learns from its values, then G learns through them.
    const Variable fake = gan.generator->forward(Variable(noise.latent(n, gan.latent)));
    result.critic = train_critic(gan, real, fake.data(), noise);
    result.generator_loss = train_generator(gan, fake);
    return result;
  }
  Tensor fake;
  {
    NoGradGuard no_grad;  // this critic step's fakes train nothing in G
    fake = gan.generator->forward(Variable(noise.latent(n, gan.latent))).data();
  }
  result.critic = train_critic(gan, real, fake, noise);
  if (generator_turn) {
    result.generator_loss =
        train_generator(gan, gan.generator->forward(Variable(noise.latent(n, gan.latent))));
  }
  return result;
}

Tensor generate(nn::Module& generator, int64_t n, int64_t latent, Generator& noise) {
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (int64_t begin = 0; begin < n; begin += 1000) {
    parts.push_back(generator(Variable(randn({std::min<int64_t>(1000, n - begin), latent},
                                             DType::Float32, noise)))
                        .data());
  }
  return concat(parts);
}

}  // namespace minidl::examples
