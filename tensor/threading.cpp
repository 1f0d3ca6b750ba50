#include "tensor/threading.h"

#include <omp.h>

#include <algorithm>

#include "tensor/error.h"

extern "C" void openblas_set_num_threads(int);

namespace minidl {

void set_num_threads(int threads) {
  MINIDL_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got " << threads);
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

bool should_parallelize(int64_t work) {
  return work >= kParallelGrain && omp_get_max_threads() > 1 && !omp_in_parallel();
}

}  // namespace minidl
