// matmul, addmm and gemm_into: hand-checked products, every operand layout BLAS can take without a
// copy (transposed, row-sliced with a leading dimension), layouts it cannot, vectors, batches with
// broadcasting, empty dimensions and float64.
#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::expect_all_near;
using test::kFloatTypes;
using test::values;

// Reference product computed with plain loops in double: an independent check for larger shapes.
std::vector<double> naive_matmul(const Tensor& a, const Tensor& b) {
  const int64_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  std::vector<double> av = values(a), bv = values(b), out(size_t(M * N), 0.0);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k)
        out[size_t(i * N + j)] += av[size_t(i * K + k)] * bv[size_t(k * N + j)];
  return out;
}

TEST(Matmul, HandCheckedProduct) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor a = tensor({{1, 2, 3}, {4, 5, 6}}, dtype);
    Tensor b = tensor({{7, 8}, {9, 10}, {11, 12}}, dtype);
    Tensor c = matmul(a, b);
    EXPECT_EQ(c.dtype(), dtype);
    EXPECT_EQ(c.shape(), (Shape{2, 2}));
    EXPECT_EQ(values(c), (std::vector<double>{58, 64, 139, 154}));
  }
}

TEST(Matmul, TransposedAndSlicedOperands) {
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor b = tensor({{7, 8}, {9, 10}, {11, 12}});
  const std::vector<double> expected{58, 64, 139, 154};
  // a and b stored transposed: handed to BLAS with transpose flags.
  Tensor at = tensor({{1, 4}, {2, 5}, {3, 6}}).t();
  Tensor bt = tensor({{7, 9, 11}, {8, 10, 12}}).t();
  EXPECT_FALSE(at.is_contiguous());
  EXPECT_EQ(values(matmul(at, b)), expected);
  EXPECT_EQ(values(matmul(a, bt)), expected);
  EXPECT_EQ(values(matmul(at, bt)), expected);
  // Column slices keep unit stride with a leading dimension larger than the width.
  Tensor wide = tensor({{1, 2, 3, 0, 0}, {4, 5, 6, 0, 0}});
  EXPECT_EQ(values(matmul(wide.narrow(1, 0, 3), b)), expected);
  Tensor offset = tensor({{0, 7, 8}, {0, 9, 10}, {0, 11, 12}}).narrow(1, 1, 2);
  EXPECT_EQ(values(matmul(a, offset)), expected);
  // Both strides above 1 (every other row and column): BLAS cannot describe it, so it is copied.
  Tensor sparse = tensor({{1, 0, 2, 0, 3}, {0, 0, 0, 0, 0}, {4, 0, 5, 0, 6}})
                      .slice(0, 0, 3, 2)
                      .slice(1, 0, 5, 2);
  EXPECT_EQ(sparse.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(matmul(sparse, b)), expected);
  // Expanded (stride 0) rows.
  Tensor repeated = tensor({1, 2, 3}).expand({2, 3});
  EXPECT_EQ(values(matmul(repeated, b)), (std::vector<double>{58, 64, 58, 64}));
}

TEST(Matmul, LargerShapesAgainstLoops) {
  Generator gen(7);
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor a = uniform({37, 53}, -1, 1, dtype, gen);
    Tensor b = uniform({53, 29}, -1, 1, dtype, gen);
    const double tol = dtype == DType::Float32 ? 1e-5 : 1e-13;
    expect_all_near(matmul(a, b), naive_matmul(a, b), tol);
    expect_all_near(matmul(b.t(), a.t()), values(matmul(a, b).t()), tol);
  }
}

TEST(Matmul, VectorOperands) {
  Tensor v = tensor({1, 2, 3});
  Tensor w = tensor({4, 5, 6});
  Tensor dot = matmul(v, w);
  EXPECT_EQ(dot.dim(), 0);
  EXPECT_EQ(dot.item(), 32);
  Tensor m = tensor({{1, 0, 1}, {0, 2, 0}});
  Tensor mv = matmul(m, v);
  EXPECT_EQ(mv.shape(), (Shape{2}));
  EXPECT_EQ(values(mv), (std::vector<double>{4, 4}));
  Tensor vm = matmul(tensor({1, 1}), m);
  EXPECT_EQ(vm.shape(), (Shape{3}));
  EXPECT_EQ(values(vm), (std::vector<double>{1, 2, 1}));
  EXPECT_EQ(values(matmul(v.slice(0, 0, 3, 2), tensor({1, 10}))), (std::vector<double>{31}));
}

