#include "attention/sa.h"

#include <stdexcept>

namespace eaf {

namespace {

struct SaState final : AttentionState {
  SaKvCache<float> cache;
  SaState(int64_t B, int64_t H, int64_t E, int64_t capacity) : cache(B, H, E, capacity) {}
  // What the cache holds so far (it is allocated for max_length up front).
  size_t bytes() const override {
    return 2 * cache.B * cache.length * cache.H * cache.E * sizeof(float);
  }
};

SaDims dims_of(const Node& n) {
  return {n.i[0],
          n.i[1],
          n.i[2],
          n.i[3],
          n.i[4],
          n.i[5] != 0,
          static_cast<float>(n.f[0]),
          static_cast<uint64_t>(n.ctx ? *static_cast<const uint64_t*>(n.ctx) : 0)};
}

void sa_node_backward(Tape& t, const Node& n) {
  const SaDims d = dims_of(n);
  Var q = n.in[0], k = n.in[1], v = n.in[2];
  float* dq = t.needs_grad(q) ? t.grad(q).data : nullptr;
  float* dk = t.needs_grad(k) ? t.grad(k).data : nullptr;
  float* dv = t.needs_grad(v) ? t.grad(v).data : nullptr;
  const int64_t plane = d.H * d.Lq * d.Lk;
  float* work1 = t.arena().alloc<float>(plane);
  float* work2 = d.dropout > 0 ? t.arena().alloc<float>(plane) : nullptr;
  sa_backward(dq, dk, dv, work1, work2, t.grad(n.out).data, n.saved[0].data, t.value(q).data,
              t.value(k).data, t.value(v).data, d);
}

}  // namespace

Var SoftmaxAttention::forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool training,
                              uint64_t dropout_key) {
  const AttentionShape s = check_attention_inputs(t, q, k, v, key_mask, opt_.causal, "SA");
  if (s.D % opt_.heads != 0)
    throw std::invalid_argument("SA: d_model " + std::to_string(s.D) + " is not divisible by " +
                                std::to_string(opt_.heads) + " heads");
  const float p = training ? opt_.dropout : 0.0f;
  const SaDims d{s.B, s.Lq, s.Lk, opt_.heads, s.D / opt_.heads, opt_.causal, p, dropout_key};
  Var y = t.make_output(Shape{s.B, s.Lq, s.D}, t.any_needs_grad({q, k, v}));
  Tensor P{t.arena().alloc<float>(d.B * d.H * d.Lq * d.Lk), Shape{d.B, d.H, d.Lq, d.Lk}};
  float* dropped = p > 0 ? t.arena().alloc<float>(d.H * d.Lq * d.Lk) : nullptr;
  sa_forward(t.value(y).data, P.data, dropped, t.value(q).data, t.value(k).data, t.value(v).data,
             key_mask.valid() ? t.value(key_mask).data : nullptr, d);
  if (t.needs_grad(y)) {
    uint64_t* key = t.arena().alloc<uint64_t>(1);
    *key = dropout_key;
    Node n;
    n.backward = sa_node_backward;
    n.in = {q, k, v, key_mask};
    n.out = y;
    n.saved = {P};
    n.i = {d.B, d.Lq, d.Lk, d.H, d.E, d.causal};
    n.f = {p};
    n.ctx = key;
    t.record(n);
  }
  return y;
}

std::unique_ptr<AttentionState> SoftmaxAttention::start(int64_t batch, int64_t d_model,
                                                        int64_t max_length) const {
  return std::make_unique<SaState>(batch, opt_.heads, d_model / opt_.heads, max_length);
}

void SoftmaxAttention::step(AttentionState& state, const float* q, const float* k, const float* v,
                            float* y) const {
  auto& st = static_cast<SaState&>(state);
  sa_step(y, st.cache, q, k, v);
  ++st.position;
}

}  // namespace eaf
