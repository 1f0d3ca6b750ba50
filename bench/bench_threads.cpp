// OpenBLAS threads against OpenMP threads: one SGD training step of a 784-256-256-10 MLP at batch
// 128, written with tensor ops (forward, backward, update), so GEMMs on OpenBLAS's threads
// alternate with elementwise kernels and reductions on OpenMP's, as in every training loop.
// With the pthreads build of OpenBLAS, each pool busy-waits for a while after its work and steals
// the 2 cores from the other; the OpenMP build runs BLAS on the same OpenMP threads. Run it from a
// build of each variant (MINIDL_OPENBLAS=pthread | openmp) with OMP_WAIT_POLICY unset:
//
//   build-foundation/bench/bench_threads --benchmark_repetitions=5
//
// The "Threads" table of docs/threads.md and the default MINIDL_OPENBLAS come from this benchmark.
#include <cblas.h>

#include <cstdlib>

#include "bench/side_by_side.h"
#include "tensor/tensor.h"
#include "tensor/threading.h"

namespace {

using namespace minidl;

struct Mlp {
  Generator gen{3};
  Tensor w1 = normal({256, 784}, 0, 0.05, DType::Float32, gen), b1 = zeros({256});
  Tensor w2 = normal({256, 256}, 0, 0.06, DType::Float32, gen), b2 = zeros({256});
  Tensor w3 = normal({10, 256}, 0, 0.06, DType::Float32, gen), b3 = zeros({10});
  Tensor x = rand({128, 784}, DType::Float32, gen);
  Tensor target = one_hot(randint(0, 10, {128}, gen), 10);

  // Forward, squared-error gradient, backward and SGD update: 8 GEMMs and about 15 elementwise
  // kernels and reductions, most on 128 x 256 = 32768 elements (the parallel grain).
  void step(double lr) {
    Tensor h1 = addmm(b1, x, w1.t());
    Tensor a1 = relu(h1);
    Tensor h2 = addmm(b2, a1, w2.t());
    Tensor a2 = relu(h2);
    Tensor out = addmm(b3, a2, w3.t());
    Tensor g3 = (out - target) * (2.0 / 128);
    Tensor g2 = where(gt(h2, 0.0), matmul(g3, w3), 0.0);
    Tensor g1 = where(gt(h1, 0.0), matmul(g2, w2), 0.0);
    add_(w3, matmul(g3.t(), a2), -lr);
    add_(b3, sum(g3, {0}), -lr);
    add_(w2, matmul(g2.t(), a1), -lr);
    add_(b2, sum(g2, {0}), -lr);
    add_(w1, matmul(g1.t(), x), -lr);
    add_(b1, sum(g1, {0}), -lr);
  }
};

void mlp_step(benchmark::State& state, int threads) {
  const int previous = num_threads();
  set_num_threads(threads);
  Mlp mlp;
  for (auto _ : state) mlp.step(1e-3);
  set_num_threads(previous);
  state.counters["steps/s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const int parallel = openblas_get_parallel();  // 0 serial, 1 pthreads, 2 OpenMP
  std::printf("OpenBLAS %s, threading: %s; OMP_WAIT_POLICY=%s\n", openblas_get_config(),
              parallel == 2   ? "openmp"
              : parallel == 1 ? "pthread"
                              : "serial",
              policy ? policy : "(unset)");
  benchmark::RegisterBenchmark("threads_1/mlp_step", mlp_step, 1)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("threads_2/mlp_step", mlp_step, 2)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  return minidl::bench::run_side_by_side(argc, argv, "steps/s", {"threads_1"});
}
