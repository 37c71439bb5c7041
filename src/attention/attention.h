// The attention interface every kind implements, and the registry that builds a kind
// from its name.
//
// forward(q, k, v, key_mask) → y with q: [B, Lq, D], k, v: [B, Lk, D] (Lq ≠ Lk allowed
// for the non-causal forms, so cross-attention works), key_mask: [B, Lk] with 1 for
// valid keys, or an invalid Var for none. Each kind is one fused tape node whose
// backward is written by hand. Projections (W_q, W_k, W_v, W_o) belong to the model's
// attention layer, not here. A query with no valid key gets y = 0.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tape.h"
#include "models/layers.h"

namespace eaf {

struct AttentionOptions {
  std::string kind = "ea";  // ea | sa | la | aft_simple | aft_full
  int order = 6;            // ea: Taylor order t (even, ≥ 2)
  bool causal = false;
  int64_t heads = 8;       // sa, la: D is split into heads of E = D / heads
  float dropout = 0.0f;    // sa: dropout on the attention probabilities (TSL: 0.1)
  int64_t max_length = 0;  // aft_full: size of the learned pairwise bias w
};

// Throws std::invalid_argument naming `<key_prefix>.<field>` when an option is invalid
// for its kind (e.g. "model.attention.order: EA Taylor order must be even ...").
void validate_attention_options(const AttentionOptions& opt, int64_t d_model,
                                const std::string& key_prefix);

// Inference state of one attention site for a batch: a fixed-size recurrent state
// (EA, LA, AFT-simple) or a growing KV cache (SA).
class AttentionState {
 public:
  virtual ~AttentionState() = default;
  virtual size_t bytes() const = 0;
  int64_t position = 0;  // tokens absorbed so far
};

class Attention : public Layer {
 public:
  explicit Attention(AttentionOptions opt) : opt_(std::move(opt)) {}
  const AttentionOptions& options() const { return opt_; }

  virtual Var forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool training,
                      uint64_t dropout_key) = 0;

  // Token-by-token causal inference; q, k, v, y: [B, D] for the next position.
  // Kinds without a recurrent form throw.
  virtual std::unique_ptr<AttentionState> start(int64_t batch, int64_t d_model,
                                                int64_t max_length) const;
  virtual void step(AttentionState& state, const float* q, const float* k, const float* v,
                    float* y) const;

  void collect(ParameterList&) override {}

 protected:
  AttentionOptions opt_;
};

std::unique_ptr<Attention> make_attention(const AttentionOptions& opt, int64_t d_model, Rng& rng);

// The registered kind names, for help texts and error messages.
const std::vector<std::string>& attention_kinds();

// Shape checks shared by all kinds; returns {B, Lq, Lk, D}.
struct AttentionShape {
  int64_t B, Lq, Lk, D;
};
AttentionShape check_attention_inputs(const Tape& t, Var q, Var k, Var v, Var key_mask, bool causal,
                                      const char* kind);

}  // namespace eaf
