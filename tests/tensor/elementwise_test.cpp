// Elementwise unary and binary ops: values on small cases, extreme inputs, NaN handling,
// non-contiguous inputs, integer arithmetic, in-place forms and operators.
#include <cmath>
#include <functional>
#include <limits>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::expect_all_near;
using test::kFloatTypes;
using test::values;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> fn;
  std::vector<double> expected;  // at x = [-2, -0.5, 0, 0.5, 2]
};

// Expected values: torch 1.13 in float64 (/usr/bin/python3, torch.<op>(x) with
// x = [-2, -0.5, 0, 0.5, 2]), or exact by hand where the values are simple.
const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"neg", [](const Tensor& x) { return neg(x); }, {2, 0.5, 0, -0.5, -2}},
      {"abs", [](const Tensor& x) { return abs(x); }, {2, 0.5, 0, 0.5, 2}},
      {"sign", [](const Tensor& x) { return sign(x); }, {-1, -1, 0, 1, 1}},
      {"square", [](const Tensor& x) { return square(x); }, {4, 0.25, 0, 0.25, 4}},
      {"relu", [](const Tensor& x) { return relu(x); }, {0, 0, 0, 0.5, 2}},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, {-0.4, -0.1, 0, 0.5, 2}},
      {"clamp", [](const Tensor& x) { return clamp(x, -1, 0.25); }, {-1, -0.5, 0, 0.25, 0.25}},
      {"pow3", [](const Tensor& x) { return pow(x, 3.0); }, {-8, -0.125, 0, 0.125, 8}},
      {"exp",
       [](const Tensor& x) { return exp(x); },
       {0.1353352832366127, 0.6065306597126334, 1.0, 1.6487212707001282, 7.38905609893065}},
      {"expm1",
       [](const Tensor& x) { return expm1(x); },
       {-0.8646647167633873, -0.3934693402873666, 0.0, 0.6487212707001282, 6.38905609893065}},
      {"sin",
       [](const Tensor& x) { return sin(x); },
       {-0.9092974268256817, -0.479425538604203, 0.0, 0.479425538604203, 0.9092974268256817}},
      {"cos",
       [](const Tensor& x) { return cos(x); },
       {-0.4161468365471424, 0.8775825618903728, 1.0, 0.8775825618903728, -0.4161468365471424}},
      {"erf",
       [](const Tensor& x) { return erf(x); },
       {-0.9953222650189527, -0.5204998778130465, 0.0, 0.5204998778130465, 0.9953222650189527}},
      {"tanh",
       [](const Tensor& x) { return tanh(x); },
       {-0.9640275800758169, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758169}},
      {"sigmoid",
       [](const Tensor& x) { return sigmoid(x); },
       {0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.8807970779778823}},
      {"softplus",
       [](const Tensor& x) { return softplus(x); },
       {0.1269280110429725, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067,
        2.1269280110429727}},
      {"elu",
       [](const Tensor& x) { return elu(x); },
       {-0.8646647167633873, -0.3934693402873666, 0.0, 0.5, 2.0}},
  };
  return cases;
}

TEST(Elementwise, UnaryValuesInBothFloatTypes) {
  for (DType dtype : kFloatTypes) {
    Tensor x = tensor({-2, -0.5, 0, 0.5, 2}, dtype);
    const double tolerance = dtype == DType::Float32 ? 1e-6 : 1e-15;
    for (const UnaryCase& c : unary_cases()) {
      SCOPED_TRACE(std::string(c.name) + " " + std::string(dtype_name(dtype)));
      Tensor y = c.fn(x);
      EXPECT_EQ(y.dtype(), dtype);
      EXPECT_EQ(y.shape(), x.shape());
      expect_all_near(y, c.expected, tolerance);
    }
  }
}

TEST(Elementwise, UnaryOnPositiveDomain) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor x = tensor({0.25, 1, 4}, dtype);
    expect_all_near(sqrt(x), {0.5, 1, 2}, 1e-15);
    expect_all_near(rsqrt(x), {2, 1, 0.5}, 1e-15);
    expect_all_near(reciprocal(x), {4, 1, 0.25}, 1e-15);
    expect_all_near(pow(x, 0.5), {0.5, 1, 2}, 1e-15);
    expect_all_near(pow(x, -1.0), {4, 1, 0.25}, 1e-15);
    expect_all_near(log(tensor({1, 2.718281828459045, 0.5}, dtype)), {0, 1, -0.6931471805599453},
                    dtype == DType::Float32 ? 1e-6 : 1e-15);
    EXPECT_EQ(log(tensor({0}, dtype)).item(), -kInf);
  }
}

