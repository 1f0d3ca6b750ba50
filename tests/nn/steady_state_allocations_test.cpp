// Training steps allocate no tensor storage once warm: every buffer a step needs comes back from
// the storage cache (tensor/storage.h), whether the parameters are flat or not. Shaped like the
// VAE (784-400-20 MLP, batch 128) and the MLP classifier (784-256-256-10, batch 128).
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;

namespace {

constexpr int64_t kBatch = 128;

// Storage allocations of each of `steps` calls of `step`.
std::vector<int64_t> allocations_per_step(const std::function<void()>& step, int steps) {
  std::vector<int64_t> out;
  for (int i = 0; i < steps; ++i) {
    const int64_t before = storage_allocation_count();
    step();
    out.push_back(storage_allocation_count() - before);
  }
  return out;
}

void expect_no_allocations_after_warm_up(const std::function<void()>& step) {
  if (!storage_cache_enabled()) GTEST_SKIP() << "sanitizer build: storage bypasses the cache";
  const std::vector<int64_t> counts = allocations_per_step(step, 5);
  EXPECT_GT(counts[0], 0);  // the first step does allocate: the count sees buffers
  for (size_t i = 2; i < counts.size(); ++i) EXPECT_EQ(counts[i], 0) << "step " << i + 1;
}

struct VaeShaped {
  Generator gen{1};
  std::shared_ptr<Linear> encoder = make<Linear>(784, 400, true, gen);
  std::shared_ptr<Linear> mu = make<Linear>(400, 20, true, gen);
  std::shared_ptr<Linear> logvar = make<Linear>(400, 20, true, gen);
  std::shared_ptr<Sequential> decoder =
      make<Sequential>(make<Linear>(20, 400, true, gen), make<ReLU>(), make<Linear>(400, 784, true, gen));
  std::shared_ptr<Sequential> all = make<Sequential>(encoder, mu, logvar, decoder);
  Tensor images = uniform({kBatch, 784}, 0, 1, DType::Float32, gen);

  void step(optim::Adam& adam) {
    Variable x(images);  // a fresh batch tensor each step, as the DataLoader gives
    Variable h = relu(encoder->forward(Variable(x.data().clone())));
    Variable m = mu->forward(h), lv = logvar->forward(h);
    Variable z = m + exp(lv * 0.5) * Variable(randn({kBatch, 20}, DType::Float32, gen));
    Variable loss = binary_cross_entropy_with_logits(decoder->forward(z), x, Reduction::Sum) +
                    gaussian_kl_standard_normal(m, lv, Reduction::Sum);
    (void)loss.item();
    all->zero_grad();
    loss.backward();
    adam.step();
  }
};

struct ClassifierShaped {
  Generator gen{2};
  std::shared_ptr<Sequential> model =
      make<Sequential>(make<Linear>(784, 256, true, gen), make<ReLU>(), make<Linear>(256, 256, true, gen),
                       make<ReLU>(), make<Linear>(256, 10, true, gen));
  Tensor images = uniform({kBatch, 784}, 0, 1, DType::Float32, gen);
  Tensor labels = randint(0, 10, {kBatch}, gen);

  void step(optim::Adam& adam) {
    Variable loss = cross_entropy(model->forward(Variable(images.clone())), labels.clone());
    (void)loss.item();
    model->zero_grad();
    loss.backward();
    adam.step();
  }
};

TEST(SteadyStateAllocations, VaeStepsAllocateNoStorageAfterWarmUp) {
  VaeShaped vae;
  optim::Adam adam(vae.all->parameters(), {.lr = 1e-3});
  expect_no_allocations_after_warm_up([&] { vae.step(adam); });
}

TEST(SteadyStateAllocations, VaeStepsWithFlatParametersAllocateNoStorageAfterWarmUp) {
  VaeShaped vae;
  vae.all->flatten_parameters();
  optim::Adam adam(vae.all->parameters(), {.lr = 1e-3});
  expect_no_allocations_after_warm_up([&] { vae.step(adam); });
}

TEST(SteadyStateAllocations, ClassifierStepsAllocateNoStorageAfterWarmUp) {
  ClassifierShaped classifier;
  optim::AdamW adam(classifier.model->parameters(), {.lr = 1e-3});
  expect_no_allocations_after_warm_up([&] { classifier.step(adam); });
}

}  // namespace
