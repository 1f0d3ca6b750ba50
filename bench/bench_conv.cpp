// conv2d and conv_transpose2d forward, and forward + backward, against raw cblas_sgemm on the same
// GEMM shapes, at the shapes of a DCGAN-style generator and critic on 28x28 images (batch 64, 4x4
// kernels, stride 2, padding 1: 1 -> 64 -> 128 channels, 28 -> 14 -> 7, and the transposed layers
// back up) and at 3x3, stride 1, padding 1 with 32 to 128 channels.
//
// A convolution is one GEMM [N*OH*OW, C*KH*KW] x [C*KH*KW, OC] (a transposed one [N*H*W, C] x
// [C, OC*KH*KW]); its backward two more of the same size (input and weight gradients). "cblas"
// times exactly those GEMMs on preallocated operands, so minidl / cblas is what im2col, col2im,
// the layout copies and allocation cost on top of BLAS. GFLOP/s counts 2 M N K per GEMM, three
// GEMMs for forward + backward, for both.
//
//   build/bench/bench_conv --threads=1 --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true   (one command line; also --threads=2)
//
// For the one-channel first layer, "im2col" times the im2col + GEMM + transpose path that conv2d
// takes for C > 1, beside the direct kernel conv2d takes for C = 1, so that choice can be
// re-measured on any CPU.
//
// bench/torch/conv.py times PyTorch on the same cases.
#include <cblas.h>

#include <cstring>
#include <string>

#include "autograd/autograd.h"
#include "bench/side_by_side.h"
#include "tensor/convolution.h"
#include "tensor/threading.h"

namespace {

using namespace minidl;

struct ConvCase {
  const char* name;
  int64_t batch, in_channels, out_channels, size;  // size: the input's height and width
  int64_t kernel, stride, padding;
  bool transposed;
};

const ConvCase kCases[] = {
    {"w5_conv_1to64_28to14", 64, 1, 64, 28, 4, 2, 1, false},
    {"w5_conv_64to128_14to7", 64, 64, 128, 14, 4, 2, 1, false},
    {"w5_convT_128to64_7to14", 64, 128, 64, 7, 4, 2, 1, true},
    {"w5_convT_64to1_14to28", 64, 64, 1, 14, 4, 2, 1, true},
    {"3x3_1to32_28", 64, 1, 32, 28, 3, 1, 1, false},
    {"3x3_32to32_28", 64, 32, 32, 28, 3, 1, 1, false},
    {"3x3_64to64_14", 64, 64, 64, 14, 3, 1, 1, false},
    {"3x3_128to128_7", 64, 128, 128, 7, 3, 1, 1, false},
};

// The forward GEMM [M, K] x [K, N] of a case.
struct Gemm {
  int64_t M, K, N;
};

int64_t output_size(const ConvCase& c) {
  return c.transposed ? (c.size - 1) * c.stride - 2 * c.padding + c.kernel
                      : (c.size + 2 * c.padding - c.kernel) / c.stride + 1;
}

Gemm forward_gemm(const ConvCase& c) {
  const int64_t taps = c.kernel * c.kernel;
  if (c.transposed) {
    return {c.batch * c.size * c.size, c.in_channels, c.out_channels * taps};
  }
  const int64_t out = output_size(c);
  return {c.batch * out * out, c.in_channels * taps, c.out_channels};
}

void set_flops(benchmark::State& state, const ConvCase& c, int gemms) {
  const Gemm g = forward_gemm(c);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2e-9 * double(gemms) * double(g.M) * double(g.N) * double(g.K),
                         benchmark::Counter::kIsIterationInvariantRate);
}

struct Operands {
  Variable input, weight, bias;
  explicit Operands(const ConvCase& c, bool requires_grad) {
    Generator gen(1);
    input = Variable(randn({c.batch, c.in_channels, c.size, c.size}, DType::Float32, gen),
                     requires_grad);
    const Shape w = c.transposed ? Shape{c.in_channels, c.out_channels, c.kernel, c.kernel}
                                 : Shape{c.out_channels, c.in_channels, c.kernel, c.kernel};
    weight = Variable(mul(randn(w, DType::Float32, gen), 0.05), requires_grad);
    bias = Variable(zeros({c.out_channels}), requires_grad);
  }
  Variable run(const ConvCase& c) const {
    const Size2 s = {c.stride, c.stride}, p = {c.padding, c.padding};
    return c.transposed ? conv_transpose2d(input, weight, bias, s, p)
                        : conv2d(input, weight, bias, s, p);
  }
};

