#include "tensor/threading.h"

#include <omp.h>

#include <atomic>

#include "tensor/error.h"

extern "C" void openblas_set_num_threads(int);

namespace minidl {

namespace {
// Relaxed: a grain change needs no ordering with other memory, only to be seen eventually.
std::atomic<int64_t> grain{kParallelGrain};
}  // namespace

void set_num_threads(int threads) {
  MINIDL_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got " << threads);
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

int64_t parallel_grain() { return grain.load(std::memory_order_relaxed); }

void set_parallel_grain(int64_t elements) {
  MINIDL_CHECK(elements >= 1, "set_parallel_grain: need at least 1 element, got " << elements);
  grain.store(elements, std::memory_order_relaxed);
}

bool should_parallelize(int64_t work) {
  return work >= parallel_grain() && omp_get_max_threads() > 1 && !omp_in_parallel();
}

}  // namespace minidl
