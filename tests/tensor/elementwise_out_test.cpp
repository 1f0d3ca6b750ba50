// The op_out forms: the same values as the allocating ops, written into the tensor given (any
// view, possibly an input), with nothing allocated for the result, and clear errors when the out
// tensor does not fit the result.
#include <functional>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::bit_identical;
using test::values;

struct UnaryPair {
  const char* name;
  Tensor (*op)(const Tensor&);
  Tensor& (*out)(Tensor&, const Tensor&);
};

const UnaryPair kUnary[] = {
    {"neg", neg, neg_out},
    {"abs", abs, abs_out},
    {"sign", sign, sign_out},
    {"exp", exp, exp_out},
    {"log", log, log_out},
    {"log1p", log1p, log1p_out},
    {"expm1", expm1, expm1_out},
    {"sqrt", sqrt, sqrt_out},
    {"rsqrt", rsqrt, rsqrt_out},
    {"square", square, square_out},
    {"reciprocal", reciprocal, reciprocal_out},
    {"sin", sin, sin_out},
    {"cos", cos, cos_out},
    {"erf", erf, erf_out},
    {"tanh", tanh, tanh_out},
    {"sigmoid", sigmoid, sigmoid_out},
    {"softplus", softplus, softplus_out},
    {"relu", relu, relu_out},
    {"isfinite", isfinite, isfinite_out},
};

struct BinaryPair {
  const char* name;
  Tensor (*op)(const Tensor&, const Tensor&);
  Tensor& (*out)(Tensor&, const Tensor&, const Tensor&);
};

const BinaryPair kBinary[] = {
    {"add", add, add_out},
    {"sub", sub, sub_out},
    {"mul", mul, mul_out},
    {"div", div, div_out},
    {"pow", pow, pow_out},
    {"maximum", maximum, maximum_out},
    {"minimum", minimum, minimum_out},
    {"eq", eq, eq_out},
    {"ne", ne, ne_out},
    {"lt", lt, lt_out},
    {"le", le, le_out},
    {"gt", gt, gt_out},
    {"ge", ge, ge_out},
};

TEST(ElementwiseOut, SameBitsAsTheAllocatingOpsWithoutAllocating) {
  Generator gen(7);
  for (DType dtype : test::kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor x = uniform({5, 7}, 0.1, 3.0, dtype, gen);  // in every op's domain
    for (const UnaryPair& f : kUnary) {
      SCOPED_TRACE(f.name);
      Tensor out = full({5, 7}, -99.0, dtype);
      const Storage* storage = out.storage().get();
      Tensor& result = f.out(out, x);
      EXPECT_EQ(&result, &out);
      EXPECT_EQ(out.storage().get(), storage);  // written in place, not replaced
      EXPECT_TRUE(bit_identical(out, f.op(x)));
    }
    Tensor a = uniform({5, 7}, 0.5, 2.0, dtype, gen);
    Tensor row = uniform({7}, 0.5, 2.0, dtype, gen);  // broadcast along the rows
    for (const BinaryPair& f : kBinary) {
      SCOPED_TRACE(f.name);
      Tensor out = empty({5, 7}, dtype);
      EXPECT_EQ(&f.out(out, a, x), &out);
      EXPECT_TRUE(bit_identical(out, f.op(a, x)));
      f.out(out, a, row);
      EXPECT_TRUE(bit_identical(out, f.op(a, row)));
      f.out(out, row, a);
      EXPECT_TRUE(bit_identical(out, f.op(row, a)));
    }
  }
}

TEST(ElementwiseOut, WritesIntoViews) {
  // A transposed out: element [i, j] of the result lands at base[j, i].
  Tensor base = zeros({3, 2});
  Tensor out = base.t();
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  add_out(out, a, tensor({10, 20, 30}));
  EXPECT_EQ(values(base), (std::vector<double>{11, 14, 22, 25, 33, 36}));
  // One row of a larger tensor; the other row is untouched.
  Tensor rows = zeros({2, 3});
  Tensor second = rows.select(0, 1);
  relu_out(second, tensor({-1, 0.5, 2}));
  EXPECT_EQ(values(rows), (std::vector<double>{0, 0, 0, 0, 0.5, 2}));
}

TEST(ElementwiseOut, InPlaceAndOverlappingInputs) {
  Tensor x = tensor({-2, -1, 0, 1, 2});
  relu_out(x, x);  // out is the input itself: each element is read before it is written
  EXPECT_EQ(values(x), (std::vector<double>{0, 0, 0, 1, 2}));
  Tensor a = tensor({1, 2, 3});
  add_out(a, a, a);
  EXPECT_EQ(values(a), (std::vector<double>{2, 4, 6}));
  // out is the input shifted by one element: the result is computed from the original values.
  Tensor v = tensor({1, 2, 3, 4, 5});
  Tensor shifted_out = v.narrow(0, 1, 4);
  neg_out(shifted_out, v.narrow(0, 0, 4));
  EXPECT_EQ(values(v), (std::vector<double>{1, -1, -2, -3, -4}));
  Tensor w = tensor({1, 2, 3, 4, 5});
  Tensor w_out = w.narrow(0, 0, 4);
  mul_out(w_out, w.narrow(0, 1, 4), w.narrow(0, 0, 4));
  EXPECT_EQ(values(w), (std::vector<double>{2, 6, 12, 20, 5}));
}

TEST(ElementwiseOut, ErrorsNameTheOpAndTheMismatch) {
  Tensor a = zeros({2, 3}), b = zeros({3});
  Tensor wrong_shape = zeros({3});
  EXPECT_MINIDL_ERROR(add_out(wrong_shape, a, b),
                      "add_out: out has shape [3] but the result has shape [2, 3]");
  Tensor wrong_dtype = zeros({2, 3}, DType::Float64);
  EXPECT_MINIDL_ERROR(relu_out(wrong_dtype, a),
                      "relu_out: out is float64 but the result is float32");
  EXPECT_MINIDL_ERROR(mul_out(wrong_dtype, a, b),
                      "mul_out: out is float64 but the result is float32");
  Tensor undefined;
  EXPECT_MINIDL_ERROR(exp_out(undefined, a), "exp_out: undefined out tensor");
  Tensor out = zeros({2});
  EXPECT_MINIDL_ERROR(sub_out(out, zeros({2}), zeros({3})),
                      "sub_out: shapes [2] and [3] cannot be broadcast");
  EXPECT_MINIDL_ERROR(sub_out(out, zeros({2}), zeros({2}, DType::Float64)),
                      "sub_out: dtypes float32 and float64 differ");
  Tensor integers = zeros({2}, DType::Int64);
  EXPECT_MINIDL_ERROR(exp_out(integers, integers),
                      "exp_out: dtype int64 is not supported (float32 or float64 needed)");
  EXPECT_MINIDL_ERROR(div_out(integers, integers, integers), "div_out: integer division by zero");
}

TEST(ElementwiseOut, IntegerArithmeticAsTheAllocatingOps) {
  Tensor a = from_vector<int64_t>({7, -7, 5}), b = from_vector<int64_t>({2, 2, -3});
  Tensor out = empty({3}, DType::Int64);
  div_out(out, a, b);
  EXPECT_EQ(out.to_vector<int64_t>(), (std::vector<int64_t>{3, -3, -1}));  // toward zero
  mul_out(out, a, b);
  EXPECT_EQ(out.to_vector<int64_t>(), (std::vector<int64_t>{14, -14, -15}));
}

}  // namespace
}  // namespace minidl
