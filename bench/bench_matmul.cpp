// minidl::matmul against raw cblas_sgemm on the same operands, at the GEMM shapes of an MLP step
// (nn::Linear keeps weights as [out, in]: forward X W^T, backward G W and G^T X, plus the X^T G
// of the [in, out] convention), a GAN layer (64 x 1024 x 784) and 2048 square. Transposed operands
// are views, which minidl hands to BLAS as transpose flags. minidl allocates its output each call,
// as a user's matmul does; cblas writes into a preallocated one.
//
//   build-foundation/bench/bench_matmul --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true   (one command line)
//
// prints GFLOP/s per shape and, at the end, the median of minidl / cblas (target: >= 0.95).
#include <cblas.h>

#include "bench/side_by_side.h"
#include "tensor/tensor.h"

namespace {

using namespace minidl;

struct GemmShape {
  const char* name;
  int64_t M, K, N;
  bool transpose_a, transpose_b;  // stored transposed and used through a .t() view
};

const GemmShape kShapes[] = {
    {"fwd_X_Wt_128x784x256", 128, 784, 256, false, true},
    {"dX_G_W_128x256x784", 128, 256, 784, false, false},
    {"dW_Gt_X_256x128x784", 256, 128, 784, true, false},
    {"dW_Xt_G_784x128x256", 784, 128, 256, true, false},
    {"gan_64x1024x784", 64, 1024, 784, false, false},
    {"square_2048", 2048, 2048, 2048, false, false},
};

// The operands of one shape: a [M, K] and b [K, N] as (possibly transposed) views.
struct Operands {
  Tensor a, b;
  explicit Operands(const GemmShape& s) {
    Generator gen(1);
    Tensor a_storage =
        randn(s.transpose_a ? Shape{s.K, s.M} : Shape{s.M, s.K}, DType::Float32, gen);
    Tensor b_storage =
        randn(s.transpose_b ? Shape{s.N, s.K} : Shape{s.K, s.N}, DType::Float32, gen);
    a = s.transpose_a ? a_storage.t() : a_storage;
    b = s.transpose_b ? b_storage.t() : b_storage;
  }
};

void set_flops(benchmark::State& state, const GemmShape& s) {
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * double(s.M) * double(s.N) * double(s.K),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void minidl_matmul(benchmark::State& state, GemmShape s) {
  Operands op(s);
  for (auto _ : state) {
    Tensor c = matmul(op.a, op.b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_flops(state, s);
}

void raw_sgemm(benchmark::State& state, GemmShape s) {
  Operands op(s);
  Tensor c = empty({s.M, s.N});
  // The leading dimension of each operand's storage: its row length as stored.
  const int lda = int(s.transpose_a ? s.M : s.K), ldb = int(s.transpose_b ? s.K : s.N);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, s.transpose_a ? CblasTrans : CblasNoTrans,
                s.transpose_b ? CblasTrans : CblasNoTrans, int(s.M), int(s.N), int(s.K), 1.0f,
                op.a.data<float>(), lda, op.b.data<float>(), ldb, 0.0f, c.data<float>(), int(s.N));
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_flops(state, s);
}

}  // namespace

int main(int argc, char** argv) {
  for (const GemmShape& s : kShapes) {
    benchmark::RegisterBenchmark((std::string("minidl/") + s.name).c_str(), minidl_matmul, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("cblas/") + s.name).c_str(), raw_sgemm, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  return minidl::bench::run_side_by_side(argc, argv, "GFLOP/s", {"cblas"});
}
