#include "ops/elementwise.h"

namespace eaf {

void identity_node_backward(Tape& t, const Node& n) {
  add_backward<float>(t.grad(n.in[0]).data, nullptr, t.grad(n.out).data, t.value(n.out).numel());
}

Var add(Tape& t, Var a, Var b) {
  check_shape("add", t.shape(b), t.shape(a));
  Var y = t.make_output(t.shape(a), t.any_needs_grad({a, b}));
  add_forward(t.value(y).data, t.value(a).data, t.value(b).data, t.value(a).numel());
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      float* da = t.needs_grad(n.in[0]) ? t.grad(n.in[0]).data : nullptr;
      float* db = t.needs_grad(n.in[1]) ? t.grad(n.in[1]).data : nullptr;
      add_backward(da, db, t.grad(n.out).data, t.value(n.out).numel());
    };
    n.in = {a, b};
    n.out = y;
    t.record(n);
  }
  return y;
}

Var scale(Tape& t, Var x, float s) {
  Var y = t.make_output(t.shape(x), t.any_needs_grad({x}));
  scale_forward(t.value(y).data, t.value(x).data, s, t.value(x).numel());
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      scale_backward(t.grad(n.in[0]).data, t.grad(n.out).data, static_cast<float>(n.f[0]),
                     t.value(n.out).numel());
    };
    n.in = {x};
    n.out = y;
    n.f = {s};
    t.record(n);
  }
  return y;
}

Var mask_rows(Tape& t, Var x, Var mask) {
  const Shape xs = t.shape(x);
  if (t.value(mask).numel() != xs.rows())
    throw std::invalid_argument("mask_rows: mask " + t.shape(mask).str() + " does not cover the " +
                                std::to_string(xs.rows()) + " rows of " + xs.str());
  if (t.needs_grad(mask))
    throw std::invalid_argument("mask_rows: the mask must be a constant, not a trainable value");
  Var y = t.make_output(xs, t.any_needs_grad({x}));
  mask_forward(t.value(y).data, t.value(x).data, t.value(mask).data, xs.rows(), xs.last());
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      const Shape s = t.shape(n.out);
      mask_backward(t.grad(n.in[0]).data, t.grad(n.out).data, t.value(n.in[1]).data, s.rows(),
                    s.last());
    };
    n.in = {x, mask};
    n.out = y;
    t.record(n);
  }
  return y;
}

}  // namespace eaf
