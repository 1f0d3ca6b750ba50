// Printing and exporting the recorded graph: op descriptors (names and attributes), inputs before
// the ops that use them, shared leaves once.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "autograd/autograd.h"

namespace minidl {
namespace {

TEST(Graph, PrintsEveryNodeWithItsDescriptorInTopologicalOrder) {
  Variable x(zeros({2, 3}), true);
  Variable w(ones({3}), true);
  Variable y = sum(softplus(x * w, 2.0) + reshape(clamp(x, 0.0, std::nullopt), {2, 3}));
  EXPECT_EQ(graph_to_string(y),
            "#0 leaf [2, 3] float32 requires_grad\n"
            "#1 leaf [3] float32 requires_grad\n"
            "#2 mul(#0, #1) -> [2, 3] float32\n"
            "#3 softplus(#2; beta=2, threshold=20) -> [2, 3] float32\n"
            "#4 clamp(#0; low=0) -> [2, 3] float32\n"
            "#5 reshape(#4; shape=[2, 3]) -> [2, 3] float32\n"
            "#6 add(#3, #5) -> [2, 3] float32\n"
            "#7 sum(#6) -> [] float32\n");
  // A value with no history is a single leaf.
  EXPECT_EQ(graph_to_string(Variable(zeros({4}, DType::Float64))), "#0 leaf [4] float64\n");
}

TEST(Graph, AnOpNameMadeAtRunTimeOutlivesItsString) {
  // An op defined outside the library may build its name; the node keeps a copy. The name is
  // longer than a string's inline buffer, and a string of the same length is allocated after it
  // is freed, so a node that kept a view would most likely show the second string's text.
  Variable x(ones({2}), true);
  Variable y;
  {
    std::string name = "user_op_number_" + std::to_string(40 + 2) + "_with_a_long_name";
    y = record(
        name, mul(x.data(), 3.0), {x},
        [](const Variable& grad, const Inputs&, const Variable&) { return Grads{grad * 3.0}; });
  }
  std::string overwrite(std::string("user_op_number_42_with_a_long_name").size(), 'z');
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name(), "user_op_number_42_with_a_long_name") << overwrite;
  EXPECT_EQ(graph_to_string(y),
            "#0 leaf [2] float32 requires_grad\n"
            "#1 user_op_number_42_with_a_long_name(#0) -> [2] float32\n");
}

TEST(Graph, ExportsGraphvizDot) {
  Variable x(ones({2}), true);
  Variable y = expand(x * x, {3, -1});
  EXPECT_EQ(graph_to_dot(y),
            "digraph minidl {\n"
            "  rankdir=BT;\n"
            "  n0 [shape=ellipse, label=\"leaf [2] float32\\nrequires_grad\"];\n"
            "  n1 [shape=box, label=\"mul\\n[2] float32\"];\n"
            "  n0 -> n1;\n"
            "  n0 -> n1;\n"
            "  n2 [shape=box, label=\"expand\\nshape=[3, -1]\\n[3, 2] float32\"];\n"
            "  n1 -> n2;\n"
            "}\n");
}

TEST(Graph, ShowsNodesReleasedByABackwardPass) {
  Variable x(ones({2}), true);
  Variable y = sum(x * x);
  y.backward();
  EXPECT_EQ(graph_to_string(y), "#0 sum(released) -> [] float32\n");
}

TEST(Graph, HandlesDeepChainsWithoutRecursion) {
  Variable x(ones({1}), true);
  Variable y = x;
  for (int i = 0; i < 100000; ++i) y = y * 1.0;
  const std::string text = graph_to_string(y);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 100001);
}

}  // namespace
}  // namespace minidl
