#include "ops/reduce.h"

#include "ops/elementwise.h"

namespace eaf {

namespace {
Var mean_view(Tape& t, Var x, int64_t outer, int64_t n, int64_t inner, Shape ys) {
  if (n == 0) throw std::invalid_argument("mean: reducing an empty axis");
  Var y = t.make_output(ys, t.any_needs_grad({x}));
  mean_axis_forward(t.value(y).data, t.value(x).data, outer, n, inner);
  if (t.needs_grad(y)) {
    Node node;
    node.backward = [](Tape& t, const Node& nd) {
      mean_axis_backward(t.grad(nd.in[0]).data, t.grad(nd.out).data, nd.i[0], nd.i[1], nd.i[2]);
    };
    node.in = {x};
    node.out = y;
    node.i = {outer, n, inner};
    t.record(node);
  }
  return y;
}
}  // namespace

Var mean(Tape& t, Var x, int axis) {
  const Shape xs = t.shape(x);
  if (axis < 0) axis += xs.rank;
  if (axis < 0 || axis >= xs.rank)
    throw std::invalid_argument("mean: axis out of range for " + xs.str());
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k) outer *= xs[k];
  for (int k = axis + 1; k < xs.rank; ++k) inner *= xs[k];
  Shape ys;
  for (int k = 0; k < xs.rank; ++k)
    if (k != axis) ys.dims[ys.rank++] = xs[k];
  if (ys.rank == 0) ys = Shape{1};
  return mean_view(t, x, outer, xs[axis], inner, ys);
}

Var mean_all(Tape& t, Var x) {
  return mean_view(t, x, 1, t.value(x).numel(), 1, Shape{1});
}

Var reshape(Tape& t, Var x, Shape shape) {
  Var y = t.make_view(t.value(x).reshaped(shape), t.any_needs_grad({x}));
  if (t.needs_grad(y)) {
    Node n;
    n.backward = identity_node_backward;
    n.in = {x};
    n.out = y;
    t.record(n);
  }
  return y;
}

Var flatten(Tape& t, Var x, int start_dim) {
  const Shape xs = t.shape(x);
  if (start_dim < 0) start_dim += xs.rank;
  if (start_dim < 0 || start_dim >= xs.rank)
    throw std::invalid_argument("flatten: start_dim out of range for " + xs.str());
  Shape ys;
  for (int k = 0; k < start_dim; ++k) ys.dims[ys.rank++] = xs[k];
  int64_t tail = 1;
  for (int k = start_dim; k < xs.rank; ++k) tail *= xs[k];
  ys.dims[ys.rank++] = tail;
  return reshape(t, x, ys);
}

}  // namespace eaf
