// Views share storage and never copy; contiguous() copies only when needed; writes through a view
// reach the base tensor.
#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::values;

Tensor range_f(int64_t n) { return arange(0.0, double(n), 1.0, DType::Float32); }

TEST(Views, ReshapeOfContiguousSharesStorage) {
  Tensor a = range_f(6);
  Tensor b = a.reshape({2, 3});
  EXPECT_TRUE(b.shares_storage_with(a));
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.strides(), (Strides{3, 1}));
  EXPECT_EQ(values(b), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(a.reshape({3, -1}).shape(), (Shape{3, 2}));
  EXPECT_EQ(a.view({-1}).shape(), (Shape{6}));
}

TEST(Views, TransposeIsAStridedViewAndContiguousCopies) {
  Tensor a = range_f(6).reshape({2, 3});
  Tensor t = a.t();
  EXPECT_TRUE(t.shares_storage_with(a));
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.strides(), (Strides{1, 3}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(values(t), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  Tensor c = t.contiguous();
  EXPECT_FALSE(c.shares_storage_with(a));
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(values(c), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  // Already contiguous: the same handle comes back.
  EXPECT_TRUE(a.contiguous().shares_storage_with(a));
  EXPECT_EQ(values(a.transpose(0, -1)), values(t));
}

TEST(Views, ReshapeOfTransposedCopiesButViewRefuses) {
  Tensor t = range_f(6).reshape({2, 3}).t();
  Tensor r = t.reshape({6});
  EXPECT_FALSE(r.shares_storage_with(t));
  EXPECT_EQ(values(r), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_MINIDL_ERROR(t.view({6}),
                      "view: a tensor of shape [3, 2] with strides [1, 3] cannot be viewed as [6] "
                      "without a copy; use reshape()");
}

TEST(Views, ViewOfStridedRowsSplitsTheContiguousAxis) {
  // Every other row of a [4, 6] matrix: strides [12, 1]; splitting the rows needs no copy.
  Tensor rows = range_f(24).reshape({4, 6}).slice(0, 0, 4, 2);
  EXPECT_EQ(rows.strides(), (Strides{12, 1}));
  Tensor v = rows.view({2, 2, 3});
  EXPECT_TRUE(v.shares_storage_with(rows));
  EXPECT_EQ(v.strides(), (Strides{12, 3, 1}));
  EXPECT_EQ(values(v), (std::vector<double>{0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17}));
  // Merging the rows would need one stride for two gaps: only reshape can do it.
  EXPECT_FALSE(rows.reshape({12}).shares_storage_with(rows));
}

TEST(Views, PermuteMatchesIndexFormula) {
  Tensor a = range_f(24).reshape({2, 3, 4});  // a[i, j, k] = 12 i + 4 j + k
  Tensor p = a.permute({2, 0, 1});            // p[k, i, j] = a[i, j, k]
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Strides{1, 12, 4}));
  std::vector<double> expected;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) expected.push_back(12 * i + 4 * j + k);
  EXPECT_EQ(values(p), expected);
  EXPECT_EQ(values(a.permute({-1, 0, 1})), expected);
}

TEST(Views, NarrowAndSelect) {
  Tensor a = range_f(10);
  Tensor n = a.narrow(0, 2, 3);
  EXPECT_EQ(n.offset(), 2);
  EXPECT_EQ(values(n), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(values(a.narrow(0, -3, 2)), (std::vector<double>{7, 8}));
  EXPECT_EQ(a.narrow(0, 10, 0).numel(), 0);

  Tensor m = range_f(12).reshape({3, 4});
  EXPECT_EQ(values(m.select(0, 1)), (std::vector<double>{4, 5, 6, 7}));
  EXPECT_EQ(values(m.select(-1, 0)), (std::vector<double>{0, 4, 8}));
  EXPECT_EQ(values(m.select(1, -1)), (std::vector<double>{3, 7, 11}));
  Tensor element = m.select(0, 2).select(0, 1);
  EXPECT_EQ(element.dim(), 0);
  EXPECT_EQ(element.item(), 9);
}

TEST(Views, SliceWithStepsAndPythonBounds) {
  Tensor a = range_f(10);
  EXPECT_EQ(values(a.slice(0, 1, 8, 2)), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(values(a.slice(0, 1, 9, 3)), (std::vector<double>{1, 4, 7}));
  EXPECT_EQ(values(a.slice(0, -3, 100)), (std::vector<double>{7, 8, 9}));
  EXPECT_EQ(values(a.slice(0, -100, 2)), (std::vector<double>{0, 1}));
  EXPECT_EQ(a.slice(0, 5, 2).shape(), (Shape{0}));

  Tensor cols = range_f(12).reshape({3, 4}).slice(1, 1, 3);
  EXPECT_FALSE(cols.is_contiguous());
  EXPECT_EQ(values(cols), (std::vector<double>{1, 2, 5, 6, 9, 10}));
}

TEST(Views, ExpandUsesStrideZero) {
  Tensor row = tensor({1, 2, 3});
  Tensor e = row.expand({2, 3});
  EXPECT_TRUE(e.shares_storage_with(row));
  EXPECT_EQ(e.strides(), (Strides{0, 1}));
  EXPECT_EQ(values(e), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  Tensor col = tensor({1, 2, 3}).reshape({3, 1}).expand({3, 2});
  EXPECT_EQ(col.strides(), (Strides{1, 0}));
  EXPECT_EQ(values(col), (std::vector<double>{1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(values(scalar(7).expand({2, 2})), (std::vector<double>{7, 7, 7, 7}));
  EXPECT_EQ(values(e.contiguous()), (std::vector<double>{1, 2, 3, 1, 2, 3}));
}

TEST(Views, SqueezeUnsqueezeFlatten) {
  Tensor a = zeros({1, 3, 1});
  EXPECT_EQ(a.squeeze().shape(), (Shape{3}));
  EXPECT_EQ(a.squeeze(0).shape(), (Shape{3, 1}));
  EXPECT_EQ(a.squeeze(-1).shape(), (Shape{1, 3}));
  EXPECT_EQ(a.squeeze(1).shape(), (Shape{1, 3, 1}));  // not size 1: unchanged, as PyTorch
  Tensor v = range_f(3);
  EXPECT_EQ(v.unsqueeze(0).shape(), (Shape{1, 3}));
  EXPECT_EQ(v.unsqueeze(-1).shape(), (Shape{3, 1}));
  EXPECT_EQ(values(v.unsqueeze(1)), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(scalar(1).unsqueeze(0).shape(), (Shape{1}));
  Tensor b = zeros({2, 3, 4});
  EXPECT_EQ(b.flatten().shape(), (Shape{24}));
  EXPECT_EQ(b.flatten(1).shape(), (Shape{2, 12}));
  EXPECT_EQ(b.flatten(0, 1).shape(), (Shape{6, 4}));
  EXPECT_EQ(scalar(1).flatten().shape(), (Shape{1}));
}

TEST(Views, WritesThroughViewsReachTheBase) {
  Tensor base = zeros({3, 4});
  base.narrow(1, 1, 2).fill_(7);
  EXPECT_EQ(values(base), (std::vector<double>{0, 7, 7, 0, 0, 7, 7, 0, 0, 7, 7, 0}));
  Tensor m = zeros({2, 3});
  m.t().copy_(tensor({{1, 2}, {3, 4}, {5, 6}}));  // m^T = that, so m = [[1, 3, 5], [2, 4, 6]]
  EXPECT_EQ(values(m), (std::vector<double>{1, 3, 5, 2, 4, 6}));
  Tensor diag_source = range_f(9).reshape({3, 3});
  Tensor every_other = diag_source.view({9}).slice(0, 0, 9, 4);  // the diagonal
  EXPECT_EQ(values(every_other), (std::vector<double>{0, 4, 8}));
  every_other.zero_();
  EXPECT_EQ(values(diag_source), (std::vector<double>{0, 1, 2, 3, 0, 5, 6, 7, 0}));
}

TEST(Views, OverlappingCopiesReadTheSourceAsItWas) {
  // Shifting within one tensor: each element must come from the source before any was written.
  Tensor x = arange(0, 6);
  x.narrow(0, 1, 5).copy_(x.narrow(0, 0, 5));
  EXPECT_EQ(values(x), (std::vector<double>{0, 0, 1, 2, 3, 4}));
  Tensor y = arange(0, 6);
  y.narrow(0, 0, 5).copy_(y.narrow(0, 1, 5));
  EXPECT_EQ(values(y), (std::vector<double>{1, 2, 3, 4, 5, 5}));
  // In-place transpose of a square matrix through a view of itself.
  Tensor m = tensor({{1, 2}, {3, 4}});
  m.copy_(m.t());
  EXPECT_EQ(values(m), (std::vector<double>{1, 3, 2, 4}));
  Tensor z = arange(0, 4);
  Tensor head = z.narrow(0, 1, 3);
  add_(head, z.narrow(0, 0, 3));  // z[i] += z[i - 1], all with the old values
  EXPECT_EQ(values(z), (std::vector<double>{0, 1, 3, 5}));
  Tensor w = arange(0, 3);
  add_(w, w);  // the same view is fine without a copy
  EXPECT_EQ(values(w), (std::vector<double>{0, 2, 4}));
}

TEST(Views, CloneIsIndependent) {
  Tensor a = tensor({1, 2});
  Tensor c = a.clone();
  c.fill_(5);
  EXPECT_EQ(values(a), (std::vector<double>{1, 2}));
  EXPECT_FALSE(c.shares_storage_with(a));
}

TEST(Views, ZeroDimensionalTensors) {
  Tensor s = scalar(3.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_TRUE(s.is_scalar());
  EXPECT_TRUE(s.is_contiguous());
  EXPECT_EQ(s.item(), 3.5);
  EXPECT_EQ(s.reshape({1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(tensor({2}).view({}).dim(), 0);
  EXPECT_EQ(s.t().dim(), 0);
  EXPECT_EQ(s.squeeze().dim(), 0);
  EXPECT_EQ(s.clone().item(), 3.5);
  EXPECT_EQ(s.to(DType::Float64).item(), 3.5);
}

TEST(Views, EmptyTensors) {
  Tensor e = zeros({0, 3});
  EXPECT_EQ(e.numel(), 0);
  EXPECT_EQ(e.reshape({3, 0}).shape(), (Shape{3, 0}));
  EXPECT_EQ(e.t().shape(), (Shape{3, 0}));
  EXPECT_EQ(e.t().contiguous().shape(), (Shape{3, 0}));
  EXPECT_EQ(e.expand({2, 0, 3}).shape(), (Shape{2, 0, 3}));
  EXPECT_EQ(e.unsqueeze(0).shape(), (Shape{1, 0, 3}));
  EXPECT_EQ(e.select(1, 2).shape(), (Shape{0}));
  EXPECT_TRUE(values(e.clone()).empty());
  EXPECT_MINIDL_ERROR(e.reshape({0, -1}), "reshape: cannot infer -1 in [0, -1] for 0 elements");
  // A zero anywhere makes the element count 0, however large the other dimensions.
  EXPECT_EQ(zeros({0}).reshape({int64_t(1) << 40, int64_t(1) << 40, 0}).numel(), 0);
}

TEST(Views, ContiguityIgnoresStridesOfSizeOneAxes) {
  Tensor a(std::make_shared<Storage>(3 * sizeof(float)), {1, 3}, {99, 1}, 0, DType::Float32);
  EXPECT_TRUE(a.is_contiguous());
  EXPECT_TRUE(range_f(3).unsqueeze(0).t().is_contiguous());  // [3, 1] with strides [1, 3]
}

TEST(Views, DtypeConversion) {
  Tensor a = tensor({2.7, -2.7, 0.5});
  Tensor d = a.to(DType::Float64);
  EXPECT_EQ(d.dtype(), DType::Float64);
  EXPECT_EQ(values(d), (std::vector<double>{double(2.7f), double(-2.7f), 0.5}));
  // Float to integer truncates toward zero, as C++ and PyTorch.
  EXPECT_EQ(a.to(DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{2, -2, 0}));
  EXPECT_TRUE(a.to(DType::Float32).shares_storage_with(a));
  EXPECT_EQ(values(tensor({{1, 2}, {3, 4}}).t().to(DType::Float64)),
            (std::vector<double>{1, 3, 2, 4}));
}

}  // namespace
}  // namespace minidl
