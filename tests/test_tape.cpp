// The tape: gradient accumulation, explicit zero_grad, inference mode, allocation-free
// steady state, and end-to-end gradients through a composite model.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/rng.h"
#include "core/tape.h"
#include "gradcheck.h"
#include "models/tsl_transformer.h"
#include "ops/activation.h"
#include "ops/elementwise.h"
#include "ops/layernorm.h"
#include "ops/linear.h"
#include "ops/loss.h"
#include "ops/reduce.h"

using namespace eaf;
using eaf::test::spot_check_gradients;

TEST_CASE("a reused intermediate receives the sum of its gradients", "[tape]") {
  Arena arena;
  Tape t(arena);
  Parameter x("x", Shape{4});
  x.value = {-1.0f, 0.25f, 0.5f, 2.0f};
  // h = gelu(x) feeds two paths: loss = mean(h + 3h) = 4·mean(h)
  Var h = gelu(t, t.param(x));
  Var loss = mean_all(t, add(t, h, scale(t, h, 3.0f)));
  t.backward(loss);
  for (int k = 0; k < 4; ++k) {
    const double v = x.value[k];
    const double dgelu =
        0.5 * (1 + std::erf(v / std::sqrt(2.0))) + v * std::exp(-v * v / 2) / std::sqrt(2 * M_PI);
    CHECK(x.grad[k] == Approx(4.0 * dgelu / 4.0).epsilon(1e-6));
  }
  // The same value used twice in one op: d(a + a)/da = 2.
  Parameter a("a", Shape{3});
  t.reset();
  t.backward(mean_all(t, add(t, t.param(a), t.param(a))));
  for (float g : a.grad) CHECK(g == Approx(2.0 / 3.0));
}

TEST_CASE("gradients accumulate until zero_grad is called", "[tape]") {
  Arena arena;
  Tape t(arena);
  Parameter w("w", Shape{3});
  w.value = {1.0f, 2.0f, 3.0f};
  for (int step = 1; step <= 2; ++step) {
    t.reset();
    t.backward(mean_all(t, scale(t, t.param(w), 6.0f)));
    for (float g : w.grad) CHECK(g == Approx(2.0 * step));
  }
  w.zero_grad();
  for (float g : w.grad) CHECK(g == 0.0f);
}

TEST_CASE("no-grad mode records nothing and leaves gradients alone", "[tape]") {
  Arena arena;
  Tape t(arena);
  Parameter w("w", Shape{2, 2});
  w.value = {1, 2, 3, 4};
  {
    NoGradGuard guard(t);
    Var x = t.constant({t.arena().alloc_zeroed<float>(2), Shape{1, 2}});
    Var y = linear(t, x, t.param(w), Var{});
    CHECK(t.num_nodes() == 0);
    CHECK_FALSE(t.needs_grad(y));
    CHECK_THROWS_AS(t.backward(mean_all(t, y)), std::logic_error);
  }
  CHECK(t.grad_enabled());
  for (float g : w.grad) CHECK(g == 0.0f);
}

TEST_CASE("reshape and flatten are views whose gradient flows back unchanged", "[tape]") {
  Arena arena;
  Tape t(arena);
  Parameter x("x", Shape{2, 3, 4});
  for (int i = 0; i < 24; ++i) x.value[i] = static_cast<float>(i);
  Var xv = t.param(x);
  Var f = flatten(t, xv, 1);
  CHECK(t.shape(f) == Shape{2, 12});
  CHECK(t.value(f).data == t.value(xv).data);  // no copy
  CHECK_THROWS_AS(reshape(t, xv, Shape{5, 5}), std::invalid_argument);
  // loss = mean(scale(flatten(x), i-dependent)) through a mean over axis 1 then all
  Var m = mean(t, f, 1);  // [2]
  t.backward(mean_all(t, m));
  for (float g : x.grad) CHECK(g == Approx(1.0 / 24.0));
}

TEST_CASE("constants get no gradient buffer", "[tape]") {
  Arena arena;
  Tape t(arena);
  Parameter w("w", Shape{2});
  Var c = t.constant({t.arena().alloc_zeroed<float>(2), Shape{2}});
  t.backward(mean_all(t, add(t, t.param(w), c)));
  CHECK(t.grad_if_any(c).data == nullptr);
}

namespace {
// A batch of the synthetic task through the default model, with the loss returned.
float model_loss(TslClassifier& model, Tape& t, const std::vector<float>& x,
                 const std::vector<float>& m, const std::vector<int32_t>& y, int64_t B, int64_t L,
                 int64_t C, bool training) {
  t.reset();
  Var xv = t.constant({const_cast<float*>(x.data()), Shape{B, L, C}});
  Var mv = t.constant({const_cast<float*>(m.data()), Shape{B, L}});
  Var loss = cross_entropy(t, model.forward(t, xv, mv, training, 42), y.data());
  if (t.grad_enabled()) t.backward(loss);
  return t.value(loss).data[0];
}
}  // namespace

TEST_CASE("the arena stops allocating once shapes are fixed", "[tape][memory]") {
  const int64_t B = 4, L = 12, C = 3;
  Rng rng(3);
  TslClassifierSpec spec;
  spec.length = L, spec.channels = C, spec.classes = 5, spec.d_model = 16, spec.d_ff = 32;
  spec.e_layers = 2, spec.dropout = 0.1f;
  spec.attention.kind = "ea";
  TslClassifier model(spec, rng);
  std::vector<float> x(B * L * C, 0.5f), m(B * L, 1.0f);
  std::vector<int32_t> y = {0, 1, 2, 3};
  Arena arena(1024);  // deliberately too small: the first step must grow it
  Tape t(arena);
  model_loss(model, t, x, m, y, B, L, C, true);
  model_loss(model, t, x, m, y, B, L, C, true);
  const size_t allocations = arena.system_allocations();
  for (int step = 0; step < 5; ++step) model_loss(model, t, x, m, y, B, L, C, true);
  CHECK(arena.system_allocations() == allocations);
  CHECK(arena.peak_bytes() > 0);
}

