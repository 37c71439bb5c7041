#include "ops/loss.h"

#include <cstring>
#include <string>

namespace eaf {

Var cross_entropy(Tape& t, Var logits, const int32_t* labels) {
  const Shape s = t.shape(logits);
  if (s.rank != 2)
    throw std::invalid_argument("cross_entropy: logits must be [N, C], got " + s.str());
  const int64_t N = s[0], C = s[1];
  for (int64_t n = 0; n < N; ++n)
    if (labels[n] < 0 || labels[n] >= C)
      throw std::invalid_argument("cross_entropy: label " + std::to_string(labels[n]) +
                                  " outside [0, " + std::to_string(C) + ")");
  int32_t* saved_labels = t.arena().alloc<int32_t>(N);
  std::memcpy(saved_labels, labels, sizeof(int32_t) * N);
  Tensor probs{t.arena().alloc<float>(N * C), s};
  Var loss = t.make_output(Shape{1}, t.any_needs_grad({logits}));
  t.value(loss).data[0] =
      cross_entropy_forward(probs.data, t.value(logits).data, saved_labels, N, C);
  if (t.needs_grad(loss)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      cross_entropy_backward(t.grad(n.in[0]).data, t.grad(n.out).data[0], n.saved[0].data,
                             static_cast<const int32_t*>(n.ctx), n.i[0], n.i[1]);
    };
    n.in = {logits};
    n.out = loss;
    n.saved = {probs};
    n.i = {N, C};
    n.ctx = saved_labels;
    t.record(n);
  }
  return loss;
}

namespace {
using RegressionForward = float (*)(const float*, const float*, int64_t);
using RegressionBackward = void (*)(float*, float*, float, const float*, const float*, int64_t);

template <RegressionForward forward, RegressionBackward backward>
Var regression_loss(Tape& t, Var pred, Var target, const char* name) {
  check_shape(name, t.shape(target), t.shape(pred));
  const int64_t count = t.value(pred).numel();
  Var loss = t.make_output(Shape{1}, t.any_needs_grad({pred, target}));
  t.value(loss).data[0] = forward(t.value(pred).data, t.value(target).data, count);
  if (t.needs_grad(loss)) {
    Node n;
    n.backward = [](Tape& t, const Node& n) {
      Var p = n.in[0], y = n.in[1];
      backward(t.needs_grad(p) ? t.grad(p).data : nullptr,
               t.needs_grad(y) ? t.grad(y).data : nullptr, t.grad(n.out).data[0], t.value(p).data,
               t.value(y).data, t.value(p).numel());
    };
    n.in = {pred, target};
    n.out = loss;
    t.record(n);
  }
  return loss;
}
}  // namespace

Var mse(Tape& t, Var pred, Var target) {
  return regression_loss<mse_forward<float>, mse_backward<float>>(t, pred, target, "mse");
}
Var mae(Tape& t, Var pred, Var target) {
  return regression_loss<mae_forward<float>, mae_backward<float>>(t, pred, target, "mae");
}

}  // namespace eaf
