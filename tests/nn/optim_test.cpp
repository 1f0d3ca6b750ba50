// Optimizers against the published update rules: each test runs several steps on
// f(p) = sum(p^2) + c . p (gradient 2p + c, so every step sees a new gradient) and compares with
// a plain scalar implementation of the formulas written out here, and with the final values
// PyTorch 1.13 prints for the same run (tests/nn/fixtures/torch_reference.py).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using namespace minidl::optim;
using minidl::test::bit_identical;
using minidl::test::expect_all_near;
using minidl::test::f64;
using minidl::test::values;

namespace {

const std::vector<double> kStart = {0.5, -1.0, 2.0};
const std::vector<double> kC = {0.1, -0.2, 0.3};

void compute_gradient(Variable& p) {
  Variable loss = sum(p * p) + sum(p * Variable(f64({0.1, -0.2, 0.3})));
  loss.backward();
}

// Runs `steps` steps of an optimizer on a fresh parameter and returns every intermediate value.
std::vector<std::vector<double>> run(
    const std::function<std::unique_ptr<Optimizer>(Variable&)>& make, int steps) {
  Variable p(f64({0.5, -1.0, 2.0}), true);
  std::unique_ptr<Optimizer> optimizer = make(p);
  std::vector<std::vector<double>> trajectory;
  for (int i = 0; i < steps; ++i) {
    optimizer->zero_grad();
    compute_gradient(p);
    optimizer->step();
    trajectory.push_back(values(p.data()));
  }
  return trajectory;
}

// torch.optim.SGD's documented algorithm, one scalar at a time.
std::vector<std::vector<double>> sgd_reference(double lr, double momentum, double dampening,
                                               double weight_decay, bool nesterov, int steps) {
  std::vector<double> p = kStart, buf(3, 0.0);
  std::vector<std::vector<double>> trajectory;
  for (int t = 1; t <= steps; ++t) {
    for (size_t i = 0; i < 3; ++i) {
      double g = 2 * p[i] + kC[i] + weight_decay * p[i];
      if (momentum != 0) {
        buf[i] = t == 1 ? g : momentum * buf[i] + (1 - dampening) * g;
        g = nesterov ? g + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * g;
    }
    trajectory.push_back(p);
  }
  return trajectory;
}

// Adam (Kingma and Ba, Algorithm 1) with PyTorch's eps placement, and AdamW's decoupled decay.
std::vector<std::vector<double>> adam_reference(double lr, double beta1, double beta2, double eps,
                                                double weight_decay, bool decoupled, int steps) {
  std::vector<double> p = kStart, m(3, 0.0), v(3, 0.0);
  std::vector<std::vector<double>> trajectory;
  for (int t = 1; t <= steps; ++t) {
    for (size_t i = 0; i < 3; ++i) {
      double g = 2 * p[i] + kC[i];
      if (decoupled) {
        p[i] *= 1 - lr * weight_decay;
      } else {
        g += weight_decay * p[i];
      }
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(beta1, t));
      const double v_hat = v[i] / (1 - std::pow(beta2, t));
      p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
    trajectory.push_back(p);
  }
  return trajectory;
}

// torch.optim.RMSprop's documented algorithm, one scalar at a time.
std::vector<std::vector<double>> rmsprop_reference(const RMSpropOptions& o, int steps) {
  std::vector<double> p = kStart, square_avg(3, 0.0), grad_avg(3, 0.0), buf(3, 0.0);
  std::vector<std::vector<double>> trajectory;
  for (int t = 1; t <= steps; ++t) {
    for (size_t i = 0; i < 3; ++i) {
      const double g = 2 * p[i] + kC[i] + o.weight_decay * p[i];
      square_avg[i] = o.alpha * square_avg[i] + (1 - o.alpha) * g * g;
      double variance = square_avg[i];
      if (o.centered) {
        grad_avg[i] = o.alpha * grad_avg[i] + (1 - o.alpha) * g;
        variance -= grad_avg[i] * grad_avg[i];
      }
      const double update = g / (std::sqrt(variance) + o.eps);
      if (o.momentum > 0) {
        buf[i] = o.momentum * buf[i] + update;
        p[i] -= o.lr * buf[i];
      } else {
        p[i] -= o.lr * update;
      }
    }
    trajectory.push_back(p);
  }
  return trajectory;
}

void expect_trajectories_near(const std::vector<std::vector<double>>& got,
                              const std::vector<std::vector<double>>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t step = 0; step < got.size(); ++step) {
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(got[step][i], expected[step][i], 1e-13)
          << "step " << step + 1 << " element " << i;
    }
  }
}

}  // namespace

