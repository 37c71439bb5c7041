#include "attention/la.h"

namespace eaf {

namespace {

struct LaState final : AttentionState {
  LaRecurrentState<float> s;
  LaState(int64_t B, int64_t H, int64_t E) : s(B, H, E) {}
  size_t bytes() const override { return (s.KV.size() + s.z.size()) * sizeof(float); }
};

void la_node_backward(Tape& t, const Node& n) {
  Var q = n.in[0], k = n.in[1], v = n.in[2], mask = n.in[3];
  const LaDims d{n.i[0], n.i[1], n.i[2], n.i[3], n.i[4]};
  float* dq = t.needs_grad(q) ? t.grad(q).data : nullptr;
  float* dk = t.needs_grad(k) ? t.grad(k).data : nullptr;
  float* dv = t.needs_grad(v) ? t.grad(v).data : nullptr;
  const float* m = mask.valid() ? t.value(mask).data : nullptr;
  if (n.i[5])
    la_causal_backward(dq, dk, dv, t.grad(n.out).data, t.value(n.out).data, t.value(q).data,
                       t.value(k).data, t.value(v).data, m, d,
                       t.arena().alloc<float>(la_causal_backward_workspace(d)));
  else {
    const float* dy = t.grad(n.out).data;  // before the scratch: it outlives this call
    Arena::Scratch scratch(t.arena());
    la_backward(dq, dk, dv, dy, t.value(n.out).data, n.saved[0].data, n.saved[1].data,
                t.value(q).data, t.value(k).data, t.value(v).data, m, d,
                scratch.alloc<float>(la_backward_workspace(d)));
  }
}

}  // namespace

Var LinearAttention::forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool, uint64_t) {
  const AttentionShape s = check_attention_inputs(t, q, k, v, key_mask, opt_.causal, "LA");
  if (s.D % opt_.heads != 0)
    throw std::invalid_argument("LA: d_model " + std::to_string(s.D) + " is not divisible by " +
                                std::to_string(opt_.heads) + " heads");
  const LaDims d{s.B, s.Lq, s.Lk, opt_.heads, s.D / opt_.heads};
  Var y = t.make_output(Shape{s.B, s.Lq, s.D}, t.any_needs_grad({q, k, v}));
  const float* m = key_mask.valid() ? t.value(key_mask).data : nullptr;
  Node n;
  if (opt_.causal) {
    la_causal_forward(t.value(y).data, t.value(q).data, t.value(k).data, t.value(v).data, m, d,
                      t.arena().alloc<float>(la_causal_forward_workspace(d)));
  } else {
    Tensor KV{t.arena().alloc<float>(d.B * d.H * d.E * d.E), Shape{d.B, d.H, d.E, d.E}};
    Tensor z{t.arena().alloc<float>(d.B * d.H * d.E), Shape{d.B, d.H, d.E}};
    Arena::Scratch scratch(t.arena());  // φ of the keys, then of the queries
    la_forward(t.value(y).data, KV.data, z.data, t.value(q).data, t.value(k).data, t.value(v).data,
               m, d, scratch.alloc<float>(la_forward_workspace(d)));
    n.saved = {KV, z};
  }
  if (t.needs_grad(y)) {
    n.backward = la_node_backward;
    n.in = {q, k, v, key_mask};
    n.out = y;
    n.i = {d.B, d.Lq, d.Lk, d.H, d.E, opt_.causal};
    t.record(n);
  }
  return y;
}

std::unique_ptr<AttentionState> LinearAttention::start(int64_t batch, int64_t d_model,
                                                       int64_t) const {
  return std::make_unique<LaState>(batch, opt_.heads, d_model / opt_.heads);
}

void LinearAttention::step(AttentionState& state, const float* q, const float* k, const float* v,
                           float* y) const {
  auto& st = static_cast<LaState&>(state);
  la_step(y, st.s, q, k, v);
  ++st.position;
}

}  // namespace eaf
