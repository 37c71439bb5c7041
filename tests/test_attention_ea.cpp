// Element-wise attention: gradients, optimised vs plain loops, recurrent = causal
// parallel, convergence to the exact per-channel softmax, numerical range, options.
#include <catch2/catch.hpp>
#include <cmath>

#include "attention/attention.h"
#include "attention/ea.h"
#include "gradcheck.h"

using namespace eaf;
using namespace eaf::test;

TEST_CASE("EA non-causal gradient, Lq != Lk, with and without padding mask",
          "[attention][ea][grad]") {
  const int order = GENERATE(2, 4, 6);
  const bool masked = GENERATE(false, true);
  const EaDims d{2, 3, 5, 3, order};
  Rng rng(20 + order);
  Vec q = random_vec(d.B * d.Lq * d.D, rng), k = random_vec(d.B * d.Lk * d.D, rng),
      v = random_vec(d.B * d.Lk * d.D, rng);
  Vec mask = padding_mask(d.B, d.Lk, {5, 3});
  const double* m = masked ? mask.data() : nullptr;
  Vec S(d.B * (order + 1) * d.D), Z(S.size()), shift(d.B * d.D), y(d.B * d.Lq * d.D);
  auto fwd = [&] {
    ea_forward(y.data(), S.data(), Z.data(), shift.data(), q.data(), k.data(), v.data(), m, d);
    return y;
  };
  check_jacobian({{"q", &q}, {"k", &k}, {"v", &v}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
    fwd();
    ea_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), y.data(), S.data(), Z.data(),
                shift.data(), q.data(), k.data(), v.data(), m, d);
  });
}

TEST_CASE("EA causal gradient, with and without padding mask", "[attention][ea][grad]") {
  const int order = GENERATE(2, 6);
  const bool masked = GENERATE(false, true);
  const EaDims d{2, 5, 5, 3, order};
  Rng rng(30 + order);
  Vec q = random_vec(d.B * d.Lq * d.D, rng), k = random_vec(d.B * d.Lk * d.D, rng),
      v = random_vec(d.B * d.Lk * d.D, rng);
  // Second sample: padded at the end and with a hole, so some prefixes shrink.
  Vec mask = padding_mask(d.B, d.Lk, {5, 4});
  mask[1 * d.Lk + 1] = 0.0;
  const double* m = masked ? mask.data() : nullptr;
  Vec y(d.B * d.Lq * d.D);
  auto fwd = [&] {
    ea_causal_forward(y.data(), q.data(), k.data(), v.data(), m, d);
    return y;
  };
  check_jacobian({{"q", &q}, {"k", &k}, {"v", &v}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
    fwd();
    ea_causal_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), y.data(), q.data(),
                       k.data(), v.data(), m, d);
  });
}

TEST_CASE("EA gradient holds where the shift matters (keys far from zero)",
          "[attention][ea][grad]") {
  // |k| up to 3: exp(−k²) spans 1e-4 … 1, and the causal running minimum of k² changes
  // several times along the sequence, exercising the rescaling in both scans.
  const EaDims d{1, 6, 6, 2, 4};
  Vec q = {0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.1, 0.3, -0.1, -0.5, 0.2, 0.4};
  Vec k = {2.9, -2.5, 2.1, 1.7, -1.2, 2.6, 0.4, -0.9, 2.8, 0.3, -0.6, 1.4};
  Rng rng(33);
  Vec v = random_vec(12, rng), y(12);
  auto fwd = [&] {
    ea_causal_forward(y.data(), q.data(), k.data(), v.data(), static_cast<const double*>(nullptr),
                      d);
    return y;
  };
  check_jacobian({{"q", &q}, {"k", &k}, {"v", &v}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
    fwd();
    ea_causal_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), y.data(), q.data(),
                       k.data(), v.data(), static_cast<const double*>(nullptr), d);
  });
}

