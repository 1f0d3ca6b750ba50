// Thread settings. One call sets minidl's OpenMP thread count and OpenBLAS's together, so the two
// pools never oversubscribe the cores. Kernels run serially below a grain of elements because a
// parallel region costs more than it saves on small tensors (measured in bench/bench_elementwise).
#pragma once

#include <cstdint>

namespace minidl {

void set_num_threads(int threads);
int num_threads();

// Elementwise work below this many elements runs on one thread by default: the measured
// serial/parallel crossover of add and relu on 2 threads (bench/bench_elementwise,
// docs/threads.md).
inline constexpr int64_t kParallelGrain = 32768;

// The grain in force; set_parallel_grain changes it at run time (bench_elementwise sweeps it to
// find the crossover; 1 forces every loop parallel). Must be at least 1.
int64_t parallel_grain();
void set_parallel_grain(int64_t elements);

// True when a loop of `work` elements should open a parallel region (at least the grain, more than
// one thread configured, and not already inside a parallel region).
bool should_parallelize(int64_t work);

// Denormal (subnormal) numbers, float32 magnitudes below 1.2e-38, cost an x86 core a microcode
// assist of about a hundred cycles per operation, in GEMM as in elementwise kernels. Training makes
// them: the sigmoid gradients of pixels that are always black decay towards exp(-88) and below,
// and so do Adam's second moments of such weights, so a VAE's epochs slow down as training goes on
// until they are flushed (docs/threads.md, "Denormals"). set_flush_denormal(true) makes the calling
// thread and every OpenMP thread treat denormal inputs as zero and write zero instead of a denormal
// result (the FTZ and DAZ bits of MXCSR), as torch.set_flush_denormal(true) does; threads started
// later inherit the setting from the thread that starts them. Off by default (IEEE semantics); the
// example trainers turn it on. Returns false and changes nothing where the CPU cannot do it (not
// x86, or no DAZ). The pthreads OpenBLAS's own threads, started when the library loads, keep the
// setting they started with.
bool set_flush_denormal(bool on);

// Whether the calling thread flushes denormals (both FTZ and DAZ set).
bool flush_denormal();

// How long idle OpenMP threads busy-wait. After a parallel region libgomp's threads spin 300000
// times (milliseconds) before they sleep; on cores shared with other processes the spinning
// threads take the cores the working ones need. Sleeping at once (OMP_WAIT_POLICY=PASSIVE) costs
// every region a wake-up instead. 1000 spins keep the threads awake between the back-to-back
// regions of one training step and let them sleep soon after (docs/threads.md has the figures).
inline constexpr char kDefaultSpinCount[] = "1000";

// For a program's main(), before anything else: when neither GOMP_SPINCOUNT nor OMP_WAIT_POLICY
// is set, sets GOMP_SPINCOUNT=kDefaultSpinCount and re-executes the program (/proc/self/exe, the
// same argv), because libgomp reads its settings once, when it is loaded, so a setenv() in a
// running process changes nothing. Returns without doing anything when either variable is set,
// and carries on with libgomp's own default if the re-execution fails. minidl's programs and
// benchmarks call it; the library never does so on its own.
void apply_spin_count_default(char** argv);

}  // namespace minidl
