// The GEMM bound of each workload: how long one training step would take if it did nothing but
// its matrix products, each at the speed cblas_sgemm runs it alone.
//
// Each workload's step is the programs' own (train_classifier_step for W1, the VAE's
// negative_elbo + backward + Adam for W2, gan_iteration for W3, W4 and W5) on their networks, fed
// random data of the right shape and range. Every matrix product the step computes is recorded
// as it happens: cblas_sgemm and minidl's thin-product kernel are wrapped at link time
// (-Wl,--wrap), so the list is the step's exact calls (shapes, transposes, leading dimensions),
// never written out by hand. Then each distinct call is replayed alone with cblas_sgemm on its
// own buffers (median of 5 timings), and the bound is their sum over the step. The report gives,
// at the thread count chosen, the step's median time, the bound, their ratio, and the
// products' speed against square sgemm's.
//
//   build/bench/gemm_bound --threads 1
//   build/bench/gemm_bound --threads 2 --workloads W1,W5
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "examples/classifier/classifier_model.h"
#include "examples/dcgan/dcgan_networks.h"
#include "examples/gan/gan_training.h"
#include "examples/vae/vae_model.h"
#include "nn/optim/adam.h"
#include "tensor/tensor.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;

namespace {

// One recorded product, as cblas_sgemm would take it (row-major).
struct GemmCall {
  bool trans_a, trans_b;
  int64_t M, N, K, lda, ldb;
  bool beta_zero;
  bool operator<(const GemmCall& o) const {
    return std::tie(trans_a, trans_b, M, N, K, lda, ldb, beta_zero) <
           std::tie(o.trans_a, o.trans_b, o.M, o.N, o.K, o.lda, o.ldb, o.beta_zero);
  }
};

bool recording = false;
std::vector<GemmCall> recorded;

}  // namespace

extern "C" {
void __real_cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER, OPENBLAS_CONST enum CBLAS_TRANSPOSE,
                        OPENBLAS_CONST enum CBLAS_TRANSPOSE, OPENBLAS_CONST blasint,
                        OPENBLAS_CONST blasint, OPENBLAS_CONST blasint, OPENBLAS_CONST float,
                        OPENBLAS_CONST float*, OPENBLAS_CONST blasint, OPENBLAS_CONST float*,
                        OPENBLAS_CONST blasint, OPENBLAS_CONST float, float*,
                        OPENBLAS_CONST blasint);
void __wrap_cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER order,
                        OPENBLAS_CONST enum CBLAS_TRANSPOSE ta,
                        OPENBLAS_CONST enum CBLAS_TRANSPOSE tb, OPENBLAS_CONST blasint m,
                        OPENBLAS_CONST blasint n, OPENBLAS_CONST blasint k,
                        OPENBLAS_CONST float alpha, OPENBLAS_CONST float* a,
                        OPENBLAS_CONST blasint lda, OPENBLAS_CONST float* b,
                        OPENBLAS_CONST blasint ldb, OPENBLAS_CONST float beta, float* c,
                        OPENBLAS_CONST blasint ldc) {
  if (recording)
    recorded.push_back({ta == CblasTrans, tb == CblasTrans, m, n, k, lda, ldb, beta == 0});
  __real_cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// minidl::thin_gemm<float>: a product with a thin side, read at any strides.
void __real__ZN6minidl9thin_gemmIfEEvlllT_PKS1_llS3_llS1_PS1_(int64_t, int64_t, int64_t, float,
                                                              const float*, int64_t, int64_t,
                                                              const float*, int64_t, int64_t, float,
                                                              float*);
void __wrap__ZN6minidl9thin_gemmIfEEvlllT_PKS1_llS3_llS1_PS1_(int64_t M, int64_t N, int64_t K,
                                                              float alpha, const float* a,
                                                              int64_t a_row, int64_t a_col,
                                                              const float* b, int64_t b_row,
                                                              int64_t b_col, float beta, float* c) {
  if (recording) {
    // Replayed on contiguous operands laid out as these views: a row-major operand (unit column
    // stride) as "no transpose", a column-major one as "transpose".
    const bool ta = a_col != 1 && K > 1, tb = b_col != 1 && N > 1;
    (void)a_row, (void)b_row;
    recorded.push_back({ta, tb, M, N, K, ta ? M : K, tb ? K : N, beta == 0});
  }
  __real__ZN6minidl9thin_gemmIfEEvlllT_PKS1_llS3_llS1_PS1_(M, N, K, alpha, a, a_row, a_col, b,
                                                           b_row, b_col, beta, c);
}
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// cblas_sgemm alone on one call's shape: the median over 5 timings of enough repetitions to take
// 20 ms, on buffers of its own (warm in cache where they fit, as in the step).
double time_alone(const GemmCall& g) {
  const int64_t rows_a = g.trans_a ? g.K : g.M, rows_b = g.trans_b ? g.N : g.K;
  std::vector<float> a(size_t(rows_a * g.lda), 0.5f), b(size_t(rows_b * g.ldb), 0.25f),
      c(size_t(g.M * g.N), 0.0f);
  auto once = [&] {
    __real_cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans,
                       g.trans_b ? CblasTrans : CblasNoTrans, g.M, g.N, g.K, 1.0f, a.data(), g.lda,
                       b.data(), g.ldb, g.beta_zero ? 0.0f : 1.0f, c.data(), g.N);
  };
  once();
  auto start = std::chrono::steady_clock::now();
  int reps = 0;
  while (seconds_since(start) < 0.004) once(), ++reps;
  std::vector<double> timings;
  for (int t = 0; t < 5; ++t) {
    start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps * 5; ++r) once();
    timings.push_back(seconds_since(start) / (reps * 5));
  }
  return median(timings);
}

