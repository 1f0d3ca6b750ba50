// The recorded graph behind a Variable, for people studying the engine: every node with its op
// descriptor (name and attributes), its inputs and its output's shape, as text or as Graphviz dot.
//
//   std::cout << graph_to_string(loss);
//   #0 leaf [2, 3] float32 requires_grad
//   #1 leaf [3] float32 requires_grad
//   #2 mul(#0, #1) -> [2, 3] float32
//   #3 softplus(#2; beta=2, threshold=20) -> [2, 3] float32
//   #4 sum(#3) -> [] float32
//
//   write graph_to_dot(loss) to graph.dot, then: dot -Tpng graph.dot -o graph.png
#pragma once

#include <string>

#include "autograd/variable.h"

namespace minidl {

// One line per value, inputs before the ops that use them (numbered in that order); leaves (and
// values without history) show requires_grad. A node freed by an earlier backward pass shows
// "(released)" in place of its inputs.
std::string graph_to_string(const Variable& root);

// The same graph as a Graphviz digraph: leaves as ellipses, ops as boxes labelled with their
// descriptor and output shape, an edge from each input to the op that uses it.
std::string graph_to_dot(const Variable& root);

}  // namespace minidl
