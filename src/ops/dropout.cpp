#include "ops/dropout.h"

#include <string>

namespace eaf {

Var dropout(Tape& t, Var x, float p, uint64_t key, bool training) {
  if (!(p >= 0.0f && p < 1.0f))
    throw std::invalid_argument("dropout: probability must be in [0, 1), got " + std::to_string(p));
  if (!training || p == 0.0f) return x;
  Var y = t.make_output(t.shape(x), t.any_needs_grad({x}));
  dropout_forward(t.value(y).data, t.value(x).data, key, p, t.value(x).numel());
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      dropout_backward(t.grad(n.in[0]).data, t.grad(n.out).data, static_cast<uint64_t>(n.i[0]),
                       static_cast<float>(n.f[0]), t.value(n.out).numel());
    };
    n.in = {x};
    n.out = y;
    n.i = {static_cast<int64_t>(key)};
    n.f = {p};
    t.record(n);
  }
  return y;
}

}  // namespace eaf
