// Reductions over any set of axes with keepdim: sum, mean, max, min, argmax, argmin, logsumexp
// (stable at +-1000 and for all -inf slices), var; float64 accumulation; 0-d, empty and strided
// inputs.
#include <cmath>
#include <limits>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::expect_all_near;
using test::kFloatTypes;
using test::values;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Reductions, SumOverAxesWithKeepdim) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor all = sum(m);
  EXPECT_EQ(all.dim(), 0);
  EXPECT_EQ(all.item(), 21);
  EXPECT_EQ(values(sum(m, {0})), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(values(sum(m, {1})), (std::vector<double>{6, 15}));
  EXPECT_EQ(values(sum(m, {-1})), (std::vector<double>{6, 15}));
  EXPECT_EQ(sum(m, {0}, true).shape(), (Shape{1, 3}));
  EXPECT_EQ(sum(m, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(sum(m, {}, true).shape(), (Shape{1, 1}));
  EXPECT_EQ(sum(m, {0, 1}).item(), 21);
  EXPECT_EQ(sum(m).dtype(), DType::Float32);
}

TEST(Reductions, SumOverNonAdjacentAxes) {
  // a[i, j, k] = 12 i + 4 j + k; summing over i and k: sum = 48 i-part + 32 j + 12 = 60 + 32 j.
  Tensor a = arange(0, 24, 1, DType::Float64).reshape({2, 3, 4});
  EXPECT_EQ(values(sum(a, {0, 2})), (std::vector<double>{60, 92, 124}));
  EXPECT_EQ(sum(a, {2, 0}, true).shape(), (Shape{1, 3, 1}));
  // Over j only: 3 * (12 i + k) + 12.
  EXPECT_EQ(values(sum(a, {1})), (std::vector<double>{12, 15, 18, 21, 48, 51, 54, 57}));
  // Over j and k: 12 * 12 i + 4 * 12 + 3 * 6 = 144 i + 66.
  EXPECT_EQ(values(sum(a, {1, 2})), (std::vector<double>{66, 210}));
}

TEST(Reductions, StridedInputs) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(values(sum(m.t(), {0})), (std::vector<double>{6, 15}));
  EXPECT_EQ(values(sum(m.t(), {1})), (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(values(max(m.slice(1, 0, 3, 2), {1})), (std::vector<double>{3, 6}));
  EXPECT_EQ(values(sum(tensor({1, 2}).expand({3, 2}), {0})), (std::vector<double>{3, 6}));
  EXPECT_EQ(values(argmax(m.t(), 1)), (std::vector<double>{1, 1, 1}));
}

TEST(Reductions, Float32SumsAccumulateInFloat64) {
  // A million copies of 0.1f (= 0.100000001490116...) sum to 100000.0015 exactly, which rounds to
  // 100000 in float32; a float32 accumulator drifts to about 100958.
  Tensor x = full({1000000}, 0.1);
  EXPECT_EQ(sum(x).item(), 100000.0);
  EXPECT_EQ(mean(x).item(), double(0.1f));
}

TEST(Reductions, Mean) {
  for (DType dtype : kFloatTypes) {
    Tensor m = tensor({{1, 2, 3}, {4, 5, 6}}, dtype);
    EXPECT_EQ(mean(m).item(), 3.5);
    EXPECT_EQ(values(mean(m, {0})), (std::vector<double>{2.5, 3.5, 4.5}));
    EXPECT_EQ(values(mean(m, {1}, true)), (std::vector<double>{2, 5}));
    EXPECT_EQ(mean(m, {1}, true).shape(), (Shape{2, 1}));
    EXPECT_EQ(mean(m).dtype(), dtype);
  }
  EXPECT_TRUE(std::isnan(mean(zeros({0})).item()));  // 0 / 0, as NumPy and PyTorch
}

TEST(Reductions, MaxMinAndNan) {
  Tensor m = tensor({{3, -1, 2}, {-5, 8, 0}});
  EXPECT_EQ(max(m).item(), 8);
  EXPECT_EQ(min(m).item(), -5);
  EXPECT_EQ(values(max(m, {0})), (std::vector<double>{3, 8, 2}));
  EXPECT_EQ(values(min(m, {1}, true)), (std::vector<double>{-1, -5}));
  EXPECT_EQ(min(m, {1}, true).shape(), (Shape{2, 1}));
  Tensor with_nan = tensor({1, std::nan(""), 3});
  EXPECT_TRUE(std::isnan(max(with_nan).item()));
  EXPECT_TRUE(std::isnan(min(with_nan).item()));
  EXPECT_EQ(max(tensor({-kInf, -kInf})).item(), -kInf);
  Tensor ints = from_vector(std::vector<int64_t>{-7, 3, 5});
  EXPECT_EQ(max(ints).to_vector<int64_t>()[0], 5);
  EXPECT_EQ(min(ints).dtype(), DType::Int64);
}

TEST(Reductions, ArgmaxArgminFirstOccurrence) {
  Tensor m = tensor({{1, 5, 5}, {7, 7, 0}});
  EXPECT_EQ(argmax(m, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(argmin(m, 1).to_vector<int64_t>(), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(argmax(m, 0).to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(argmax(m, 0).dtype(), DType::Int64);
  EXPECT_EQ(argmax(m, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(argmax(tensor({1, std::nan(""), 9}), 0).item(), 1);  // NaN counts as the maximum
  EXPECT_EQ(argmin(tensor({1, std::nan(""), -9}), 0).item(), 1);
  EXPECT_EQ(argmax(scalar(4), 0).item(), 0);
}

TEST(Reductions, ArgmaxOverLeadingAxisOfRankThree) {
  // x[i, j, k] = (i + j + 2k) mod 3 on [3, 2, 4]: the maximum 2 along i is at (2 - j - 2k) mod 3,
  // a different answer for each (j, k), so any mix-up of the kept axes shows.
  std::vector<double> data;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 4; ++k) data.push_back((i + j + 2 * k) % 3);
  Tensor x = from_vector(data, {3, 2, 4});
  std::vector<int64_t> expected;
  for (int j = 0; j < 2; ++j)
    for (int k = 0; k < 4; ++k) expected.push_back(((2 - j - 2 * k) % 3 + 3) % 3);
  Tensor a = argmax(x, 0);
  EXPECT_EQ(a.shape(), (Shape{2, 4}));
  EXPECT_EQ(a.to_vector<int64_t>(), expected);
  // The minimum 0 is at (-j - 2k) mod 3; also through a transposed view of the same data.
  std::vector<int64_t> expected_min;
  for (int j = 0; j < 2; ++j)
    for (int k = 0; k < 4; ++k) expected_min.push_back(((-j - 2 * k) % 3 + 3) % 3);
  EXPECT_EQ(argmin(x, 0).to_vector<int64_t>(), expected_min);
  EXPECT_EQ(argmax(x.transpose(0, 2), 2).to_vector<int64_t>(),
            argmax(x, 0).t().contiguous().to_vector<int64_t>());
  EXPECT_EQ(argmax(x, 1, true).shape(), (Shape{3, 1, 4}));
}

TEST(Reductions, LogsumexpIsStable) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    // Row results: torch.logsumexp in float64 (/usr/bin/python3): 1000 + log 2, -1000 + log 2,
    // 1000, and 0.8868710061149 for [0.5, -0.25].
    Tensor x = tensor({{1000, 1000}, {-1000, -1000}, {1000, -1000}, {0.5, -0.25}}, dtype);
    const double tol = dtype == DType::Float32 ? 1e-7 : 1e-15;
    expect_all_near(logsumexp(x, {1}),
                    {1000.6931471805599, -999.3068528194401, 1000.0, 0.8868710061149}, tol);
    EXPECT_EQ(logsumexp(x, {1}, true).shape(), (Shape{4, 1}));
    // All -inf slices give -inf (not NaN); -inf entries next to finite ones contribute nothing.
    Tensor y = tensor({{-kInf, -kInf}, {-kInf, 0}, {kInf, 1}}, dtype);
    EXPECT_EQ(values(logsumexp(y, {1})), (std::vector<double>{-kInf, 0, kInf}));
    EXPECT_NEAR(logsumexp(tensor({0, 0, 0, 0}, dtype)).item(), std::log(4.0), tol);
    EXPECT_EQ(logsumexp(tensor({0, 0, 0, 0}, dtype)).dim(), 0);
    expect_all_near(logsumexp(x.t(), {0}),
                    {1000.6931471805599, -999.3068528194401, 1000.0, 0.8868710061149}, tol);
  }
}

TEST(Reductions, VarianceIsTwoPass) {
  Tensor x = tensor({1, 2, 3, 4}, DType::Float64);
  EXPECT_DOUBLE_EQ(var(x).item(), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(var(x, {}, 0).item(), 1.25);
  Tensor m = tensor({{1, 3}, {2, 6}}, DType::Float64);
  EXPECT_EQ(values(var(m, {1})), (std::vector<double>{2, 8}));
  EXPECT_EQ(values(var(m, {0}, 1, true)), (std::vector<double>{0.5, 4.5}));
  EXPECT_EQ(var(m, {0}, 1, true).shape(), (Shape{1, 2}));
  // A large offset: one-pass E[x^2] - E[x]^2 would lose every digit here.
  EXPECT_EQ(var(tensor({1e8 + 1, 1e8 + 2, 1e8 + 3}, DType::Float64)).item(), 1.0);
  EXPECT_EQ(var(tensor({1e4 + 1, 1e4 + 2, 1e4 + 3})).item(), 1.0);
  // One sample with Bessel's correction: 0 / 0 is NaN, as PyTorch.
  EXPECT_TRUE(std::isnan(var(tensor({5})).item()));
  EXPECT_EQ(var(x).dtype(), DType::Float64);
  EXPECT_EQ(var(tensor({1, 2})).dtype(), DType::Float32);
}

TEST(Reductions, ZeroDimensionalInputs) {
  Tensor s = scalar(5);
  EXPECT_EQ(sum(s).item(), 5);
  EXPECT_EQ(sum(s).dim(), 0);
  EXPECT_EQ(sum(s, {0}).item(), 5);
  EXPECT_EQ(sum(s, {-1}, true).dim(), 0);
  EXPECT_EQ(max(s).item(), 5);
  EXPECT_EQ(mean(s).item(), 5);
  EXPECT_EQ(logsumexp(s).item(), 5);
}

TEST(Reductions, EmptyInputs) {
  EXPECT_EQ(sum(zeros({0})).item(), 0);
  Tensor e = zeros({2, 0});
  EXPECT_EQ(values(sum(e, {1})), (std::vector<double>{0, 0}));
  EXPECT_EQ(sum(e, {0}).shape(), (Shape{0}));
  EXPECT_EQ(max(e, {0}).shape(), (Shape{0}));  // reduces a non-empty axis of an empty tensor
  EXPECT_MINIDL_ERROR(max(e, {1}), "max: cannot reduce over empty axis 1 of shape [2, 0]");
  EXPECT_MINIDL_ERROR(min(zeros({0})), "min: cannot reduce over empty axis 0 of shape [0]");
  EXPECT_MINIDL_ERROR(argmax(e, 1), "argmax: cannot reduce over empty axis 1 of shape [2, 0]");
}

TEST(Reductions, IntegerSumsGiveInt64) {
  // As NumPy and PyTorch: a sum of 300 bytes must not wrap at 256.
  Tensor bytes = full({300}, 1, DType::UInt8);
  Tensor s = sum(bytes);
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(s.to_vector<int64_t>()[0], 300);
  Tensor ints = from_vector(std::vector<int64_t>{1, -2, 3, 4}, {2, 2});
  EXPECT_EQ(sum(ints, {1}).to_vector<int64_t>(), (std::vector<int64_t>{-1, 7}));
  EXPECT_EQ(sum(ints, {1}).dtype(), DType::Int64);
  EXPECT_EQ(max(bytes).dtype(), DType::UInt8);
}

}  // namespace
}  // namespace minidl
