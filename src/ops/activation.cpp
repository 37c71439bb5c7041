#include "ops/activation.h"

namespace eaf {

namespace {
// Records a point-wise op whose backward reads the input x (or, with
// backward_from_output, the output y) and n.f[0] as a parameter.
Var pointwise(Tape& t, Var x, Node::Backward backward, double param,
              void (*forward)(float*, const float*, float, int64_t)) {
  Var y = t.make_output(t.shape(x), t.any_needs_grad({x}));
  forward(t.value(y).data, t.value(x).data, static_cast<float>(param), t.value(x).numel());
  if (t.needs_grad(y)) {
    Node n;
    n.backward = backward;
    n.in = {x};
    n.out = y;
    n.f = {param};
    t.record(n);
  }
  return y;
}
}  // namespace

Var gelu(Tape& t, Var x) {
  return pointwise(
      t, x,
      [](Tape& t, const Node& n) {
        gelu_backward(t.grad(n.in[0]).data, t.grad(n.out).data, t.value(n.in[0]).data,
                      t.value(n.out).numel());
      },
      0.0, [](float* y, const float* x, float, int64_t k) { gelu_forward(y, x, k); });
}

Var relu(Tape& t, Var x) {
  return pointwise(
      t, x,
      [](Tape& t, const Node& n) {
        relu_backward(t.grad(n.in[0]).data, t.grad(n.out).data, t.value(n.in[0]).data,
                      t.value(n.out).numel());
      },
      0.0, [](float* y, const float* x, float, int64_t k) { relu_forward(y, x, k); });
}

Var elu(Tape& t, Var x, float alpha) {
  return pointwise(
      t, x,
      [](Tape& t, const Node& n) {
        elu_backward(t.grad(n.in[0]).data, t.grad(n.out).data, t.value(n.in[0]).data,
                     static_cast<float>(n.f[0]), t.value(n.out).numel());
      },
      alpha, [](float* y, const float* x, float a, int64_t k) { elu_forward(y, x, a, k); });
}

Var sigmoid(Tape& t, Var x) {
  return pointwise(
      t, x,
      [](Tape& t, const Node& n) {
        sigmoid_backward(t.grad(n.in[0]).data, t.grad(n.out).data, t.value(n.out).data,
                         t.value(n.out).numel());
      },
      0.0, [](float* y, const float* x, float, int64_t k) { sigmoid_forward(y, x, k); });
}

}  // namespace eaf
