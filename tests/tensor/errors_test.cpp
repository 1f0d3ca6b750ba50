// Every kind of bad input throws minidl::Error with a message that names the op and says what is
// wrong with the values (shapes, dtypes, axes, indices). One table per kind; each row is an exact
// message, so a vaguer or misleading message fails here.
#include <functional>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

struct ErrorCase {
  std::function<void()> call;
  std::string message;
};

// One row of a table: an expression that must throw, and the exact message.
#define CASE(expression, message)       \
  ErrorCase {                           \
    [] { (void)(expression); }, message \
  }

void expect_errors(const std::vector<ErrorCase>& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + ": " + cases[i].message);
    EXPECT_MINIDL_ERROR(cases[i].call(), cases[i].message);
  }
}

Tensor f32(const Shape& shape) { return zeros(shape, DType::Float32); }
Tensor f64(const Shape& shape) { return zeros(shape, DType::Float64); }
Tensor i64(std::vector<int64_t> v, Shape shape = {}) { return from_vector(v, shape); }

TEST(Errors, ShapeMismatch) {
  expect_errors({
      CASE(add(f32({64, 784}), f32({10})), "add: shapes [64, 784] and [10] cannot be broadcast"),
      CASE(sub(f32({2, 3}), f32({2})), "sub: shapes [2, 3] and [2] cannot be broadcast"),
      CASE(mul(f32({3}), f32({4})), "mul: shapes [3] and [4] cannot be broadcast"),
      CASE(div(f32({3}), f32({4})), "div: shapes [3] and [4] cannot be broadcast"),
      CASE(maximum(f32({3}), f32({4})), "maximum: shapes [3] and [4] cannot be broadcast"),
      CASE(lt(f32({3}), f32({0})), "lt: shapes [3] and [0] cannot be broadcast"),
      CASE(pow(f32({2}), f32({3})), "pow: shapes [2] and [3] cannot be broadcast"),
      CASE(matmul(f32({128, 784}), f32({512, 256})),
           "matmul: inner dimensions differ: [128, 784] x [512, 256]"),
      CASE(matmul(f32({3}), f32({4})), "matmul: inner dimensions differ: [3] x [4]"),
      CASE(matmul(f32({2, 3, 4}), f32({3, 4, 5})),
           "matmul: batch dimensions of [2, 3, 4] and [3, 4, 5] cannot be broadcast"),
      CASE(addmm(f32({3}), f32({2, 2}), f32({2, 2})),
           "addmm: bias of shape [3] does not broadcast to [2, 2]"),
      CASE(addmm(f32({2}), f32({2, 2}), f32({3, 2})),
           "addmm: inner dimensions differ: [2, 2] x [3, 2]"),
      CASE(addmm(f32({2}), f32({2}), f32({2, 2})), "addmm: expects 2-d operands, got [2] x [2, 2]"),
      {[] {
         Tensor out = f32({2, 3});
         gemm_into(out, f32({2, 2}), f32({2, 2}));
       },
       "gemm_into: output [2, 3] does not fit [2, 2] x [2, 2]"},
      CASE(f32({2, 3}).reshape({4}), "reshape: shape [2, 3] (6 elements) cannot become [4]"),
      CASE(f32({2, 3}).view({4, -1}), "view: cannot infer -1 in [4, -1] for 6 elements"),
      CASE(f32({2, 3}).view({-1, -1}), "view: only one dimension can be -1, got [-1, -1]"),
      CASE(f32({2, 3}).reshape({-2, 3}), "reshape: negative dimension in [-2, 3]"),
      CASE(f32({2}).expand({3}), "expand: shape [2] cannot be broadcast to [3]"),
      CASE(f32({2, 3}).expand({3}), "expand: cannot expand [2, 3] to fewer dimensions [3]"),
      CASE(f32({2, 3}).permute({0}), "permute: order has 1 axes but the tensor has shape [2, 3]"),
      CASE(f32({2, 3}).permute({0, 0}), "permute: axis 0 appears twice"),
      CASE(f32({4}).narrow(0, 2, 3), "narrow: range [2, 5) is outside axis 0 of size 4"),
      CASE(f32({2, 3}).t().view({6}),
           "view: a tensor of shape [3, 2] with strides [1, 3] cannot be viewed as [6] without a "
           "copy; "
           "use reshape()"),
      CASE(concat({f32({2, 2}), f32({2, 3})}),
           "concat: tensor 1 of shape [2, 3] does not match tensor 0 of shape [2, 2] outside axis "
           "0"),
      CASE(concat({f32({2, 2}), f32({2})}),
           "concat: tensor 1 of shape [2] does not match tensor 0 of shape [2, 2] outside axis 0"),
      CASE(stack({f32({2}), f32({3})}),
           "stack: tensor 1 of shape [3] differs from tensor 0 of shape [2]"),
      {[] {
         from_vector(std::vector<float>{1, 2, 3}, {2, 2});
       },
       "from_vector: 3 values do not fill shape [2, 2]"},
      {[] {
         tensor({{1, 2}, {3}});
       },
       "tensor: rows have different lengths (2 and 1)"},
      CASE(f32({2}).item(), "item: tensor of shape [2] has 2 elements, not 1"),
      CASE(zeros({2, -1}), "empty: negative dimension in shape [2, -1]"),
      // Sizes whose element or byte count overflows must fail before anything is allocated.
      CASE(zeros({int64_t(1) << 40, int64_t(1) << 40}),
           "empty: shape [1099511627776, 1099511627776] of float32 is too large to allocate"),
      CASE(zeros({int64_t(1) << 31, int64_t(1) << 31}),
           "empty: shape [2147483648, 2147483648] of float32 is too large to allocate"),
      CASE(f32({6}).reshape({int64_t(1) << 40, int64_t(1) << 40}),
           "reshape: shape [6] (6 elements) cannot become [1099511627776, 1099511627776]"),
      {[] {
         scatter_add({3}, 0, i64({0, 1, 2}), f32({2}));
       },
       "scatter_add: source of shape [2] must match index [3]"},
      CASE(gather(f32({2, 2}), 0, i64({0, 1})),
           "gather: index of shape [2] must have the same rank as [2, 2]"),
      {[] {
         gather(f32({2, 2}), 1, i64({0, 0, 0}, {3, 1}));
       },
       "gather: index of shape [3, 1] is larger than [2, 2] on axis 0"},
      {[] {
         index_add({3, 2}, 0, i64({0, 1}), f32({3, 2}));
       },
       "index_add: source of shape [3, 2] must be [2, 2]"},
      {[] {
         index_select(f32({3}), 0, i64({0, 1}, {1, 2}));
       },
       "index_select: index must be 1-d, got [1, 2]"},
  });
}