TEST(SGD, PlainMomentumAndNesterovFollowTheFormulasAndPyTorch) {
  auto plain = run(
      [](Variable& p) { return std::make_unique<SGD>(std::vector{p}, SGDOptions{.lr = 0.1}); }, 5);
  expect_trajectories_near(plain, sgd_reference(0.1, 0, 0, 0, false, 5));
  // By hand: p <- p - 0.1 (2p + c) = 0.8 p - 0.1 c, five times: p5 = -c/2 + 0.8^5 (p0 + c/2),
  // 0.130224 for p0 = 0.5, c = 0.1.
  EXPECT_NEAR(plain.back()[0], 0.130224, 1e-15);  // PyTorch: {0.130224, -0.260448, 0.554512}

  auto momentum = run(
      [](Variable& p) {
        return std::make_unique<SGD>(
            std::vector{p},
            SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01});
      },
      5);
  expect_trajectories_near(momentum, sgd_reference(0.1, 0.9, 0.1, 0.01, false, 5));
  expect_all_near(f64({momentum.back()[0], momentum.back()[1], momentum.back()[2]}),
                  {-0.3452083021647305, 0.690416604329461, -1.3043437695489917}, 1e-14);  // PyTorch

  auto nesterov = run(
      [](Variable& p) {
        return std::make_unique<SGD>(
            std::vector{p},
            SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
      },
      5);
  expect_trajectories_near(nesterov, sgd_reference(0.1, 0.9, 0, 0.01, true, 5));
  expect_all_near(f64({nesterov.back()[0], nesterov.back()[1], nesterov.back()[2]}),
                  {-0.27864571222097, 0.55729142444194, -1.0441171735697652}, 1e-14);  // PyTorch
}

TEST(Adam, FollowsTheFormulasAndPyTorch) {
  auto adam = run(
      [](Variable& p) { return std::make_unique<Adam>(std::vector{p}, AdamOptions{.lr = 0.1}); },
      5);
  expect_trajectories_near(adam, adam_reference(0.1, 0.9, 0.999, 1e-8, 0, false, 5));
  expect_all_near(f64({adam.back()[0], adam.back()[1], adam.back()[2]}),
                  {0.022958816713681704, -0.5068637065523027, 1.5026918103983673},
                  1e-14);  // PyTorch

  auto l2 = run(
      [](Variable& p) {
        return std::make_unique<Adam>(
            std::vector{p}, AdamOptions{.lr = 0.1, .betas = {0.5, 0.999}, .weight_decay = 0.1});
      },
      5);
  expect_trajectories_near(l2, adam_reference(0.1, 0.5, 0.999, 1e-8, 0.1, false, 5));
  expect_all_near(f64({l2.back()[0], l2.back()[1], l2.back()[2]}),
                  {0.06861855545368802, -0.5281082511132815, 1.5130121843627262},
                  1e-14);  // PyTorch
}

TEST(AdamW, DecouplesTheWeightDecayAndDefaultsItTo0_01) {
  auto adamw = run(
      [](Variable& p) {
        return std::make_unique<AdamW>(std::vector{p},
                                       AdamWOptions{.lr = 0.1, .weight_decay = 0.1});
      },
      5);
  expect_trajectories_near(adamw, adam_reference(0.1, 0.9, 0.999, 1e-8, 0.1, true, 5));
  expect_all_near(f64({adamw.back()[0], adamw.back()[1], adamw.back()[2]}),
                  {0.010027121963405855, -0.4686653242542722, 1.4152242633177934},
                  1e-14);  // PyTorch
  Variable p(f64({1.0}), true);
  AdamW defaults({p});
  EXPECT_EQ(defaults.options().weight_decay, 1e-2);
}

