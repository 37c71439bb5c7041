// The interface every sequence classifier implements, so trainers do not care which
// architecture they drive.
#pragma once

#include <cstdint>

#include "core/tape.h"
#include "models/layers.h"

namespace eaf {

class SequenceClassifier : public Layer {
 public:
  // x: [B, L, C] values, mask: [B, L] padding mask (constant) → logits [B, classes].
  // dropout_key seeds this step's dropout masks; ignored when training is false.
  virtual Var forward(Tape& t, Var x, Var mask, bool training, uint64_t dropout_key) = 0;
};

}  // namespace eaf
