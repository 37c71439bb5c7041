#include "ops/softmax.h"

namespace eaf {

Var softmax(Tape& t, Var x) {
  const Shape xs = t.shape(x);
  Var y = t.make_output(xs, t.any_needs_grad({x}));
  softmax_forward(t.value(y).data, t.value(x).data, xs.rows(), xs.last());
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      const Shape s = t.shape(n.out);
      softmax_backward(t.grad(n.in[0]).data, t.grad(n.out).data, t.value(n.out).data, s.rows(),
                       s.last());
    };
    n.in = {x};
    n.out = y;
    t.record(n);
  }
  return y;
}

}  // namespace eaf
