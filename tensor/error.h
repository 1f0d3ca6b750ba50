// minidl::Error and the one check macro every layer uses to report bad input.
// Messages start with the op or file and say what is wrong with the values, e.g.
//   matmul: inner dimensions differ: [128, 784] x [512, 256]
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace minidl {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace minidl

// MINIDL_CHECK(cond, "op: " << a << " and " << b << " differ") throws minidl::Error when cond is
// false. The message is a stream expression so callers can print shapes without building strings
// on the success path.
#define MINIDL_CHECK(cond, message_stream)            \
  do {                                                \
    if (!(cond)) [[unlikely]] {                       \
      std::ostringstream minidl_check_message_;       \
      minidl_check_message_ << message_stream;        \
      throw ::minidl::Error(minidl_check_message_.str()); \
    }                                                 \
  } while (0)

#define MINIDL_FAIL(message_stream) MINIDL_CHECK(false, message_stream)
