#include "tensor/threading.h"

#include <omp.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define MINIDL_HAVE_MXCSR 1
#endif

#include "tensor/error.h"

extern "C" void openblas_set_num_threads(int);

namespace minidl {

namespace {
// Relaxed: a grain change needs no ordering with other memory, only to be seen eventually.
std::atomic<int64_t> grain{kParallelGrain};
// Set by set_flush_denormal, so that threads a larger set_num_threads adds to OpenMP's pool get it.
std::atomic<bool> flush_denormal_requested{false};
}  // namespace

void set_num_threads(int threads) {
  MINIDL_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got " << threads);
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
  if (flush_denormal_requested.load(std::memory_order_relaxed)) set_flush_denormal(true);
}

int num_threads() { return omp_get_max_threads(); }

int64_t parallel_grain() { return grain.load(std::memory_order_relaxed); }

void set_parallel_grain(int64_t elements) {
  MINIDL_CHECK(elements >= 1, "set_parallel_grain: need at least 1 element, got " << elements);
  grain.store(elements, std::memory_order_relaxed);
}

namespace {

#ifdef MINIDL_HAVE_MXCSR
constexpr unsigned kFlushToZero = 0x8000;       // MXCSR bit 15: denormal results become 0
constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR bit 6: denormal inputs read as 0

// DAZ is not on every x86 CPU (the first SSE2 ones lack it) and setting it there faults. FXSAVE
// reports which MXCSR bits the CPU accepts (MXCSR_MASK at byte 28; 0 means the default 0xFFBF,
// which lacks DAZ).
bool cpu_has_denormals_are_zero() {
  alignas(16) unsigned char area[512] = {};
  asm volatile("fxsave %0" : "=m"(area));
  uint32_t mask;
  std::memcpy(&mask, area + 28, sizeof mask);
  return (mask != 0 ? mask : 0xFFBFu) & kDenormalsAreZero;
}

void set_this_thread_flush_denormal(bool on) {
  const unsigned bits = kFlushToZero | kDenormalsAreZero;
  _mm_setcsr(on ? (_mm_getcsr() | bits) : (_mm_getcsr() & ~bits));
}
#endif

}  // namespace

bool set_flush_denormal(bool on) {
#ifdef MINIDL_HAVE_MXCSR
  static const bool supported = cpu_has_denormals_are_zero();
  if (!supported) return false;
  flush_denormal_requested.store(on, std::memory_order_relaxed);
  set_this_thread_flush_denormal(on);
  // MXCSR belongs to each thread: set it in every thread of OpenMP's pool too (the OpenMP
  // OpenBLAS runs its GEMMs on the same pool).
#pragma omp parallel num_threads(omp_get_max_threads())
  set_this_thread_flush_denormal(on);
  return true;
#else
  (void)on;
  return false;
#endif
}

bool flush_denormal() {
#ifdef MINIDL_HAVE_MXCSR
  const unsigned bits = kFlushToZero | kDenormalsAreZero;
  return (_mm_getcsr() & bits) == bits;
#else
  return false;
#endif
}

void apply_spin_count_default(char** argv) {
  if (std::getenv("GOMP_SPINCOUNT") != nullptr || std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (argv == nullptr || argv[0] == nullptr) return;
  if (setenv("GOMP_SPINCOUNT", kDefaultSpinCount, 1) != 0) return;
  // libgomp parsed its settings when it was loaded, before main(): only a fresh image of the
  // program sees the variable. The new image finds it set and does not come back here.
  execv("/proc/self/exe", argv);
  unsetenv("GOMP_SPINCOUNT");  // no /proc: run on with libgomp's own default, environment as given
}

bool should_parallelize(int64_t work) {
  return work >= parallel_grain() && omp_get_max_threads() > 1 && !omp_in_parallel();
}

}  // namespace minidl
