// Creation functions: constants, ranges, literals and C++ vectors, in every dtype.
#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::values;

TEST(Creation, ConstantsInEveryDtype) {
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64, DType::UInt8}) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor z = zeros({2, 3}, dtype);
    EXPECT_EQ(z.dtype(), dtype);
    EXPECT_EQ(z.shape(), (Shape{2, 3}));
    EXPECT_TRUE(z.is_contiguous());
    EXPECT_EQ(values(z), std::vector<double>(6, 0.0));
    EXPECT_EQ(values(ones({4}, dtype)), std::vector<double>(4, 1.0));
    EXPECT_EQ(values(full({2}, 7, dtype)), std::vector<double>(2, 7.0));
  }
  EXPECT_EQ(full({1}, 0.1, DType::Float64).item(), 0.1);
  EXPECT_EQ(full({1}, 0.1).item(), double(0.1f));
}

TEST(Creation, LikeFunctionsKeepShapeAndDtype) {
  Tensor a = tensor({{1, 2, 3}}, DType::Float64);
  for (const Tensor& t : {zeros_like(a), ones_like(a), full_like(a, 2), empty_like(a)}) {
    EXPECT_EQ(t.shape(), (Shape{1, 3}));
    EXPECT_EQ(t.dtype(), DType::Float64);
    EXPECT_FALSE(t.shares_storage_with(a));
  }
  EXPECT_EQ(values(full_like(a, 2)), (std::vector<double>{2, 2, 2}));
}

TEST(Creation, ScalarsAndEmptyShapes) {
  Tensor s = scalar(2.5, DType::Float64);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item(), 2.5);
  Tensor e = zeros({3, 0, 2});
  EXPECT_EQ(e.numel(), 0);
  EXPECT_EQ(e.shape(), (Shape{3, 0, 2}));
  EXPECT_EQ(empty({0}).numel(), 0);
}

TEST(Creation, ArangeLikeNumPy) {
  EXPECT_EQ(values(arange(0, 5)), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(0, 5).dtype(), DType::Float32);
  EXPECT_EQ(values(arange(1, 2, 0.25, DType::Float64)), (std::vector<double>{1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(values(arange(5, 0, -2)), (std::vector<double>{5, 3, 1}));
  EXPECT_EQ(values(arange(0, 1, 0.3, DType::Float64)),
            (std::vector<double>{0, 0.3, 0.6, 0.8999999999999999}));  // start + i * step
  Tensor i = arange(4);
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(i.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_EQ(arange(3, 1).numel(), 0);
  EXPECT_EQ(arange(0).numel(), 0);
}

TEST(Creation, FromVector) {
  Tensor a = from_vector(std::vector<int64_t>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(a.dtype(), DType::Int64);
  EXPECT_EQ(a.shape(), (Shape{2, 3}));
  EXPECT_EQ(a.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  Tensor b = from_vector(std::vector<double>{1.5, 2.5});
  EXPECT_EQ(b.shape(), (Shape{2}));
  EXPECT_EQ(b.dtype(), DType::Float64);
  EXPECT_EQ(from_vector(std::vector<float>{4}).dim(), 0);  // one value, no shape: a scalar
  EXPECT_EQ(from_vector(std::vector<uint8_t>{}).shape(), (Shape{0}));
  EXPECT_EQ(from_vector(std::vector<uint8_t>{255, 0}).to_vector<uint8_t>(),
            (std::vector<uint8_t>{255, 0}));
}

TEST(Creation, LiteralTensors) {
  Tensor m = tensor({{1, 2}, {3, 4}, {5, 6}}, DType::Float64);
  EXPECT_EQ(m.shape(), (Shape{3, 2}));
  EXPECT_EQ(m.dtype(), DType::Float64);
  EXPECT_EQ(values(m), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(tensor({1, -2}, DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{1, -2}));
}

TEST(Creation, AColumnLiteralIsTwoDimensional) {
  // Each {0} could be a double or a row; it is a row, so this is a [4, 1] column. (With plain
  // doubles in the 1-d form the call would be ambiguous and would not compile.)
  Tensor column = tensor({{0}, {1}, {1}, {0}});
  EXPECT_EQ(column.shape(), (Shape{4, 1}));
  EXPECT_EQ(values(column), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(tensor({{2.5}}, DType::Float64).shape(), (Shape{1, 1}));
  // Plain 1-d literals, mixed integers and floats, and a list held in a variable stay 1-d.
  EXPECT_EQ(tensor({1, 2.5, -3}).shape(), (Shape{3}));
  EXPECT_EQ(values(tensor({1, 2.5, -3})), (std::vector<double>{1, 2.5, -3}));
  const std::initializer_list<double> held = {4, 5};
  EXPECT_EQ(values(tensor(held, DType::Float64)), (std::vector<double>{4, 5}));
}

TEST(Creation, ToVectorCastsAndFollowsLogicalOrder) {
  Tensor m = tensor({{1, 2}, {3, 4}});
  EXPECT_EQ(m.t().to_vector<int64_t>(), (std::vector<int64_t>{1, 3, 2, 4}));
  EXPECT_EQ(m.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace minidl