TEST(Elementwise, Log1pAndExpm1KeepTinyArguments) {
  // log(1 + 1e-10) computed naively loses everything in float32; log1p keeps it.
  // Taylor series: log1p(x) = x - x^2 / 2 + ..., expm1(x) = x + x^2 / 2 + ...; the naive forms are
  // off by about 8e-18 at x = 1e-10.
  Tensor tiny = tensor({1e-10}, DType::Float64);
  EXPECT_NEAR(log1p(tiny).item(), 1e-10 - 5e-21, 1e-25);
  EXPECT_NEAR(expm1(tiny).item(), 1e-10 + 5e-21, 1e-25);
  EXPECT_NEAR(log1p(tensor({1e-10})).item(), 1e-10, 1e-17);
}

TEST(Elementwise, ExtremeInputsStayFinite) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor x = tensor({-1000, 1000}, dtype);
    EXPECT_EQ(values(sigmoid(x)), (std::vector<double>{0, 1}));
    EXPECT_EQ(values(tanh(x)), (std::vector<double>{-1, 1}));
    std::vector<double> sp = values(softplus(x));
    EXPECT_EQ(sp[0], 0);  // exp(-1000) underflows to 0, never to a negative or NaN
    EXPECT_EQ(sp[1], 1000);
    EXPECT_EQ(values(elu(x)), (std::vector<double>{-1, 1000}));
    // Moderate tails keep their relative accuracy (torch float64 references).
    EXPECT_NEAR(softplus(tensor({-20}, dtype)).item(), 2.061153620314381e-09, 1e-15);
    EXPECT_NEAR(sigmoid(tensor({-80}, dtype)).item() / 1.8048513878454153e-35, 1.0, 1e-6);
  }
}

TEST(Elementwise, NanPropagates) {
  const double nan = std::nan("");
  Tensor x = tensor({nan, 1});
  EXPECT_TRUE(std::isnan(relu(x).to_vector<double>()[0]));
  EXPECT_TRUE(std::isnan(clamp(x, 0, 0.5).to_vector<double>()[0]));
  EXPECT_TRUE(std::isnan(sigmoid(x).to_vector<double>()[0]));
  Tensor y = tensor({2, nan});
  std::vector<double> mx = values(maximum(x, y)), mn = values(minimum(x, y));
  EXPECT_TRUE(std::isnan(mx[0]) && std::isnan(mx[1]));
  EXPECT_TRUE(std::isnan(mn[0]) && std::isnan(mn[1]));
  EXPECT_EQ(values(isfinite(tensor({nan, kInf, -kInf, 3}))), (std::vector<double>{0, 0, 0, 1}));
}

TEST(Elementwise, BinaryArithmetic) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor a = tensor({1, -2, 3, 0.5}, dtype);
    Tensor b = tensor({4, 5, -6, 2}, dtype);
    EXPECT_EQ(values(add(a, b)), (std::vector<double>{5, 3, -3, 2.5}));
    EXPECT_EQ(values(sub(a, b)), (std::vector<double>{-3, -7, 9, -1.5}));
    EXPECT_EQ(values(mul(a, b)), (std::vector<double>{4, -10, -18, 1}));
    expect_all_near(div(a, b), {0.25, -0.4, -0.5, 0.25}, dtype == DType::Float32 ? 1e-7 : 1e-16);
    EXPECT_EQ(values(pow(a, tensor({2, 3, 0, -1}, dtype))), (std::vector<double>{1, -8, 1, 2}));
    EXPECT_EQ(values(maximum(a, b)), (std::vector<double>{4, 5, 3, 2}));
    EXPECT_EQ(values(minimum(a, b)), (std::vector<double>{1, -2, -6, 0.5}));
    EXPECT_EQ(add(a, b).dtype(), dtype);
  }
}

