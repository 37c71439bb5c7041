#include "models/transformer_blocks.h"

#include "ops/activation.h"
#include "ops/dropout.h"
#include "ops/elementwise.h"
#include "ops/position.h"

namespace eaf {

Var dropout_site(Tape& t, Var x, float p, bool training, DropoutKeys& dk) {
  const uint64_t key = dk.next();  // drawn even in evaluation, so sites keep their keys
  return dropout(t, x, p, key, training);
}

AttentionLayer::AttentionLayer(const std::string& name, const AttentionOptions& opt,
                               int64_t d_model, Rng& rng)
    : q_(name + ".query_projection", d_model, d_model, rng),
      k_(name + ".key_projection", d_model, d_model, rng),
      v_(name + ".value_projection", d_model, d_model, rng),
      o_(name + ".out_projection", d_model, d_model, rng),
      attention_(make_attention(opt, d_model, rng)) {}

Var AttentionLayer::forward(Tape& t, Var queries, Var keys, Var values, Var key_mask, bool training,
                            DropoutKeys& dk) {
  Var y = attention_->forward(t, q_(t, queries), k_(t, keys), v_(t, values), key_mask, training,
                              dk.next());
  return o_(t, y);
}

Var AttentionLayer::step(Tape& t, Var x, AttentionState& state) {
  const Var q = q_(t, x), k = k_(t, x), v = v_(t, x);
  const Var y = t.make_output(t.shape(x), false);
  attention_->step(state, t.value(q).data, t.value(k).data, t.value(v).data, t.value(y).data);
  return o_(t, y);
}

void AttentionLayer::collect(ParameterList& out) {
  q_.collect(out);
  k_.collect(out);
  v_.collect(out);
  attention_->collect(out);
  o_.collect(out);
}

EncoderLayer::EncoderLayer(const std::string& name, const AttentionOptions& attn,
                           const BlockSpec& s, Rng& rng)
    : spec_(s),
      attn_(name + ".attention", attn, s.d_model, rng),
      conv1_(name + ".conv1", s.d_model, s.d_ff, 1, rng),
      conv2_(name + ".conv2", s.d_ff, s.d_model, 1, rng),
      norm1_(name + ".norm1", s.d_model),
      norm2_(name + ".norm2", s.d_model) {}

Var EncoderLayer::forward(Tape& t, Var x, Var key_mask, bool training, DropoutKeys& dk) {
  const float p = spec_.dropout;
  Var a = attn_.forward(t, x, x, x, key_mask, training, dk);
  x = norm1_(t, add(t, x, dropout_site(t, a, p, training, dk)));
  Var y = dropout_site(t, gelu(t, conv1_(t, x)), p, training, dk);
  y = dropout_site(t, conv2_(t, y), p, training, dk);
  return norm2_(t, add(t, x, y));
}

Var EncoderLayer::step(Tape& t, Var x, AttentionState& state) {
  x = norm1_(t, add(t, x, attn_.step(t, x, state)));
  return norm2_(t, add(t, x, conv2_(t, gelu(t, conv1_(t, x)))));
}

void EncoderLayer::collect(ParameterList& out) {
  attn_.collect(out);
  conv1_.collect(out);
  conv2_.collect(out);
  norm1_.collect(out);
  norm2_.collect(out);
}

DecoderLayer::DecoderLayer(const std::string& name, const AttentionOptions& self_attn,
                           const AttentionOptions& cross_attn, const BlockSpec& s, Rng& rng)
    : spec_(s),
      self_attn_(name + ".self_attention", self_attn, s.d_model, rng),
      cross_attn_(name + ".cross_attention", cross_attn, s.d_model, rng),
      conv1_(name + ".conv1", s.d_model, s.d_ff, 1, rng),
      conv2_(name + ".conv2", s.d_ff, s.d_model, 1, rng),
      norm1_(name + ".norm1", s.d_model),
      norm2_(name + ".norm2", s.d_model),
      norm3_(name + ".norm3", s.d_model) {}

Var DecoderLayer::forward(Tape& t, Var x, Var memory, bool training, DropoutKeys& dk) {
  const float p = spec_.dropout;
  Var a = self_attn_.forward(t, x, x, x, Var{}, training, dk);
  x = norm1_(t, add(t, x, dropout_site(t, a, p, training, dk)));
  Var c = cross_attn_.forward(t, x, memory, memory, Var{}, training, dk);
  x = norm2_(t, add(t, x, dropout_site(t, c, p, training, dk)));
  Var y = dropout_site(t, gelu(t, conv1_(t, x)), p, training, dk);
  y = dropout_site(t, conv2_(t, y), p, training, dk);
  return norm3_(t, add(t, x, y));
}

void DecoderLayer::collect(ParameterList& out) {
  self_attn_.collect(out);
  cross_attn_.collect(out);
  conv1_.collect(out);
  conv2_.collect(out);
  norm1_.collect(out);
  norm2_.collect(out);
  norm3_.collect(out);
}

DataEmbedding::DataEmbedding(const std::string& name, int64_t channels, int64_t d_model,
                             int64_t time_features, Rng& rng)
    : token_(name + ".value_embedding", channels, d_model, 3, rng, false,
             Conv1d::Init::kKaimingNormalLeakyRelu) {
  if (time_features > 0)
    temporal_.emplace(name + ".temporal_embedding", time_features, d_model, rng, false);
}

Var DataEmbedding::forward(Tape& t, Var x, Var marks, bool training, float p, DropoutKeys& dk) {
  Var h = add_sinusoidal_position(t, token_(t, x));
  if (temporal_) {
    if (!marks.valid()) throw std::invalid_argument("DataEmbedding: time features expected");
    h = add(t, h, (*temporal_)(t, marks));
  }
  return dropout_site(t, h, p, training, dk);
}

void DataEmbedding::collect(ParameterList& out) {
  token_.collect(out);
  if (temporal_) temporal_->collect(out);
}

}  // namespace eaf