double gflops(const GemmCall& g, double seconds) {
  return 2.0 * double(g.M) * double(g.N) * double(g.K) / seconds / 1e9;
}

struct Workload {
  std::string name, what;
  int64_t steps_per_epoch;     // to report seconds per epoch, as docs/benchmarks.md does
  std::function<void()> step;  // one training step, built below
};

Generator data_gen(7);

Workload classifier_w1() {
  Generator init(1);
  auto model = std::make_shared<Classifier>(ClassifierShape{}, init);
  auto adam = std::make_shared<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 1e-3});
  const Tensor x = uniform({128, 784}, 0, 1, DType::Float32, data_gen);
  const Tensor y = randint(0, 10, {128}, data_gen);
  return {"W1", "MLP classifier 784-256-256-10, batch 128", 469,
          [=] { train_classifier_step(*model, *adam, x, y, "gemm_bound"); }};
}

Workload vae_w2() {
  Generator init(1);
  auto vae = std::make_shared<Vae>(VaeShape{}, init);
  auto adam = std::make_shared<optim::Adam>(vae->parameters(), optim::AdamOptions{.lr = 1e-3});
  const Tensor x = uniform({128, 784}, 0, 1, DType::Float32, data_gen);
  auto noise = std::make_shared<Generator>(2);
  return {"W2", "MLP VAE 784-400-20, batch 128", 469, [=] {
            Variable loss = negative_elbo(*vae, Variable(x), *noise).total();
            vae->zero_grad();
            loss.backward();
            adam->step();
          }};
}

// gan_iteration on networks `build` makes; the real batch in [-1, 1].
Workload gan_workload(std::string name, std::string what, int64_t steps_per_epoch,
                      std::shared_ptr<nn::Module> generator, std::shared_ptr<nn::Module> critic,
                      bool separate_passes, int64_t latent, int64_t batch, int64_t features,
                      double lr, double beta1) {
  auto gan = std::make_shared<GanNetworks>();
  gan->generator = std::move(generator);
  gan->critic = std::move(critic);
  const optim::AdamOptions adam{.lr = lr, .betas = {beta1, 0.999}};
  gan->generator_optimizer = std::make_unique<optim::Adam>(gan->generator->parameters(), adam);
  gan->critic_optimizer = std::make_unique<optim::Adam>(gan->critic->parameters(), adam);
  gan->latent = latent;
  gan->separate_critic_passes = separate_passes;
  const Tensor real = uniform({batch, features}, -1, 1, DType::Float32, data_gen);
  auto noise_gen = std::make_shared<Generator>(3);
  auto noise = std::make_shared<GanNoise>(gan_noise(*noise_gen));
  // noise refers to noise_gen: the step keeps both alive.
  return {std::move(name), std::move(what), steps_per_epoch, [gan, real, noise, noise_gen] {
            gan_iteration(*gan, real, true, *noise);
          }};
}

