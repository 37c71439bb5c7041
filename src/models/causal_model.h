// A causal sequence model for token-by-token generation: the TSL encoder stack with
// causal attention, the cost study's inference model (issue 7).
//
//   h = value_embedding(x) + PE          value_embedding: Linear(C → D); PE sinusoidal
//   h = EncoderLayer_i(h), i = 1..layers  (attention causal: position l sees 1..l)
//   y = projection(norm(h))               projection: Linear(D → C), the next step
//
// The token embedding is a Linear rather than TSL's circular Conv1d, which would let
// position l read l+1. `forward` runs the whole sequence in parallel (training);
// `Generator` produces the same outputs one position at a time from a fixed-size
// recurrent state (EA, LA, AFT-simple) or a growing KV cache (SA).
#pragma once
#include <memory>
#include <vector>

#include "models/transformer_blocks.h"

namespace eaf {

struct CausalModelSpec {
  int64_t channels = 0, d_model = 128, d_ff = 256, layers = 3;
  float dropout = 0.1f;
  AttentionOptions attention;  // causal is forced on
};

class CausalSequenceModel final : public Layer {
 public:
  CausalSequenceModel(const CausalModelSpec& spec, Rng& rng);
  // x: [B, L, C] → [B, L, C]
  Var forward(Tape& t, Var x, bool training, uint64_t dropout_key);
  void collect(ParameterList& out) override;
  const CausalModelSpec& spec() const { return spec_; }

  class Generator {
   public:
    // One position: x_t: [B, C] → y_t: [B, C]. Uses `t` as scratch (reset each call).
    void step(Tape& t, const float* x_t, float* y_t);
    int64_t position() const { return position_; }
    size_t state_bytes() const;

   private:
    friend class CausalSequenceModel;
    CausalSequenceModel* model_ = nullptr;
    int64_t batch_ = 0, position_ = 0, max_length_ = 0;
    std::vector<float> position_table_;  // [max_length, D]
    std::vector<std::unique_ptr<AttentionState>> states_;
  };
  // Generation of up to max_length positions for `batch` sequences.
  Generator start(int64_t batch, int64_t max_length);

 private:
  CausalModelSpec spec_;
  Linear embedding_;
  std::vector<std::unique_ptr<EncoderLayer>> layers_;
  LayerNorm norm_;
  Linear projection_;
};

}  // namespace eaf
