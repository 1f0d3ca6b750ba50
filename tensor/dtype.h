// Element types a Tensor can hold, and the dispatch helpers that turn a runtime DType into a
// compile-time C++ type inside kernels. Templates stay here and in kernels; the public API is
// untemplated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

#include "tensor/error.h"

namespace minidl {

enum class DType : uint8_t { Float32, Float64, Int64, UInt8 };

// The one table of names: minidl's own, NumPy's .npy descriptor and the safetensors dtype string.
// Every reader and writer looks its dtype up here.
struct DTypeInfo {
  DType dtype;
  size_t size;
  std::string_view name;
  std::string_view npy;
  std::string_view safetensors;
};

inline constexpr std::array<DTypeInfo, 4> kDTypes = {{
    {DType::Float32, 4, "float32", "<f4", "F32"},
    {DType::Float64, 8, "float64", "<f8", "F64"},
    {DType::Int64, 8, "int64", "<i8", "I64"},
    {DType::UInt8, 1, "uint8", "|u1", "U8"},
}};

// The table is in enum order, so a DType indexes its row.
constexpr bool dtype_table_in_enum_order() {
  for (size_t i = 0; i < kDTypes.size(); ++i) {
    if (size_t(kDTypes[i].dtype) != i) return false;
  }
  return true;
}
static_assert(dtype_table_in_enum_order());

constexpr const DTypeInfo& dtype_info(DType dtype) { return kDTypes[size_t(dtype)]; }

constexpr size_t dtype_size(DType dtype) { return dtype_info(dtype).size; }
constexpr std::string_view dtype_name(DType dtype) { return dtype_info(dtype).name; }

// The dtype whose name in the given column (&DTypeInfo::npy, &DTypeInfo::safetensors, ...) is
// text, or nothing.
constexpr std::optional<DType> dtype_from(std::string_view DTypeInfo::*column,
                                          std::string_view text) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.*column == text) return info.dtype;
  }
  return std::nullopt;
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
