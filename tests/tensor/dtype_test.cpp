#include "tensor/dtype.h"

#include <gtest/gtest.h>

namespace minidl {
namespace {

TEST(DTypeTable, SizesAndNamesMatchTheCTypes) {
  EXPECT_EQ(dtype_size(DType::Float32), sizeof(float));
  EXPECT_EQ(dtype_size(DType::Float64), sizeof(double));
  EXPECT_EQ(dtype_size(DType::Int64), sizeof(int64_t));
  EXPECT_EQ(dtype_size(DType::UInt8), sizeof(uint8_t));
  EXPECT_EQ(dtype_name(DType::Float64), "float64");
  EXPECT_EQ(dtype_info(DType::UInt8).npy, "|u1");
  EXPECT_EQ(dtype_info(DType::Int64).safetensors, "I64");
}

TEST(DTypeTable, EveryColumnNameLooksUpItsOwnRow) {
  for (const DTypeInfo& info : kDTypes) {
    EXPECT_EQ(dtype_from(&DTypeInfo::name, info.name), info.dtype) << info.name;
    EXPECT_EQ(dtype_from(&DTypeInfo::npy, info.npy), info.dtype) << info.name;
    EXPECT_EQ(dtype_from(&DTypeInfo::safetensors, info.safetensors), info.dtype) << info.name;
  }
  EXPECT_FALSE(dtype_from(&DTypeInfo::npy, "<f2").has_value());
  EXPECT_FALSE(dtype_from(&DTypeInfo::safetensors, "BF16").has_value());
  EXPECT_FALSE(dtype_from(&DTypeInfo::name, "F32").has_value());
}

}  // namespace
}  // namespace minidl
