// The building blocks of Time-Series-Library's Transformer, with the attention kind
// chosen per site.
//
//   AttentionLayer   out_proj(attention(q_proj(x_q), k_proj(x_kv), v_proj(x_kv)))
//   EncoderLayer     x = norm1(x + dropout(attn(x, x, x)))
//                    y = dropout(conv2(dropout(gelu(conv1(x)))));  out = norm2(x + y)
//   DecoderLayer     x = norm1(x + dropout(self_attn(x, x, x)))        (causal)
//                    x = norm2(x + dropout(cross_attn(x, enc, enc)))
//                    y = dropout(conv2(dropout(gelu(conv1(x)))));  out = norm3(x + y)
//   DataEmbedding    dropout(TokenEmbedding(x) + PositionalEmbedding + TimeFeatureEmbedding)
//                    TokenEmbedding: circular Conv1d k=3 without bias, kaiming_normal
//                    TimeFeatureEmbedding: Linear(time features → d_model) without bias
// conv1/conv2 are the k=1 convolutions d_model → d_ff → d_model.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "attention/attention.h"
#include "models/layers.h"

namespace eaf {

// Hands out one dropout key per call site and step, in a fixed order.
class DropoutKeys {
 public:
  explicit DropoutKeys(uint64_t step_key) : key_(step_key) {}
  uint64_t next() { return hash2(key_, site_++); }

 private:
  uint64_t key_, site_ = 0;
};

class AttentionLayer : public Layer {
 public:
  AttentionLayer(const std::string& name, const AttentionOptions& opt, int64_t d_model, Rng& rng);
  Var forward(Tape& t, Var queries, Var keys, Var values, Var key_mask, bool training,
              DropoutKeys& keys_for_dropout);
  void collect(ParameterList& out) override;
  // One position of causal inference: x: [B, 1, D] → [B, 1, D], the attention reading and
  // extending `state` (from attention().start). Forward only; call under NoGradGuard.
  Var step(Tape& t, Var x, AttentionState& state);
  const Attention& attention() const { return *attention_; }
  Linear& q_proj() { return q_; }
  Linear& k_proj() { return k_; }
  Linear& v_proj() { return v_; }
  Linear& out_proj() { return o_; }

 private:
  Linear q_, k_, v_, o_;
  std::unique_ptr<Attention> attention_;
};

struct BlockSpec {
  int64_t d_model = 128, d_ff = 256;
  float dropout = 0.1f;
};

class EncoderLayer : public Layer {
 public:
  EncoderLayer(const std::string& name, const AttentionOptions& attn, const BlockSpec& s, Rng& rng);
  Var forward(Tape& t, Var x, Var key_mask, bool training, DropoutKeys& dk);
  // The same layer at one position of causal inference (no dropout): x: [B, 1, D].
  Var step(Tape& t, Var x, AttentionState& state);
  std::unique_ptr<AttentionState> start(int64_t batch, int64_t max_length) const {
    return attn_.attention().start(batch, spec_.d_model, max_length);
  }
  void collect(ParameterList& out) override;

 private:
  BlockSpec spec_;
  AttentionLayer attn_;
  Conv1d conv1_, conv2_;
  LayerNorm norm1_, norm2_;
};

class DecoderLayer : public Layer {
 public:
  DecoderLayer(const std::string& name, const AttentionOptions& self_attn,
               const AttentionOptions& cross_attn, const BlockSpec& s, Rng& rng);
  Var forward(Tape& t, Var x, Var memory, bool training, DropoutKeys& dk);
  void collect(ParameterList& out) override;

 private:
  BlockSpec spec_;
  AttentionLayer self_attn_, cross_attn_;
  Conv1d conv1_, conv2_;
  LayerNorm norm1_, norm2_, norm3_;
};

class DataEmbedding : public Layer {
 public:
  // time_features = 0: no temporal embedding (TSL's classifier passes x_mark = None).
  DataEmbedding(const std::string& name, int64_t channels, int64_t d_model, int64_t time_features,
                Rng& rng);
  Var forward(Tape& t, Var x, Var marks, bool training, float dropout, DropoutKeys& dk);
  void collect(ParameterList& out) override;

 private:
  Conv1d token_;
  std::optional<Linear> temporal_;
};

// Post-processing shared by the blocks: dropout with the next key of the step.
Var dropout_site(Tape& t, Var x, float p, bool training, DropoutKeys& dk);

}  // namespace eaf
