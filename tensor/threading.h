// Thread settings. One call sets minidl's OpenMP thread count and OpenBLAS's together, so the two
// pools never oversubscribe the cores. Kernels run serially below a grain of elements because a
// parallel region costs more than it saves on small tensors (measured in bench/bench_elementwise).
#pragma once

#include <cstdint>

namespace minidl {

void set_num_threads(int threads);
int num_threads();

// Elementwise work below this many elements runs on one thread by default: the measured
// serial/parallel crossover of add and relu on 2 threads (bench/bench_elementwise, README).
inline constexpr int64_t kParallelGrain = 32768;

// The grain in force; set_parallel_grain changes it at run time (bench_elementwise sweeps it to
// find the crossover; 1 forces every loop parallel). Must be at least 1.
int64_t parallel_grain();
void set_parallel_grain(int64_t elements);

// True when a loop of `work` elements should open a parallel region (at least the grain, more than
// one thread configured, and not already inside a parallel region).
bool should_parallelize(int64_t work);

}  // namespace minidl
