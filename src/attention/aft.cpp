#include "attention/aft.h"

#include <cmath>

namespace eaf {

namespace {

struct AftState final : AttentionState {
  AftRecurrentState<float> s;
  AftState(int64_t B, int64_t D) : s(B, D) {}
  size_t bytes() const override { return 3 * s.num.size() * sizeof(float); }
};

const float* mask_or_null(const Tape& t, Var m) {
  return m.valid() ? t.value(m).data : nullptr;
}

void aft_simple_node_backward(Tape& t, const Node& n) {
  Var q = n.in[0], k = n.in[1], v = n.in[2];
  const AftDims d{n.i[0], n.i[1], n.i[2], n.i[3]};
  float* dq = t.needs_grad(q) ? t.grad(q).data : nullptr;
  float* dk = t.needs_grad(k) ? t.grad(k).data : nullptr;
  float* dv = t.needs_grad(v) ? t.grad(v).data : nullptr;
  auto kernel = n.i[4] ? aft_simple_causal_backward<float> : aft_simple_backward<float>;
  kernel(dq, dk, dv, t.grad(n.out).data, n.saved[0].data, n.saved[1].data, n.saved[2].data,
         t.value(q).data, t.value(k).data, t.value(v).data, mask_or_null(t, n.in[3]), d,
         t.arena().alloc<float>(aft_simple_backward_workspace(d)));
}

void aft_full_node_backward(Tape& t, const Node& n) {
  Var q = n.in[0], k = n.in[1], v = n.in[2], w = n.in[3];
  const AftFullDims d{n.i[0], n.i[1], n.i[2], n.i[3], n.i[4], n.i[5] != 0};
  Arena& ar = t.arena();
  const int64_t nq = d.B * d.Lq * d.D, nk = d.Lk * d.D;
  float* dq = t.needs_grad(q) ? t.grad(q).data : nullptr;
  float* dk = t.needs_grad(k) ? t.grad(k).data : nullptr;
  float* dv = t.needs_grad(v) ? t.grad(v).data : nullptr;
  float* dw = t.needs_grad(w) ? t.grad(w).data : nullptr;
  const float* Ek = static_cast<const float*>(n.ctx);
  aft_full_backward(dq, dk, dv, dw, ar.alloc<float>(nq), ar.alloc<float>(nq), ar.alloc<float>(nk),
                    ar.alloc<float>(nk), ar.alloc<float>(d.Lq * d.Lk), t.grad(n.out).data,
                    n.saved[0].data, n.saved[1].data, n.saved[2].data, Ek, Ek + d.B * d.Lk * d.D,
                    t.value(q).data, t.value(v).data, d);
}

}  // namespace

Var AftSimple::forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool, uint64_t) {
  const AttentionShape s = check_attention_inputs(t, q, k, v, key_mask, opt_.causal, "AFT-simple");
  const AftDims d{s.B, s.Lq, s.Lk, s.D};
  Var y = t.make_output(Shape{s.B, s.Lq, s.D}, t.any_needs_grad({q, k, v}));
  // Non-causal keeps one context per channel, causal one per position.
  const Shape saved = opt_.causal ? Shape{s.B, s.Lq, s.D} : Shape{s.B, s.D};
  Tensor a{t.arena().alloc<float>(saved.numel()), saved};
  Tensor Z{t.arena().alloc<float>(saved.numel()), saved};
  Tensor m{t.arena().alloc<float>(saved.numel()), saved};
  auto kernel = opt_.causal ? aft_simple_causal_forward<float> : aft_simple_forward<float>;
  kernel(t.value(y).data, a.data, Z.data, m.data, t.value(q).data, t.value(k).data, t.value(v).data,
         mask_or_null(t, key_mask), d);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = aft_simple_node_backward;
    n.in = {q, k, v, key_mask};
    n.out = y;
    n.saved = {a, Z, m};
    n.i = {s.B, s.Lq, s.Lk, s.D, opt_.causal};
    t.record(n);
  }
  return y;
}

std::unique_ptr<AttentionState> AftSimple::start(int64_t batch, int64_t d_model, int64_t) const {
  return std::make_unique<AftState>(batch, d_model);
}

void AftSimple::step(AttentionState& state, const float* q, const float* k, const float* v,
                     float* y) const {
  auto& st = static_cast<AftState&>(state);
  aft_simple_step(y, st.s, q, k, v);
  ++st.position;
}

AftFull::AftFull(AttentionOptions opt, Rng& rng)
    : Attention(std::move(opt)), bias_("attention.w", Shape{opt_.max_length, opt_.max_length}) {
  init_uniform(bias_, std::sqrt(6.0 / (2.0 * opt_.max_length)), rng);
}

Var AftFull::forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool, uint64_t) {
  const AttentionShape s = check_attention_inputs(t, q, k, v, key_mask, opt_.causal, "AFT-full");
  if (s.Lq > opt_.max_length || s.Lk > opt_.max_length)
    throw std::invalid_argument("AFT-full: sequence length " +
                                std::to_string(std::max(s.Lq, s.Lk)) + " exceeds max_length " +
                                std::to_string(opt_.max_length));
  const AftFullDims d{s.B, s.Lq, s.Lk, s.D, opt_.max_length, opt_.causal};
  Var w = t.param(bias_);
  Var y = t.make_output(Shape{s.B, s.Lq, s.D}, t.any_needs_grad({q, k, v, w}));
  Arena& ar = t.arena();
  Tensor a{ar.alloc<float>(s.B * s.Lq * s.D), Shape{s.B, s.Lq, s.D}};
  Tensor Z{ar.alloc<float>(s.B * s.Lq * s.D), Shape{s.B, s.Lq, s.D}};
  Tensor Ew{ar.alloc<float>(s.Lq * s.Lk), Shape{s.Lq, s.Lk}};
  float* Ek_KV = ar.alloc<float>(2 * s.B * s.Lk * s.D);  // E_k then E_k ⊙ V
  aft_full_forward(t.value(y).data, a.data, Z.data, Ew.data, Ek_KV, Ek_KV + s.B * s.Lk * s.D,
                   ar.alloc<float>(s.B * s.D), t.value(q).data, t.value(k).data, t.value(v).data,
                   t.value(w).data, mask_or_null(t, key_mask), d);
  if (t.needs_grad(y)) {
    Node n;
    n.backward = aft_full_node_backward;
    n.in = {q, k, v, w};
    n.out = y;
    n.saved = {a, Z, Ew};
    n.i = {s.B, s.Lq, s.Lk, s.D, opt_.max_length, opt_.causal};
    n.ctx = Ek_KV;
    t.record(n);
  }
  return y;
}

}  // namespace eaf
