#include "ops/slice.h"

#include <string>

namespace eaf {

Var slice(Tape& t, Var x, int axis, int64_t start, int64_t length) {
  const Shape xs = t.shape(x);
  if (axis < 0) axis += xs.rank;
  if (axis < 0 || axis >= xs.rank || start < 0 || length < 1 || start + length > xs[axis])
    throw std::invalid_argument("slice: [" + std::to_string(start) + ", " +
                                std::to_string(start + length) + ") on axis " +
                                std::to_string(axis) + " of " + xs.str());
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k) outer *= xs[k];
  for (int k = axis + 1; k < xs.rank; ++k) inner *= xs[k];
  Shape ys = xs;
  ys.dims[axis] = length;
  Var y = t.make_output(ys, t.any_needs_grad({x}));
  slice_forward(t.value(y).data, t.value(x).data, outer, xs[axis], inner, start, length);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      slice_backward(t.grad(n.in[0]).data, t.grad(n.out).data, n.i[0], n.i[1], n.i[2], n.i[3],
                     n.i[4]);
    };
    n.in = {x};
    n.out = y;
    n.i = {outer, xs[axis], inner, start, length};
    t.record(n);
  }
  return y;
}

}  // namespace eaf
