#include "ops/linear.h"

namespace eaf {

namespace {
void linear_node_backward(Tape& t, const Node& n) {
  Var x = n.in[0], w = n.in[1], b = n.in[2];
  float* dx = t.needs_grad(x) ? t.grad(x).data : nullptr;
  float* dW = t.needs_grad(w) ? t.grad(w).data : nullptr;
  float* db = b.valid() && t.needs_grad(b) ? t.grad(b).data : nullptr;
  linear_backward(dx, dW, db, t.grad(n.out).data, t.value(x).data, t.value(w).data, n.i[0], n.i[1],
                  n.i[2]);
}
}  // namespace

Var linear(Tape& t, Var x, Var w, Var b) {
  const Shape xs = t.shape(x), ws = t.shape(w);
  if (ws.rank != 2 || xs.last() != ws[1])
    throw std::invalid_argument("linear: input " + xs.str() + " does not match weight " + ws.str());
  if (b.valid()) check_shape("linear bias", t.shape(b), Shape{ws[0]});
  const int64_t N = xs.rows(), I = ws[1], O = ws[0];
  Shape ys = xs;
  ys.dims[ys.rank - 1] = O;
  Var y = t.make_output(ys, t.any_needs_grad({x, w, b}));
  linear_forward(t.value(y).data, t.value(x).data, t.value(w).data,
                 b.valid() ? t.value(b).data : nullptr, N, I, O);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = linear_node_backward;
    n.in = {x, w, b};
    n.out = y;
    n.i = {N, I, O};
    t.record(n);
  }
  return y;
}

}  // namespace eaf