TEST_CASE("arena scratch is given back and reused, within a block and across a new one",
          "[tape][memory]") {
  Arena arena(4096);
  float* kept = arena.alloc<float>(100);
  std::fill(kept, kept + 100, 7.0f);
  const size_t in_use = arena.bytes_in_use();
  float* first = nullptr;
  {
    Arena::Scratch scratch(arena);
    first = scratch.alloc<float>(200);  // fits in the first block
    std::fill(first, first + 200, 1.0f);
  }
  CHECK(arena.bytes_in_use() == in_use);
  CHECK(arena.alloc<float>(200) == first);  // the same space again
  const size_t with_second = arena.bytes_in_use();
  {
    Arena::Scratch scratch(arena);
    float* big = scratch.alloc<float>(1 << 20);  // needs a new block
    std::fill(big, big + (1 << 20), 2.0f);
    CHECK(arena.peak_bytes() >= with_second + (size_t{4} << 20));
  }
  CHECK(arena.bytes_in_use() == with_second);
  float* after = arena.alloc<float>(1000);  // from the emptied new block
  std::fill(after, after + 1000, 3.0f);
  CHECK(std::all_of(kept, kept + 100, [](float x) { return x == 7.0f; }));
  arena.reset();
  CHECK(arena.bytes_in_use() == 0);
}

TEST_CASE("whole TSL classifier gradient matches finite differences in float32", "[tape][grad]") {
  // The float64 checks cover each kernel; this checks the tape's wiring of the full
  // model for each attention kind. float32 central differences are accurate to ~1e-3
  // relative here.
  const int64_t B = 3, L = 6, C = 2;
  Rng rng(4);
  const std::string kind = GENERATE(as<std::string>{}, "ea", "sa", "la", "aft_simple");
  TslClassifierSpec spec;
  spec.length = L, spec.channels = C, spec.classes = 3, spec.d_model = 8, spec.d_ff = 16;
  spec.e_layers = 1, spec.dropout = 0.0f;
  spec.attention.kind = kind;
  spec.attention.heads = 2;
  spec.attention.order = 4;
  TslClassifier model(spec, rng);
  INFO("attention " << kind);
  Rng data_rng(5);
  std::vector<float> x(B * L * C), m(B * L, 1.0f);
  for (float& v : x) v = static_cast<float>(data_rng.uniform(-1, 1));
  m[L - 1] = 0.0f;  // one padded step
  std::vector<int32_t> y = {0, 2, 1};
  ParameterList params;
  model.collect(params);
  Arena arena;
  Tape t(arena);
  for (auto* p : params) p->zero_grad();
  model_loss(model, t, x, m, y, B, L, C, true);
  const auto [checked, bad] = spot_check_gradients(
      t, params, [&] { return model_loss(model, t, x, m, y, B, L, C, true); },
      [](int64_t n) { return std::max<int64_t>(1, n / 4); }, "");
  CHECK(checked > 20);
  CHECK(bad == 0);
}

TEST_CASE("whole TSL forecaster gradient matches finite differences in float32", "[tape][grad]") {
  const std::string kind = GENERATE(as<std::string>{}, "ea", "sa");
  TslForecasterSpec s;
  s.enc_in = s.dec_in = s.c_out = 2;
  s.time_features = 4;
  s.seq_len = 6, s.label_len = 3, s.pred_len = 3;
  s.d_model = 8, s.d_ff = 16, s.e_layers = 1, s.d_layers = 1, s.dropout = 0.0f;
  for (AttentionOptions* a : {&s.encoder_attention, &s.decoder_attention, &s.cross_attention}) {
    a->kind = kind;
    a->heads = 2;
    a->order = 4;
  }
  s.decoder_attention.causal = true;
  Rng rng(6);
  TslForecaster model(s, rng);
  const int64_t B = 2, Ld = s.label_len + s.pred_len;
  Rng data_rng(7);
  auto fill = [&](int64_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(data_rng.uniform(-1, 1));
    return v;
  };
  auto x = fill(B * s.seq_len * 2), mx = fill(B * s.seq_len * 4), xd = fill(B * Ld * 2),
       md = fill(B * Ld * 4), y = fill(B * s.pred_len * 2);
  Arena arena;
  Tape t(arena);
  auto loss = [&] {
    t.reset();
    Var out = model.forward(t, t.constant({x.data(), Shape{B, s.seq_len, 2}}),
                            t.constant({mx.data(), Shape{B, s.seq_len, 4}}),
                            t.constant({xd.data(), Shape{B, Ld, 2}}),
                            t.constant({md.data(), Shape{B, Ld, 4}}), true, 0);
    return mse(t, out, t.constant({y.data(), Shape{B, s.pred_len, 2}}));
  };
  ParameterList params;
  model.collect(params);
  for (auto* p : params) p->zero_grad();
  t.backward(loss());
  const auto [checked, bad] = spot_check_gradients(
      t, params, [&] { return double(t.value(loss()).data[0]); },
      [](int64_t n) { return std::max<int64_t>(1, n / 3); }, kind + " ");
  CHECK(checked > 50);
  CHECK(bad == 0);
}
