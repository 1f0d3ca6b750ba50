# Finds minidl's dependencies, all from Debian 12 packages. A missing one stops the configure step
# with the apt-get line that installs it.

function(minidl_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "minidl needs ${what}. Install it with:\n  apt-get install -y ${package}\n")
  endif()
endfunction()

find_package(OpenMP QUIET)
minidl_require(OpenMP_CXX_FOUND "OpenMP" "libgomp1 (part of g++), or libomp-dev for clang")

# OpenBLAS: Debian ships a pthreads build (libopenblas0-pthread, the system default) and an OpenMP
# build (libopenblas0-openmp). minidl links the OpenMP one by default: its GEMMs then run on the
# same OpenMP threads as minidl's own kernels, under the same (passive) wait policy, instead of a
# second pool of threads that busy-waits for the cores (docs/threads.md has the measurements).
# Both install libopenblas.so.0 (same soname) in their own directory; the build links the chosen
# file by path, and CMake's build RPATH makes the programs load that one, not the system default.
set(MINIDL_OPENBLAS "openmp" CACHE STRING "OpenBLAS variant to link: openmp or pthread")
set_property(CACHE MINIDL_OPENBLAS PROPERTY STRINGS openmp pthread)
if(NOT MINIDL_OPENBLAS MATCHES "^(pthread|openmp)$")
  message(FATAL_ERROR "MINIDL_OPENBLAS must be pthread or openmp, not '${MINIDL_OPENBLAS}'")
endif()
set(minidl_openblas_package "libopenblas0-${MINIDL_OPENBLAS} libopenblas-dev")
find_path(MINIDL_CBLAS_INCLUDE cblas.h
          PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread
                /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
          PATH_SUFFIXES openblas)
# One cache entry per variant, so switching MINIDL_OPENBLAS in an existing build directory
# switches the library too. The runtime package alone has only libopenblas.so.0, hence both names.
find_library(MINIDL_OPENBLAS_LIBRARY_${MINIDL_OPENBLAS} NAMES openblas libopenblas.so.0
             PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-${MINIDL_OPENBLAS}
             NO_DEFAULT_PATH)
if(NOT MINIDL_OPENBLAS_LIBRARY_${MINIDL_OPENBLAS} AND MINIDL_OPENBLAS STREQUAL "pthread")
  find_library(MINIDL_OPENBLAS_LIBRARY_pthread openblas)  # a non-Debian layout
endif()
set(MINIDL_OPENBLAS_LIBRARY ${MINIDL_OPENBLAS_LIBRARY_${MINIDL_OPENBLAS}})
if(MINIDL_CBLAS_INCLUDE AND MINIDL_OPENBLAS_LIBRARY)
  set(MINIDL_HAVE_OPENBLAS TRUE)
endif()
minidl_require(MINIDL_HAVE_OPENBLAS "the ${MINIDL_OPENBLAS} build of OpenBLAS (cblas.h and libopenblas)"
               "${minidl_openblas_package}")
add_library(minidl::openblas INTERFACE IMPORTED)
target_include_directories(minidl::openblas INTERFACE ${MINIDL_CBLAS_INCLUDE})
target_link_libraries(minidl::openblas INTERFACE ${MINIDL_OPENBLAS_LIBRARY})
message(STATUS "minidl: OpenBLAS ${MINIDL_OPENBLAS} build: ${MINIDL_OPENBLAS_LIBRARY}")

find_package(ZLIB QUIET)
minidl_require(ZLIB_FOUND "zlib" "zlib1g-dev")

find_package(nlohmann_json 3 QUIET)
minidl_require(nlohmann_json_FOUND "nlohmann-json" "nlohmann-json3-dev")

find_path(MINIDL_STB_INCLUDE stb/stb_image.h)
if(MINIDL_STB_INCLUDE)
  set(MINIDL_HAVE_STB TRUE)
endif()
minidl_require(MINIDL_HAVE_STB "stb (stb/stb_image.h)" "libstb-dev")
add_library(minidl::stb INTERFACE IMPORTED)
target_include_directories(minidl::stb INTERFACE ${MINIDL_STB_INCLUDE})

if(MINIDL_BUILD_EXAMPLES OR MINIDL_BUILD_TESTS)
  find_package(CLI11 QUIET)
  minidl_require(CLI11_FOUND "CLI11" "libcli11-dev")
endif()

if(MINIDL_BUILD_TESTS)
  find_package(GTest QUIET)
  minidl_require(GTest_FOUND "GoogleTest" "libgtest-dev")
endif()

if(MINIDL_BUILD_BENCH)
  find_package(benchmark QUIET)
  minidl_require(benchmark_FOUND "Google Benchmark" "libbenchmark-dev")
endif()
