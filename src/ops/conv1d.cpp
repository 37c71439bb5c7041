#include "ops/conv1d.h"

#include <string>

namespace eaf {

namespace {
Conv1dDims dims_of(const Node& n) {
  return {n.i[0], n.i[1], n.i[2], n.i[3], n.i[4]};
}

void conv1d_node_backward(Tape& t, const Node& n) {
  const Conv1dDims d = dims_of(n);
  Var x = n.in[0], w = n.in[1], b = n.in[2];
  float* dx = t.needs_grad(x) ? t.grad(x).data : nullptr;
  float* dw = t.needs_grad(w) ? t.grad(w).data : nullptr;
  float* db = b.valid() && t.needs_grad(b) ? t.grad(b).data : nullptr;
  float* dcols = dx && d.K != 1 ? t.arena().alloc<float>(d.B * d.L * d.Cin * d.K) : nullptr;
  conv1d_backward(dx, dw, db, dcols, t.grad(n.out).data, t.value(x).data, n.saved[0].data,
                  t.value(w).data, d);
}
}  // namespace

Var conv1d_circular(Tape& t, Var x, Var w, Var bias) {
  const Shape xs = t.shape(x), ws = t.shape(w);
  if (xs.rank != 3 || ws.rank != 3 || ws[1] != xs[2] || ws[2] % 2 == 0)
    throw std::invalid_argument("conv1d: input " + xs.str() + " and weight " + ws.str() +
                                " must be [B, L, Cin] and [Cout, Cin, K] with K odd");
  if (bias.valid()) check_shape("conv1d bias", t.shape(bias), Shape{ws[0]});
  const Conv1dDims d{xs[0], xs[1], xs[2], ws[0], ws[2]};
  Var y = t.make_output(Shape{d.B, d.L, d.Cout}, t.any_needs_grad({x, w, bias}));
  Tensor cols;
  if (d.K != 1)
    cols = {t.arena().alloc<float>(d.B * d.L * d.Cin * d.K), Shape{d.B, d.L, d.Cin * d.K}};
  conv1d_forward(t.value(y).data, cols.data, t.value(x).data, t.value(w).data,
                 bias.valid() ? t.value(bias).data : nullptr, d);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = conv1d_node_backward;
    n.in = {x, w, bias};
    n.out = y;
    n.saved = {cols};
    n.i = {d.B, d.L, d.Cin, d.Cout, d.K};
    t.record(n);
  }
  return y;
}

}  // namespace eaf