Workload gan_w3() {
  Generator init(1);
  return gan_workload("W3", "MLP GAN z100-256-512-1024-784, D 784-1024-512-256-1, batch 64", 937,
                      make_mlp({100, 256, 512, 1024, 784}, Activation::LeakyReLU, true, init),
                      make_mlp({784, 1024, 512, 256, 1}, Activation::LeakyReLU, false, init), false,
                      100, 64, 784, 2e-4, 0.5);
}

Workload gan2d_w4() {
  Generator init(1);
  return gan_workload("W4", "2-D GAN G 16-128-128-2, D 2-128-128-1, batch 512 (per 5000 steps)",
                      5000, make_mlp({16, 128, 128, 2}, Activation::ReLU, false, init),
                      make_mlp({2, 128, 128, 1}, Activation::ReLU, false, init), false, 16, 512, 2,
                      1e-3, 0.5);
}

Workload dcgan_w5() {
  Generator init(1);
  return gan_workload("W5", "DCGAN (InfoGAN paper's networks), batch 64", 937,
                      make_dcgan_generator(100, init), make_dcgan_critic(CriticNorm::Batch, init),
                      true, 100, 64, 784, 2e-4, 0.5);
}

}  // namespace

int main(int argc, char** argv) {
  apply_spin_count_default(argv);  // before anything: it may re-execute the program
  int threads = 1;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--workloads") && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: gemm_bound [--threads N] [--workloads W1,W2,...]\n");
      return 2;
    }
  }
  set_num_threads(threads);
  set_flush_denormal(true);  // as the programs
  std::printf("gemm_bound: %d thread(s); OpenBLAS %s\n", threads, openblas_get_corename());

  // The machine's sgemm peak on squares, for the per-shape speeds below.
  double peak = 0;
  for (int64_t n : {1024, 2048}) {
    const GemmCall square{false, false, n, n, n, n, n, true};
    peak = std::max(peak, gflops(square, time_alone(square)));
  }
  std::printf("square sgemm peak (1024, 2048): %.1f GFLOP/s\n\n", peak);

  const std::vector<std::function<Workload()>> builders{classifier_w1, vae_w2, gan_w3, gan2d_w4,
                                                        dcgan_w5};
  std::printf("%-4s %12s %12s %8s %10s %14s %14s\n", "", "step (ms)", "bound (ms)", "ratio",
              "GEMM share", "s/epoch", "bound s/epoch");
  std::vector<std::string> details;
  for (const auto& build : builders) {
    Workload w = build();
    if (!only.empty() && only.find(w.name) == std::string::npos) continue;
    for (int i = 0; i < 3; ++i) w.step();  // warm: the storage cache, Adam's moments, BLAS
    recorded.clear();
    recording = true;
    w.step();
    recording = false;
    const std::vector<GemmCall> calls = recorded;
    // The step's own time: median of enough steps to take about 2 s (at least 5).
    std::vector<double> step_times;
    const auto begin = std::chrono::steady_clock::now();
    while (step_times.size() < 5 || (seconds_since(begin) < 2.0 && step_times.size() < 200)) {
      const auto start = std::chrono::steady_clock::now();
      w.step();
      step_times.push_back(seconds_since(start));
    }
    const double step = median(step_times);
    std::map<GemmCall, int> distinct;
    for (const GemmCall& g : calls) ++distinct[g];
    double bound = 0;
    char line[200];
    details.push_back(w.name + ": " + w.what + ", " + std::to_string(calls.size()) +
                      " products per step");
    for (const auto& [g, count] : distinct) {
      const double t = time_alone(g);
      bound += count * t;
      std::snprintf(line, sizeof line,
                    "  %dx %c%c M %5lld N %5lld K %5lld: %8.1f us, %6.1f GFLOP/s (%3.0f%% of peak)",
                    count, g.trans_a ? 'T' : 'N', g.trans_b ? 'T' : 'N', (long long)g.M,
                    (long long)g.N, (long long)g.K, 1e6 * t, gflops(g, t),
                    100.0 * gflops(g, t) / peak);
      details.push_back(line);
    }
    std::printf("%-4s %12.3f %12.3f %8.2f %9.0f%% %14.2f %14.2f\n", w.name.c_str(), 1e3 * step,
                1e3 * bound, step / bound, 100.0 * bound / step, step * double(w.steps_per_epoch),
                bound * double(w.steps_per_epoch));
    std::fflush(stdout);
  }
  std::printf("\nThe products of one step, each timed alone with cblas_sgemm:\n");
  for (const std::string& line : details) std::printf("%s\n", line.c_str());
  return 0;
}
