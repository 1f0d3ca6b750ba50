// minidl's own kernels give bit-identical results with 1 and 2 threads. The tensors here are above
// kParallelGrain so the parallel paths run (odd sizes, strided and broadcast operands, a long full
// reduction), and the serial answers are checked against closed forms where one exists. GEMMs are
// OpenBLAS's: repeatable for a given thread count, and equal across thread counts only to within
// rounding (which kernel and which blocking OpenBLAS uses depends on the CPU).
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::bit_identical;
using test::ScopedThreads;

// Runs fn with 1 thread and with 2 threads and expects the same dtype, shape and bits.
void expect_same_with_1_and_2_threads(const char* what, const std::function<Tensor()>& fn) {
  SCOPED_TRACE(what);
  Tensor one, two;
  {
    ScopedThreads threads(1);
    one = fn();
  }
  {
    ScopedThreads threads(2);
    two = fn();
  }
  EXPECT_TRUE(bit_identical(one, two));
}

class Threading : public ::testing::Test {
 protected:
  // 317 x 631 = 200027 elements: well above the grain, odd, not a multiple of any vector width.
  Generator gen{11};
  Tensor a = normal({317, 631}, 0, 3, DType::Float32, gen);
  Tensor b = normal({317, 631}, 0, 3, DType::Float32, gen);
  Tensor row = normal({631}, 0, 1, DType::Float32, gen);
  Tensor at = normal({631, 317}, 0, 1, DType::Float32, gen).t();  // a transposed operand
  Tensor a64 = a.to(DType::Float64);
};

TEST_F(Threading, ParallelPathIsTakenOnlyWhenItShouldBe) {
  static_assert(kParallelGrain <= 200000, "the tensors below must exceed the grain");
  {
    ScopedThreads threads(2);
    EXPECT_EQ(num_threads(), 2);
    EXPECT_TRUE(should_parallelize(kParallelGrain));
    EXPECT_FALSE(should_parallelize(kParallelGrain - 1));
    bool inside = true;
#pragma omp parallel num_threads(2)
    {
#pragma omp single
      inside = should_parallelize(kParallelGrain * 100);
    }
    EXPECT_FALSE(inside);  // never nest a region inside a user's parallel region
  }
  ScopedThreads threads(1);
  EXPECT_EQ(num_threads(), 1);
  EXPECT_FALSE(should_parallelize(kParallelGrain * 100));
}

TEST_F(Threading, ForcedParallelSmallLoopsSplitCorrectly) {
  // Grain 1 sends even tiny loops through the parallel slicing (slices rounded to 16 elements, so
  // a thread may get a short slice or none): sizes around the slice boundaries, strided input.
  ScopedThreads threads(2);
  set_parallel_grain(1);
  EXPECT_TRUE(should_parallelize(1));
  for (int64_t n : {1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 48, 49, 100}) {
    Tensor x = arange(0, double(2 * n), 1, DType::Float64).slice(0, 0, 2 * n, 2);  // 0, 2, 4, ...
    std::vector<double> expected;
    for (int64_t i = 0; i < n; ++i) expected.push_back(2.0 * double(i) + 1);
    EXPECT_EQ(test::values(x + 1.0), expected) << "n = " << n;
    EXPECT_EQ(sum(x).item(), double(n) * double(n - 1)) << "n = " << n;
  }
  set_parallel_grain(kParallelGrain);
  EXPECT_EQ(parallel_grain(), kParallelGrain);
  EXPECT_MINIDL_ERROR(set_parallel_grain(0), "set_parallel_grain: need at least 1 element, got 0");
}

