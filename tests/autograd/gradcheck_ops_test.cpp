// The table-driven gradcheck suite: every op in op_table.cpp passes gradcheck in float64, and the
// ops marked for it pass gradgradcheck.
#include <gtest/gtest.h>

#include "op_table.h"

using namespace minidl;
using minidl::testing::OpCase;

namespace minidl::testing {
void PrintTo(const OpCase& op, std::ostream* os) { *os << op.name; }
}  // namespace minidl::testing

namespace {
std::vector<OpCase> second_order_ops() {
  std::vector<OpCase> ops;
  for (const OpCase& op : minidl::testing::op_table()) {
    if (op.check_second_order) ops.push_back(op);
  }
  return ops;
}
std::string case_name(const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; }
}  // namespace

class OpGradcheck : public ::testing::TestWithParam<OpCase> {};
class OpGradgradcheck : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpGradcheck, FirstOrder) {
  const OpCase& op = GetParam();
  GradcheckOptions options;
  options.name = op.name;
  GradcheckResult result = gradcheck(op.f, minidl::testing::make_inputs(op, 1), options);
  EXPECT_TRUE(result.passed) << result.message;
}

// The same check with every input a strided (non-contiguous) view.
TEST_P(OpGradcheck, FirstOrderOnStridedInputs) {
  const OpCase& op = GetParam();
  GradcheckOptions options;
  options.name = op.name;
  std::vector<Variable> inputs = minidl::testing::make_inputs(op, 3, /*strided=*/true);
  for (const Variable& input : inputs) {
    if (input.dim() >= 1) {
      ASSERT_FALSE(input.data().is_contiguous()) << op.name;
    }
  }
  GradcheckResult result = gradcheck(op.f, inputs, options);
  EXPECT_TRUE(result.passed) << result.message;
}

TEST_P(OpGradgradcheck, SecondOrder) {
  const OpCase& op = GetParam();
  GradcheckOptions options;
  options.name = op.name;
  GradcheckResult result = gradgradcheck(op.f, minidl::testing::make_inputs(op, 2), options);
  EXPECT_TRUE(result.passed) << result.message;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpGradcheck, ::testing::ValuesIn(minidl::testing::op_table()),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Ops, OpGradgradcheck, ::testing::ValuesIn(second_order_ops()), case_name);

// The checker itself must catch a wrong derivative: an op whose backward is off by a factor 2.
TEST(Gradcheck, CatchesAWrongGradient) {
  auto wrong_square = [](const std::vector<Variable>& x) {
    return record("wrong_square", mul(x[0].data(), x[0].data()), {x[0]},
                  [](const Variable& grad, const Inputs& in, const Variable&) {
                    return Grads{grad * in[0]};  // should be 2 * x
                  });
  };
  Variable x(tensor({1.0, 2.0}, DType::Float64), true);
  GradcheckResult result = gradcheck(wrong_square, {x});
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.message.find("wrong_square"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("input 0 element [1]"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("analytical 2 vs numerical 4"), std::string::npos)
      << result.message;
}

// A backward that is right to first order but freezes its input as a constant fails only the
// second-order check: the trap design.md warns about.
TEST(Gradcheck, GradgradcheckCatchesAFrozenBackward) {
  auto frozen_cube = [](const std::vector<Variable>& x) {
    return record("frozen_cube", mul(mul(x[0].data(), x[0].data()), x[0].data()), {x[0]},
                  [](const Variable& grad, const Inputs& in, const Variable&) {
                    Tensor three_x2 = mul(mul(in[0].data(), in[0].data()), 3.0);
                    return Grads{grad * Variable(three_x2)};  // constant: wrong 2nd derivative
                  });
  };
  Variable x(tensor({0.5, -1.5}, DType::Float64), true);
  EXPECT_TRUE(gradcheck(frozen_cube, {x}).passed);
  GradcheckResult second = gradgradcheck(frozen_cube, {x});
  EXPECT_FALSE(second.passed);
  EXPECT_NE(second.message.find("grad of frozen_cube"), std::string::npos) << second.message;
}

TEST(Gradcheck, RejectsFloat32Inputs) {
  Variable x(tensor({1.0, 2.0}), true);
  try {
    gradcheck([](const std::vector<Variable>& v) { return v[0] * 2.0; }, {x});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("need float64"), std::string::npos) << e.what();
  }
}
