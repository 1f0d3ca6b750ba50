// Helpers shared by the nn/ test files.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace minidl::test