TEST_F(Threading, ElementwiseOps) {
  expect_same_with_1_and_2_threads("add", [&] { return add(a, b); });
  expect_same_with_1_and_2_threads("add broadcast row", [&] { return add(a, row); });
  expect_same_with_1_and_2_threads("mul transposed", [&] { return mul(a, at); });
  expect_same_with_1_and_2_threads("div scalar", [&] { return a / 3.0; });
  expect_same_with_1_and_2_threads("exp", [&] { return exp(a); });
  expect_same_with_1_and_2_threads("sigmoid strided", [&] { return sigmoid(at); });
  expect_same_with_1_and_2_threads("tanh float64", [&] { return tanh(a64); });
  expect_same_with_1_and_2_threads("where", [&] { return where(gt(a, 0.0), a, b); });
  expect_same_with_1_and_2_threads("contiguous", [&] { return at.contiguous(); });
  expect_same_with_1_and_2_threads("fill", [&] { return full({200003}, 0.25); });
  expect_same_with_1_and_2_threads("add_", [&] {
    Tensor c = a.clone();
    add_(c, row, -0.5);
    return c;
  });
  ScopedThreads threads(2);
  // The parallel path computes the same values as the definition.
  std::vector<float> av = a.to_vector<float>(), bv = b.to_vector<float>();
  std::vector<float> sum_values = add(a, b).to_vector<float>();
  for (size_t i = 0; i < av.size(); ++i) ASSERT_EQ(sum_values[i], av[i] + bv[i]) << i;
}

TEST_F(Threading, Reductions) {
  expect_same_with_1_and_2_threads("sum all", [&] { return sum(a); });
  expect_same_with_1_and_2_threads("sum rows", [&] { return sum(a, {1}); });
  expect_same_with_1_and_2_threads("sum columns", [&] { return sum(a, {0}); });
  expect_same_with_1_and_2_threads("sum transposed", [&] { return sum(at, {0}); });
  expect_same_with_1_and_2_threads("mean float64", [&] { return mean(a64, {0}); });
  expect_same_with_1_and_2_threads("max", [&] { return max(a, {1}); });
  expect_same_with_1_and_2_threads("min all", [&] { return min(a); });
  expect_same_with_1_and_2_threads("argmax", [&] { return argmax(a, 1); });
  expect_same_with_1_and_2_threads("logsumexp", [&] { return logsumexp(a, {1}); });
  expect_same_with_1_and_2_threads("var", [&] { return var(a, {0}); });
}

TEST_F(Threading, LongFullSumIsExactAndThreadIndependent) {
  // 0 + 1 + ... + (n - 1) with n = 3,000,001: every partial sum is an integer below 2^53, so the
  // float64 accumulation is exact whatever the blocking: n (n - 1) / 2.
  const int64_t n = 3000001;
  Tensor x = arange(0, double(n), 1, DType::Float64);
  expect_same_with_1_and_2_threads("sum arange", [&] { return sum(x); });
  ScopedThreads threads(2);
  EXPECT_EQ(sum(x).item(), double(n) * double(n - 1) / 2);
  // Random values: the sum must not depend on the thread count either (fixed blocks).
  Tensor r = uniform({n}, -1, 1, DType::Float32, gen);
  expect_same_with_1_and_2_threads("sum random", [&] { return sum(r); });
  expect_same_with_1_and_2_threads("mean random", [&] { return mean(r); });
  expect_same_with_1_and_2_threads("max random", [&] { return max(r); });
}

// What holds for a GEMM on every CPU and OpenBLAS core type: the same call with the same thread
// count gives the same bits, and 1 and 2 threads agree within the rounding bound of a dot product
// of length K, |error| <= gamma_K * sum_k |a_ik| |b_kj| with gamma_K = K u / (1 - K u) (Higham,
// Accuracy and Stability of Numerical Algorithms, 3.1), for each of the two results.
void expect_gemm_repeatable_and_within_rounding(const char* what, const Tensor& a, const Tensor& b,
                                                const std::function<Tensor()>& fn) {
  SCOPED_TRACE(what);
  for (int threads : {1, 2}) {
    ScopedThreads scoped(threads);
    Tensor first = fn(), second = fn();
    EXPECT_TRUE(bit_identical(first, second)) << threads << " thread(s)";
  }
  Tensor one, two;
  {
    ScopedThreads scoped(1);
    one = fn().to(DType::Float64);
  }
  {
    ScopedThreads scoped(2);
    two = fn().to(DType::Float64);
  }
  const double k = double(a.shape()[a.dim() - 1]);
  const double u = a.dtype() == DType::Float32 ? std::ldexp(1.0, -24) : std::ldexp(1.0, -53);
  const double gamma = k * u / (1 - k * u);
  // Both results carry their own error, so they may differ by twice the bound.
  const Tensor bound =
      matmul(abs(a.to(DType::Float64)), abs(b.to(DType::Float64))) * (2 * gamma) + 1e-300;
  const Tensor excess = sub(abs(sub(one, two)), bound.expand(one.shape()));
  EXPECT_LE(max(excess).item(), 0.0);
}

