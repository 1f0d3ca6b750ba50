// Helpers shared by the tensor/ test files: exact error-message checks, value extraction and a
// scoped thread-count setting.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace minidl::test {

// Expects `statement` to throw minidl::Error whose message is exactly `expected`. Any other
// exception escapes and fails the test with its own message.
#define EXPECT_MINIDL_ERROR(statement, expected)                                         \
  do {                                                                                   \
    try {                                                                                \
      (void)(statement);                                                                 \
      ADD_FAILURE() << "no minidl::Error from: " #statement;                             \
    } catch (const ::minidl::Error& minidl_error_) {                                     \
      EXPECT_EQ(std::string(minidl_error_.what()), std::string(expected)) << #statement; \
    }                                                                                    \
  } while (0)

// The values of any tensor in row-major order, as double (exact for every dtype minidl holds
// except int64 beyond 2^53, which the tests do not use through this helper).
inline std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Elementwise EXPECT_NEAR with a relative-plus-absolute tolerance, and a readable failure message.
inline void expect_all_near(const Tensor& actual, const std::vector<double>& expected,
                            double tolerance) {
  std::vector<double> got = values(actual);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], tolerance * (1 + std::abs(expected[i]))) << "at index " << i;
  }
}

// True when two tensors have the same dtype, shape and bit pattern of every value.
inline bool bit_identical(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.raw_data(), cb.raw_data(), size_t(ca.numel()) * ca.element_size()) == 0;
}

// Sets minidl's (and OpenBLAS's) thread count for one scope and restores the previous one.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(num_threads()) { set_num_threads(threads); }
  ~ScopedThreads() { set_num_threads(previous_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

inline const DType kFloatTypes[] = {DType::Float32, DType::Float64};

}  // namespace minidl::test
