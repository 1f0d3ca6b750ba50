#include "examples/infogan/infogan_training.h"

#include "examples/gan/gan_training.h"
#include "metrics/histogram.h"
#include "metrics/matching.h"
#include "metrics/mutual_information.h"
#include "nn/losses.h"

namespace minidl::examples {

LatentBatch sample_latent(int64_t n, int64_t noise, const InfoCodes& codes, Generator& gen) {
  LatentBatch batch;
  const Tensor z = randn({n, noise}, DType::Float32, gen);
  batch.codes = sample_codes(n, codes, gen);
  batch.input = generator_input(z, batch.codes, codes);
  return batch;
}

namespace {

Variable bce(const Variable& logits, double target) {
  return nn::binary_cross_entropy_with_logits(logits, Variable(full_like(logits.data(), target)));
}

double mean_sigmoid(const Variable& logits) { return mean(sigmoid(logits.data())).item(); }

void record_information(InfoGanStep& step, const InformationTerms& info) {
  step.info_loss = info.loss.item();
  step.categorical_bound = info.categorical_bound;
  step.continuous_bound = info.continuous_bound;
}

}  // namespace

InfoGanStep train_discriminator(InfoGanTraining& t, const Tensor& real, const LatentBatch& latent,
                                const Tensor& fake) {
  InfoGanNetworks& n = t.networks;
  // Real and fake in separate passes: the body's batch normalisation must not mix them.
  const Variable real_logits = (*n.d_head)((*n.body)(Variable(real)));
  const Variable fake_features = (*n.body)(Variable(fake));
  const Variable fake_logits = (*n.d_head)(fake_features);
  const InformationTerms info =
      information_terms((*n.q_head)(fake_features), latent.codes, t.codes);
  const Variable gan_loss = bce(real_logits, 1.0) + bce(fake_logits, 0.0);
  const Variable loss = gan_loss + info.loss * t.info_weight;
  n.discriminator->zero_grad();
  n.q_head->zero_grad();
  loss.backward();
  if (t.synchronize_discriminator) t.synchronize_discriminator();
  if (t.synchronize_q) t.synchronize_q();
  t.discriminator_optimizer->step();
  t.q_optimizer->step();
  InfoGanStep step;
  step.gan_loss = gan_loss.item();
  step.real_score = mean_sigmoid(real_logits);
  step.fake_score = mean_sigmoid(fake_logits);
  record_information(step, info);
  return step;
}

InfoGanStep train_generator(InfoGanTraining& t, const LatentBatch& latent, const Variable& fake) {
  InfoGanNetworks& n = t.networks;
  FreezeParameters frozen_discriminator(*n.discriminator), frozen_q(*n.q_head);
  const Variable features = (*n.body)(fake);
  const Variable logits = (*n.d_head)(features);
  const InformationTerms info = information_terms((*n.q_head)(features), latent.codes, t.codes);
  const Variable gan_loss = bce(logits, 1.0);
  const Variable loss = gan_loss + info.loss * t.info_weight;
  n.generator->zero_grad();
  loss.backward();
  if (t.synchronize_generator) t.synchronize_generator();
  t.generator_optimizer->step();
  InfoGanStep step;
  step.gan_loss = gan_loss.item();
  step.fake_score = mean_sigmoid(logits);
  record_information(step, info);
  return step;
}

InfoGanIteration infogan_iteration(InfoGanTraining& t, const Tensor& real,
                                   const LatentBatch& latent) {
  const Variable fake = t.networks.generator->forward(Variable(latent.input));
  InfoGanIteration iteration;
  iteration.discriminator = train_discriminator(t, real, latent, fake.data());
  iteration.generator = train_generator(t, latent, fake);
  return iteration;
}

Tensor generate_images(nn::Module& generator, const Tensor& input) {
  NoGradGuard no_grad;
  generator.eval();
  std::vector<Tensor> parts;
  for (int64_t begin = 0; begin < input.size(0); begin += 1000) {
    const int64_t rows = std::min<int64_t>(1000, input.size(0) - begin);
    parts.push_back(generator(Variable(input.narrow(0, begin, rows))).data());
  }
  generator.train();
  return concat(parts);
}

Tensor code_sweep_input(const Tensor& z, const InfoCodes& codes, int64_t swept, int64_t rows,
                        int64_t columns) {
  MINIDL_CHECK(z.dim() == 2 && z.size(0) == 1 && rows >= 1 && rows <= codes.categories &&
                   columns >= 2 && swept >= 0 && swept < codes.continuous,
               "code_sweep_input: needs z [1, noise], 1 to " << codes.categories << " rows, "
                                                             << "2 or more columns and a "
                                                             << "continuous code below "
                                                             << codes.continuous);
  const int64_t n = rows * columns;
  std::vector<int64_t> categorical(size_t(n), 0);
  std::vector<float> continuous(size_t(n * codes.continuous), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < columns; ++j) {
      const int64_t i = r * columns + j;
      categorical[size_t(i)] = r;
      continuous[size_t(i * codes.continuous + swept)] =
          float(-2.0 + 4.0 * double(j) / double(columns - 1));
    }
  }
  CodeSample sample;
  sample.categorical = from_vector(categorical, {n});
  sample.continuous = from_vector(continuous, {n, codes.continuous});
  return generator_input(z.expand({n, z.size(1)}).contiguous(), sample, codes);
}

CodeAgreement code_agreement(const Tensor& categorical, const Tensor& probabilities,
                             int64_t categories) {
  const int64_t classes = probabilities.size(1);
  const Tensor predicted = argmax(probabilities, 1);
  // Bin k holds the integer k: [k, k + 1).
  const Tensor joint = metrics::joint_histogram(
      categorical, predicted, {.count = categories, .low = 0, .high = double(categories)},
      {.count = classes, .low = 0, .high = double(classes)});
  return {.mutual_information = metrics::mutual_information(joint),
          .accuracy = metrics::best_code_matching(joint).accuracy};
}

}  // namespace minidl::examples
