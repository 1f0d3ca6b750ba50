// The op table for the gradcheck suite: one row per differentiable op. Adding an op to autograd
// means adding one row here.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/autograd.h"

namespace minidl::testing {

// How to make one float64 input: its shape, the range its values are drawn from (kept away from
// kinks and domain edges), and whether to hand the op a transposed (non-contiguous) view.
struct InputSpec {
  Shape shape;
  double low = -2.0;
  double high = 2.0;
  bool transposed = false;  // build the transpose of `shape` and pass .t(): a non-contiguous view
  bool away_from_zero = false;  // values in [low, high] with |v| >= 0.2
};

struct OpCase {
  std::string name;
  std::function<Variable(const std::vector<Variable>&)> f;
  std::vector<InputSpec> inputs;
  bool check_second_order = false;
};

std::vector<OpCase> op_table();
// The op's inputs, drawn from `seed`. With `strided`, every input of one or more dimensions is
// handed over as a non-contiguous view (every second element of a buffer twice as long in its last
// axis), so each op is also checked on memory it cannot read as one flat run.
std::vector<Variable> make_inputs(const OpCase& op, uint64_t seed, bool strided = false);

}  // namespace minidl::testing
