#include "models/ffn_classifier.h"

#include <string>

#include "ops/activation.h"
#include "ops/dropout.h"
#include "ops/elementwise.h"
#include "ops/position.h"
#include "ops/reduce.h"

namespace eaf {

FfnClassifier::FfnClassifier(const FfnClassifierSpec& s, Rng& rng)
    : spec_(s),
      token_("embed.token", s.channels, s.d_model, 3, rng, false,
             Conv1d::Init::kKaimingNormalLeakyRelu),
      final_norm_("encoder.norm", s.d_model),
      head_("projection", s.length * s.d_model, s.classes, rng) {
  for (int64_t i = 0; i < s.layers; ++i) {
    const std::string p = "encoder.layers." + std::to_string(i);
    blocks_.push_back(std::make_unique<Block>(Block{Conv1d(p + ".conv1", s.d_model, s.d_ff, 1, rng),
                                                    Conv1d(p + ".conv2", s.d_ff, s.d_model, 1, rng),
                                                    LayerNorm(p + ".norm", s.d_model)}));
  }
}

Var FfnClassifier::forward(Tape& t, Var x, Var mask, bool training, uint64_t key) {
  uint64_t site = 0;  // each dropout call site gets its own stream
  auto drop = [&](Var v) { return dropout(t, v, spec_.dropout, hash2(key, site++), training); };
  Var h = drop(add_sinusoidal_position(t, token_(t, x)));
  for (auto& b : blocks_) {
    // y = dropout(conv2(dropout(gelu(conv1(h))))), h = norm(h + y)
    Var y = drop(b->conv2(t, drop(gelu(t, b->conv1(t, h)))));
    h = b->norm(t, add(t, h, y));
  }
  h = final_norm_(t, h);
  h = drop(gelu(t, h));
  h = mask_rows(t, h, mask);
  return head_(t, flatten(t, h, 1));
}

void FfnClassifier::collect(ParameterList& out) {
  token_.collect(out);
  for (auto& b : blocks_) {
    b->conv1.collect(out);
    b->conv2.collect(out);
    b->norm.collect(out);
  }
  final_norm_.collect(out);
  head_.collect(out);
}

}  // namespace eaf
