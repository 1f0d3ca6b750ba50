# Known wrong code in the compilers Debian 12 ships, worked around only where it strikes.
#
# GCC 12's SLP vectoriser, with AVX-512 enabled (-march=native on an AVX-512 CPU, or
# -march=x86-64-v4), can build a constant vector such as the initializer {55, 55, 0, 0} as a
# broadcast of its first element: a std::vector<double> written from that literal holds
# {55, 55, 55, 55}. It depends on the code around it (seen in a GoogleTest body, not in the same
# lines in main()), so no source change can rule it out; turning the SLP pass off does. The hot
# loops are vectorised by the loop vectoriser (`omp simd`), which stays on. GCC 13 and clang are
# not affected by this, and AVX2-only targets never were.
#
# GCC 12 and 13 under AddressSanitizer, when use-after-return detection is on
# (ASAN_OPTIONS=detect_stack_use_after_return=1, as CI runs the suite), place a function's locals in
# a "fake stack" frame at offsets that keep only 32-byte alignment, yet still read a 64-byte-aligned
# local (an initializer list of eight doubles, say) with an aligned AVX-512 move: a general
# protection fault that ASan reports as a SEGV on an unknown address. Sanitizer builds on AVX-512
# CPUs therefore stop at AVX2 (-mno-avx512f): they are there to check memory, and the normal build
# runs the AVX-512 code.
include(CheckCXXSourceCompiles)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 14)
  set(CMAKE_REQUIRED_FLAGS -march=native)
  check_cxx_source_compiles("
    #ifndef __AVX512F__
    #error no AVX-512
    #endif
    int main() { return 0; }" MINIDL_NATIVE_HAS_AVX512)
  unset(CMAKE_REQUIRED_FLAGS)
  if(MINIDL_NATIVE_HAS_AVX512 AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    message(STATUS "minidl: GCC ${CMAKE_CXX_COMPILER_VERSION} with AVX-512: -fno-tree-slp-vectorize "
                   "(cmake/CompilerWorkarounds.cmake)")
    target_compile_options(minidl_options INTERFACE -fno-tree-slp-vectorize)
  endif()
  if(MINIDL_NATIVE_HAS_AVX512 AND MINIDL_SANITIZE)
    message(STATUS "minidl: GCC ${CMAKE_CXX_COMPILER_VERSION} with AVX-512 under AddressSanitizer: "
                   "-mno-avx512f (cmake/CompilerWorkarounds.cmake)")
    target_compile_options(minidl_options INTERFACE -mno-avx512f)
  endif()
endif()
