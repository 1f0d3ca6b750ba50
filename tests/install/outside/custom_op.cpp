// An op and a module defined outside minidl, on its installed headers only: gate(x, b) =
// x * sigmoid(b), with b broadcast over x's rows, written with record() and a backward of its
// own (docs/autograd.md, "Your own op"). It must pass gradcheck and gradgradcheck in float64; a
// deliberately wrong backward must fail gradcheck, so the check is known to be able to fail.
#include <cstdio>
#include <string>

#include "nn/nn.h"

using namespace minidl;

// The value from tensor kernels; the backward in Variable ops, so that it is differentiable again.
Variable gate(const Variable& x, const Variable& b, const std::string& name = "gate") {
  return record(name, mul(x.data(), sigmoid(b.data())), {x, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  // sigmoid(b) is recomputed from the input Variable, not captured as a Tensor:
                  // a frozen value would give right first and wrong second derivatives.
                  const Variable s = sigmoid(in[1]);
                  Grads grads(2);  // undefined: no gradient for an input that needs none
                  if (in.needs_grad(0)) grads[0] = grad * s;
                  // The output's shape [rows, n]; the engine sums it back to b's shape [n].
                  if (in.needs_grad(1)) grads[1] = grad * in[0] * s * (1.0 - s);
                  return grads;
                });
}

// The same op with the derivative of sigmoid forgotten.
Variable wrong_gate(const Variable& x, const Variable& b) {
  return record("wrong_gate", mul(x.data(), sigmoid(b.data())), {x, b},
                [](const Variable& grad, const Inputs& in, const Variable&) {
                  return Grads{grad * sigmoid(in[1]), grad * in[0]};
                });
}

// A module around the op: one learned gate per feature.
class Gate : public nn::Module {
 public:
  explicit Gate(int64_t features) : logits(register_parameter("logits", zeros({features}))) {}
  Variable forward(const Variable& input) override { return gate(input, logits); }
  Variable& logits;
};

int main() {
  Generator gen(7);
  Variable x(uniform({3, 4}, -2.0, 2.0, DType::Float64, gen), true);
  Variable b(uniform({4}, -2.0, 2.0, DType::Float64, gen), true);
  const auto op = [](const std::vector<Variable>& v) { return gate(v[0], v[1]); };
  int failures = 0;
  for (const GradcheckResult& r : {gradcheck(op, {x, b}), gradgradcheck(op, {x, b})}) {
    if (!r) std::fprintf(stderr, "%s\n", r.message.c_str());
    failures += r ? 0 : 1;
  }
  const auto wrong = [](const std::vector<Variable>& v) { return wrong_gate(v[0], v[1]); };
  if (gradcheck(wrong, {x, b})) {
    std::fprintf(stderr, "gradcheck accepted a wrong backward\n");
    ++failures;
  }

  // A name made at run time is kept by the node.
  Variable named;
  {
    const std::string name = "gate_of_layer_" + std::to_string(3) + "_built_at_run_time";
    named = gate(x, b, name);
  }
  if (named.grad_fn()->name() != "gate_of_layer_3_built_at_run_time") {
    std::fprintf(stderr, "the op's name was not kept\n");
    ++failures;
  }

  // The module in a model: a gradcheck of the whole network in float64, through its parameters.
  nn::Sequential model;
  model.push_back(nn::make<nn::Linear>(4, 4, true, gen));
  model.push_back(nn::make<Gate>(4));
  for (Variable p : model.parameters()) p.set_data(p.data().to(DType::Float64));
  std::vector<Variable> inputs = {x};
  for (const Variable& p : model.parameters()) inputs.push_back(p);
  const auto network = [&](const std::vector<Variable>&) { return model(x); };
  if (const GradcheckResult r = gradcheck(network, inputs); !r) {
    std::fprintf(stderr, "%s\n", r.message.c_str());
    ++failures;
  }
  std::printf("custom op and module: gradcheck, gradgradcheck %s\n",
              failures ? "FAILED" : "passed");
  return failures == 0 ? 0 : 1;
}
