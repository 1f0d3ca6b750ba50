// Autograd overhead benchmarks.
//
// 1. Per-op overhead: a chain of small ops (1 and 64 elements) recorded forward, then backward.
//    The time per op is what every op pays in bookkeeping (Variable, Node, backward closure).
// 2. The MLP training step 784-256-256-10, batch 128, forward + backward: the share of its time
//    spent inside BLAS. cblas_sgemm is wrapped at link time (-Wl,--wrap=cblas_sgemm) so every
//    call is timed without touching the library.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>

#include "autograd/autograd.h"
#include "tensor/threading.h"

using namespace minidl;

namespace {
double blas_seconds = 0;
int64_t blas_calls = 0;
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
  auto start = std::chrono::steady_clock::now();
  __real_cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  blas_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++blas_calls;
}
}

// A chain of `kChain` cheap ops (alternating mul, add, tanh), then backward.
constexpr int kChain = 100;

static void BM_OpChainForwardBackward(benchmark::State& state) {
  const int64_t n = state.range(0);
  Variable x(full({n}, 0.5), true);
  double seconds = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    Variable y = x;
    for (int i = 0; i < kChain; i += 4) {
      y = y * 0.9;
      y = y + x;
      y = tanh(y);
      y = y - 0.1;
    }
    sum(y).backward();
    x.reset_grad();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  // kChain ops plus the final sum, each with a forward and a backward.
  state.counters["us_per_op"] = 1e6 * seconds / (double(state.iterations()) * (kChain + 1));
}
BENCHMARK(BM_OpChainForwardBackward)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

static void BM_MlpTrainingStep(benchmark::State& state) {
  Generator gen(0);
  auto param = [&gen](Shape shape, double bound) {
    return Variable(uniform(shape, -bound, bound, DType::Float32, gen), true);
  };
  Variable w1 = param({256, 784}, 0.0357), b1 = param({256}, 0.0357);
  Variable w2 = param({256, 256}, 0.0625), b2 = param({256}, 0.0625);
  Variable w3 = param({10, 256}, 0.0625), b3 = param({10}, 0.0625);
  Variable x(rand({128, 784}, DType::Float32, gen));
  Tensor targets = randint(0, 10, {128}, gen);
  Tensor one_hot_targets = one_hot(targets, 10);
  blas_seconds = 0;
  blas_calls = 0;
  double total_seconds = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    Variable h = relu(linear(x, w1, b1));
    h = relu(linear(h, w2, b2));
    Variable logits = linear(h, w3, b3);
    // Cross-entropy written out here (nn/ is the layer above): -mean(sum(onehot * log_softmax)).
    Variable loss = -mean(sum(log_softmax(logits, 1) * Variable(one_hot_targets), {1}));
    loss.backward();
    for (Variable* p : {&w1, &b1, &w2, &b2, &w3, &b3}) p->reset_grad();
    total_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["blas_share_percent"] = 100.0 * blas_seconds / total_seconds;
  state.counters["gemm_calls_per_step"] = double(blas_calls) / double(state.iterations());
  state.counters["blas_ms_per_step"] = 1e3 * blas_seconds / double(state.iterations());
}
BENCHMARK(BM_MlpTrainingStep)->Unit(benchmark::kMillisecond)->MinTime(2.0);

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
