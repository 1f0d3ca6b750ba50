#include "op_table.h"

namespace minidl::testing {

namespace {

using V = const std::vector<Variable>&;
const bool kSecond = true;

InputSpec positive(Shape shape) { return InputSpec{std::move(shape), 0.5, 2.0}; }
InputSpec nonzero(Shape shape) { return InputSpec{std::move(shape), -2.0, 2.0, false, true}; }
InputSpec transposed(Shape shape) { return InputSpec{std::move(shape), -2.0, 2.0, true}; }

Tensor int64_tensor(std::vector<int64_t> values, Shape shape) { return from_vector(values, shape); }

}  // namespace

std::vector<OpCase> op_table() {
  return {
      // arithmetic, with broadcasting and non-contiguous operands
      {"add", [](V x) { return x[0] + x[1]; }, {{{3, 4}}, {{4}}}, kSecond},
      {"add_transposed", [](V x) { return x[0] + x[1]; }, {transposed({3, 4}), {{3, 4}}}, kSecond},
      {"sub", [](V x) { return x[0] - x[1]; }, {{{3, 1}}, {{1, 4}}}, kSecond},
      {"mul", [](V x) { return x[0] * x[1]; }, {{{2, 3}}, {{2, 1}}}, kSecond},
      {"mul_same_input", [](V x) { return x[0] * x[0]; }, {{{5}}}, kSecond},
      {"div", [](V x) { return x[0] / x[1]; }, {{{2, 3}}, positive({3})}, kSecond},
      {"add_scalar", [](V x) { return x[0] + 3.0; }, {{{4}}}, kSecond},
      {"mul_scalar", [](V x) { return x[0] * -1.5; }, {{{4}}}, kSecond},
      {"rsub_scalar", [](V x) { return 2.0 - x[0]; }, {{{4}}}, kSecond},
      {"rdiv_scalar", [](V x) { return 2.0 / x[0]; }, {positive({4})}, kSecond},
      {"neg", [](V x) { return -x[0]; }, {{{4}}}, kSecond},
      {"pow_scalar", [](V x) { return pow(x[0], 2.5); }, {positive({2, 3})}, kSecond},
      {"pow_square", [](V x) { return pow(x[0], 2.0); }, {{{2, 3}}}, kSecond},
      {"pow", [](V x) { return pow(x[0], x[1]); }, {positive({2, 3}), {{3}}}, kSecond},
      {"maximum", [](V x) { return maximum(x[0], x[1]); }, {{{3, 4}}, {{4}}}, kSecond},
      {"minimum", [](V x) { return minimum(x[0], x[1]); }, {{{3, 4}}, {{3, 1}}}, kSecond},
      {"where",
       [](V x) { return where(gt(x[0].data(), 0.0), x[0], x[1]); },
       {nonzero({3, 4}), {{4}}},
       kSecond},
      // elementwise functions
      {"exp", [](V x) { return exp(x[0]); }, {{{2, 3}}}, kSecond},
      {"log", [](V x) { return log(x[0]); }, {positive({2, 3})}, kSecond},
      {"log1p", [](V x) { return log1p(x[0]); }, {positive({2, 3})}, kSecond},
      {"sqrt", [](V x) { return sqrt(x[0]); }, {positive({2, 3})}, kSecond},
      {"abs", [](V x) { return abs(x[0]); }, {nonzero({2, 3})}, kSecond},
      {"erf", [](V x) { return erf(x[0]); }, {{{2, 3}}}, kSecond},
      {"tanh", [](V x) { return tanh(x[0]); }, {transposed({2, 3})}, kSecond},
      {"sigmoid", [](V x) { return sigmoid(x[0]); }, {{{2, 3}}}, kSecond},
      {"softplus", [](V x) { return softplus(x[0]); }, {{{2, 3}}}, kSecond},
      // beta x stays below the threshold in the first row and above it in the second.
      {"softplus_beta", [](V x) { return softplus(x[0], 2.0, 5.0); }, {{{2, 3}}}, kSecond},
      {"softplus_above_threshold",
       [](V x) { return softplus(x[0], 2.0, 3.0); },
       {InputSpec{{2, 3}, 2.0, 3.0}},
       kSecond},
      {"elementwise_binary_cross_entropy",
       [](V x) { return elementwise_binary_cross_entropy(x[0], x[1]); },
       {InputSpec{{2, 3}, 0.1, 0.9}, InputSpec{{3}, 0.0, 1.0}},
       kSecond},
      {"elementwise_binary_cross_entropy_with_logits",
       [](V x) { return elementwise_binary_cross_entropy_with_logits(x[0], x[1]); },
       {{{2, 3}}, InputSpec{{3}, 0.0, 1.0}},
       kSecond},
      {"sigmoid_minus",
       [](V x) { return sigmoid_minus(x[0], x[1]); },
       {{{2, 3}}, {{2, 1}}},
       kSecond},
      {"relu", [](V x) { return relu(x[0]); }, {nonzero({2, 3})}, kSecond},
      {"leaky_relu", [](V x) { return leaky_relu(x[0], 0.2); }, {nonzero({2, 3})}, kSecond},
      {"elu", [](V x) { return elu(x[0], 1.3); }, {nonzero({2, 3})}, kSecond},
      {"clamp", [](V x) { return clamp(x[0], -0.1, 0.1); }, {nonzero({2, 3})}, kSecond},
      {"clamp_low_only",
       [](V x) { return clamp(x[0], 0.1, std::nullopt); },
       {nonzero({2, 3})},
       kSecond},
      {"clamp_high_only",
       [](V x) { return clamp(x[0], std::nullopt, -0.1); },
       {nonzero({2, 3})},
       kSecond},
      {"gelu", [](V x) { return gelu(x[0]); }, {{{2, 3}}}, kSecond},
      {"gelu_tanh", [](V x) { return gelu(x[0], true); }, {{{2, 3}}}, kSecond},
      {"square", [](V x) { return square(x[0]); }, {{{2, 3}}}, kSecond},
      // reductions
      {"sum_all", [](V x) { return sum(x[0]); }, {{{2, 3}}}, kSecond},
      {"sum_axis", [](V x) { return sum(x[0], {1}); }, {transposed({2, 3, 2})}, kSecond},
      {"sum_keepdim",
       [](V x) {
         return sum(x[0], {0, 2}, true);
       },
       {{{2, 3, 2}}},
       kSecond},
      {"mean", [](V x) { return mean(x[0], {0}); }, {{{3, 2}}}, kSecond},
      {"max", [](V x) { return max(x[0], {1}); }, {{{3, 4}}}, kSecond},
      {"min_all", [](V x) { return min(x[0]); }, {{{3, 4}}}, kSecond},
      {"logsumexp", [](V x) { return logsumexp(x[0], {1}); }, {{{3, 4}}}, kSecond},
      {"var", [](V x) { return var(x[0], {1}); }, {{{3, 4}}}, kSecond},
      {"sum_to",
       [](V x) {
         return sum_to(x[0], {1, 3});
       },
       {{{2, 4, 3}}},
       kSecond},
      // shapes and views
      {"reshape",
       [](V x) {
         return reshape(x[0], {3, 2});
       },
       {transposed({2, 3})},
       kSecond},
      {"flatten", [](V x) { return flatten(x[0], 1); }, {{{2, 2, 3}}}},
      {"transpose", [](V x) { return transpose(x[0], 0, 2); }, {{{2, 3, 2}}}, kSecond},
      {"permute",
       [](V x) {
         return permute(x[0], {2, 0, 1});
       },
       {{{2, 3, 2}}},
       kSecond},
      {"slice", [](V x) { return slice(x[0], 1, 1, 5, 2); }, {{{2, 6}}}, kSecond},
      {"narrow", [](V x) { return narrow(x[0], 0, 1, 2); }, {{{4, 2}}}},
      {"select", [](V x) { return select(x[0], 1, -1); }, {{{2, 3}}}},
      {"expand",
       [](V x) {
         return expand(x[0], {2, 3, 4});
       },
       {{{3, 1}}},
       kSecond},
      {"expand_keep_size",
       [](V x) {
         return expand(x[0], {2, -1, 4});
       },
       {{{3, 1}}},
       kSecond},
      {"squeeze", [](V x) { return squeeze(x[0], 1); }, {{{3, 1, 2}}}},
      {"unsqueeze", [](V x) { return unsqueeze(x[0], 0); }, {{{3, 2}}}},
      {"concat",
       [](V x) {
         return concat({x[0], x[1]}, 1);
       },
       {{{2, 2}}, {{2, 3}}},
       kSecond},
      {"stack",
       [](V x) {
         return stack({x[0], x[1]}, 0);
       },
       {{{2, 3}}, {{2, 3}}}},
      // matrix products
      {"matmul", [](V x) { return matmul(x[0], x[1]); }, {{{3, 4}}, transposed({4, 2})}, kSecond},
      {"matmul_batched", [](V x) { return matmul(x[0], x[1]); }, {{{2, 2, 3}}, {{3, 2}}}, kSecond},
      {"matmul_broadcast",
       [](V x) { return matmul(x[0], x[1]); },
       {{{1, 2, 3}}, {{2, 3, 2}}},
       kSecond},
      {"matmul_vector", [](V x) { return matmul(x[0], x[1]); }, {{{3}}, {{3, 2}}}, kSecond},
      {"matmul_dot", [](V x) { return matmul(x[0], x[1]); }, {{{3}}, {{3}}}, kSecond},
      {"linear",
       [](V x) { return linear(x[0], x[1], x[2]); },
       {{{3, 4}}, {{2, 4}}, {{2}}},
       kSecond},
      {"linear_no_bias", [](V x) { return linear(x[0], x[1]); }, {{{3, 4}}, {{2, 4}}}, kSecond},
      {"linear_3d", [](V x) { return linear(x[0], x[1], x[2]); },
       {{{2, 2, 3}}, {{2, 3}}, {{2}}}, kSecond},
      // convolution, pooling and resizing of [N, C, H, W]
      {"im2col", [](V x) { return im2col(x[0], Window2d{3, 2, 2, 1, 1, 0, 1, 2}); },
       {{{2, 2, 5, 6}}}, kSecond},
      {"col2im", [](V x) { return col2im(x[0], {1, 2, 4, 5}, Window2d{2, 3, 2, 1, 1, 1, 1, 1}); },
       {{{3 * 5, 12}}}, kSecond},
      {"conv2d", [](V x) { return conv2d(x[0], x[1], x[2], {1, 1}, {1, 1}); },
       {{{2, 2, 5, 4}}, {{3, 2, 3, 3}}, {{3}}}, kSecond},
      {"conv2d_transposed_input", [](V x) { return conv2d(x[0], x[1]); },
       {transposed({2, 3, 4, 3}), {{2, 3, 2, 2}}}, kSecond},
      {"conv2d_stride2_odd", [](V x) { return conv2d(x[0], x[1], x[2], {2, 2}, {1, 1}); },
       {{{1, 2, 7, 5}}, {{2, 2, 4, 4}}, {{2}}}, kSecond},
      {"conv2d_dilation", [](V x) { return conv2d(x[0], x[1], {}, {1, 2}, {2, 1}, {2, 2}); },
       {{{1, 1, 6, 7}}, {{2, 1, 3, 2}}}, kSecond},
      // One input channel takes the direct kernel: more output channels than one tile of 8 and
      // more pixels than one block of 16.
      {"conv2d_one_channel", [](V x) { return conv2d(x[0], x[1], x[2], {2, 2}, {1, 1}); },
       {{{2, 1, 11, 9}}, {{9, 1, 4, 4}}, {{9}}}, kSecond},
      {"conv2d_groups", [](V x) { return conv2d(x[0], x[1], x[2], {2, 1}, {1, 0}, {1, 1}, 2); },
       {{{2, 4, 5, 3}}, {{6, 2, 3, 2}}, {{6}}}, kSecond},
      {"conv_transpose2d", [](V x) { return conv_transpose2d(x[0], x[1], x[2], {1, 1}, {1, 1}); },
       {{{2, 3, 3, 4}}, {{3, 2, 3, 3}}, {{2}}}, kSecond},
      {"conv_transpose2d_stride2_output_padding",
       [](V x) { return conv_transpose2d(x[0], x[1], x[2], {2, 2}, {1, 1}, {1, 0}); },
       {{{1, 2, 3, 3}}, {{2, 3, 4, 4}}, {{3}}}, kSecond},
      {"conv_transpose2d_groups_dilation",
       [](V x) { return conv_transpose2d(x[0], x[1], {}, {2, 1}, {0, 1}, {1, 0}, {2, 1}, 2); },
       {{{1, 4, 3, 2}}, {{4, 1, 2, 3}}}, kSecond},
      {"max_pool2d", [](V x) { return max_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}); },
       {{{2, 2, 5, 6}}}, kSecond},
      {"max_pool2d_dilation", [](V x) { return max_pool2d(x[0], {2, 2}, {1, 2}, {0, 1}, {2, 1}); },
       {transposed({2, 1, 5, 5})}, kSecond},
      {"avg_pool2d", [](V x) { return avg_pool2d(x[0], {3, 3}, {2, 2}, {1, 1}); },
       {{{2, 2, 5, 6}}}, kSecond},
      {"avg_pool2d_exclude_pad",
       [](V x) { return avg_pool2d(x[0], {3, 2}, {2, 1}, {1, 1}, false); },
       {{{1, 2, 5, 4}}}, kSecond},
      {"upsample_nearest2d_scale", [](V x) { return upsample_nearest2d(x[0], 2.0, 3.0); },
       {{{1, 2, 3, 2}}}, kSecond},
      {"upsample_nearest2d_size", [](V x) { return upsample_nearest2d(x[0], Size2{5, 3}); },
       {{{2, 1, 3, 4}}}, kSecond},
      {"flatten_images", [](V x) { return flatten(x[0], 1); }, {{{2, 2, 3, 2}}}, kSecond},
      {"unflatten", [](V x) { return unflatten(x[0], 1, {2, -1, 2}); }, {{{2, 12}}}, kSecond},
      // indexing
      {"gather",
       [](V x) {
         return gather(x[0], 1, int64_tensor({0, 2, 1, 1}, {2, 2}));
       },
       {{{2, 3}}},
       kSecond},
      {"scatter_add",
       [](V x) {
         return scatter_add({2, 3}, 1, int64_tensor({0, 2, 1, 1}, {2, 2}), x[0]);
       },
       {{{2, 2}}},
       kSecond},
      {"index_select",
       [](V x) {
         return index_select(x[0], 0, int64_tensor({2, 0, 2}, {3}));
       },
       {{{3, 2}}},
       kSecond},
      {"index_add",
       [](V x) {
         return index_add({3, 2}, 0, int64_tensor({2, 0, 2}, {3}), x[0]);
       },
       {{{3, 2}}},
       kSecond},
      // composites
      {"log_softmax", [](V x) { return log_softmax(x[0], 1); }, {{{2, 4}}}, kSecond},
      {"softmax", [](V x) { return softmax(x[0], 0); }, {{{3, 2}}}, kSecond},
  };
}

std::vector<Variable> make_inputs(const OpCase& op, uint64_t seed, bool strided) {
  Generator generator(seed);
  std::vector<Variable> inputs;
  for (const InputSpec& spec : op.inputs) {
    Shape shape = spec.shape;
    if (spec.transposed) std::swap(shape[0], shape[1]);
    Tensor value = uniform(shape, spec.low, spec.high, DType::Float64, generator);
    if (spec.away_from_zero) {
      // Map |v| into [0.2, high] keeping the sign, so no value sits on a kink.
      value = where(ge(value, 0.0), add(mul(value, 0.9), 0.2), sub(mul(value, 0.9), 0.2));
    }
    if (spec.transposed) value = value.transpose(0, 1);
    if (strided && value.dim() >= 1) {
      Shape wide = value.shape();
      wide.back() *= 2;
      Tensor view = full(wide, 1e300, DType::Float64).slice(-1, 0, wide.back(), 2);
      view.copy_(value);  // the gaps hold 1e300: an op that reads them gives a wrong result
      value = view;
    }
    inputs.push_back(Variable(value, true));
  }
  return inputs;
}

}  // namespace minidl::testing
