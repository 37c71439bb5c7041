// The causal model used for generation: one position at a time, from recurrent state
// or KV cache, it must produce what the parallel causal forward produces. And the two
// command-line helpers of the cost study and the runner: --export and --print-config.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/arena.h"
#include "data/h5_file.h"
#include "data_helpers.h"
#include "models/causal_model.h"

using namespace eaf;
using eaf::test::TempDir;

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

TEST_CASE("bench model --export writes a self-consistent check file", "[models][cli]") {
  TempDir dir;
  const std::string file = (dir.path / "check.h5").string();
  const std::string cmd = std::string(EAFORMER_BINARY) +
                          " bench model --kind ea2 --length 12 --batch 3 --d-model 16 --d-ff 8"
                          " --layers 2 --heads 2 --threads 1 --export " +
                          file + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  H5File f(file, H5File::Mode::kRead);
  CHECK(f.dims("x") == std::vector<int64_t>{3, 12, 3});
  CHECK(f.attr_string("kind") == "ea2");
  // The stored loss is the cross-entropy of the stored logits and labels.
  const auto logits = f.read_float("logits");
  const auto labels = f.read_int32("labels");
  const int64_t C = f.dims("logits")[1];
  double loss = 0;
  for (size_t n = 0; n < labels.size(); ++n) {
    double mx = -1e30, sum = 0;
    for (int64_t c = 0; c < C; ++c) mx = std::max(mx, double(logits[n * C + c]));
    for (int64_t c = 0; c < C; ++c) sum += std::exp(logits[n * C + c] - mx);
    loss += mx + std::log(sum) - logits[n * C + labels[n]];
  }
  CHECK(f.read_float("loss")[0] == Approx(loss / double(labels.size())).epsilon(1e-5));
  // Every parameter has a gradient of its shape, and the model's two layers are there.
  for (const char* name : {"enc_embedding.value_embedding.weight",
                           "encoder.attn_layers.1.attention.query_projection.weight",
                           "encoder.norm.weight", "projection.bias"})
    CHECK(f.dims(std::string("grads/") + name) == f.dims(std::string("params/") + name));
}

TEST_CASE("train --print-config prints the resolved config and trains nothing", "[cli]") {
  TempDir dir;
  const std::string out = (dir.path / "config.txt").string();
  const std::string cmd = std::string(EAFORMER_BINARY) +
                          " train --set seed=77 --set model.attention.order=4 --print-config"
                          " --run-dir " +
                          (dir.path / "run").string() + " > " + out;
  REQUIRE(std::system(cmd.c_str()) == 0);
  const Config printed = Config::load(out, {});
  CHECK(printed.get_int("seed") == 77);
  CHECK(printed.get_int("model.attention.order") == 4);
  CHECK(printed.dump() == Config::load("", {"seed=77", "model.attention.order=4"}).dump());
  CHECK_FALSE(std::filesystem::exists(dir.path / "run"));
}
