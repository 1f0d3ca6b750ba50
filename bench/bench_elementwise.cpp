// Elementwise add and relu on float32 at 4K and 4M elements, in GB/s (bytes read + written), side
// by side with a plain serial C++ loop and with memcpy (1 and 2 threads) on the same sizes; and the
// serial/parallel crossover that sets the parallel grain.
//
//   build-foundation/bench/bench_elementwise --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true   (one command line)
//
// Targets: minidl (2 threads) >= 70% of memcpy bandwidth at 4M; no slowdown against the plain
// loop at 4K. Two fair pairs: "loop" and memcpy write into preallocated buffers, as minidl's
// add_out / relu_out do ("out"); "loop_alloc" allocates its result like a function returning a
// new array, as minidl's add / relu do ("minidl").
//
// The "grain" cases time add at sizes around the grain, serially (1 thread) and forced parallel
// (2 threads, set_parallel_grain(1)); the smallest size where parallel wins is the crossover.
//
// The transcendental cases (exp, log1p, sigmoid, tanh, softplus) run at 128 x 784 (the VAE's
// logits) and 4M float32 elements: "libm" is a plain serial loop calling the C library's scalar
// functions with the formulas minidl used before tensor/vector_math.h (what an op cost then),
// against minidl's vectorised kernels on 1 and 2 threads. GB/s counts 8 bytes per element. The
// same for the VAE's fused loss kernels (BCE with logits and its gradient sigmoid(x) - t).
#include <omp.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "bench/side_by_side.h"
#include "tensor/tensor.h"
#include "tensor/threading.h"