TEST_CASE("EA optimised kernels equal the L×L plain loops in float32", "[attention][ea][kernels]") {
  const bool causal = GENERATE(false, true);
  const int order = GENERATE(2, 6);
  // D = 37 leaves a partial channel block; the mask pads the second sample.
  const EaDims d{2, 23, causal ? 23 : 17, 37, order};
  Rng rng(40);
  auto q = to<float>(random_vec(d.B * d.Lq * d.D, rng, -1.5, 1.5));
  auto k = to<float>(random_vec(d.B * d.Lk * d.D, rng, -1.5, 1.5));
  auto v = to<float>(random_vec(d.B * d.Lk * d.D, rng));
  auto dy = to<float>(random_vec(d.B * d.Lq * d.D, rng));
  auto mask = to<float>(padding_mask(d.B, d.Lk, {d.Lk, d.Lk - 5}));
  std::vector<float> y(d.B * d.Lq * d.D), y_ref(y.size());
  std::vector<float> S(d.B * (order + 1) * d.D), Z(S.size()), shift(d.B * d.D);
  if (causal)
    ea_causal_forward(y.data(), q.data(), k.data(), v.data(), mask.data(), d);
  else
    ea_forward(y.data(), S.data(), Z.data(), shift.data(), q.data(), k.data(), v.data(),
               mask.data(), d);
  ea_forward_naive(y_ref.data(), q.data(), k.data(), v.data(), mask.data(), d, causal);
  CHECK(max_abs_diff(y, y_ref) < 2e-5);

  std::vector<float> dq(q.size(), 0.5f), dk(k.size(), 0.5f), dv(v.size(), 0.5f);
  auto dq_ref = dq, dk_ref = dk, dv_ref = dv;
  if (causal)
    ea_causal_backward(dq.data(), dk.data(), dv.data(), dy.data(), y.data(), q.data(), k.data(),
                       v.data(), mask.data(), d);
  else
    ea_backward(dq.data(), dk.data(), dv.data(), dy.data(), y.data(), S.data(), Z.data(),
                shift.data(), q.data(), k.data(), v.data(), mask.data(), d);
  ea_backward_naive(dq_ref.data(), dk_ref.data(), dv_ref.data(), dy.data(), q.data(), k.data(),
                    v.data(), mask.data(), d, causal);
  CHECK(max_abs_diff(dq, dq_ref) < 1e-4);
  CHECK(max_abs_diff(dk, dk_ref) < 1e-4);
  CHECK(max_abs_diff(dv, dv_ref) < 1e-4);
}

TEST_CASE("EA recurrent step equals the causal parallel form", "[attention][ea]") {
  const int order = GENERATE(2, 6, 10);
  const EaDims d{3, 200, 200, 40, order};
  Rng rng(50);
  // Keys of growing magnitude early, then small: the running shift changes often.
  auto q = to<float>(random_vec(d.B * d.Lq * d.D, rng, -2, 2));
  auto k = to<float>(random_vec(d.B * d.Lk * d.D, rng, -2, 2));
  auto v = to<float>(random_vec(d.B * d.Lk * d.D, rng));
  std::vector<float> y(q.size());
  ea_causal_forward(y.data(), q.data(), k.data(), v.data(), static_cast<const float*>(nullptr), d);
  ElementwiseAttention ea({"ea", order, true});
  auto state = ea.start(d.B, d.D, d.Lq);
  std::vector<float> qt(d.B * d.D), kt(qt.size()), vt(qt.size()), yt(qt.size());
  double worst = 0;
  for (int64_t i = 0; i < d.Lq; ++i) {
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t c = 0; c < d.D; ++c) {
        const int64_t at = (b * d.Lq + i) * d.D + c;
        qt[b * d.D + c] = q[at], kt[b * d.D + c] = k[at], vt[b * d.D + c] = v[at];
      }
    ea.step(*state, qt.data(), kt.data(), vt.data(), yt.data());
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t c = 0; c < d.D; ++c)
        worst = std::max(worst, double(std::abs(yt[b * d.D + c] - y[(b * d.Lq + i) * d.D + c])));
  }
  CHECK(worst <= 1e-5);
  CHECK(state->position == d.Lq);
  CHECK(state->bytes() == (2 * (order + 1) + 1) * d.B * d.D * sizeof(float));
}

