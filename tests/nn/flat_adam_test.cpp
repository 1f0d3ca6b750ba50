// Adam over flat parameters (nn::Module::flatten_parameters): one pass per group over flat
// buffers, bit-identical to one pass per parameter, with checkpoints readable by either path.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;

namespace {

std::shared_ptr<Sequential> mlp(DType dtype) {
  Generator gen(11);
  auto model = make<Sequential>(make<Linear>(6, 9, true, gen), make<Tanh>(),
                                make<Linear>(9, 4, true, gen));
  for (Variable& p : model->parameters()) p.set_data(p.data().to(dtype));
  return model;
}

void train(Sequential& model, optim::Adam& adam, int steps, uint64_t seed) {
  Generator gen(seed);
  const DType dtype = model.parameters().front().dtype();
  for (int step = 0; step < steps; ++step) {
    Tensor x = uniform({5, 6}, -1, 1, dtype, gen), y = uniform({5, 4}, -1, 1, dtype, gen);
    model.zero_grad();
    mse_loss(model.forward(Variable(x)), Variable(y)).backward();
    adam.step();
  }
}

// Every parameter's bytes.
std::vector<std::vector<unsigned char>> bits(Sequential& model) {
  std::vector<std::vector<unsigned char>> out;
  for (const Variable& p : model.parameters()) {
    const Tensor t = p.data().contiguous();
    const auto* begin =
        static_cast<const unsigned char*>(t.storage()->data()) + t.offset() * t.element_size();
    out.emplace_back(begin, begin + t.numel() * int64_t(t.element_size()));
  }
  return out;
}

template <typename MakeAdam>
void expect_flat_equals_separate(DType dtype, MakeAdam make_adam) {
  auto separate = mlp(dtype), flat = mlp(dtype);
  flat->flatten_parameters();
  auto adam_separate = make_adam(separate->parameters());
  auto adam_flat = make_adam(flat->parameters());
  train(*separate, *adam_separate, 4, 3);
  train(*flat, *adam_flat, 4, 3);
  EXPECT_FALSE(adam_separate->stepped_flat());
  EXPECT_TRUE(adam_flat->stepped_flat());
  EXPECT_EQ(bits(*separate), bits(*flat));
}

TEST(FlatAdam, IsBitIdenticalToPerParameterAdam) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(dtype));
    expect_flat_equals_separate(dtype, [](std::vector<Variable> p) {
      return std::make_unique<optim::Adam>(p, optim::AdamOptions{.lr = 0.03});
    });
    expect_flat_equals_separate(dtype, [](std::vector<Variable> p) {
      return std::make_unique<optim::Adam>(p,
                                           optim::AdamOptions{.lr = 0.03, .weight_decay = 0.1});
    });
    expect_flat_equals_separate(dtype, [](std::vector<Variable> p) {
      return std::make_unique<optim::AdamW>(p,
                                            optim::AdamWOptions{.lr = 0.03, .weight_decay = 0.2});
    });
  }
}

// Three steps on one path, the state saved and loaded into the other, two more steps: the same
// bits as five steps on one path, in both directions.
TEST(FlatAdam, CheckpointsMoveBetweenFlatAndPerParameterAdam) {
  for (bool from_flat : {true, false}) {
    SCOPED_TRACE(from_flat ? "flat -> separate" : "separate -> flat");
    auto reference = mlp(DType::Float32);
    optim::Adam adam_reference(reference->parameters(), {.lr = 0.03});
    train(*reference, adam_reference, 3, 5);
    train(*reference, adam_reference, 2, 6);

    auto first = mlp(DType::Float32), second = mlp(DType::Float32);
    (from_flat ? first : second)->flatten_parameters();
    optim::Adam adam_first(first->parameters(), {.lr = 0.03});
    train(*first, adam_first, 3, 5);
    const TensorMap saved = adam_first.state_dict();
    const std::vector<Variable> from = first->parameters();
    std::vector<Variable> to = second->parameters();
    for (size_t i = 0; i < to.size(); ++i) {
      Tensor value = to[i].data();
      value.copy_(from[i].data());
    }
    optim::Adam adam_second(second->parameters(), {.lr = 0.03});
    adam_second.load_state_dict(saved);
    train(*second, adam_second, 2, 6);
    EXPECT_EQ(adam_second.stepped_flat(), !from_flat);
    EXPECT_EQ(bits(*second), bits(*reference));
  }
}

TEST(FlatAdam, SavesPerParameterStateNamesAndShapes) {
  auto separate = mlp(DType::Float32), flat = mlp(DType::Float32);
  flat->flatten_parameters();
  optim::Adam a(separate->parameters()), b(flat->parameters());
  train(*separate, a, 1, 1);
  train(*flat, b, 1, 1);
  const TensorMap sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_EQ(sa[i].second.shape(), sb[i].second.shape());
  }
}

TEST(FlatAdam, FallsBackWhenAParameterHasNoGradient) {
  auto model = mlp(DType::Float32);
  model->flatten_parameters();
  optim::Adam adam(model->parameters(), {.lr = 0.03});
  train(*model, adam, 1, 1);
  EXPECT_TRUE(adam.stepped_flat());
  model->zero_grad();  // grads undefined until a backward pass
  model->parameters()[0].set_grad(Variable(ones({9, 6})));
  adam.step();
  EXPECT_FALSE(adam.stepped_flat());
}

}  // namespace