TEST(RMSprop, FollowsTheFormulasAndPyTorch) {
  struct Case {
    RMSpropOptions options;
    std::vector<double> pytorch;
  };
  const Case cases[] = {
      {{.lr = 0.01}, {0.2167086887249132, -0.6943897506334169, 1.6847545928783447}},
      {{.lr = 0.01,
        .alpha = 0.9,
        .eps = 1e-6,
        .weight_decay = 0.1,
        .momentum = 0.8,
        .centered = true},
       {0.21814001660594534, -0.7081614073733342, 1.7037975691477396}},
      {{.lr = 0.05, .momentum = 0.5},
       {0.0377693369175989, 0.28974735767039955, -0.07967712149399506}},
  };
  for (const Case& c : cases) {
    auto trajectory =
        run([&](Variable& p) { return std::make_unique<RMSprop>(std::vector{p}, c.options); }, 5);
    expect_trajectories_near(trajectory, rmsprop_reference(c.options, 5));
    expect_all_near(f64({trajectory.back()[0], trajectory.back()[1], trajectory.back()[2]}),
                    c.pytorch, 1e-14);  // PyTorch
  }
}

TEST(RMSprop, StateFollowsTheOptionsAndResumesBitExactly) {
  const RMSpropOptions options{.lr = 0.01, .momentum = 0.9, .centered = true};
  Variable p(f64({0.5, -1.0, 2.0}), true);
  RMSprop rmsprop({p}, options);
  for (int i = 0; i < 2; ++i) {
    rmsprop.zero_grad();
    compute_gradient(p);
    rmsprop.step();
  }
  TensorMap state = rmsprop.state_dict();
  std::vector<std::string> keys;
  for (const auto& entry : state) keys.push_back(entry.first);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"param_groups.0.lr", "state.0.step", "state.0.square_avg",
                                      "state.0.momentum_buffer", "state.0.grad_avg"}));
  // A copy of the parameter with the loaded state takes the same next step, bit for bit.
  Variable q(p.data().clone(), true);
  RMSprop resumed({q}, options);
  resumed.load_state_dict(state);
  for (auto [param, optimizer] : {std::pair<Variable*, Optimizer*>{&p, &rmsprop}, {&q, &resumed}}) {
    optimizer->zero_grad();
    compute_gradient(*param);
    optimizer->step();
  }
  EXPECT_TRUE(bit_identical(p.data(), q.data()));
  // Without momentum and centering there is no buffer to load.
  RMSprop plain({q}, {.lr = 0.01});
  EXPECT_MINIDL_ERROR(plain.load_state_dict(state),
                      "load_state_dict: unexpected key 'state.0.grad_avg' for RMSprop");
  EXPECT_MINIDL_ERROR(RMSprop({q}, {.momentum = -1}),
                      "RMSprop: group 0: momentum must be non-negative, got -1");
}

namespace {

// The optimizer of docs/optimizers.md: options, state names and step() are all it writes.
struct MyOptions {
  double lr = 1e-2;
  double decay = 0.9;
};
class My : public OptimizerWith<MyOptions> {
 public:
  explicit My(std::vector<Variable> ps, MyOptions o = {}) : OptimizerWith("My", {{ps, o}}) {}
  void step() override {
    for_each_param([](const Variable& p, const Tensor& g, const MyOptions& o, ParamState& s) {
      Tensor avg = s.buffer("avg", p);  // zeros on the first step
      avg.copy_(o.decay * avg + g);
      Tensor(p.data()).copy_(p.data() - o.lr * avg);
    });
  }

 protected:
  std::vector<std::string> state_names(const MyOptions&) const override { return {"avg"}; }
};

}  // namespace

