// Helpers shared by the nn/ test files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

#include "nn/nn.h"
#include "tests/tensor/tensor_test_util.h"

namespace minidl::test {

// Expects `statement` to throw minidl::Error whose message starts with `prefix` and contains
// `fragment` (for messages that embed paths or long lists).
#define EXPECT_MINIDL_ERROR_CONTAINS(statement, prefix, fragment)                      \
  do {                                                                                 \
    try {                                                                              \
      (void)(statement);                                                               \
      ADD_FAILURE() << "no minidl::Error from: " #statement;                           \
    } catch (const ::minidl::Error& minidl_error_) {                                   \
      const std::string minidl_message_ = minidl_error_.what();                        \
      EXPECT_EQ(minidl_message_.rfind(prefix, 0), 0u) << minidl_message_;              \
      EXPECT_NE(minidl_message_.find(fragment), std::string::npos) << minidl_message_; \
      EXPECT_EQ(minidl_message_.find('\n'), std::string::npos)                         \
          << "not one line: " << minidl_message_;                                      \
    }                                                                                  \
  } while (0)

inline Tensor f64(std::initializer_list<double> v) { return tensor(v, DType::Float64); }
inline Tensor f64(std::initializer_list<std::initializer_list<double>> rows) {
  return tensor(rows, DType::Float64);
}
inline Tensor int64s(std::vector<int64_t> v) { return from_vector(v); }

// True when every value of the tensor is finite.
inline bool all_finite(const Tensor& t) {
  for (double v : t.to_vector<double>()) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// A path in the test temporary directory that no other test process uses (ctest may run the
// cases of several binaries at once, all sharing /tmp).
inline std::string unique_temp_path(const std::string& stem,
                                    const std::string& extension = ".safetensors") {
  return ::testing::TempDir() + "/minidl-nn-" + stem + "-" + std::to_string(::getpid()) + extension;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.flush();
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// n as the 8 little-endian bytes of a safetensors header length.
inline std::string u64_le(uint64_t n) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(char((n >> (8 * i)) & 0xff));
  return out;
}

}  // namespace minidl::test
