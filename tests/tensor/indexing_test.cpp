// gather / scatter_add, index_select / index_add, concat / stack and one_hot: values, adjointness,
// duplicate indices, strided inputs and empty cases.
#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::values;

Tensor idx(std::vector<int64_t> v, Shape shape = {}) { return from_vector(v, shape); }

TEST(Indexing, GatherAlongEachAxis) {
  Tensor x = tensor({{1, 2}, {3, 4}});
  // PyTorch's documented example: torch.gather(t, 1, [[0, 0], [1, 0]]) = [[1, 1], [4, 3]].
  EXPECT_EQ(values(gather(x, 1, idx({0, 0, 1, 0}, {2, 2}))), (std::vector<double>{1, 1, 4, 3}));
  EXPECT_EQ(values(gather(x, 0, idx({1, 0, 0, 0}, {2, 2}))), (std::vector<double>{3, 2, 1, 2}));
  // Index smaller than x on the other axis, and picking one class per row (cross-entropy's use).
  Tensor logits = tensor({{0.1, 0.2, 0.3}, {1, 2, 3}, {10, 20, 30}});
  Tensor picked = gather(logits, 1, idx({2, 0, 1}, {3, 1}));
  EXPECT_EQ(picked.shape(), (Shape{3, 1}));
  EXPECT_EQ(values(picked), (std::vector<double>{double(0.3f), 1, 20}));
  EXPECT_EQ(values(gather(x.t(), 1, idx({1, 1}, {2, 1}))), (std::vector<double>{3, 4}));
  EXPECT_EQ(values(gather(x, -1, idx({1, 0}, {2, 1}))), (std::vector<double>{2, 3}));
  EXPECT_EQ(gather(x, 1, idx({}, {2, 0})).shape(), (Shape{2, 0}));
}

TEST(Indexing, ScatterAddIsTheAdjointOfGather) {
  Tensor index = idx({0, 0, 1, 0}, {2, 2});
  Tensor source = tensor({{1, 2}, {3, 4}});
  // Row 0 sends 1 and 2 both to column 0; row 1 sends 3 to column 1 and 4 to column 0.
  EXPECT_EQ(values(scatter_add({2, 2}, 1, index, source)), (std::vector<double>{3, 0, 4, 3}));
  // <gather(x, i), y> == <x, scatter_add(i, y)> for any x, y.
  Tensor x = tensor({{1, -2, 3}, {4, 5, -6}}, DType::Float64);
  Tensor i = idx({2, 2, 0, 1, 0, 0}, {2, 3});
  Tensor y = tensor({{0.5, 1, 2}, {-1, 3, 0.25}}, DType::Float64);
  double lhs = sum(mul(gather(x, 1, i), y)).item();
  double rhs = sum(mul(x, scatter_add(x.shape(), 1, i, y))).item();
  EXPECT_DOUBLE_EQ(lhs, rhs);
  EXPECT_EQ(scatter_add({3}, 0, idx({2, 2}), tensor({1, 2})).to_vector<float>(),
            (std::vector<float>{0, 0, 3}));
}

TEST(Indexing, IndexSelectAndIndexAdd) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
  EXPECT_EQ(values(index_select(m, 0, idx({2, 0, 2}))),
            (std::vector<double>{7, 8, 9, 1, 2, 3, 7, 8, 9}));
  EXPECT_EQ(values(index_select(m, 1, idx({1}))), (std::vector<double>{2, 5, 8}));
  EXPECT_EQ(index_select(m, 1, idx({1})).shape(), (Shape{3, 1}));
  EXPECT_EQ(values(index_select(m.t(), 0, idx({0, 2}))), (std::vector<double>{1, 4, 7, 3, 6, 9}));
  EXPECT_EQ(index_select(m, 0, idx({})).shape(), (Shape{0, 3}));
  // Duplicates accumulate.
  Tensor added = index_add({3, 2}, 0, idx({2, 0, 2}), tensor({{1, 1}, {2, 2}, {3, 3}}));
  EXPECT_EQ(values(added), (std::vector<double>{2, 2, 0, 0, 4, 4}));
  EXPECT_EQ(values(index_add({2, 2}, 1, idx({1, 1}), tensor({{1, 2}, {3, 4}}))),
            (std::vector<double>{0, 3, 0, 7}));
}

TEST(Indexing, ConcatAndStack) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor b = tensor({5, 6}).reshape({1, 2});
  EXPECT_EQ(values(concat({a, b})), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(concat({a, b}).shape(), (Shape{3, 2}));
  EXPECT_EQ(values(concat({a, a.t()}, 1)), (std::vector<double>{1, 2, 1, 3, 3, 4, 2, 4}));
  EXPECT_EQ(values(concat({a, zeros({0, 2}), b}, 0)), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(concat({zeros({0, 2})}).shape(), (Shape{0, 2}));
  Tensor s = stack({tensor({1, 2}), tensor({3, 4}), tensor({5, 6})});
  EXPECT_EQ(s.shape(), (Shape{3, 2}));
  EXPECT_EQ(values(s), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  Tensor s1 = stack({tensor({1, 2}), tensor({3, 4})}, 1);
  EXPECT_EQ(s1.shape(), (Shape{2, 2}));
  EXPECT_EQ(values(s1), (std::vector<double>{1, 3, 2, 4}));
  EXPECT_EQ(stack({tensor({1, 2}), tensor({3, 4})}, -1).shape(), (Shape{2, 2}));
  EXPECT_EQ(values(stack({scalar(1), scalar(2)})), (std::vector<double>{1, 2}));
}

TEST(Indexing, OneHot) {
  Tensor h = one_hot(idx({2, 0, 1}), 3);
  EXPECT_EQ(h.shape(), (Shape{3, 3}));
  EXPECT_EQ(h.dtype(), DType::Float32);
  EXPECT_EQ(values(h), (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
  Tensor h2 = one_hot(idx({1, 0, 0, 1}, {2, 2}), 2, DType::Float64);
  EXPECT_EQ(h2.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values(h2), (std::vector<double>{0, 1, 1, 0, 1, 0, 0, 1}));
  EXPECT_EQ(one_hot(idx({}), 4).shape(), (Shape{0, 4}));
}

}  // namespace
}  // namespace minidl