TEST(Optimizer, ANewOptimizerWritesOptionsStateNamesAndStepOnly) {
  Variable p(f64({1.0, -2.0}), true);
  My my({p}, {.lr = 0.1, .decay = 0.5});
  for (int i = 0; i < 2; ++i) {
    my.zero_grad();
    sum(p * p).backward();  // gradient 2p
    my.step();
  }
  // Step 1: avg = 2p0 = {2, -4}, p = {0.8, -1.6}. Step 2: avg = 0.5 {2, -4} + {1.6, -3.2}
  // = {2.6, -5.2}, p = {0.54, -1.08}.
  expect_all_near(p.data(), {0.54, -1.08}, 1e-15);
  TensorMap state = my.state_dict();
  ASSERT_EQ(state.size(), 2u);
  EXPECT_EQ(state[1].first, "state.0.avg");
  expect_all_near(state[1].second, {2.6, -5.2}, 1e-15);
  // The base class checks and restores the state it owns.
  My fresh({Variable(f64({0.0, 0.0}), true)});
  fresh.load_state_dict(state);
  EXPECT_EQ(fresh.lr(), 0.1);
  EXPECT_MINIDL_ERROR(
      fresh.load_state_dict({{"param_groups.0.lr", state[0].second}, {"state.0.avg", f64({1.0})}}),
      "load_state_dict: 'state.0.avg' is float64[1] but parameter 0 is "
      "float64[2]");
  EXPECT_MINIDL_ERROR(My({Variable(f64({1.0}))}),
                      "My: group 0 has a parameter that is not a leaf requiring grad");
}

TEST(Optimizer, SkipsParametersWithoutAGradientAndZeroGradForgetsThem) {
  Variable used(f64({1.0}), true), unused(f64({5.0}), true);
  Adam adam({used, unused}, {.lr = 0.1});
  sum(used * used).backward();
  adam.step();
  EXPECT_EQ(values(unused.data())[0], 5.0);
  EXPECT_NE(values(used.data())[0], 1.0);
  // Only the parameter that stepped has state.
  TensorMap state = adam.state_dict();
  std::vector<std::string> keys;
  for (const auto& entry : state) keys.push_back(entry.first);
  EXPECT_EQ(keys, (std::vector<std::string>{"param_groups.0.lr", "state.0.step", "state.0.exp_avg",
                                            "state.0.exp_avg_sq"}));
  adam.zero_grad();
  EXPECT_FALSE(used.grad().defined());
}

TEST(Optimizer, ParameterGroupsHaveTheirOwnLearningRates) {
  Variable a(f64({1.0, 2.0}), true), b(f64({3.0}), true);
  SGD sgd({SGDParamGroup{{a}, {.lr = 0.1}}, SGDParamGroup{{b}, {.lr = 0.01, .momentum = 0.5}}});
  EXPECT_EQ(sgd.num_groups(), 2u);
  EXPECT_EQ(sgd.lr(0), 0.1);
  EXPECT_EQ(sgd.lr(1), 0.01);
  (sum(a) + sum(b)).backward();  // gradient 1 everywhere
  sgd.step();
  expect_all_near(a.data(), {0.9, 1.9}, 1e-15);
  expect_all_near(b.data(), {2.99}, 1e-15);
  sgd.set_lr(1.0);
  EXPECT_EQ(sgd.lr(1), 1.0);
  sgd.set_lr(0.5, 0);
  EXPECT_EQ(sgd.lr(0), 0.5);
  EXPECT_MINIDL_ERROR(sgd.lr(2), "Optimizer: group 2 is out of range for 2 groups");
  // Adam takes groups the same way; state is numbered across groups.
  Adam adam({AdamParamGroup{{a}, {.lr = 1e-3}}, AdamParamGroup{{b}, {.lr = 1e-4}}});
  adam.step();
  EXPECT_EQ(adam.state_dict().size(), 2u + 3u + 3u);
  EXPECT_EQ(adam.state_dict()[5].first, "state.1.step");
}

TEST(Optimizer, OptionsAreValidated) {
  Variable p(f64({1.0}), true);
  EXPECT_MINIDL_ERROR(Adam({p}, {.betas = {0.9, 1.0}}),
                      "Adam: group 0: betas must be in [0, 1), got (0.9, 1)");
  EXPECT_MINIDL_ERROR(SGD({p}, {.lr = 0.1, .dampening = 0.5, .nesterov = true}),
                      "SGD: group 0: nesterov needs momentum > 0 and dampening 0, got momentum 0 "
                      "and dampening 0.5");
  EXPECT_MINIDL_ERROR(Adam({Variable(f64({1.0}))}),
                      "Adam: group 0 has a parameter that is not a leaf requiring grad");
}