TEST_CASE("EA converges to the exact per-channel softmax as t grows", "[attention][ea]") {
  const bool causal = GENERATE(false, true);
  Rng rng(60);
  const int64_t B = 2, L = 64, D = 8;
  Vec q(B * L * D), k(B * L * D);
  for (double& x : q) x = 0.3 * rng.normal();
  for (double& x : k) x = 0.3 * rng.normal();
  Vec v = random_vec(B * L * D, rng), exact(B * L * D);
  ea_exact_softmax(exact.data(), q.data(), k.data(), v.data(), static_cast<const double*>(nullptr),
                   EaDims{B, L, L, D, 2}, causal);
  double previous = 1e9;
  for (int t = 2; t <= 10; t += 2) {
    const EaDims d{B, L, L, D, t};
    Vec y(B * L * D), S(B * (t + 1) * D), Z(S.size()), shift(B * D);
    if (causal)
      ea_causal_forward(y.data(), q.data(), k.data(), v.data(), static_cast<const double*>(nullptr),
                        d);
    else
      ea_forward(y.data(), S.data(), Z.data(), shift.data(), q.data(), k.data(), v.data(),
                 static_cast<const double*>(nullptr), d);
    double err = 0;
    for (size_t i = 0; i < y.size(); ++i) err = std::max(err, std::abs(y[i] - exact[i]));
    INFO("t = " << t << ": max error " << err);
    CHECK(err < previous);
    previous = err;
    if (t == 10) CHECK(err < 1e-6);
  }
}

TEST_CASE("EA stays finite in float32 for |q|, |k| up to 32 and t up to 10", "[attention][ea]") {
  const int order = GENERATE(2, 4, 6, 8, 10);
  const bool causal = GENERATE(false, true);
  const double bound = GENERATE(8.0, 32.0);
  const EaDims d{1, 8192, 8192, 16, order};
  Rng rng(70 + order);
  // Extremes and everything between, with opposite signs of q and k (heaviest
  // cancellation in the alternating Taylor terms).
  std::vector<float> q(d.Lq * d.D), k(q.size()), v(q.size()), dy(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const int corner = static_cast<int>(rng.below(4));
    q[i] = static_cast<float>(corner == 0   ? bound
                              : corner == 1 ? -bound
                                            : rng.uniform(-bound, bound));
    k[i] = static_cast<float>(corner == 0   ? -bound
                              : corner == 1 ? bound
                                            : rng.uniform(-bound, bound));
    v[i] = static_cast<float>(rng.uniform(-1, 1));
    dy[i] = static_cast<float>(rng.uniform(-1, 1));
  }
  std::vector<float> y(q.size()), S((order + 1) * d.D), Z(S.size()), shift(d.D);
  std::vector<float> dq(q.size()), dk(q.size()), dv(q.size());
  const float* none = nullptr;
  if (causal) {
    ea_causal_forward(y.data(), q.data(), k.data(), v.data(), none, d);
    ea_causal_backward(dq.data(), dk.data(), dv.data(), dy.data(), y.data(), q.data(), k.data(),
                       v.data(), none, d);
  } else {
    ea_forward(y.data(), S.data(), Z.data(), shift.data(), q.data(), k.data(), v.data(), none, d);
    ea_backward(dq.data(), dk.data(), dv.data(), dy.data(), y.data(), S.data(), Z.data(),
                shift.data(), q.data(), k.data(), v.data(), none, d);
  }
  auto all_finite = [](const std::vector<float>& x) {
    for (float f : x)
      if (!std::isfinite(f)) return false;
    return true;
  };
  CHECK(all_finite(y));
  CHECK(all_finite(dq));
  CHECK(all_finite(dk));
  CHECK(all_finite(dv));
  // y is a convex combination of values: it stays within their range.
  for (float f : y) REQUIRE(std::abs(f) <= 1.0f + 1e-3f);
}

TEST_CASE("EA rejects odd or too small orders with a message naming the key", "[attention][ea]") {
  AttentionOptions o;
  o.kind = "ea";
  for (int bad : {1, 3, 5, 0, -2}) {
    o.order = bad;
    CHECK_THROWS_WITH(validate_attention_options(o, 16, "model.attention"),
                      Catch::Contains("model.attention.order") && Catch::Contains("even"));
  }
  o.order = 8;
  CHECK_NOTHROW(validate_attention_options(o, 16, "model.attention"));
  o.order = 7;
  CHECK_THROWS_AS(ElementwiseAttention(o), std::invalid_argument);
}

TEST_CASE("EA with every key masked returns zeros", "[attention][ea]") {
  const EaDims d{1, 3, 4, 2, 2};
  std::vector<float> q(6, 0.5f), k(8, 0.1f), v(8, 1.0f), mask(4, 0.0f), y(6, 7.0f);
  std::vector<float> S(6), Z(6), shift(2);
  ea_forward(y.data(), S.data(), Z.data(), shift.data(), q.data(), k.data(), v.data(), mask.data(),
             d);
  for (float f : y) CHECK(f == 0.0f);
}
