// Integration: one Linear + cross_entropy step against gradients computed by hand, and a small
// MLP that learns the two-spirals problem (not linearly separable) to >= 98% accuracy.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::values;

TEST(Training, LinearCrossEntropyStepMatchesGradientsComputedByHand) {
  // x [N=2, in=3], W [C=3, in=3], b [3], targets [2, 0].
  const double x[2][3] = {{1.0, -2.0, 0.5}, {0.0, 1.0, 3.0}};
  const double w[3][3] = {{0.1, 0.2, -0.3}, {-0.5, 0.4, 0.0}, {0.3, -0.1, 0.2}};
  const double b[3] = {0.01, -0.02, 0.03};
  const int target[2] = {2, 0};

  // By hand: logits z = x W^T + b, p = softmax(z), loss = mean_i -log p[i][t_i],
  // dL/dz = (p - one_hot) / N, dL/dW = dz^T x, dL/db = sum_i dz[i], dL/dx = dz W.
  double dz[2][3], loss = 0;
  for (int i = 0; i < 2; ++i) {
    double z[3], total = 0;
    for (int c = 0; c < 3; ++c) {
      z[c] = b[c];
      for (int k = 0; k < 3; ++k) z[c] += x[i][k] * w[c][k];
      total += std::exp(z[c]);
    }
    loss += (std::log(total) - z[target[i]]) / 2;
    for (int c = 0; c < 3; ++c) dz[i][c] = (std::exp(z[c]) / total - (c == target[i])) / 2;
  }
  double dw[3][3] = {}, db[3] = {}, dx[2][3] = {};
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 2; ++i) {
      db[c] += dz[i][c];
      for (int k = 0; k < 3; ++k) {
        dw[c][k] += dz[i][c] * x[i][k];
        dx[i][k] += dz[i][c] * w[c][k];
      }
    }
  }

  Linear layer(3, 3);
  layer.weight.set_data(
      tensor({{0.1, 0.2, -0.3}, {-0.5, 0.4, 0.0}, {0.3, -0.1, 0.2}}, DType::Float64));
  layer.bias.set_data(tensor({0.01, -0.02, 0.03}, DType::Float64));
  Variable input(tensor({{1.0, -2.0, 0.5}, {0.0, 1.0, 3.0}}, DType::Float64), true);
  Variable l = cross_entropy(layer(input), minidl::test::int64s({2, 0}));
  EXPECT_NEAR(l.item(), loss, 1e-15);
  l.backward();
  std::vector<double> gw = values(layer.weight.grad().data()),
                      gb = values(layer.bias.grad().data()), gx = values(input.grad().data());
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(gb[size_t(c)], db[c], 1e-15) << "bias " << c;
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(gw[size_t(3 * c + k)], dw[c][k], 1e-15) << c << k;
  }
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(gx[size_t(3 * i + k)], dx[i][k], 1e-15) << i << k;
  }

  // One SGD step: W -= 0.5 dW, b -= 0.5 db.
  optim::SGD sgd(layer.parameters(), {.lr = 0.5});
  sgd.step();
  std::vector<double> w_after = values(layer.weight.data()), b_after = values(layer.bias.data());
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(b_after[size_t(c)], b[c] - 0.5 * db[c], 1e-15);
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(w_after[size_t(3 * c + k)], w[c][k] - 0.5 * dw[c][k], 1e-15);
  }
}

namespace {

// Two interleaved spirals: class 0 at angle t, radius t; class 1 the same rotated by pi. The
// radius grows with sqrt(u) so points are spread evenly along the arms; scaled into [-1, 1].
void two_spirals(int64_t per_class, Generator& gen, Tensor& points, Tensor& labels) {
  const double turns = 1.75 * 2 * std::numbers::pi;
  std::vector<float> xy;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < per_class; ++i) {
    const double t = std::sqrt(0.02 + 0.98 * gen.uniform()) * turns;
    for (int cls = 0; cls < 2; ++cls) {
      const double sign = cls == 0 ? 1.0 : -1.0;
      xy.push_back(float(sign * t * std::cos(t) / turns + 0.01 * gen.normal()));
      xy.push_back(float(sign * t * std::sin(t) / turns + 0.01 * gen.normal()));
      y.push_back(cls);
    }
  }
  points = from_vector(xy, {2 * per_class, 2});
  labels = from_vector(y);
}

double accuracy(Module& model, const Tensor& points, const Tensor& labels) {
  NoGradGuard no_grad;
  Tensor predicted = argmax(model(Variable(points)).data(), 1);
  return mean(eq(predicted.to(DType::Float64), labels.to(DType::Float64))).item();
}

}  // namespace

TEST(Training, AnMlpLearnsTwoSpirals) {
  const auto start = std::chrono::steady_clock::now();
  Generator gen(0);
  Tensor train_x, train_y, test_x, test_y;
  two_spirals(300, gen, train_x, train_y);
  two_spirals(200, gen, test_x, test_y);

  auto model = make<Sequential>(make<Linear>(2, 48, true, gen), make<Tanh>(),
                                make<Linear>(48, 48, true, gen), make<Tanh>(),
                                make<Linear>(48, 2, true, gen));
  optim::Adam adam(model->parameters(), {.lr = 0.02});
  optim::CosineAnnealingLR schedule(adam, 800, 1e-4);
  const double chance = accuracy(*model, train_x, train_y);
  double loss = 0;
  for (int step = 0; step < 800; ++step) {
    adam.zero_grad();
    Variable l = cross_entropy((*model)(Variable(train_x)), train_y);
    l.backward();
    adam.step();
    schedule.step();
    loss = l.item();
  }
  const double train_accuracy = accuracy(*model, train_x, train_y);
  const double test_accuracy = accuracy(*model, test_x, test_y);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "two spirals: train accuracy " << train_accuracy << ", test accuracy "
            << test_accuracy << ", final loss " << loss << ", " << seconds << " s\n";
  EXPECT_LT(chance, 0.75);  // the untrained model is not already good
  EXPECT_GE(train_accuracy, 0.98);
  EXPECT_GE(test_accuracy, 0.98);
}