void minidl_forward(benchmark::State& state, ConvCase c) {
  Operands op(c, false);
  for (auto _ : state) {
    Variable out = op.run(c);
    benchmark::DoNotOptimize(out.data().raw_data());
  }
  set_flops(state, c, 1);
}

void minidl_forward_backward(benchmark::State& state, ConvCase c) {
  Operands op(c, true);
  for (auto _ : state) {
    op.input.reset_grad();
    op.weight.reset_grad();
    op.bias.reset_grad();
    Variable out = op.run(c);
    // The gradient of sum(out): the backward's work without a loss op in the timing.
    out.backward(Variable(ones_like(out.data())));
    benchmark::DoNotOptimize(op.weight.grad().data().raw_data());
  }
  set_flops(state, c, 3);
}

// conv2d's GEMM path on a one-channel input: im2col, one GEMM, channels last to first.
void im2col_forward(benchmark::State& state, ConvCase c) {
  Operands op(c, false);
  const Window2d window{c.kernel, c.kernel, c.stride, c.stride, c.padding, c.padding, 1, 1};
  const Tensor x = op.input.data(), w2d = op.weight.data().reshape({c.out_channels, -1});
  for (auto _ : state) {
    Tensor rows = matmul(im2col(x, window), w2d.t());
    Tensor out = rows_to_channels_first(rows, c.batch, op.bias.data());
    benchmark::DoNotOptimize(out.raw_data());
  }
  set_flops(state, c, 1);
}

void sgemm(const Tensor& a, const Tensor& b, Tensor& out, bool trans_a, bool trans_b, int64_t M,
           int64_t N, int64_t K) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, int(M), int(N), int(K), 1.0f, a.data<float>(),
              int(trans_a ? M : K), b.data<float>(), int(trans_b ? K : N), 0.0f, out.data<float>(),
              int(N));
}

// The forward GEMM, and for forward + backward also the two gradient GEMMs:
// dA = dC B^T [M, K] and dB = A^T dC [K, N].
void raw_sgemm(benchmark::State& state, ConvCase c, bool backward) {
  const Gemm g = forward_gemm(c);
  Generator gen(1);
  Tensor a = randn({g.M, g.K}, DType::Float32, gen), b = randn({g.K, g.N}, DType::Float32, gen);
  Tensor out = Tensor::empty({g.M, g.N}), grad_a = Tensor::empty({g.M, g.K});
  Tensor grad_b = Tensor::empty({g.K, g.N});
  for (auto _ : state) {
    sgemm(a, b, out, false, false, g.M, g.N, g.K);
    if (backward) {
      sgemm(out, b, grad_a, false, true, g.M, g.K, g.N);
      sgemm(a, out, grad_b, true, false, g.K, g.N, g.M);
    }
    benchmark::DoNotOptimize(out.raw_data());
  }
  set_flops(state, c, backward ? 3 : 1);
}

void raw_sgemm_forward(benchmark::State& state, ConvCase c) { raw_sgemm(state, c, false); }
void raw_sgemm_forward_backward(benchmark::State& state, ConvCase c) { raw_sgemm(state, c, true); }

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  // --threads=N (minidl's and OpenBLAS's thread count together), taken out before Google
  // Benchmark reads the rest.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      minidl::set_num_threads(std::stoi(argv[i] + 10));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  using Body = void (*)(benchmark::State&, ConvCase);
  const std::pair<const char*, Body> bodies[] = {
      {"minidl/", minidl_forward},
      {"cblas/", raw_sgemm_forward},
      {"minidl/", minidl_forward_backward},
      {"cblas/", raw_sgemm_forward_backward},
  };
  const auto add = [](const std::string& name, Body body, const ConvCase& c) {
    benchmark::RegisterBenchmark(name.c_str(), body, c)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  };
  for (const ConvCase& c : kCases) {
    for (size_t i = 0; i < 4; ++i) {
      add(bodies[i].first + std::string(c.name) + (i < 2 ? "_fwd" : "_fwd_bwd"), bodies[i].second,
          c);
    }
    if (c.in_channels == 1 && !c.transposed) {
      add("im2col/" + std::string(c.name) + "_fwd", im2col_forward, c);
    }
  }
  return minidl::bench::run_side_by_side(argc, argv, "GFLOP/s", {"cblas"});
}
