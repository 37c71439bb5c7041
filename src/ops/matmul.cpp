#include "ops/matmul.h"

namespace eaf {

namespace {
MatmulDims dims_of(const Node& n) {
  return {n.i[0], n.i[1], n.i[2], n.i[3], n.i[4] != 0, n.i[5] != 0};
}

void matmul_node_backward(Tape& t, const Node& n) {
  Var a = n.in[0], b = n.in[1];
  float* dA = t.needs_grad(a) ? t.grad(a).data : nullptr;
  float* dB = t.needs_grad(b) ? t.grad(b).data : nullptr;
  matmul_backward(dA, dB, t.grad(n.out).data, t.value(a).data, t.value(b).data, dims_of(n));
}
}  // namespace

Var matmul(Tape& t, Var a, Var b, bool trans_a, bool trans_b) {
  const Shape as = t.shape(a), bs = t.shape(b);
  if (as.rank != bs.rank || (as.rank != 2 && as.rank != 3))
    throw std::invalid_argument("matmul: operands must both be rank 2 or 3, got " + as.str() +
                                " and " + bs.str());
  const bool batched = as.rank == 3;
  const int64_t batch = batched ? as[0] : 1;
  if (batched && bs[0] != batch)
    throw std::invalid_argument("matmul: batch sizes differ: " + as.str() + " vs " + bs.str());
  const int64_t M = trans_a ? as[-1] : as[-2], K = trans_a ? as[-2] : as[-1];
  const int64_t Kb = trans_b ? bs[-1] : bs[-2], N = trans_b ? bs[-2] : bs[-1];
  if (K != Kb)
    throw std::invalid_argument("matmul: inner dimensions differ: " + as.str() + " vs " + bs.str());
  Var c = t.make_output(batched ? Shape{batch, M, N} : Shape{M, N}, t.any_needs_grad({a, b}));
  const MatmulDims m{batch, M, N, K, trans_a, trans_b};
  matmul_forward(t.value(c).data, t.value(a).data, t.value(b).data, m);
  if (t.needs_grad(c)) {
    Node n;
    n.backward = matmul_node_backward;
    n.in = {a, b};
    n.out = c;
    n.i = {batch, M, N, K, trans_a, trans_b};
    t.record(n);
  }
  return c;
}

}  // namespace eaf
