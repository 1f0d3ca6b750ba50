// Thread settings. One call sets minidl's OpenMP thread count and OpenBLAS's together, so the two
// pools never oversubscribe the cores. Kernels run serially below kParallelGrain elements because a
// parallel region costs more than it saves on small tensors (measured in bench/bench_elementwise).
#pragma once

#include <cstdint>

namespace minidl {

void set_num_threads(int threads);
int num_threads();

// Elementwise work below this many elements runs on one thread.
inline constexpr int64_t kParallelGrain = 32768;

// True when a loop of `work` elements should open a parallel region (large enough, more than one
// thread configured, and not already inside a parallel region).
bool should_parallelize(int64_t work);

}  // namespace minidl
