// Softmax self-attention as an Attention kind (kernels in sa_kernels.h).
#pragma once

#include "attention/attention.h"
#include "attention/sa_kernels.h"

namespace eaf {

class SoftmaxAttention final : public Attention {
 public:
  explicit SoftmaxAttention(AttentionOptions opt) : Attention(std::move(opt)) {}
  Var forward(Tape& t, Var q, Var k, Var v, Var key_mask, bool training,
              uint64_t dropout_key) override;
  std::unique_ptr<AttentionState> start(int64_t batch, int64_t d_model,
                                        int64_t max_length) const override;
  void step(AttentionState& state, const float* q, const float* k, const float* v,
            float* y) const override;
};

}  // namespace eaf
