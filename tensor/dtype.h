// Element types a Tensor can hold, and the dispatch helpers that turn a runtime DType into a
// compile-time C++ type inside kernels. Templates stay here and in kernels; the public API is
// untemplated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>

#include "tensor/error.h"

namespace minidl {

enum class DType : uint8_t { Float32, Float64, Int64, UInt8 };

constexpr size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
    case DType::Int64:
      return 8;
    case DType::UInt8:
      return 1;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int64:
      return "int64";
    case DType::UInt8:
      return "uint8";
  }
  return "unknown";
}

constexpr bool is_floating(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float64;
}

inline std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::UInt8;
}

// dispatch_floating(dtype, "exp", [&]<typename T>() { ... }) runs the body with T = float or
// double, and throws a clear error for integer tensors.
template <typename Fn>
decltype(auto) dispatch_floating(DType dtype, std::string_view op, Fn&& fn) {
  switch (dtype) {
    case DType::Float32:
      return fn.template operator()<float>();
    case DType::Float64:
      return fn.template operator()<double>();
    default:
      break;
  }
  MINIDL_FAIL(op << ": dtype " << dtype << " is not supported (float32 or float64 needed)");
}

// dispatch_all: every dtype (copies, casts, arithmetic, comparisons, indexing).
template <typename Fn>
decltype(auto) dispatch_all(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::Float32:
      return fn.template operator()<float>();
    case DType::Float64:
      return fn.template operator()<double>();
    case DType::Int64:
      return fn.template operator()<int64_t>();
    case DType::UInt8:
      return fn.template operator()<uint8_t>();
  }
  MINIDL_FAIL("dispatch: unknown dtype");
}

}  // namespace minidl
