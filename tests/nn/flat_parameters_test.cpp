// Module::flatten_parameters: parameters and gradients in two flat buffers that persist across
// steps, with training results bit-identical to unflattened parameters.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;

namespace {

std::shared_ptr<Sequential> mlp(uint64_t seed) {
  Generator gen(seed);
  return make<Sequential>(make<Linear>(5, 7, true, gen), make<Tanh>(), make<Linear>(7, 3, true, gen));
}

// Five Adam steps on a fixed regression batch; returns every parameter's values.
std::vector<std::vector<float>> train(Sequential& model, bool flat) {
  if (flat) model.flatten_parameters();
  optim::Adam adam(model.parameters(), {.lr = 0.05, .weight_decay = 0.01});
  Generator gen(3);
  Tensor x = uniform({8, 5}, -1, 1, DType::Float32, gen);
  Tensor y = uniform({8, 3}, -1, 1, DType::Float32, gen);
  for (int step = 0; step < 5; ++step) {
    model.zero_grad();
    mse_loss(model.forward(Variable(x)), Variable(y)).backward();
    adam.step();
  }
  std::vector<std::vector<float>> out;
  for (const Variable& p : model.parameters()) out.push_back(p.data().to_vector<float>());
  return out;
}

TEST(FlatParameters, AdamStepsAreBitIdenticalToSeparateParameters) {
  auto a = mlp(1), b = mlp(1);
  EXPECT_EQ(train(*a, false), train(*b, true));
  EXPECT_TRUE(b->parameters_are_flat());
}

TEST(FlatParameters, ValuesAndGradientsAreSlicesOfTwoPersistentBuffers) {
  auto model = mlp(2);
  std::vector<std::vector<float>> before;
  for (const Variable& p : model->parameters()) before.push_back(p.data().to_vector<float>());
  model->flatten_parameters();
  const Tensor flat = model->flat_parameters();
  ASSERT_EQ(flat.numel(), model->parameter_count());
  int64_t offset = 0;
  size_t i = 0;
  for (const Variable& p : model->parameters()) {
    EXPECT_EQ(p.data().to_vector<float>(), before[i++]);
    EXPECT_EQ(flat.narrow(0, offset, p.numel()).to_vector<float>(), p.data().to_vector<float>());
    offset += p.numel();
  }
  Variable x(ones({4, 5}));
  for (int step = 0; step < 2; ++step) {
    model->zero_grad();
    EXPECT_EQ(sum(model->flat_gradients()).item(), 0.0);
    sum(model->forward(x)).backward();
    for (const Variable& p : model->parameters())
      EXPECT_TRUE(p.grad().data().shares_storage_with(model->flat_gradients()));
  }
  EXPECT_NE(sum(abs(model->flat_gradients())).item(), 0.0);
}

TEST(FlatParameters, ReplacingAValueDetachesItFromTheBuffer) {
  auto model = mlp(3);
  model->flatten_parameters();
  Variable w = model->parameters().front();
  w.set_data(w.data().clone());
  EXPECT_FALSE(model->parameters_are_flat());
  model->zero_grad();  // still works, parameter by parameter
  model->flatten_parameters();
  EXPECT_TRUE(model->parameters_are_flat());
}

TEST(FlatParameters, MixedDtypesAreAnError) {
  auto model = mlp(4);
  Variable w = model->parameters().front();
  w.set_data(w.data().to(DType::Float64));
  EXPECT_MINIDL_ERROR_CONTAINS(model->flatten_parameters(), "Sequential: flatten_parameters",
                               "cannot share one buffer");
}

}  // namespace
