// minidl::Error and the one check macro every layer uses to report bad input.
// Messages start with the op or file and say what is wrong with the values, e.g.
//   matmul: inner dimensions differ: [128, 784] x [512, 256]
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace minidl {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {

// The stream MINIDL_CHECK writes its message into. Shapes (std::vector<int64_t>) print as
// [64, 784] from any namespace: argument-dependent lookup finds these operators through the
// stream's own type, whereas an operator<< for std::vector declared in namespace minidl is hidden
// inside any nested namespace (minidl::nn, ...) that declares an operator<< of its own.
class MessageStream {
 public:
  template <typename T>
  MessageStream& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }
  MessageStream& operator<<(const std::vector<int64_t>& values) {
    stream_ << '[';
    for (size_t i = 0; i < values.size(); ++i) stream_ << (i ? ", " : "") << values[i];
    stream_ << ']';
    return *this;
  }
  std::string str() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
};

}  // namespace detail
}  // namespace minidl

// MINIDL_CHECK(cond, "op: " << a << " and " << b << " differ") throws minidl::Error when cond is
// false. The message is a stream expression so callers can print shapes without building strings
// on the success path.
#define MINIDL_CHECK(cond, message_stream)                   \
  do {                                                       \
    if (!(cond)) [[unlikely]] {                              \
      ::minidl::detail::MessageStream minidl_check_message_; \
      minidl_check_message_ << message_stream;               \
      throw ::minidl::Error(minidl_check_message_.str());    \
    }                                                        \
  } while (0)

#define MINIDL_FAIL(message_stream) MINIDL_CHECK(false, message_stream)