TEST(Errors, DtypeMismatch) {
  expect_errors({
      CASE(add(f32({2}), f64({2})), "add: dtypes float32 and float64 differ"),
      CASE(eq(f32({2}), i64({1, 2})), "eq: dtypes float32 and int64 differ"),
      CASE(where(f32({2}), f32({2}), f64({2})), "where: dtypes float32 and float64 differ"),
      {[] {
         Tensor a = f32({2});
         add_(a, f64({2}));
       },
       "add_: dtypes float32 and float64 differ"},
      CASE(f32({2}).copy_(Tensor()), "copy_: undefined tensor"),
      CASE(matmul(f32({2, 2}), f64({2, 2})), "matmul: dtypes float32 and float64 differ"),
      {[] {
         matmul(i64({1, 2, 3, 4}, {2, 2}), i64({1, 2, 3, 4}, {2, 2}));
       },
       "matmul: dtype int64 is not supported (float32 or float64 needed)"},
      CASE(addmm(f64({2}), f32({2, 2}), f32({2, 2})),
           "addmm: bias dtype float64 differs from float32"),
      CASE(exp(i64({1})), "exp: dtype int64 is not supported (float32 or float64 needed)"),
      CASE(sigmoid(i64({1})), "sigmoid: dtype int64 is not supported (float32 or float64 needed)"),
      CASE(mean(i64({1})), "mean: dtype int64 is not supported (float32 or float64 needed)"),
      CASE(logsumexp(i64({1})),
           "logsumexp: dtype int64 is not supported (float32 or float64 needed)"),
      CASE(var(i64({1, 2})), "var: dtype int64 is not supported (float32 or float64 needed)"),
      CASE(f32({2}).data<double>(), "data: tensor holds float32, not float64"),
      CASE(gather(f32({2}), 0, f32({1})), "gather: index must be int64, got float32"),
      CASE(index_select(f32({2}), 0, f64({1})), "index_select: index must be int64, got float64"),
      CASE(one_hot(f32({1}), 3), "one_hot: index must be int64, got float32"),
      CASE(concat({f32({2}), f64({2})}),
           "concat: tensor 1 has dtype float64, tensor 0 has float32"),
      {[] { uniform({2}, 0, 1, DType::Int64); }, "uniform: dtype int64 is not a float type"},
      {[] { normal({2}, 0, 1, DType::UInt8); }, "normal: dtype uint8 is not a float type"},
  });
}

