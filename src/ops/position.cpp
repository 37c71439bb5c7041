#include "ops/position.h"

#include "ops/elementwise.h"

namespace eaf {

Var add_sinusoidal_position(Tape& t, Var x) {
  const Shape xs = t.shape(x);
  if (xs.rank != 3)
    throw std::invalid_argument("position embedding: input must be [B, L, D], got " + xs.str());
  const int64_t B = xs[0], L = xs[1], D = xs[2];
  float* pe = t.arena().alloc<float>(L * D);
  sinusoidal_table(pe, L, D);
  Var y = t.make_output(xs, t.any_needs_grad({x}));
  add_position_forward(t.value(y).data, t.value(x).data, pe, B, L, D);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = identity_node_backward;
    n.in = {x};
    n.out = y;
    t.record(n);
  }
  return y;
}

}  // namespace eaf
