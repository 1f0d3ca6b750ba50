#include "examples/vae/vae_model.h"

#include <cmath>
#include <numbers>

#include "nn/losses.h"

namespace minidl::examples {

Vae::Vae(VaeShape shape, Generator& generator) : shape_(shape) {
  MINIDL_CHECK(shape.input > 0 && shape.hidden > 0 && shape.latent > 0,
               "Vae: sizes must be positive, got input " << shape.input << ", hidden "
                                                         << shape.hidden << ", latent "
                                                         << shape.latent);
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

std::string Vae::name() const {
  return "Vae(" + std::to_string(shape_.input) + " -> " + std::to_string(shape_.hidden) + " -> " +
         std::to_string(shape_.latent) + ")";
}

Vae::Posterior Vae::encode(const Variable& x) const {
  Variable h = relu(encoder_hidden_->forward(x));  // [N, hidden]
  return {encoder_mu_->forward(h), encoder_logvar_->forward(h)};
}

Variable Vae::decode(const Variable& z) const {
  return decoder_output_->forward(relu(decoder_hidden_->forward(z)));  // [N, input] logits
}

Variable reparameterize(const Vae::Posterior& posterior, Generator& generator) {
  Variable eps(normal(posterior.mu.shape(), 0.0, 1.0, posterior.mu.dtype(), generator));
  return posterior.mu + exp(posterior.logvar * 0.5) * eps;
}

NegativeElbo negative_elbo(const Vae& vae, const Variable& x, Generator& generator) {
  Vae::Posterior posterior = vae.encode(x);
  Variable logits = vae.decode(reparameterize(posterior, generator));
  return {nn::binary_cross_entropy_with_logits(logits, x, nn::Reduction::Sum),
          nn::gaussian_kl_standard_normal(posterior.mu, posterior.logvar, nn::Reduction::Sum)};
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
      Tensor log_px = neg(sum(nn::binary_cross_entropy_with_logits(Variable(logits), x,
                                                                   nn::Reduction::None)
                                  .data(),
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