TEST(Elementwise, ComparisonsGiveMasksInTheInputDtype) {
  Tensor a = tensor({1, 2, 3});
  Tensor b = tensor({3, 2, 1});
  EXPECT_EQ(values(eq(a, b)), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(values(ne(a, b)), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(values(lt(a, b)), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(values(le(a, b)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(values(gt(a, b)), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(values(ge(a, b)), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(values(gt(a, 1.5)), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(values(le(a, 2.0)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(values(eq(a, 3.0)), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(values(ne(a, 3.0)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(values(lt(a, 3.0)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(values(ge(a, 3.0)), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(gt(a, b).dtype(), DType::Float32);
  Tensor nan = tensor({std::nan("")});
  EXPECT_EQ(eq(nan, nan).item(), 0);
  EXPECT_EQ(ne(nan, nan).item(), 1);
  // A mask multiplies values directly.
  EXPECT_EQ(values(mul(gt(a, 1.5), a)), (std::vector<double>{0, 2, 3}));
}

TEST(Elementwise, ScalarFormsAndOperators) {
  for (DType dtype : kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor x = tensor({1, 2, 4}, dtype);
    EXPECT_EQ(values(x + 1), (std::vector<double>{2, 3, 5}));
    EXPECT_EQ(values(1 + x), (std::vector<double>{2, 3, 5}));
    EXPECT_EQ(values(x - 1), (std::vector<double>{0, 1, 3}));
    EXPECT_EQ(values(1 - x), (std::vector<double>{0, -1, -3}));
    EXPECT_EQ(values(x * 3), (std::vector<double>{3, 6, 12}));
    EXPECT_EQ(values(3 * x), (std::vector<double>{3, 6, 12}));
    EXPECT_EQ(values(x / 4), (std::vector<double>{0.25, 0.5, 1}));
    EXPECT_EQ(values(4 / x), (std::vector<double>{4, 2, 1}));
    EXPECT_EQ(values(-x), (std::vector<double>{-1, -2, -4}));
    EXPECT_EQ(values(x + x * x - x / x), (std::vector<double>{1, 5, 19}));
    EXPECT_EQ(values(maximum(x, 2.0)), (std::vector<double>{2, 2, 4}));
    EXPECT_EQ(values(minimum(x, 2.0)), (std::vector<double>{1, 2, 2}));
    EXPECT_EQ((x + 1).dtype(), dtype);
  }
}

TEST(Elementwise, DivisionByAScalarIsCorrectlyRounded) {
  // True division, as NumPy and PyTorch: 3 / 10 is the double nearest 0.3, while 3 * (1 / 10)
  // is 0.30000000000000004.
  Tensor x = tensor({3, 1, 7}, DType::Float64);
  EXPECT_EQ(values(x / 10), (std::vector<double>{3.0 / 10, 1.0 / 10, 7.0 / 10}));
  EXPECT_EQ(values(div(x, 3.0)), (std::vector<double>{1, 1.0 / 3, 7.0 / 3}));
  EXPECT_EQ(values(tensor({3}) / 10), (std::vector<double>{double(3.0f / 10.0f)}));
  EXPECT_EQ(values(x / 0.0), (std::vector<double>{kInf, kInf, kInf}));
}

TEST(Elementwise, Where) {
  Tensor condition = tensor({1, 0, 1, 0});
  Tensor a = tensor({1, 2, 3, 4});
  Tensor b = tensor({10, 20, 30, 40});
  EXPECT_EQ(values(where(condition, a, b)), (std::vector<double>{1, 20, 3, 40}));
  EXPECT_EQ(values(where(condition, a, 0.0)), (std::vector<double>{1, 0, 3, 0}));
  EXPECT_EQ(values(where(condition, -1.0, b)), (std::vector<double>{-1, 20, -1, 40}));
  Tensor byte_mask = from_vector(std::vector<uint8_t>{0, 0, 7, 1});
  EXPECT_EQ(values(where(byte_mask, a, b)), (std::vector<double>{10, 20, 3, 4}));
  Tensor d = where(condition, a.to(DType::Float64), b.to(DType::Float64));
  EXPECT_EQ(d.dtype(), DType::Float64);
  // A NaN condition is nonzero, so it selects a (C++ and NumPy truthiness).
  EXPECT_EQ(where(tensor({std::nan("")}), scalar(1.0), scalar(2.0)).item(), 1);
}

TEST(Elementwise, NonContiguousInputs) {
  Tensor m = arange(0, 12).reshape({3, 4});
  Tensor t = m.t();                             // [4, 3], strides [1, 4]
  Tensor s = m.slice(1, 0, 4, 2);               // [3, 2], strides [4, 2]
  Tensor e = tensor({1, 2, 3}).expand({4, 3});  // stride 0 rows
  EXPECT_EQ(values(neg(t)), values(neg(t.contiguous())));
  EXPECT_EQ(values(exp(s)), values(exp(s.contiguous())));
  EXPECT_EQ(values(add(t, e)), (std::vector<double>{1, 6, 11, 2, 7, 12, 3, 8, 13, 4, 9, 14}));
  EXPECT_EQ(values(mul(s, s)), (std::vector<double>{0, 4, 16, 36, 64, 100}));
  EXPECT_EQ(values(sigmoid(e)), values(sigmoid(e.contiguous())));
  EXPECT_EQ(values(where(gt(t, 5.0), t, e)),
            (std::vector<double>{1, 2, 8, 1, 2, 9, 1, 6, 10, 1, 7, 11}));
  EXPECT_TRUE(add(t, e).is_contiguous());
}

TEST(Elementwise, ZeroDimensionalAndEmptyTensors) {
  Tensor s = scalar(0.0);
  Tensor es = exp(s);
  EXPECT_EQ(es.dim(), 0);
  EXPECT_EQ(es.item(), 1);
  EXPECT_EQ((scalar(2) * scalar(3)).item(), 6);
  Tensor e = zeros({0, 3});
  EXPECT_EQ(exp(e).shape(), (Shape{0, 3}));
  EXPECT_EQ(add(e, tensor({1, 2, 3})).shape(), (Shape{0, 3}));
  EXPECT_EQ(where(e, e, e).shape(), (Shape{0, 3}));
  EXPECT_EQ((e / 0).numel(), 0);
}

TEST(Elementwise, IntegerArithmetic) {
  Tensor a = tensor({7, -7, 6}, DType::Int64);
  Tensor b = tensor({2, 2, 3}, DType::Int64);
  EXPECT_EQ(add(a, b).to_vector<int64_t>(), (std::vector<int64_t>{9, -5, 9}));
  EXPECT_EQ(mul(a, b).to_vector<int64_t>(), (std::vector<int64_t>{14, -14, 18}));
  // Integer division truncates toward zero, as C++.
  EXPECT_EQ(div(a, b).to_vector<int64_t>(), (std::vector<int64_t>{3, -3, 2}));
  EXPECT_EQ((a / 2).to_vector<int64_t>(), (std::vector<int64_t>{3, -3, 3}));
  EXPECT_EQ((42 / b).to_vector<int64_t>(), (std::vector<int64_t>{21, 21, 14}));
  EXPECT_EQ(gt(a, b).to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(gt(a, b).dtype(), DType::Int64);
  // Overflow wraps around (two's complement), as NumPy, instead of undefined behaviour.
  const int64_t big = std::numeric_limits<int64_t>::max(),
                small = std::numeric_limits<int64_t>::min();
  EXPECT_EQ((tensor({0}, DType::Int64) + 1).to_vector<int64_t>()[0], 1);
  Tensor top = from_vector(std::vector<int64_t>{big, small});
  EXPECT_EQ(add(top, from_vector(std::vector<int64_t>{1, -1})).to_vector<int64_t>(),
            (std::vector<int64_t>{small, big}));
  EXPECT_EQ((top * 2).to_vector<int64_t>(), (std::vector<int64_t>{-2, 0}));
  EXPECT_EQ(div(top, from_vector(std::vector<int64_t>{-1, -1})).to_vector<int64_t>(),
            (std::vector<int64_t>{-big, small}));
  // uint8 wraps modulo 256.
  Tensor bytes = from_vector(std::vector<uint8_t>{250, 3});
  EXPECT_EQ((bytes + 10).to_vector<uint8_t>(), (std::vector<uint8_t>{4, 13}));
}

TEST(Elementwise, InPlaceForms) {
  Tensor a = tensor({{1, 2}, {3, 4}});
  add_(a, tensor({10, 20}));
  EXPECT_EQ(values(a), (std::vector<double>{11, 22, 13, 24}));
  add_(a, tensor({{1, 1}, {1, 1}}), -2.0);
  EXPECT_EQ(values(a), (std::vector<double>{9, 20, 11, 22}));
  mul_(a, 0.5);
  EXPECT_EQ(values(a), (std::vector<double>{4.5, 10, 5.5, 11}));
  // Into a transposed view: the base sees the sum in its own layout.
  Tensor base = zeros({2, 3});
  Tensor view = base.t();
  add_(view, tensor({{1, 2}, {3, 4}, {5, 6}}));
  EXPECT_EQ(values(base), (std::vector<double>{1, 3, 5, 2, 4, 6}));
  Tensor empty_tensor = zeros({0});
  add_(empty_tensor, scalar(1));
  EXPECT_EQ(empty_tensor.numel(), 0);
}

}  // namespace
}  // namespace minidl
