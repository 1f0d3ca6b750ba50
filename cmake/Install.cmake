# minidl as a library for other projects (docs/install.md):
#   - add_subdirectory(minidl) or FetchContent: link minidl::minidl, the alias made here;
#   - cmake --install: <prefix>/lib/libminidl.a, the headers under <prefix>/include/minidl/ in the
#     repository's layout (include/minidl/tensor/tensor.h, ...), and the package config in
#     <prefix>/lib/cmake/minidl/, so find_package(minidl) gives the same minidl::minidl target.
# Users include headers as the repository's own code does: #include "nn/nn.h".

add_library(minidl::minidl ALIAS minidl)
target_compile_features(minidl PUBLIC cxx_std_20)

option(MINIDL_INSTALL "Generate the install rules and the package config" ${PROJECT_IS_TOP_LEVEL})
if(NOT MINIDL_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MINIDL_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/minidl)
set(MINIDL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/minidl)

foreach(folder tensor autograd nn data metrics)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${folder}/
          DESTINATION ${MINIDL_INSTALL_INCLUDEDIR}/${folder}
          FILES_MATCHING PATTERN "*.h")
endforeach()

install(TARGETS minidl EXPORT minidlTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${MINIDL_INSTALL_INCLUDEDIR})
install(EXPORT minidlTargets NAMESPACE minidl:: DESTINATION ${MINIDL_INSTALL_CMAKEDIR})

# The config finds the dependencies as Dependencies.cmake did, and links the very OpenBLAS file
# this build used (the OpenMP or the pthreads variant: see MINIDL_OPENBLAS).
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/minidlConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/minidlConfig.cmake
                              INSTALL_DESTINATION ${MINIDL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/minidlConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/minidlConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/minidlConfigVersion.cmake
        DESTINATION ${MINIDL_INSTALL_CMAKEDIR})
