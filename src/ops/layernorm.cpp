#include "ops/layernorm.h"

namespace eaf {

Var layernorm(Tape& t, Var x, Var gamma, Var beta, float eps) {
  const Shape xs = t.shape(x);
  check_shape("layernorm gamma", t.shape(gamma), Shape{xs.last()});
  check_shape("layernorm beta", t.shape(beta), Shape{xs.last()});
  const int64_t R = xs.rows(), C = xs.last();
  Var y = t.make_output(xs, t.any_needs_grad({x, gamma, beta}));
  Tensor mean{t.arena().alloc<float>(R), Shape{R}}, rstd{t.arena().alloc<float>(R), Shape{R}};
  layernorm_forward(t.value(y).data, mean.data, rstd.data, t.value(x).data, t.value(gamma).data,
                    t.value(beta).data, R, C, eps);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      Var x = n.in[0], g = n.in[1], b = n.in[2];
      layernorm_backward(
          t.needs_grad(x) ? t.grad(x).data : nullptr, t.needs_grad(g) ? t.grad(g).data : nullptr,
          t.needs_grad(b) ? t.grad(b).data : nullptr, t.grad(n.out).data, t.value(x).data,
          n.saved[0].data, n.saved[1].data, t.value(g).data, n.i[0], n.i[1]);
    };
    n.in = {x, gamma, beta};
    n.out = y;
    n.saved = {mean, rstd};
    n.i = {R, C};
    t.record(n);
  }
  return y;
}

}  // namespace eaf