TEST(Optimizer, StateDictResumesBitExactly) {
  // Train 3 steps, snapshot parameters and optimizer state through a safetensors file, then
  // compare 4 more steps of the original with 4 steps of a fresh optimizer loaded from the file.
  for (int kind = 0; kind < 2; ++kind) {
    auto make = [kind](Variable& p) -> std::unique_ptr<Optimizer> {
      if (kind == 0) return std::make_unique<Adam>(std::vector{p}, AdamOptions{.lr = 0.05});
      return std::make_unique<SGD>(std::vector{p}, SGDOptions{.lr = 0.05, .momentum = 0.9});
    };
    Variable p(f64({0.5, -1.0, 2.0}), true);
    std::unique_ptr<Optimizer> original = make(p);
    auto step = [](Variable& param, Optimizer& opt) {
      opt.zero_grad();
      compute_gradient(param);
      opt.step();
    };
    for (int i = 0; i < 3; ++i) step(p, *original);
    original->set_lr(0.02);  // as a scheduler would
    const std::string path = ::testing::TempDir() + "/optimizer_state.safetensors";
    save_safetensors(path, with_prefix("optimizer.", original->state_dict()));
    Tensor saved_p = p.data().clone();

    Variable q(saved_p.clone(), true);
    std::unique_ptr<Optimizer> resumed = make(q);
    resumed->load_state_dict(strip_prefix(load_safetensors(path).tensors, "optimizer."));
    EXPECT_EQ(resumed->lr(), 0.02);
    for (int i = 0; i < 4; ++i) {
      step(p, *original);
      step(q, *resumed);
    }
    EXPECT_TRUE(bit_identical(p.data(), q.data())) << "optimizer kind " << kind;
  }
}

TEST(Optimizer, LoadStateDictValidatesEverythingFirst) {
  Variable p(f64({1.0, 2.0}), true);
  Adam adam({p}, {.lr = 0.1});
  sum(p * p).backward();
  adam.step();
  TensorMap good = adam.state_dict();

  auto with = [&](const std::string& key, Tensor value) {
    TensorMap changed = good;
    for (auto& entry : changed) {
      if (entry.first == key) entry.second = value;
    }
    return changed;
  };
  Variable r(f64({1.0, 2.0}), true);
  Adam fresh({r}, {.lr = 0.5});
  EXPECT_MINIDL_ERROR(fresh.load_state_dict(with("state.0.exp_avg", zeros({3}, DType::Float64))),
                      "load_state_dict: 'state.0.exp_avg' is float64[3] but parameter 0 is "
                      "float64[2]");
  EXPECT_MINIDL_ERROR(fresh.load_state_dict(with("param_groups.0.lr", scalar(0.1))),
                      "load_state_dict: 'param_groups.0.lr' must be a 0-d float64 tensor, got "
                      "float32[]");
  TensorMap extra = good;
  extra.emplace_back("state.7.exp_avg", zeros({2}, DType::Float64));
  EXPECT_MINIDL_ERROR(fresh.load_state_dict(extra),
                      "load_state_dict: 'state.7.exp_avg' is for parameter 7 but the optimizer "
                      "has 1 parameters");
  TensorMap missing(good.begin() + 1, good.end());
  EXPECT_MINIDL_ERROR(fresh.load_state_dict(missing),
                      "load_state_dict: missing key 'param_groups.0.lr'");
  TensorMap partial(good.begin(), good.end() - 1);
  EXPECT_MINIDL_ERROR(fresh.load_state_dict(partial),
                      "load_state_dict: missing key 'state.0.exp_avg_sq'");
  // Nothing changed: still the constructor's learning rate and no state.
  EXPECT_EQ(fresh.lr(), 0.5);
  EXPECT_EQ(fresh.state_dict().size(), 1u);
}

TEST(Schedulers, StepLRDecaysEveryStepSizeSteps) {
  Variable p(f64({1.0}), true);
  SGD sgd({p}, {.lr = 1.0});
  StepLR schedule(sgd, 2, 0.5);
  std::vector<double> lrs;
  for (int i = 0; i < 5; ++i) {
    schedule.step();
    lrs.push_back(sgd.lr());
  }
  EXPECT_EQ(lrs, (std::vector<double>{1.0, 0.5, 0.5, 0.25, 0.25}));
}