TEST(Errors, BadAxis) {
  expect_errors({
      CASE(sum(f32({2, 3}), {2}), "sum: axis 2 is out of range for 2-d tensor"),
      CASE(sum(f32({2, 3}), {-3}), "sum: axis -3 is out of range for 2-d tensor"),
      CASE(sum(f32({2, 3}), {1, -1}), "sum: axis 1 appears twice in [1, -1]"),
      CASE(mean(f32({2}), {1}), "mean: axis 1 is out of range for 1-d tensor"),
      CASE(max(f32({2}), {5}), "max: axis 5 is out of range for 1-d tensor"),
      CASE(logsumexp(f32({2}), {1}), "logsumexp: axis 1 is out of range for 1-d tensor"),
      CASE(var(f32({2}), {1}), "var: axis 1 is out of range for 1-d tensor"),
      CASE(argmax(f32({2, 3}), 2), "argmax: axis 2 is out of range for 2-d tensor"),
      CASE(argmin(scalar(1), 1), "argmin: axis 1 is out of range for 0-d tensor"),
      CASE(f32({2, 3}).transpose(0, 2), "transpose: axis 2 is out of range for 2-d tensor"),
      CASE(f32({2, 3}).size(2), "size: axis 2 is out of range for 2-d tensor"),
      CASE(f32({2, 3}).unsqueeze(3), "unsqueeze: axis 3 is out of range for 2-d tensor (-3 to 2)"),
      CASE(f32({2, 3}).unsqueeze(-4),
           "unsqueeze: axis -4 is out of range for 2-d tensor (-3 to 2)"),
      {[] {
         stack({f32({2}), f32({2})}, 2);
       },
       "stack: axis 2 is out of range for 1-d tensors (-2 to 1)"},
      {[] {
         concat({f32({2}), f32({2})}, 1);
       },
       "concat: axis 1 is out of range for 1-d tensor"},
      CASE(concat({scalar(1), scalar(2)}), "concat: cannot concatenate 0-d tensors; use stack"),
      CASE(f32({2, 3}).flatten(1, 0), "flatten: start axis 1 is after end axis 0"),
      CASE(f32({2, 3}).narrow(5, 0, 1), "narrow: axis 5 is out of range for 2-d tensor"),
      CASE(scalar(1).narrow(0, 0, 1), "narrow: cannot narrow a 0-d tensor"),
      CASE(f32({3}).slice(0, 0, 3, 0), "slice: step must be positive, got 0"),
      CASE(f32({2, 3}).squeeze(2), "squeeze: axis 2 is out of range for 2-d tensor"),
      {[] {
         gather(f32({2, 2}), 2, i64({0}, {1, 1}));
       },
       "gather: axis 2 is out of range for 2-d tensor"},
      CASE(sum_to(f32({2, 3}), {3, 3}), "sum_to: shape [2, 3] cannot be summed to [3, 3]"),
      CASE(f32({2, 3, 4}).t(), "t: expects a tensor of at most 2 dimensions, got [2, 3, 4]"),
  });
}

