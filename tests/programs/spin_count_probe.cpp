// A program like minidl's own: it calls apply_spin_count_default first, then prints the settings
// libgomp parsed when it was loaded (to stderr) and its arguments (to stdout), so a test can see
// whether the re-execution happened, what it set, and that the arguments came through unchanged.
#include <omp.h>

#include <cstdio>

#include "tensor/threading.h"

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);
  omp_display_env(1);  // verbose: the GOMP_ variables too
  for (int i = 1; i < argc; ++i) std::printf("argument %d: %s\n", i, argv[i]);
  return 0;
}
