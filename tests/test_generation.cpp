// The causal model used for generation: one position at a time, from recurrent state
// or KV cache, it must produce what the parallel causal forward produces.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/arena.h"
#include "models/causal_model.h"

using namespace eaf;

TEST_CASE("generation step by step equals the parallel causal forward", "[models][generation]") {
  const std::string kind = GENERATE("ea2", "ea6", "la", "sa", "aft_simple");
  CausalModelSpec spec;
  spec.channels = 3, spec.d_model = 16, spec.d_ff = 24, spec.layers = 2;
  spec.attention.kind = kind.rfind("ea", 0) == 0 ? "ea" : kind;
  if (spec.attention.kind == "ea") spec.attention.order = kind[2] - '0';
  spec.attention.heads = 4;
  Rng rng(5);
  CausalSequenceModel model(spec, rng);
  const int64_t B = 2, L = 11, C = spec.channels;
  std::vector<float> x(B * L * C);
  for (float& v : x) v = static_cast<float>(rng.uniform(-2, 2));

  Arena arena;
  Tape t(arena);
  const Var y = model.forward(t, t.constant({x.data(), Shape{B, L, C}}), false, 0);
  const std::vector<float> parallel(t.value(y).data, t.value(y).data + B * L * C);

  Arena step_arena;
  Tape st(step_arena);
  auto gen = model.start(B, L);
  const size_t state_at_start = gen.state_bytes();
  double worst = 0;
  std::vector<float> x_t(B * C), y_t(B * C);
  for (int64_t l = 0; l < L; ++l) {
    for (int64_t b = 0; b < B; ++b)
      for (int64_t c = 0; c < C; ++c) x_t[b * C + c] = x[(b * L + l) * C + c];
    gen.step(st, x_t.data(), y_t.data());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t c = 0; c < C; ++c)
        worst = std::max(worst, double(std::fabs(y_t[b * C + c] - parallel[(b * L + l) * C + c])));
  }
  INFO(kind << ": largest difference " << worst);
  CHECK(worst < 1e-4);
  CHECK(gen.position() == L);
  if (kind == "sa")  // the KV cache in use grows by one key and one value per position
    CHECK(gen.state_bytes() == size_t(2 * B * L * spec.d_model * spec.layers) * sizeof(float));
  else  // a recurrent state does not grow
    CHECK(gen.state_bytes() == state_at_start);
  CHECK_THROWS_AS(gen.step(st, x_t.data(), y_t.data()), std::length_error);
}