TEST(Errors, IndexOutOfRange) {
  expect_errors({
      CASE(f32({3, 4}).select(0, 3), "select: index 3 is out of range for axis 0 of size 3"),
      CASE(f32({3, 4}).select(1, -5), "select: index -5 is out of range for axis 1 of size 4"),
      {[] {
         gather(f32({2, 2}), 1, i64({0, 2}, {1, 2}));
       },
       "gather: index 2 is out of range for axis 1 of size 2"},
      {[] {
         gather(f32({2, 2}), 1, i64({-1}, {1, 1}));
       },
       "gather: index -1 is out of range for axis 1 of size 2"},
      {[] {
         scatter_add({2, 2}, 0, i64({2}, {1, 1}), f32({1, 1}));
       },
       "scatter_add: index 2 is out of range for axis 0 of size 2"},
      CASE(index_select(f32({3, 2}), 0, i64({0, 5})),
           "index_select: index 5 is out of range for axis 0 of size 3"),
      {[] {
         index_add({3, 2}, 1, i64({2}), f32({3, 1}));
       },
       "index_add: index 2 is out of range for axis 1 of size 2"},
      CASE(one_hot(i64({0, 3}), 3), "one_hot: label 3 is out of range for 3 classes"),
      CASE(one_hot(i64({-1}), 3), "one_hot: label -1 is out of range for 3 classes"),
      CASE(one_hot(i64({0}), 0), "one_hot: number of classes must be positive, got 0"),
  });
}

TEST(Errors, IntegerDivisionByZero) {
  expect_errors({
      CASE(div(i64({1, 2}), i64({1, 0})), "div: integer division by zero"),
      CASE(i64({1, 2}) / 0, "div: integer division by zero"),
      CASE(5 / i64({1, 0}), "div: integer division by zero"),
      CASE(div(i64({1}), i64({0}).expand({3})), "div: integer division by zero"),
  });
}

TEST(Errors, BadArguments) {
  expect_errors({
      CASE(add(Tensor(), f32({1})), "add: undefined tensor"),
      CASE(exp(Tensor()), "exp: undefined tensor"),
      CASE(Tensor().raw_data(), "tensor: use of an undefined tensor"),
      CASE(clamp(f32({1}), 2, 1), "clamp: low 2 is greater than high 1"),
      CASE(arange(0, 1, 0), "arange: step must not be zero"),
      {[] { uniform({2}, 2, 1); }, "uniform: low 2 is greater than high 1"},
      {[] { normal({2}, 0, -1); }, "normal: std must be non-negative, got -1"},
      {[] { bernoulli({2}, 1.5); }, "bernoulli: probability 1.5 is outside [0, 1]"},
      CASE(bernoulli(tensor({0.5, -0.1})), "bernoulli: probability -0.1 is outside [0, 1]"),
      CASE(randint(3, 3, {2}), "randint: empty range [3, 3)"),
      CASE(randperm(-1), "randperm: n must be non-negative, got -1"),
      CASE(set_num_threads(0), "set_num_threads: need at least 1 thread, got 0"),
      CASE(Generator().set_state({0, 0, 0, 0, 0, 0}),
           "Generator::set_state: an all-zero state is invalid for xoshiro256**"),
      CASE(stack({}), "stack: needs at least one tensor"),
      CASE(concat({}), "concat: needs at least one tensor"),
  });
}

}  // namespace
}  // namespace minidl