TEST(Matmul, BatchedWithBroadcasting) {
  Tensor a = arange(0, 12).reshape({2, 2, 3});
  Tensor b = tensor({{1, 0}, {0, 1}, {1, 1}});
  // Stack times one matrix: a[n] @ b. a[0] = [[0,1,2],[3,4,5]], a[1] = [[6,7,8],[9,10,11]].
  Tensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values(c), (std::vector<double>{2, 3, 8, 9, 14, 15, 20, 21}));
  // Stack times stack.
  Tensor bs = stack({b, mul(b, 2.0)});
  EXPECT_EQ(values(matmul(a, bs)), (std::vector<double>{2, 3, 8, 9, 28, 30, 40, 42}));
  // One matrix times a stack: b^T [2, 3] @ a^T per batch [3, 2].
  Tensor left = matmul(b.t(), a.transpose(1, 2));
  EXPECT_EQ(left.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values(left), (std::vector<double>{2, 8, 3, 9, 14, 20, 15, 21}));
  // Batch axes broadcast: [2, 1, 2, 3] @ [3, 3, 2] -> [2, 3, 2, 2].
  Tensor b3 = stack({b, mul(b, 2.0), mul(b, 3.0)});
  Tensor big = matmul(a.unsqueeze(1), b3);
  EXPECT_EQ(big.shape(), (Shape{2, 3, 2, 2}));
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_EQ(values(big.select(0, i).select(0, j)),
                values(matmul(a.select(0, i), b3.select(0, j))));
    }
  }
  // A vector times a stack, a stack times a vector.
  EXPECT_EQ(matmul(tensor({1, 1}), a).shape(), (Shape{2, 3}));
  EXPECT_EQ(values(matmul(tensor({1, 1}), a)), (std::vector<double>{3, 5, 7, 15, 17, 19}));
  EXPECT_EQ(values(matmul(a, tensor({1, 0, 0}))), (std::vector<double>{0, 3, 6, 9}));
}

TEST(Matmul, EmptyDimensions) {
  Tensor k0 = matmul(zeros({2, 0}), zeros({0, 3}));  // an empty sum is 0
  EXPECT_EQ(k0.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(k0), std::vector<double>(6, 0.0));
  EXPECT_EQ(matmul(zeros({0, 3}), zeros({3, 2})).shape(), (Shape{0, 2}));
  EXPECT_EQ(matmul(zeros({2, 3}), zeros({3, 0})).shape(), (Shape{2, 0}));
  EXPECT_EQ(matmul(zeros({0, 2, 3}), zeros({3, 2})).shape(), (Shape{0, 2, 2}));
  EXPECT_EQ(matmul(zeros({0}), zeros({0})).item(), 0);
}

TEST(Matmul, AddmmAddsTheBiasInsideTheGemm) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor a = tensor({{1, 2, 3}, {4, 5, 6}}, dtype);
    Tensor b = tensor({{7, 8}, {9, 10}, {11, 12}}, dtype);
    EXPECT_EQ(values(addmm(tensor({1, -1}, dtype), a, b)), (std::vector<double>{59, 63, 140, 153}));
    EXPECT_EQ(values(addmm(tensor({100, 200}, dtype).reshape({2, 1}), a, b)),
              (std::vector<double>{158, 164, 339, 354}));
    EXPECT_EQ(values(addmm(scalar(1, dtype), a, b)), (std::vector<double>{59, 65, 140, 155}));
    EXPECT_EQ(values(addmm(zeros({2}, dtype), a.t().t(), b.t().contiguous().t())),
              (std::vector<double>{58, 64, 139, 154}));
  }
}

TEST(Matmul, GemmIntoAccumulates) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  Tensor b = tensor({{1, 0}, {0, 1}});
  Tensor out = ones({2, 2});
  gemm_into(out, a, b, 2.0, 1.0);  // out = 1 * out + 2 * (a @ b)
  EXPECT_EQ(values(out), (std::vector<double>{3, 5, 7, 9}));
  gemm_into(out, a.t(), b);  // beta = 0 overwrites
  EXPECT_EQ(values(out), (std::vector<double>{1, 3, 2, 4}));
  Tensor empty_k = ones({2, 2});
  gemm_into(empty_k, zeros({2, 0}), zeros({0, 2}), 1.0, 0.5);  // beta still scales
  EXPECT_EQ(values(empty_k), (std::vector<double>{0.5, 0.5, 0.5, 0.5}));
}

}  // namespace
}  // namespace minidl
