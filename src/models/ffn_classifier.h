// A small attention-free classifier: TSL's token embedding (circular Conv1d k=3) plus
// sinusoidal positions, post-norm residual FFN blocks (two k=1 convolutions with GELU),
// a final LayerNorm and TSL's classification head (GELU → dropout → mask → flatten →
// Linear). It is the TSL Transformer classifier with the attention sub-layer left
// out, and serves as the embedded default model until attention lands.
#pragma once

#include <memory>
#include <vector>

#include "models/classifier.h"

namespace eaf {

struct FfnClassifierSpec {
  int64_t length = 0, channels = 0, classes = 0;  // from the data
  int64_t d_model = 32, d_ff = 64, layers = 2;
  float dropout = 0.1f;
};

class FfnClassifier final : public SequenceClassifier {
 public:
  FfnClassifier(const FfnClassifierSpec& spec, Rng& rng);
  Var forward(Tape& t, Var x, Var mask, bool training, uint64_t dropout_key) override;
  void collect(ParameterList& out) override;

 private:
  struct Block {
    Conv1d conv1, conv2;
    LayerNorm norm;
  };
  FfnClassifierSpec spec_;
  Conv1d token_;
  std::vector<std::unique_ptr<Block>> blocks_;
  LayerNorm final_norm_;
  Linear head_;
};

}  // namespace eaf
