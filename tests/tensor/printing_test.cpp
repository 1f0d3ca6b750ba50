// operator<< prints dtype, shape and values in NumPy's layout, eliding the middle of long axes in
// tensors of more than 1000 elements, with column widths taken from the values shown.
#include <cmath>
#include <limits>
#include <sstream>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

std::string str(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

TEST(Printing, VectorsMatricesAndScalars) {
  EXPECT_EQ(str(tensor({1, 2, 3})), "tensor([1.0000, 2.0000, 3.0000], dtype=float32, shape=[3])");
  EXPECT_EQ(str(tensor({{1, -20}, {300, 4}}, DType::Int64)),
            "tensor([[  1, -20],\n"
            "        [300,   4]], dtype=int64, shape=[2, 2])");
  EXPECT_EQ(str(scalar(3.5)), "tensor(3.5000, dtype=float32, shape=[])");
  EXPECT_EQ(str(tensor({-0.5, 12.25}, DType::Float64)),
            "tensor([-0.5000, 12.2500], dtype=float64, shape=[2])");
  EXPECT_EQ(str(from_vector(std::vector<uint8_t>{7, 255})),
            "tensor([  7, 255], dtype=uint8, shape=[2])");
}

TEST(Printing, RankThreeSeparatesBlocksWithABlankLine) {
  EXPECT_EQ(str(arange(8).reshape({2, 2, 2})),
            "tensor([[[0, 1],\n"
            "         [2, 3]],\n"
            "\n"
            "        [[4, 5],\n"
            "         [6, 7]]], dtype=int64, shape=[2, 2, 2])");
}

TEST(Printing, StridedViewsPrintInLogicalOrder) {
  EXPECT_EQ(str(tensor({{1, 2}, {3, 4}}, DType::Int64).t()),
            "tensor([[1, 3],\n"
            "        [2, 4]], dtype=int64, shape=[2, 2])");
}

TEST(Printing, EmptyAndUndefined) {
  EXPECT_EQ(str(zeros({0, 3})), "tensor([], dtype=float32, shape=[0, 3])");
  EXPECT_EQ(str(Tensor()), "tensor(undefined)");
}

TEST(Printing, ScientificNotationAndNonFiniteValues) {
  EXPECT_EQ(str(tensor({1e-5, 1}, DType::Float64)),
            "tensor([1.0000e-05, 1.0000e+00], dtype=float64, shape=[2])");
  EXPECT_EQ(str(tensor({2e5, 1}, DType::Float64)),
            "tensor([2.0000e+05, 1.0000e+00], dtype=float64, shape=[2])");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(str(tensor({std::nan(""), inf, -inf, 1.5})),
            "tensor([   nan,    inf,   -inf, 1.5000], dtype=float32, shape=[4])");
}

TEST(Printing, LongVectorsAreElided) {
  EXPECT_EQ(str(arange(2000)),
            "tensor([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int64, shape=[2000])");
  // Widths come from the values shown, as NumPy: the hidden 100000s do not widen the columns.
  std::vector<int64_t> v(1001, 100000);
  for (int i = 0; i < 3; ++i) {
    v[size_t(i)] = i + 1;
    v[size_t(998 + i)] = i + 4;
  }
  EXPECT_EQ(str(from_vector(v)), "tensor([1, 2, 3, ..., 4, 5, 6], dtype=int64, shape=[1001])");
  // 1000 elements or fewer: everything is shown.
  std::string all = str(arange(1000));
  EXPECT_EQ(all.find("..."), std::string::npos);
  EXPECT_NE(all.find(" 500,"), std::string::npos);
}

TEST(Printing, LongMatricesElideRowsAndColumns) {
  EXPECT_EQ(str(arange(1200).reshape({40, 30})),
            "tensor([[   0,    1,    2, ...,   27,   28,   29],\n"
            "        [  30,   31,   32, ...,   57,   58,   59],\n"
            "        [  60,   61,   62, ...,   87,   88,   89],\n"
            "        ...,\n"
            "        [1110, 1111, 1112, ..., 1137, 1138, 1139],\n"
            "        [1140, 1141, 1142, ..., 1167, 1168, 1169],\n"
            "        [1170, 1171, 1172, ..., 1197, 1198, 1199]], dtype=int64, shape=[40, 30])");
}

}  // namespace
}  // namespace minidl
