#include "attention/ea.h"

namespace eaf {

namespace {

struct EaState final : AttentionState {
  EaRecurrentState<float> s;
  EaState(int64_t B, int64_t D, int order) : s(B, D, order) {}
  size_t bytes() const override { return (s.S.size() + s.Z.size() + s.s.size()) * sizeof(float); }
};

const float* data_or_null(const Tape& t, Var v) {
  return v.valid() ? t.value(v).data : nullptr;
}

void ea_node_backward(Tape& t, const Node& n) {
  Var q = n.in[0], k = n.in[1], v = n.in[2], mask = n.in[3];
  const EaDims d{n.i[0], n.i[1], n.i[2], n.i[3], static_cast<int>(n.i[4])};
  float* dq = t.needs_grad(q) ? t.grad(q).data : nullptr;
  float* dk = t.needs_grad(k) ? t.grad(k).data : nullptr;
  float* dv = t.needs_grad(v) ? t.grad(v).data : nullptr;
  const float* m = data_or_null(t, mask);
  if (n.i[5])
    ea_causal_backward(dq, dk, dv, t.grad(n.out).data, t.value(n.out).data, t.value(q).data,
                       t.value(k).data, t.value(v).data, m, d,
                       t.arena().alloc<float>(ea_causal_backward_workspace(d)));
  else
    ea_backward(dq, dk, dv, t.grad(n.out).data, t.value(n.out).data, n.saved[0].data,
                n.saved[1].data, n.saved[2].data, t.value(q).data, t.value(k).data, t.value(v).data,
                m, d);
}

}  // namespace

ElementwiseAttention::ElementwiseAttention(AttentionOptions opt) : Attention(std::move(opt)) {
  ea_check_order(opt_.order);
}

Var ElementwiseAttention::forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool, uint64_t) {
  const AttentionShape s = check_attention_inputs(t, q, k, v, key_mask, opt_.causal, "EA");
  const EaDims d{s.B, s.Lq, s.Lk, s.D, opt_.order};
  Var y = t.make_output(Shape{s.B, s.Lq, s.D}, t.any_needs_grad({q, k, v}));
  const float* m = data_or_null(t, key_mask);
  Node n;
  if (opt_.causal) {
    ea_causal_forward(t.value(y).data, t.value(q).data, t.value(k).data, t.value(v).data, m, d);
  } else {
    const int64_t state = s.B * (opt_.order + 1) * s.D;
    Tensor S{t.arena().alloc<float>(state), Shape{s.B, opt_.order + 1, s.D}};
    Tensor Z{t.arena().alloc<float>(state), Shape{s.B, opt_.order + 1, s.D}};
    Tensor shift{t.arena().alloc<float>(s.B * s.D), Shape{s.B, s.D}};
    ea_forward(t.value(y).data, S.data, Z.data, shift.data, t.value(q).data, t.value(k).data,
               t.value(v).data, m, d);
    n.saved = {S, Z, shift};
  }
  if (t.needs_grad(y)) {
    n.backward = ea_node_backward;
    n.in = {q, k, v, key_mask};
    n.out = y;
    n.i = {s.B, s.Lq, s.Lk, s.D, opt_.order, opt_.causal};
    t.record(n);
  }
  return y;
}

std::unique_ptr<AttentionState> ElementwiseAttention::start(int64_t batch, int64_t d_model,
                                                            int64_t) const {
  return std::make_unique<EaState>(batch, d_model, opt_.order);
}

void ElementwiseAttention::step(AttentionState& state, const float* q, const float* k,
                                const float* v, float* y) const {
  auto& st = static_cast<EaState&>(state);
  ea_step(y, st.s, q, k, v);
  ++st.position;
}

}  // namespace eaf