TEST_F(Threading, MatmulIsRepeatableAndThreadCountsAgreeWithinRounding) {
  Tensor w = normal({631, 256}, 0, 0.1, DType::Float32, gen);
  expect_gemm_repeatable_and_within_rounding("matmul", a, w, [&] { return matmul(a, w); });
  expect_gemm_repeatable_and_within_rounding("matmul transposed operand", at, w,
                                             [&] { return matmul(at, w); });
  Tensor w64 = w.to(DType::Float64);
  expect_gemm_repeatable_and_within_rounding("matmul float64", a64, w64,
                                             [&] { return matmul(a64, w64); });
  Tensor deep = normal({64, 1500}, 0, 1, DType::Float32, gen);
  Tensor deep_w = normal({1500, 300}, 0, 1, DType::Float32, gen);
  expect_gemm_repeatable_and_within_rounding("matmul deep", deep, deep_w,
                                             [&] { return matmul(deep, deep_w); });
}

TEST_F(Threading, TensorsMadeAndFreedOnOtherThreads) {
  // Storage keeps a few freed blocks per thread for reuse: blocks allocated on one thread and
  // freed on another (a data loader's batches), and a thread exiting with blocks in its cache,
  // must all stay correct.
  std::vector<Tensor> made(8);
  std::thread producer([&] {
    for (size_t i = 0; i < made.size(); ++i) made[i] = full({4096}, double(i));
    Tensor scratch = ones({4096});  // freed here, so the producer exits with a cached block
  });
  producer.join();
  for (size_t i = 0; i < made.size(); ++i) {
    EXPECT_EQ(sum(made[i]).item(), 4096.0 * double(i));
  }
  made.clear();  // blocks from the producer go into this thread's cache
  for (int round = 0; round < 3; ++round) {
    Tensor fresh = zeros({4096});
    EXPECT_EQ(sum(fresh).item(), 0.0);
    EXPECT_EQ(sum(fresh + 2.0).item(), 8192.0);
  }
}

// Runs `command` through the shell and returns what it wrote to stdout and stderr.
std::string output_of(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  pclose(pipe);
  return output;
}

TEST(ThreadingDefaults, GetenvIsTheCLibrarysOwn) {
  // minidl linked into this program must leave getenv alone: an unset variable reads as null,
  // whatever its name, including the ones libgomp reads.
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spincount = std::getenv("GOMP_SPINCOUNT");
  const std::string saved_policy = policy ? policy : "",
                    saved_spincount = spincount ? spincount : "";
  unsetenv("OMP_WAIT_POLICY");
  unsetenv("GOMP_SPINCOUNT");
  unsetenv("MINIDL_TEST_UNSET_VARIABLE");
  EXPECT_EQ(std::getenv("GOMP_SPINCOUNT"), nullptr);
  EXPECT_EQ(std::getenv("OMP_WAIT_POLICY"), nullptr);
  EXPECT_EQ(std::getenv("MINIDL_TEST_UNSET_VARIABLE"), nullptr);
  setenv("MINIDL_TEST_UNSET_VARIABLE", "a=b", 1);
  EXPECT_STREQ(std::getenv("MINIDL_TEST_UNSET_VARIABLE"), "a=b");
  unsetenv("MINIDL_TEST_UNSET_VARIABLE");
  if (policy) setenv("OMP_WAIT_POLICY", saved_policy.c_str(), 1);
  if (spincount) setenv("GOMP_SPINCOUNT", saved_spincount.c_str(), 1);
}

