#include "examples/vae/vae_model.h"

#include <cmath>
#include <numbers>

#include "nn/losses.h"

namespace minidl::examples {

VaeArch parse_vae_arch(const std::string& name) {
  if (name == "mlp") return VaeArch::Mlp;
  if (name == "conv") return VaeArch::Conv;
  MINIDL_FAIL("--arch: unknown architecture '" << name << "' (choose mlp or conv)");
}

Vae::Vae(VaeShape shape, Generator& generator) : shape_(shape) {
  MINIDL_CHECK(shape.input > 0 && shape.hidden > 0 && shape.latent > 0 && shape.channels > 0,
               "Vae: sizes must be positive, got input "
                   << shape.input << ", hidden " << shape.hidden << ", latent " << shape.latent
                   << ", channels " << shape.channels);
  if (shape.arch == VaeArch::Conv) {
    MINIDL_CHECK(shape.input == 28 * 28, "Vae: the conv architecture takes 28x28 images ("
                                             << 28 * 28 << " pixels), got " << shape.input);
    // Kernel 4, stride 2, padding 1 halves (or, transposed, doubles) the height and width.
    const nn::Conv2dOptions down{.stride = {2, 2}, .padding = {1, 1}};
    const nn::ConvTranspose2dOptions up{.stride = {2, 2}, .padding = {1, 1}};
    const int64_t c = shape.channels, features = conv_features();
    encoder_conv1_ = register_module(
        "encoder_conv1", std::make_shared<nn::Conv2d>(1, c, Size2{4, 4}, down, generator));
    encoder_conv2_ = register_module(
        "encoder_conv2", std::make_shared<nn::Conv2d>(c, 2 * c, Size2{4, 4}, down, generator));
    encoder_mu_ = register_module(
        "encoder_mu", std::make_shared<nn::Linear>(features, shape.latent, true, generator));
    encoder_logvar_ = register_module(
        "encoder_logvar", std::make_shared<nn::Linear>(features, shape.latent, true, generator));
    decoder_hidden_ = register_module(
        "decoder_hidden", std::make_shared<nn::Linear>(shape.latent, features, true, generator));
    decoder_conv1_ = register_module("decoder_conv1", std::make_shared<nn::ConvTranspose2d>(
                                                          2 * c, c, Size2{4, 4}, up, generator));
    decoder_conv2_ = register_module(
        "decoder_conv2", std::make_shared<nn::ConvTranspose2d>(c, 1, Size2{4, 4}, up, generator));
    return;
  }
  encoder_hidden_ = register_module(
      "encoder_hidden", std::make_shared<nn::Linear>(shape.input, shape.hidden, true, generator));
  encoder_mu_ = register_module(
      "encoder_mu", std::make_shared<nn::Linear>(shape.hidden, shape.latent, true, generator));
  encoder_logvar_ = register_module(
      "encoder_logvar", std::make_shared<nn::Linear>(shape.hidden, shape.latent, true, generator));
  decoder_hidden_ = register_module(
      "decoder_hidden", std::make_shared<nn::Linear>(shape.latent, shape.hidden, true, generator));
  decoder_output_ = register_module(
      "decoder_output", std::make_shared<nn::Linear>(shape.hidden, shape.input, true, generator));
}

int64_t Vae::conv_features() const { return 2 * shape_.channels * 7 * 7; }

std::string Vae::name() const {
  if (shape_.arch == VaeArch::Conv) {
    const int64_t c = shape_.channels;
    return "Vae(conv 1x28x28 -> " + std::to_string(c) + "x14x14 -> " + std::to_string(2 * c) +
           "x7x7 -> " + std::to_string(shape_.latent) + ")";
  }
  return "Vae(" + std::to_string(shape_.input) + " -> " + std::to_string(shape_.hidden) + " -> " +
         std::to_string(shape_.latent) + ")";
}

Vae::Posterior Vae::encode(const Variable& x) const {
  Variable h;
  if (shape_.arch == VaeArch::Conv) {
    h = reshape(x, {x.data().size(0), 1, 28, 28});
    h = relu(encoder_conv2_->forward(relu(encoder_conv1_->forward(h))));
    h = flatten(h, 1);  // [N, 2c*7*7]
  } else {
    h = relu(encoder_hidden_->forward(x));  // [N, hidden]
  }
  return {encoder_mu_->forward(h), encoder_logvar_->forward(h)};
}

Variable Vae::decode(const Variable& z) const {
  if (shape_.arch == VaeArch::Conv) {
    Variable h =
        reshape(relu(decoder_hidden_->forward(z)), {z.data().size(0), 2 * shape_.channels, 7, 7});
    h = decoder_conv2_->forward(relu(decoder_conv1_->forward(h)));  // [N, 1, 28, 28]
    return flatten(h, 1);                                           // [N, 784] logits
  }
  return decoder_output_->forward(relu(decoder_hidden_->forward(z)));  // [N, input] logits
}

Variable reparameterize(const Vae::Posterior& posterior, Generator& generator) {
  Variable eps(normal(posterior.mu.shape(), 0.0, 1.0, posterior.mu.dtype(), generator));
  return posterior.mu + exp(posterior.logvar * 0.5) * eps;
}

namespace {

NegativeElbo elbo_terms(const Variable& x, const Variable& logits,
                        const Vae::Posterior& posterior) {
  return {nn::binary_cross_entropy_with_logits(logits, x, nn::Reduction::Sum),
          nn::gaussian_kl_standard_normal(posterior.mu, posterior.logvar, nn::Reduction::Sum)};
}

}  // namespace

NegativeElbo negative_elbo(const Vae& vae, const Variable& x, Generator& generator) {
  Vae::Posterior posterior = vae.encode(x);
  return elbo_terms(x, vae.decode(reparameterize(posterior, generator)), posterior);
}

NegativeElbo negative_elbo(const Vae& vae, const Variable& x, const Tensor& eps) {
  Vae::Posterior posterior = vae.encode(x);
  return elbo_terms(x, vae.decode(posterior.mu + exp(posterior.logvar * 0.5) * Variable(eps)),
                    posterior);
}

KlTerms decompose_kl_terms(const Variable& z, const Vae::Posterior& posterior,
                           TcEstimator estimator, int64_t dataset_size) {
  const Vae::Posterior& q = posterior;
  MINIDL_CHECK(z.dim() == 2 && z.shape() == q.mu.shape() && z.shape() == q.logvar.shape(),
               "decompose_kl_terms: z, mu and logvar must be [M, D] of one shape, got "
                   << shape_str(z.shape()) << ", " << shape_str(q.mu.shape()) << ", "
                   << shape_str(q.logvar.shape()));
  const int64_t M = z.size(0);
  MINIDL_CHECK(M >= 2, "decompose_kl_terms: a batch of " << M << " has no other points");
  constexpr double kLogTwoPi = 1.8378770664093453;
  // log N(z_id; mu_jd, exp(logvar_jd)) for every pair (i, j) and dimension d: [M, M, D].
  const Variable zi = unsqueeze(z, 1), mu_j = unsqueeze(q.mu, 0), logvar_j = unsqueeze(q.logvar, 0);
  const Variable pairwise = (logvar_j + square(zi - mu_j) * exp(-logvar_j) + kLogTwoPi) * -0.5;
  // The weights of the batch's posteriors in q(z), as logs [M, M] (MWS: all log(1/M)).
  Tensor log_weights = full({M, M}, -std::log(double(M)), z.dtype());
  if (estimator == TcEstimator::MinibatchStratified) {
    MINIDL_CHECK(dataset_size >= M,
                 "decompose_kl_terms: the stratified estimator needs the data "
                 "set's size (at least the batch's "
                     << M << "), got " << dataset_size);
    const double N = double(dataset_size), others = double(M - 1);
    std::vector<double> w(size_t(M * M), 1.0 / others);
    const double stratified = (N - others) / (N * others);
    for (int64_t i = 0; i < M; ++i) {
      w[size_t(i * M + i)] = 1.0 / N;
      if (i + 1 < M) w[size_t(i * M + i + 1)] = stratified;
    }
    w[size_t((M - 1) * M)] = stratified;
    for (double& v : w) v = std::log(v);
    log_weights = from_vector(w, {M, M}).to(z.dtype());
  }
  const Variable own = sum((q.logvar + square(z - q.mu) * exp(-q.logvar) + kLogTwoPi) * -0.5, {1});
  const Variable log_qz = logsumexp(sum(pairwise, {2}) + Variable(log_weights), {1});  // [M]
  const Variable log_marginals =
      sum(logsumexp(pairwise + Variable(log_weights.unsqueeze(2)), {1}), {1});  // [M]
  const Variable log_prior = sum((square(z) + kLogTwoPi) * -0.5, {1});
  return {mean(own - log_qz), mean(log_qz - log_marginals), mean(log_marginals - log_prior)};
}

Variable tc_vae_loss(const Vae& vae, const Variable& x, Generator& generator, double tc_beta,
                     TcEstimator estimator, int64_t dataset_size, KlTerms* terms,
                     Variable* reconstruction) {
  const Vae::Posterior posterior = vae.encode(x);
  const Variable z = reparameterize(posterior, generator);
  const Variable recon = nn::binary_cross_entropy_with_logits(vae.decode(z), x, nn::Reduction::Sum);
  const KlTerms kl = decompose_kl_terms(z, posterior, estimator, dataset_size);
  if (terms) *terms = kl;
  if (reconstruction) *reconstruction = recon;
  const double M = double(x.data().size(0));
  return recon + (kl.index_code_mi + kl.total_correlation * tc_beta + kl.dimension_wise_kl) * M;
}

double importance_weighted_nll(const Vae& vae, const Tensor& images, int64_t samples,
                               Generator& generator, int64_t batch_size) {
  MINIDL_CHECK(samples >= 1, "importance_weighted_nll: need at least 1 sample, got " << samples);
  NoGradGuard no_grad;
  const double log_2pi = std::log(2.0 * std::numbers::pi);
  const int64_t n = images.size(0), latent = vae.shape().latent;
  double total = 0;
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t count = std::min(batch_size, n - begin);
    Variable x(images.narrow(0, begin, count));
    Vae::Posterior q = vae.encode(x);
    // log w_k for every image (rows) and sample (columns).
    Tensor log_weights = Tensor::empty({count, samples}, DType::Float64);
    for (int64_t k = 0; k < samples; ++k) {
      Tensor eps = normal({count, latent}, 0.0, 1.0, images.dtype(), generator);
      Tensor z = add(q.mu.data(), mul(exp(mul(q.logvar.data(), 0.5)), eps));
      Tensor logits = vae.decode(Variable(z)).data();
      // log p(x|z) = -BCE summed over pixels; log p(z) and log q(z|x) are Gaussian densities
      // (for q, (z - mu) / sigma is exactly eps).
      Tensor log_px = neg(
          sum(nn::binary_cross_entropy_with_logits(Variable(logits), x, nn::Reduction::None).data(),
              {1}));
      Tensor log_pz = mul(sum(add(mul(z, z), log_2pi), {1}), -0.5);
      Tensor log_qz = mul(sum(add(add(mul(eps, eps), q.logvar.data()), log_2pi), {1}), -0.5);
      log_weights.select(1, k).copy_(sub(add(log_px, log_pz), log_qz));
    }
    Tensor log_px_estimate = sub(logsumexp(log_weights, {1}), std::log(double(samples)));
    total -= sum(log_px_estimate).item();
  }
  return total / double(n);
}

}  // namespace minidl::examples