namespace {

using namespace minidl;

constexpr int64_t k4K = 4096, k4M = 4194304;

struct Buffers {
  Tensor a, b, c;
  explicit Buffers(int64_t n) {
    Generator gen(2);
    a = randn({n}, DType::Float32, gen);
    b = randn({n}, DType::Float32, gen);
    c = zeros({n});
  }
};

void set_bandwidth(benchmark::State& state, double bytes_per_iteration) {
  state.counters["GB/s"] =
      benchmark::Counter(bytes_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Thread count for one benchmark, restored afterwards so registration order does not matter.
struct Threads {
  int previous = num_threads();
  explicit Threads(int n) { set_num_threads(n); }
  ~Threads() { set_num_threads(previous); }
};

void memcpy_copy(benchmark::State& state, int64_t n, int threads) {
  Buffers buf(n);
  const float* src = buf.a.data<float>();
  float* dst = buf.c.data<float>();
  for (auto _ : state) {
    if (threads == 1) {
      std::memcpy(dst, src, size_t(n) * sizeof(float));
    } else {
#pragma omp parallel num_threads(threads)
      {
        const int64_t slice = (n + threads - 1) / threads;
        const int64_t begin = std::min(n, slice * omp_get_thread_num());
        const int64_t end = std::min(n, begin + slice);
        std::memcpy(dst + begin, src + begin, size_t(end - begin) * sizeof(float));
      }
    }
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

void loop_add(benchmark::State& state, int64_t n) {
  Buffers buf(n);
  const float* a = buf.a.data<float>();
  const float* b = buf.b.data<float>();
  float* c = buf.c.data<float>();
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

// The loop as a function returning a new array, which is what a minidl op is.
void loop_alloc_add(benchmark::State& state, int64_t n) {
  Buffers buf(n);
  const float* a = buf.a.data<float>();
  const float* b = buf.b.data<float>();
  for (auto _ : state) {
    std::unique_ptr<float[]> c(new float[size_t(n)]);
    for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
    benchmark::DoNotOptimize(c.get());
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

void loop_alloc_relu(benchmark::State& state, int64_t n) {
  Buffers buf(n);
  const float* a = buf.a.data<float>();
  for (auto _ : state) {
    std::unique_ptr<float[]> c(new float[size_t(n)]);
    for (int64_t i = 0; i < n; ++i) c[i] = a[i] < 0 ? 0.0f : a[i];
    benchmark::DoNotOptimize(c.get());
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

void loop_relu(benchmark::State& state, int64_t n) {
  Buffers buf(n);
  const float* a = buf.a.data<float>();
  float* c = buf.c.data<float>();
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) c[i] = a[i] < 0 ? 0.0f : a[i];
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

void minidl_add(benchmark::State& state, int64_t n, int threads) {
  Buffers buf(n);
  Threads scoped(threads);
  for (auto _ : state) {
    Tensor c = add(buf.a, buf.b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

void minidl_relu(benchmark::State& state, int64_t n, int threads) {
  Buffers buf(n);
  Threads scoped(threads);
  for (auto _ : state) {
    Tensor c = relu(buf.a);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

// The _out forms: minidl writing into a preallocated tensor, like "loop".
void minidl_add_out(benchmark::State& state, int64_t n, int threads) {
  Buffers buf(n);
  Threads scoped(threads);
  for (auto _ : state) {
    add_out(buf.c, buf.a, buf.b);
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

void minidl_relu_out(benchmark::State& state, int64_t n, int threads) {
  Buffers buf(n);
  Threads scoped(threads);
  for (auto _ : state) {
    relu_out(buf.c, buf.a);
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

// add with the parallel path forced on (grain 1, 2 threads) or off (1 thread).
void grain_add(benchmark::State& state, int64_t n, bool parallel) {
  Buffers buf(n);
  Threads scoped(parallel ? 2 : 1);
  const int64_t saved = parallel_grain();
  set_parallel_grain(1);
  for (auto _ : state) {
    Tensor c = add(buf.a, buf.b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_parallel_grain(saved);
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

// The transcendental ops, each as minidl's op and as the scalar libm formula it replaced.
struct Transcendental {
  const char* name;
  Tensor (*op)(const Tensor&);
  float (*libm)(float);
  bool positive_input;  // log1p gets inputs in [0, 4), the others N(0, 3^2) logits
};

const Transcendental kTranscendentals[] = {
    {"exp", [](const Tensor& x) { return exp(x); }, [](float v) { return std::exp(v); }, false},
    {"log1p", [](const Tensor& x) { return log1p(x); }, [](float v) { return std::log1p(v); },
     true},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); },
     [](float v) {
       return v >= 0 ? 1.0f / (1.0f + std::exp(-v)) : std::exp(v) / (1.0f + std::exp(v));
     },
     false},
    {"tanh", [](const Tensor& x) { return tanh(x); }, [](float v) { return std::tanh(v); }, false},
    {"softplus", [](const Tensor& x) { return softplus(x); },
     [](float v) { return (v > 0 ? v : 0.0f) + std::log1p(std::exp(-std::abs(v))); }, false},
};

Tensor transcendental_input(int64_t n, bool positive) {
  Generator gen(3);
  return positive ? uniform({n}, 0.0, 4.0, DType::Float32, gen)
                  : randn({n}, DType::Float32, gen) * 3.0;
}

void libm_unary(benchmark::State& state, const Transcendental* op, int64_t n) {
  Tensor x = transcendental_input(n, op->positive_input);
  Tensor y = zeros({n});
  const float* a = x.data<float>();
  float* c = y.data<float>();
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) c[i] = op->libm(a[i]);
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

void minidl_unary(benchmark::State& state, const Transcendental* op, int64_t n, int threads) {
  Tensor x = transcendental_input(n, op->positive_input);
  Threads scoped(threads);
  for (auto _ : state) {
    Tensor c = op->op(x);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 2.0 * double(n) * sizeof(float));
}

// The VAE's loss kernels on [128, 784] logits and targets: BCE with logits (forward) and
// sigmoid(x) - t (its gradient), minidl's fused ops against the same formulas on libm. GB/s counts
// 12 bytes per element (two inputs, one output).
float libm_bce(float x, float t) {
  const float magnitude = x >= 0 ? x : -x;
  return (x >= 0 ? x : 0.0f) - x * t + std::log1p(std::exp(-magnitude));
}
float libm_sigmoid_minus(float x, float t) {
  const float e = std::exp(x >= 0 ? -x : x);
  return (x >= 0 ? 1.0f : e) / (1.0f + e) - t;
}

void loss_inputs(int64_t n, Tensor& logits, Tensor& targets) {
  Generator gen(4);
  logits = randn({n}, DType::Float32, gen) * 3.0;
  targets = uniform({n}, 0.0, 1.0, DType::Float32, gen);
}

void libm_loss(benchmark::State& state, bool backward, int64_t n) {
  Tensor x, t;
  loss_inputs(n, x, t);
  Tensor y = zeros({n});
  const float* a = x.data<float>();
  const float* b = t.data<float>();
  float* c = y.data<float>();
  for (auto _ : state) {
    if (backward) {
      for (int64_t i = 0; i < n; ++i) c[i] = libm_sigmoid_minus(a[i], b[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) c[i] = libm_bce(a[i], b[i]);
    }
    benchmark::ClobberMemory();
  }
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

void minidl_loss(benchmark::State& state, bool backward, int64_t n, int threads) {
  Tensor x, t;
  loss_inputs(n, x, t);
  Threads scoped(threads);
  for (auto _ : state) {
    Tensor c = backward ? sigmoid_minus(x, t) : elementwise_binary_cross_entropy_with_logits(x, t);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_bandwidth(state, 3.0 * double(n) * sizeof(float));
}

std::string size_name(int64_t n) {
  return n >= 1048576 ? std::to_string(n / 1048576) + "M" : std::to_string(n / 1024) + "K";
}

template <typename Fn, typename... Args>
void add_case(const std::string& name, Fn fn, Args... args) {
  benchmark::RegisterBenchmark(name.c_str(), fn, args...)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  for (int64_t n : {k4K, k4M}) {
    for (const char* op : {"add", "relu"}) {
      const std::string case_name = std::string(op) + "_" + size_name(n);
      const bool is_add = op[0] == 'a';
      add_case("loop_1t/" + case_name, is_add ? loop_add : loop_relu, n);
      add_case("loop_alloc_1t/" + case_name, is_add ? loop_alloc_add : loop_alloc_relu, n);
      add_case("minidl_1t/" + case_name, is_add ? minidl_add : minidl_relu, n, 1);
      add_case("minidl_2t/" + case_name, is_add ? minidl_add : minidl_relu, n, 2);
      add_case("out_1t/" + case_name, is_add ? minidl_add_out : minidl_relu_out, n, 1);
      add_case("out_2t/" + case_name, is_add ? minidl_add_out : minidl_relu_out, n, 2);
      add_case("memcpy_1t/" + case_name, memcpy_copy, n, 1);
      add_case("memcpy_2t/" + case_name, memcpy_copy, n, 2);
    }
  }
  for (const Transcendental& op : kTranscendentals) {
    for (int64_t n : {int64_t(128 * 784), k4M}) {
      const std::string case_name = std::string(op.name) + (n == k4M ? "_4M" : "_128x784");
      add_case("libm_1t/" + case_name, libm_unary, &op, n);
      add_case("minidl_1t/" + case_name, minidl_unary, &op, n, 1);
      add_case("minidl_2t/" + case_name, minidl_unary, &op, n, 2);
    }
  }
  for (bool backward : {false, true}) {
    const std::string case_name = backward ? "sigmoid_minus_128x784" : "bce_logits_128x784";
    add_case("libm_1t/" + case_name, libm_loss, backward, int64_t(128 * 784));
    add_case("minidl_1t/" + case_name, minidl_loss, backward, int64_t(128 * 784), 1);
    add_case("minidl_2t/" + case_name, minidl_loss, backward, int64_t(128 * 784), 2);
  }
  for (int64_t n = 4096; n <= 1048576; n *= 2) {
    add_case("serial/grain_add_" + size_name(n), grain_add, n, false);
    add_case("parallel/grain_add_" + size_name(n), grain_add, n, true);
  }
  return minidl::bench::run_side_by_side(
      argc, argv, "GB/s", {"loop_1t", "loop_alloc_1t", "memcpy_2t", "serial", "libm_1t"});
}