TEST(ThreadingDefaults, ProgramsThatAskSpinBrieflyUnlessTheUserSaysOtherwise) {
  const std::string probe = std::string(MINIDL_BINARY_DIR) + "/tests/spin_count_probe";
  const std::string clean = "env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY ";
  // Nothing set: the program re-executes itself with the default, and keeps its arguments.
  const std::string by_default = output_of(clean + probe + " 'two words' x");
  EXPECT_NE(by_default.find("GOMP_SPINCOUNT = '1000'"), std::string::npos) << by_default;
  EXPECT_NE(by_default.find("argument 1: two words"), std::string::npos) << by_default;
  EXPECT_NE(by_default.find("argument 2: x"), std::string::npos) << by_default;
  // The user's settings win.
  const std::string chosen = output_of(clean + "GOMP_SPINCOUNT=7 " + probe);
  EXPECT_NE(chosen.find("GOMP_SPINCOUNT = '7'"), std::string::npos) << chosen;
  const std::string passive = output_of(clean + "OMP_WAIT_POLICY=PASSIVE " + probe);
  EXPECT_NE(passive.find("GOMP_SPINCOUNT = '0'"), std::string::npos) << passive;
}

TEST_F(Threading, CallsFromInsideAUserParallelRegion) {
  // An op called from inside someone else's parallel region runs serially and stays correct.
  ScopedThreads threads(2);
  Tensor expected = add(a, b);
  std::vector<Tensor> results(2);
#pragma omp parallel num_threads(2)
  results[size_t(omp_get_thread_num())] = add(a, b);
  for (const Tensor& r : results) {
    if (r.defined()) {
      EXPECT_TRUE(bit_identical(r, expected));
    }
  }
}

// A float32 denormal times 1 stays a denormal under IEEE rules and becomes 0 when flushing is on,
// in the calling thread and in every OpenMP thread; turning it off restores IEEE behaviour.
float times_one(float x) {
  volatile float one = 1.0f;  // volatile: the product must be computed at run time, not folded
  return x * one;
}

TEST(Denormals, FlushReachesEveryThreadAndTurnsOff) {
  const float denormal = 1e-40f;
  ASSERT_TRUE(std::fpclassify(denormal) == FP_SUBNORMAL);
  ASSERT_FALSE(flush_denormal());  // the library's default: IEEE semantics
  EXPECT_EQ(times_one(denormal), denormal);
  // Made before flushing starts: with it on, even converting 1e-40 to float gives 0.
  const Tensor tiny = full({200000}, denormal);
  ScopedThreads threads(2);
  if (!set_flush_denormal(true)) GTEST_SKIP() << "this CPU cannot flush denormals";
  EXPECT_TRUE(flush_denormal());
  EXPECT_EQ(times_one(denormal), 0.0f);
  int threads_flushing = 0, threads_seen = 0;
#pragma omp parallel num_threads(2) reduction(+ : threads_flushing, threads_seen)
  {
    threads_seen += 1;
    threads_flushing += flush_denormal() && times_one(denormal) == 0.0f;
  }
  EXPECT_EQ(threads_flushing, threads_seen);
  // A tensor kernel running on the pool flushes too: mul above the grain, in parallel.
  EXPECT_EQ(sum(ne(mul(tiny, 1.0), 0.0)).item(), 0.0);
  ASSERT_TRUE(set_flush_denormal(false));
  EXPECT_FALSE(flush_denormal());
  EXPECT_EQ(times_one(denormal), denormal);
  EXPECT_EQ(sum(ne(mul(tiny, 1.0), 0.0)).item(), 200000.0);
}

}  // namespace
}  // namespace minidl
