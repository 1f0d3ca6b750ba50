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
//
// The thin shapes are those of the small networks the examples train (one of M, K, N at most a few
// dozen): the 2-D GAN's first and last layers at batch 512 (its discriminator sees 256 packed
// rows of 4 coordinates), the VAE's 20-wide latent layers and the classifier's 10-wide head at
// batch 128, each forward and backward. minidl sends them to the direct kernel of
// tensor/thin_gemm.h; "thin/" calls that kernel directly on every thin shape and on the sweeps
// (sweep_*), which cross its thresholds, so the thresholds can be read off the table:
//
//   OMP_NUM_THREADS=1 build/bench/bench_matmul --benchmark_filter='gan_|vae_|cls_|sweep_'
//       --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
#include <cblas.h>

#include "bench/side_by_side.h"
#include "tensor/tensor.h"
#include "tensor/thin_gemm.h"
#include "tensor/threading.h"

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

// Thin products: forward X W^T (b transposed), backward G W and G^T X (a transposed).
const GemmShape kThinShapes[] = {
    {"gan_X_Wt_512x2x128", 512, 2, 128, false, true},
    {"gan_X_Wt_256x4x128", 256, 4, 128, false, true},
    {"gan_X_Wt_512x16x128", 512, 16, 128, false, true},
    {"gan_X_Wt_512x128x2", 512, 128, 2, false, true},
    {"gan_X_Wt_256x128x1", 256, 128, 1, false, true},
    {"gan_G_W_512x2x128", 512, 2, 128, false, false},
    {"gan_G_W_256x1x128", 256, 1, 128, false, false},
    {"gan_G_W_256x128x4", 256, 128, 4, false, false},
    {"gan_Gt_X_128x512x2", 128, 512, 2, true, false},
    {"gan_Gt_X_128x512x16", 128, 512, 16, true, false},
    {"gan_Gt_X_2x512x128", 2, 512, 128, true, false},
    {"gan_Gt_X_1x256x128", 1, 256, 128, true, false},
    {"vae_X_Wt_128x400x20", 128, 400, 20, false, true},
    {"vae_X_Wt_128x20x400", 128, 20, 400, false, true},
    {"vae_G_W_128x20x400", 128, 20, 400, false, false},
    {"vae_G_W_128x400x20", 128, 400, 20, false, false},
    {"vae_Gt_X_20x128x400", 20, 128, 400, true, false},
    {"vae_Gt_X_400x128x20", 400, 128, 20, true, false},
    {"cls_X_Wt_128x256x10", 128, 256, 10, false, true},
    {"cls_G_W_128x10x256", 128, 10, 256, false, false},
    {"cls_Gt_X_10x128x256", 10, 128, 256, true, false},
};

// One dimension grown past the thresholds, the others as in the layers above: K in X W^T,
// N in X W^T and G^T X, M in G^T X.
const GemmShape kSweepShapes[] = {
    {"sweep_K_512x8x256", 512, 8, 256, false, true},
    {"sweep_K_512x16x256", 512, 16, 256, false, true},
    {"sweep_K_512x32x256", 512, 32, 256, false, true},
    {"sweep_K_512x64x256", 512, 64, 256, false, true},
    {"sweep_N_512x256x8", 512, 256, 8, false, true},
    {"sweep_N_512x256x16", 512, 256, 16, false, true},
    {"sweep_N_512x256x32", 512, 256, 32, false, true},
    {"sweep_N_512x256x64", 512, 256, 64, false, true},
    {"sweep_Nt_256x512x16", 256, 512, 16, true, false},
    {"sweep_Nt_256x512x32", 256, 512, 32, true, false},
    {"sweep_Nt_256x512x64", 256, 512, 64, true, false},
    {"sweep_M_8x512x256", 8, 512, 256, true, false},
    {"sweep_M_16x512x256", 16, 512, 256, true, false},
    {"sweep_M_32x512x256", 32, 512, 256, true, false},
    {"sweep_M_64x512x256", 64, 512, 256, true, false},
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

// The thin kernel called directly, whether or not matmul would choose it for this shape.
void thin_kernel(benchmark::State& state, GemmShape s) {
  Operands op(s);
  Tensor c = empty({s.M, s.N});
  for (auto _ : state) {
    thin_gemm<float>(s.M, s.N, s.K, 1.0f, op.a.data<float>(), op.a.strides()[0],
                     op.a.strides()[1], op.b.data<float>(), op.b.strides()[0], op.b.strides()[1],
                     0.0f, c.data<float>());
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_flops(state, s);
}

void register_shape(const GemmShape& s, bool with_thin) {
  benchmark::RegisterBenchmark((std::string("minidl/") + s.name).c_str(), minidl_matmul, s)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark((std::string("cblas/") + s.name).c_str(), raw_sgemm, s)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  if (with_thin) {
    benchmark::RegisterBenchmark((std::string("thin/") + s.name).c_str(), thin_kernel, s)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  for (const GemmShape& s : kShapes) register_shape(s, false);
  for (const GemmShape& s : kThinShapes) register_shape(s, true);
  for (const GemmShape& s : kSweepShapes) register_shape(s, true);
  return minidl::bench::run_side_by_side(argc, argv, "GFLOP/s", {"cblas"});
}
