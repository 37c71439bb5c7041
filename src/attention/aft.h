// AFT-simple and AFT-full as Attention kinds (kernels in aft_kernels.h).
#pragma once

#include "attention/aft_kernels.h"
#include "attention/attention.h"

namespace eaf {

class AftSimple final : public Attention {
 public:
  explicit AftSimple(AttentionOptions opt) : Attention(std::move(opt)) {}
  Var forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool training,
              uint64_t dropout_key) override;
  std::unique_ptr<AttentionState> start(int64_t batch, int64_t d_model,
                                        int64_t max_length) const override;
  void step(AttentionState& state, const float* q, const float* k, const float* v,
            float* y) const override;
};

// Owns the learned pairwise bias w: [max_length, max_length], Xavier-uniform initialised
// as in the AFT reference code; sequences may be shorter (w[:Lq, :Lk] is used).
class AftFull final : public Attention {
 public:
  AftFull(AttentionOptions opt, Rng& rng);
  Var forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool training,
              uint64_t dropout_key) override;
  void collect(ParameterList& out) override { out.push_back(&bias_); }
  Parameter& bias() { return bias_; }

 private:
  Parameter bias_;
};

}  // namespace eaf