TEST(Schedulers, CosineAnnealingMatchesPyTorchAndResumes) {
  Variable p(f64({1.0}), true);
  SGD sgd({p}, {.lr = 0.5});
  CosineAnnealingLR schedule(sgd, 4, 0.1);
  std::vector<double> lrs;
  for (int i = 0; i < 6; ++i) {
    schedule.step();
    lrs.push_back(sgd.lr());
  }
  // PyTorch: [0.4414213562373095, 0.30000000000000004, 0.15857864376269054, 0.1,
  //           0.15857864376269049, 0.30000000000000004]
  const std::vector<double> torch = {0.4414213562373095,  0.30000000000000004,
                                     0.15857864376269054, 0.1,
                                     0.15857864376269049, 0.30000000000000004};
  for (size_t i = 0; i < lrs.size(); ++i) EXPECT_NEAR(lrs[i], torch[i], 1e-15) << "step " << i + 1;

  SGD other({p}, {.lr = 123.0});
  CosineAnnealingLR resumed(other, 4, 0.1);
  resumed.load_state_dict(schedule.state_dict());
  EXPECT_EQ(resumed.last_epoch(), 6);
  EXPECT_EQ(other.lr(), lrs.back());  // the optimizer's rate is set for last_epoch
  EXPECT_EQ(resumed.base_lrs(), std::vector<double>{0.5});
  EXPECT_MINIDL_ERROR(resumed.load_state_dict({{"last_epoch", scalar(1.0, DType::Int64)}}),
                      "LRScheduler: load_state_dict: missing key 'base_lrs.0'");
}

TEST(ClipGradNorm, ScalesAllGradientsTogetherByTheTotalNorm) {
  Variable a(f64({0.0, 0.0}), true), b(f64({0.0}), true);
  a.set_grad(Variable(f64({3.0, 4.0})));
  b.set_grad(Variable(f64({12.0})));
  // Total 2-norm: sqrt(9 + 16 + 144) = 13.
  EXPECT_DOUBLE_EQ(clip_grad_norm_({a, b}, 6.5), 13.0);
  const double c = 6.5 / (13.0 + 1e-6);
  expect_all_near(a.grad().data(), {3 * c, 4 * c}, 1e-15);
  expect_all_near(b.grad().data(), {12 * c}, 1e-15);
  // Below the threshold nothing changes.
  Variable before = a.grad();
  EXPECT_NEAR(clip_grad_norm_({a, b}, 100.0), 6.5, 1e-6);
  EXPECT_TRUE(a.grad().same_as(before));
  // The infinity norm is the largest magnitude.
  b.set_grad(Variable(f64({-20.0})));
  EXPECT_DOUBLE_EQ(clip_grad_norm_({a, b}, 1000.0, INFINITY), 20.0);
  EXPECT_NEAR(clip_grad_norm_({a, b}, 1000.0, 1.0), 3 * c + 4 * c + 20, 1e-12);
}

TEST(ClipGradNorm, NeverScalesASharedGradientTwice) {
  // Two parameters whose gradients are one and the same Variable (the engine may hand the same
  // gradient to both inputs of an add): each must end up scaled once, and the shared original
  // must be left alone.
  Variable a(f64({0.0, 0.0}), true), b(f64({0.0, 0.0}), true);
  Variable shared(f64({3.0, 4.0}));
  a.set_grad(shared);
  b.set_grad(shared);
  const double total = clip_grad_norm_({a, b}, 1.0);
  EXPECT_NEAR(total, std::sqrt(50.0), 1e-12);
  const double c = 1.0 / (std::sqrt(50.0) + 1e-6);
  expect_all_near(a.grad().data(), {3 * c, 4 * c}, 1e-15);
  expect_all_near(b.grad().data(), {3 * c, 4 * c}, 1e-15);
  EXPECT_EQ(values(shared.data()), (std::vector<double>{3.0, 4.0}));
  // A non-finite norm is reported on request.
  a.set_grad(Variable(f64({NAN, 1.0})));
  EXPECT_MINIDL_ERROR(clip_grad_norm_({a, b}, 1.0, 2.0, true),
                      "clip_grad_norm_: the total norm of order 2 of the gradients is nan");
}
