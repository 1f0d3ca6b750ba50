// NumPy broadcasting: the shape rule, its edge cases (size-1, missing and zero-size axes, 0-d
// operands), broadcasting with strided operands, and sum_to, its inverse for gradients.
#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::values;

TEST(Broadcasting, ShapeRule) {
  EXPECT_EQ(broadcast_shapes({2, 3}, {3}, "t"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({2, 1}, {1, 3}, "t"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({5, 1, 4}, {3, 1}, "t"), (Shape{5, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {2, 2}, "t"), (Shape{2, 2}));
  EXPECT_EQ(broadcast_shapes({}, {}, "t"), (Shape{}));
  EXPECT_EQ(broadcast_shapes({1}, {0}, "t"), (Shape{0}));
  EXPECT_EQ(broadcast_shapes({0, 3}, {1, 3}, "t"), (Shape{0, 3}));
  EXPECT_EQ(broadcast_shapes({2, 0}, {2, 1}, "t"), (Shape{2, 0}));
  EXPECT_MINIDL_ERROR(broadcast_shapes({0}, {2}, "t"), "t: shapes [0] and [2] cannot be broadcast");
  EXPECT_MINIDL_ERROR(broadcast_shapes({2, 3}, {3, 2}, "add"),
                      "add: shapes [2, 3] and [3, 2] cannot be broadcast");
}

TEST(Broadcasting, RowAndColumnVectors) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(values(m + tensor({10, 20, 30})), (std::vector<double>{11, 22, 33, 14, 25, 36}));
  Tensor column = tensor({100, 200}).reshape({2, 1});
  EXPECT_EQ(values(m + column), (std::vector<double>{101, 102, 103, 204, 205, 206}));
  // Outer sum: [2, 1] + [1, 3] and [3] + [2, 1], in both argument orders.
  Tensor outer = column + tensor({1, 2, 3}).reshape({1, 3});
  EXPECT_EQ(outer.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(outer), (std::vector<double>{101, 102, 103, 201, 202, 203}));
  EXPECT_EQ(values(tensor({1, 2, 3}) - column),
            (std::vector<double>{-99, -98, -97, -199, -198, -197}));
}

TEST(Broadcasting, ScalarsAndRankThree) {
  Tensor m = tensor({{1, 2}, {3, 4}});
  EXPECT_EQ(values(m * scalar(2)), (std::vector<double>{2, 4, 6, 8}));
  EXPECT_EQ(values(scalar(2) - m), (std::vector<double>{1, 0, -1, -2}));
  EXPECT_EQ((scalar(2) + scalar(3)).dim(), 0);
  // [2, 1, 2] * [3, 1]: out[i, j, k] = a[i, 0, k] * b[j, 0].
  Tensor a = tensor({1, 2, 3, 4}).reshape({2, 1, 2});
  Tensor b = tensor({1, 10, 100}).reshape({3, 1});
  Tensor out = a * b;
  EXPECT_EQ(out.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(values(out), (std::vector<double>{1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400}));
}

TEST(Broadcasting, ZeroSizeAxes) {
  Tensor e = zeros({0, 3});
  EXPECT_EQ((e + tensor({1, 2, 3})).shape(), (Shape{0, 3}));
  EXPECT_EQ((e + zeros({1, 3})).shape(), (Shape{0, 3}));
  EXPECT_EQ((zeros({2, 0}) * zeros({2, 1})).shape(), (Shape{2, 0}));
  EXPECT_EQ((tensor({5}) + zeros({0})).shape(), (Shape{0}));
  EXPECT_EQ(maximum(e, scalar(1)).shape(), (Shape{0, 3}));
}

TEST(Broadcasting, StridedOperands) {
  Tensor m = arange(0, 6).reshape({2, 3});
  Tensor t = m.t();  // [3, 2]: [[0, 3], [1, 4], [2, 5]]
  EXPECT_EQ(values(t + tensor({10, 20})), (std::vector<double>{10, 23, 11, 24, 12, 25}));
  Tensor every_other = arange(0, 6).slice(0, 0, 6, 2).reshape({3, 1});  // [[0], [2], [4]]
  EXPECT_EQ(values(t * every_other), (std::vector<double>{0, 0, 2, 8, 8, 20}));
  Tensor expanded = tensor({1, 2}).expand({3, 2});
  EXPECT_EQ(values(t - expanded), (std::vector<double>{-1, 1, 0, 2, 1, 3}));
  // Both operands broadcast and one is transposed: [3, 1, 2] + [2, 1] (a column view).
  Tensor col = tensor({1, 2}).reshape({1, 2}).t();  // [2, 1]
  Tensor out = t.unsqueeze(1) + col;
  EXPECT_EQ(out.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(values(out), (std::vector<double>{1, 4, 2, 5, 2, 5, 3, 6, 3, 6, 4, 7}));
}

TEST(Broadcasting, WhereBroadcastsAllThree) {
  Tensor condition = tensor({1, 0}).reshape({2, 1});
  Tensor out = where(condition, tensor({1, 2, 3}), scalar(0));
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(out), (std::vector<double>{1, 2, 3, 0, 0, 0}));
  EXPECT_MINIDL_ERROR(where(tensor({1, 0}), tensor({1, 2, 3}), scalar(0)),
                      "where: shapes [2] and [3] cannot be broadcast");
}

TEST(Broadcasting, InPlaceBroadcastsOnlyTheRightOperand) {
  Tensor a = zeros({2, 3});
  a.copy_(tensor({1, 2, 3}));
  EXPECT_EQ(values(a), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  add_(a, tensor({1, 2}).reshape({2, 1}));
  EXPECT_EQ(values(a), (std::vector<double>{2, 3, 4, 3, 4, 5}));
  Tensor row = zeros({3});
  EXPECT_MINIDL_ERROR(add_(row, zeros({2, 3})),
                      "add_: shape [2, 3] cannot be added in place to [3]");
  EXPECT_MINIDL_ERROR(row.copy_(zeros({2, 3})), "copy_: source of shape [2, 3] does not fit [3]");
  EXPECT_MINIDL_ERROR(row.copy_(zeros({2})), "copy_: shapes [2] and [3] cannot be broadcast");
}

TEST(Broadcasting, SumToInvertsBroadcasting) {
  Tensor g = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(values(sum_to(g, {3})), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(sum_to(g, {3}).shape(), (Shape{3}));
  EXPECT_EQ(values(sum_to(g, {2, 1})), (std::vector<double>{6, 15}));
  EXPECT_EQ(sum_to(g, {2, 1}).shape(), (Shape{2, 1}));
  EXPECT_EQ(values(sum_to(g, {1, 3})), (std::vector<double>{5, 7, 9}));
  Tensor s = sum_to(g, {});
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item(), 21);
  EXPECT_TRUE(sum_to(g, {2, 3}).shares_storage_with(g));
  // [4, 1, 3] -> [1, 3]: the leading axis is summed away, the kept 1 stays.
  Tensor h = ones({4, 1, 3});
  EXPECT_EQ(sum_to(h, {1, 3}).shape(), (Shape{1, 3}));
  EXPECT_EQ(values(sum_to(h, {1, 3})), (std::vector<double>{4, 4, 4}));
  // Round trip: broadcasting a [3] to [5, 3] and summing back multiplies by 5.
  Tensor v = tensor({1, 2, 3});
  EXPECT_EQ(values(sum_to(v.expand({5, 3}), {3})), (std::vector<double>{5, 10, 15}));
  EXPECT_EQ(values(sum_to(g.t(), {1, 2})), (std::vector<double>{6, 15}));
  EXPECT_MINIDL_ERROR(sum_to(g, {4}), "sum_to: shape [2, 3] cannot be summed to [4]");
  EXPECT_MINIDL_ERROR(sum_to(g, {1, 2, 3}), "sum_to: shape [2, 3] cannot be summed to [1, 2, 3]");
}

}  // namespace
}  // namespace minidl
