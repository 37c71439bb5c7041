#include "models/causal_model.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "ops/position.h"

namespace eaf {

namespace {
AttentionOptions made_causal(AttentionOptions o) {
  o.causal = true;
  return o;
}
}  // namespace

CausalSequenceModel::CausalSequenceModel(const CausalModelSpec& s, Rng& rng)
    : spec_(s),
      embedding_("embedding.value_embedding", s.channels, s.d_model, rng),
      norm_("encoder.norm", s.d_model),
      projection_("projection", s.d_model, s.channels, rng) {
  spec_.attention.causal = true;
  for (int64_t i = 0; i < s.layers; ++i)
    layers_.push_back(std::make_unique<EncoderLayer>("encoder.attn_layers." + std::to_string(i),
                                                     made_causal(s.attention),
                                                     BlockSpec{s.d_model, s.d_ff, s.dropout}, rng));
}

Var CausalSequenceModel::forward(Tape& t, Var x, bool training, uint64_t dropout_key) {
  DropoutKeys dk(dropout_key);
  Var h =
      dropout_site(t, add_sinusoidal_position(t, embedding_(t, x)), spec_.dropout, training, dk);
  for (auto& layer : layers_) h = layer->forward(t, h, Var{}, training, dk);
  return projection_(t, norm_(t, h));
}

void CausalSequenceModel::collect(ParameterList& out) {
  embedding_.collect(out);
  for (auto& l : layers_) l->collect(out);
  norm_.collect(out);
  projection_.collect(out);
}

CausalSequenceModel::Generator CausalSequenceModel::start(int64_t batch, int64_t max_length) {
  Generator g;
  g.model_ = this;
  g.batch_ = batch;
  g.max_length_ = max_length;
  g.position_table_.resize(static_cast<size_t>(max_length * spec_.d_model));
  sinusoidal_table(g.position_table_.data(), max_length, spec_.d_model);
  for (auto& l : layers_) g.states_.push_back(l->start(batch, max_length));
  return g;
}

size_t CausalSequenceModel::Generator::state_bytes() const {
  size_t total = 0;
  for (const auto& s : states_) total += s->bytes();
  return total;
}

void CausalSequenceModel::Generator::step(Tape& t, const float* x_t, float* y_t) {
  if (position_ >= max_length_)
    throw std::length_error("generation past max_length " + std::to_string(max_length_));
  CausalSequenceModel& m = *model_;
  const int64_t B = batch_, C = m.spec_.channels, D = m.spec_.d_model;
  t.reset();
  NoGradGuard no_grad(t);
  Var h = m.embedding_(t, t.constant({const_cast<float*>(x_t), Shape{B, 1, C}}));
  // The parallel form adds PE row l at position l; here that row is this position's.
  float* hd = t.value(h).data;
  const float* pe = position_table_.data() + position_ * D;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t d = 0; d < D; ++d) hd[b * D + d] += pe[d];
  for (size_t i = 0; i < m.layers_.size(); ++i) h = m.layers_[i]->step(t, h, *states_[i]);
  const Var y = m.projection_(t, m.norm_(t, h));
  std::copy(t.value(y).data, t.value(y).data + B * C, y_t);
  ++position_;
}

}  // namespace eaf
