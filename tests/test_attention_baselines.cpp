// SA, LA, AFT-simple, AFT-full: float64 gradients (causal and not, Lq != Lk, padding
// masks), optimised kernels against plain loops, recurrent / KV-cache steps against
// the causal parallel forms.
#include <catch2/catch.hpp>
#include <cmath>

#include "attention/aft.h"
#include "attention/la.h"
#include "attention/sa.h"
#include "gradcheck.h"
#include "ops/loss.h"

using namespace eaf;
using namespace eaf::test;

namespace {
struct Case {
  bool causal, masked;
  int64_t Lq, Lk;
};
// Non-causal with Lq < Lk and Lq > Lk, causal with Lq == Lk; with and without a mask
// whose second sample is padded (causal: also a hole in the middle).
std::vector<Case> cases() {
  return {{false, false, 3, 5},
          {false, true, 3, 5},
          {false, true, 5, 3},
          {true, false, 5, 5},
          {true, true, 5, 5}};
}
Vec make_mask(const Case& c, int64_t B) {
  Vec m = padding_mask(B, c.Lk, {c.Lk, c.Lk - 2});
  if (c.causal) m[1 * c.Lk + 1] = 0.0;
  return m;
}
}  // namespace

TEST_CASE("SA gradient", "[attention][sa][grad]") {
  const float dropout = GENERATE(0.0f, 0.3f);
  for (const Case& c : cases()) {
    const SaDims d{2, c.Lq, c.Lk, 2, 3, c.causal, dropout, 77};
    Rng rng(80);
    Vec q = random_vec(d.B * d.Lq * d.D(), rng), k = random_vec(d.B * d.Lk * d.D(), rng),
        v = random_vec(d.B * d.Lk * d.D(), rng), mask = make_mask(c, d.B);
    const double* m = c.masked ? mask.data() : nullptr;
    Vec P(d.B * d.H * d.Lq * d.Lk), work1(d.H * d.Lq * d.Lk), work2(work1.size()),
        y(d.B * d.Lq * d.D());
    auto fwd = [&] {
      sa_forward(y.data(), P.data(), work2.data(), q.data(), k.data(), v.data(), m, d);
      return y;
    };
    INFO("causal " << c.causal << " masked " << c.masked << " dropout " << dropout);
    check_jacobian({{"q", &q}, {"k", &k}, {"v", &v}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
      fwd();
      sa_backward(g[0].data(), g[1].data(), g[2].data(), work1.data(), work2.data(), dy.data(),
                  P.data(), q.data(), k.data(), v.data(), d);
    });
  }
}

TEST_CASE("LA gradient", "[attention][la][grad]") {
  for (const Case& c : cases()) {
    const LaDims d{2, c.Lq, c.Lk, 2, 3};
    Rng rng(81);
    Vec q = random_vec(d.B * d.Lq * d.D(), rng), k = random_vec(d.B * d.Lk * d.D(), rng),
        v = random_vec(d.B * d.Lk * d.D(), rng), mask = make_mask(c, d.B);
    const double* m = c.masked ? mask.data() : nullptr;
    Vec KV(d.B * d.H * d.E * d.E), z(d.B * d.H * d.E), y(d.B * d.Lq * d.D());
    auto fwd = [&] {
      if (c.causal)
        la_causal_forward(y.data(), q.data(), k.data(), v.data(), m, d);
      else
        la_forward(y.data(), KV.data(), z.data(), q.data(), k.data(), v.data(), m, d);
      return y;
    };
    INFO("causal " << c.causal << " masked " << c.masked);
    check_jacobian({{"q", &q}, {"k", &k}, {"v", &v}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
      fwd();
      if (c.causal)
        la_causal_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), y.data(), q.data(),
                           k.data(), v.data(), m, d);
      else
        la_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), y.data(), KV.data(), z.data(),
                    q.data(), k.data(), v.data(), m, d);
    });
  }
}

TEST_CASE("AFT-simple gradient", "[attention][aft][grad]") {
  for (const Case& c : cases()) {
    const AftDims d{2, c.Lq, c.Lk, 3};
    Rng rng(82);
    // Keys of both signs and magnitudes up to 3 move the running maximum around.
    Vec q = random_vec(d.B * d.Lq * d.D, rng), k = random_vec(d.B * d.Lk * d.D, rng, -3, 3),
        v = random_vec(d.B * d.Lk * d.D, rng), mask = make_mask(c, d.B);
    const double* m = c.masked ? mask.data() : nullptr;
    const int64_t saved = c.causal ? d.B * d.Lq * d.D : d.B * d.D;
    Vec a(saved), Z(saved), mx(saved), y(d.B * d.Lq * d.D);
    auto fwd = [&] {
      if (c.causal)
        aft_simple_causal_forward(y.data(), a.data(), Z.data(), mx.data(), q.data(), k.data(),
                                  v.data(), m, d);
      else
        aft_simple_forward(y.data(), a.data(), Z.data(), mx.data(), q.data(), k.data(), v.data(), m,
                           d);
      return y;
    };
    INFO("causal " << c.causal << " masked " << c.masked);
    check_jacobian({{"q", &q}, {"k", &k}, {"v", &v}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
      fwd();
      auto bwd = c.causal ? aft_simple_causal_backward<double> : aft_simple_backward<double>;
      bwd(g[0].data(), g[1].data(), g[2].data(), dy.data(), a.data(), Z.data(), mx.data(), q.data(),
          k.data(), v.data(), m, d, nullptr);
    });
  }
}

TEST_CASE("AFT-full gradient, including the pairwise bias w", "[attention][aft][grad]") {
  for (const Case& c : cases()) {
    const int64_t ldw = 6;  // w is larger than the sequences: only w[:Lq, :Lk] is used
    const AftFullDims d{2, c.Lq, c.Lk, 3, ldw, c.causal};
    Rng rng(83);
    Vec q = random_vec(d.B * d.Lq * d.D, rng), k = random_vec(d.B * d.Lk * d.D, rng, -2, 2),
        v = random_vec(d.B * d.Lk * d.D, rng), w = random_vec(ldw * ldw, rng, -2, 2);
    Vec mask = make_mask(c, d.B);
    const double* m = c.masked ? mask.data() : nullptr;
    const int64_t nq = d.B * d.Lq * d.D, nk = d.B * d.Lk * d.D;
    Vec y(nq), a(nq), Z(nq), Ew(d.Lq * d.Lk), Ek(nk), KV(nk), mk(d.B * d.D);
    Vec wa(nq), wz(nq), wk1(d.Lk * d.D), wk2(d.Lk * d.D), ww(d.Lq * d.Lk);
    auto fwd = [&] {
      aft_full_forward(y.data(), a.data(), Z.data(), Ew.data(), Ek.data(), KV.data(), mk.data(),
                       q.data(), k.data(), v.data(), w.data(), m, d);
      return y;
    };
    INFO("causal " << c.causal << " masked " << c.masked);
    check_jacobian(
        {{"q", &q}, {"k", &k}, {"v", &v}, {"w", &w}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
          fwd();
          aft_full_backward(g[0].data(), g[1].data(), g[2].data(), g[3].data(), wa.data(),
                            wz.data(), wk1.data(), wk2.data(), ww.data(), dy.data(), a.data(),
                            Z.data(), Ew.data(), Ek.data(), KV.data(), q.data(), v.data(), d);
        });
  }
}

TEST_CASE("Baseline kernels equal plain loops in float32", "[attention][kernels]") {
  const bool causal = GENERATE(false, true);
  const int64_t B = 2, Lq = 29, Lk = causal ? 29 : 41, H = 4, E = 8, D = H * E;
  Rng rng(90);
  auto q = to<float>(random_vec(B * Lq * D, rng, -1.5, 1.5)),
       k = to<float>(random_vec(B * Lk * D, rng, -1.5, 1.5));
  auto v = to<float>(random_vec(B * Lk * D, rng)), dy = to<float>(random_vec(B * Lq * D, rng));
  auto mask = to<float>(padding_mask(B, Lk, {Lk, Lk - 7}));
  std::vector<float> y(B * Lq * D), y_ref(y.size());

  SECTION("SA forward (oneDNN) and backward (oneDNN vs plain-loop gemm in float64)") {
    const SaDims d{B, Lq, Lk, H, E, causal, 0.0f, 0};
    std::vector<float> P(B * H * Lq * Lk), w1(H * Lq * Lk);
    sa_forward(y.data(), P.data(), w1.data(), q.data(), k.data(), v.data(), mask.data(), d);
    sa_forward_naive(y_ref.data(), q.data(), k.data(), v.data(), mask.data(), d);
    CHECK(max_abs_diff(y, y_ref) < 1e-5);
    std::vector<float> dq(q.size(), 0.f), dk(k.size(), 0.f), dv(v.size(), 0.f);
    sa_backward(dq.data(), dk.data(), dv.data(), w1.data(), static_cast<float*>(nullptr), dy.data(),
                P.data(), q.data(), k.data(), v.data(), d);
    // The same kernel in float64 runs the plain-loop gemm: the reference.
    auto qd = to<double>(Vec(q.begin(), q.end())), kd = to<double>(Vec(k.begin(), k.end()));
    auto vd = to<double>(Vec(v.begin(), v.end())), dyd = to<double>(Vec(dy.begin(), dy.end()));
    auto md = to<double>(Vec(mask.begin(), mask.end()));
    std::vector<double> yd(y.size()), Pd(P.size()), w1d(w1.size()), dqd(q.size()), dkd(k.size()),
        dvd(v.size());
    sa_forward(yd.data(), Pd.data(), w1d.data(), qd.data(), kd.data(), vd.data(), md.data(), d);
    sa_backward(dqd.data(), dkd.data(), dvd.data(), w1d.data(), static_cast<double*>(nullptr),
                dyd.data(), Pd.data(), qd.data(), kd.data(), vd.data(), d);
    CHECK(max_abs_diff(dq, to<float>(Vec(dqd.begin(), dqd.end()))) < 1e-5);
    CHECK(max_abs_diff(dk, to<float>(Vec(dkd.begin(), dkd.end()))) < 1e-5);
    CHECK(max_abs_diff(dv, to<float>(Vec(dvd.begin(), dvd.end()))) < 1e-5);
  }
  SECTION("LA") {
    const LaDims d{B, Lq, Lk, H, E};
    std::vector<float> KV(B * H * E * E), z(B * H * E);
    if (causal)
      la_causal_forward(y.data(), q.data(), k.data(), v.data(), mask.data(), d);
    else
      la_forward(y.data(), KV.data(), z.data(), q.data(), k.data(), v.data(), mask.data(), d);
    la_forward_naive(y_ref.data(), q.data(), k.data(), v.data(), mask.data(), d, causal);
    CHECK(max_abs_diff(y, y_ref) < 1e-5);
    if (!causal) {  // backward: oneDNN in float32 against the plain-loop gemm in float64
      std::vector<float> dq(q.size(), 0.f), dk(k.size(), 0.f), dv(v.size(), 0.f);
      la_backward(dq.data(), dk.data(), dv.data(), dy.data(), y.data(), KV.data(), z.data(),
                  q.data(), k.data(), v.data(), mask.data(), d);
      auto qd = to<double>(Vec(q.begin(), q.end())), kd = to<double>(Vec(k.begin(), k.end()));
      auto vd = to<double>(Vec(v.begin(), v.end())), dyd = to<double>(Vec(dy.begin(), dy.end()));
      auto md = to<double>(Vec(mask.begin(), mask.end()));
      std::vector<double> yd(y.size()), KVd(KV.size()), zd(z.size()), dqd(q.size()), dkd(k.size()),
          dvd(v.size());
      la_forward(yd.data(), KVd.data(), zd.data(), qd.data(), kd.data(), vd.data(), md.data(), d);
      la_backward(dqd.data(), dkd.data(), dvd.data(), dyd.data(), yd.data(), KVd.data(), zd.data(),
                  qd.data(), kd.data(), vd.data(), md.data(), d);
      CHECK(max_abs_diff(dq, to<float>(Vec(dqd.begin(), dqd.end()))) < 1e-5);
      CHECK(max_abs_diff(dk, to<float>(Vec(dkd.begin(), dkd.end()))) < 1e-5);
      CHECK(max_abs_diff(dv, to<float>(Vec(dvd.begin(), dvd.end()))) < 1e-5);
    }
  }
  SECTION("AFT-simple") {
    const AftDims d{B, Lq, Lk, D};
    const int64_t saved = causal ? B * Lq * D : B * D;
    std::vector<float> a(saved), Z(saved), m(saved);
    if (causal)
      aft_simple_causal_forward(y.data(), a.data(), Z.data(), m.data(), q.data(), k.data(),
                                v.data(), mask.data(), d);
    else
      aft_simple_forward(y.data(), a.data(), Z.data(), m.data(), q.data(), k.data(), v.data(),
                         mask.data(), d);
    aft_forward_naive(y_ref.data(), q.data(), k.data(), v.data(),
                      static_cast<const float*>(nullptr), 0, mask.data(), d, causal);
    CHECK(max_abs_diff(y, y_ref) < 1e-5);
  }
  SECTION("AFT-full (oneDNN)") {
    const int64_t ldw = 48;
    auto w = to<float>(random_vec(ldw * ldw, rng, -1, 1));
    const AftFullDims d{B, Lq, Lk, D, ldw, causal};
    std::vector<float> a(y.size()), Z(y.size()), Ew(Lq * Lk), Ek(B * Lk * D), KV(Ek.size()),
        mk(B * D);
    aft_full_forward(y.data(), a.data(), Z.data(), Ew.data(), Ek.data(), KV.data(), mk.data(),
                     q.data(), k.data(), v.data(), w.data(), mask.data(), d);
    aft_forward_naive(y_ref.data(), q.data(), k.data(), v.data(), w.data(), ldw, mask.data(),
                      AftDims{B, Lq, Lk, D}, causal);
    CHECK(max_abs_diff(y, y_ref) < 1e-5);
  }
}

TEST_CASE("Recurrent and KV-cache steps equal the causal parallel forms", "[attention]") {
  const int64_t B = 2, L = 150, D = 32, H = 4;
  Rng rng(91);
  auto q = to<float>(random_vec(B * L * D, rng, -2, 2)),
       k = to<float>(random_vec(B * L * D, rng, -2, 2));
  auto v = to<float>(random_vec(B * L * D, rng));
  Rng init(1);
  std::vector<std::unique_ptr<Attention>> kinds;
  kinds.push_back(std::make_unique<SoftmaxAttention>(AttentionOptions{"sa", 6, true, H}));
  kinds.push_back(std::make_unique<LinearAttention>(AttentionOptions{"la", 6, true, H}));
  kinds.push_back(std::make_unique<AftSimple>(AttentionOptions{"aft_simple", 6, true, H}));
  for (auto& kind : kinds) {
    Arena arena;
    Tape t(arena);
    NoGradGuard ng(t);
    Var qv = t.constant({q.data(), Shape{B, L, D}}), kv = t.constant({k.data(), Shape{B, L, D}}),
        vv = t.constant({v.data(), Shape{B, L, D}});
    const Tensor y = t.value(kind->forward(t, qv, kv, vv, Var{}, false, 0));
    auto state = kind->start(B, D, L);
    std::vector<float> qt(B * D), kt(B * D), vt(B * D), yt(B * D);
    double worst = 0;
    for (int64_t i = 0; i < L; ++i) {
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < D; ++c) {
          const int64_t at = (b * L + i) * D + c;
          qt[b * D + c] = q[at], kt[b * D + c] = k[at], vt[b * D + c] = v[at];
        }
      kind->step(*state, qt.data(), kt.data(), vt.data(), yt.data());
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < D; ++c)
          worst = std::max(worst, double(std::abs(yt[b * D + c] - y.data[(b * L + i) * D + c])));
    }
    INFO(kind->options().kind);
    CHECK(worst <= 1e-5);
  }
}

TEST_CASE("Attention options are validated with the key named", "[attention]") {
  AttentionOptions o;
  o.kind = "softmax";
  CHECK_THROWS_WITH(validate_attention_options(o, 16, "model.attention"),
                    Catch::Contains("model.attention.kind") && Catch::Contains("softmax"));
  o.kind = "sa";
  o.heads = 3;
  CHECK_THROWS_WITH(validate_attention_options(o, 16, "model.attention"),
                    Catch::Contains("model.attention.heads"));
  o.kind = "aft_full";
  o.heads = 8;
  o.max_length = 0;
  CHECK_THROWS_WITH(validate_attention_options(o, 16, "model.attention"),
                    Catch::Contains("max_length"));
  o.kind = "aft_full";
  o.max_length = 4;
  Rng rng(1);
  auto aft = make_attention(o, 16, rng);
  Arena arena;
  Tape t(arena);
  std::vector<float> x(1 * 5 * 16, 0.1f);
  Var xv = t.constant({x.data(), Shape{1, 5, 16}});
  CHECK_THROWS_WITH(aft->forward(t, xv, xv, xv, Var{}, false, 0), Catch::Contains("max_length"));
  o.kind = "sa";
  o.causal = true;
  auto sa = make_attention(o, 16, rng);
  Var q3 = t.constant({x.data(), Shape{1, 3, 16}});
  CHECK_THROWS_WITH(sa->forward(t, q3, xv, xv, Var{}, false, 0), Catch::Contains("Lq == Lk"));
}

TEST_CASE("Every kind is wired through the tape: float32 finite differences", "[attention][tape]") {
  // The float64 checks cover the kernels; this checks each fused node hands the right
  // buffers (saved state, mask, output) to its backward. loss = mse(y, random target).
  const int64_t B = 2, L = 4, D = 8;
  for (const std::string kind : {"ea", "sa", "la", "aft_simple", "aft_full"})
    for (bool causal : {false, true}) {
      AttentionOptions o;
      o.kind = kind, o.causal = causal, o.heads = 2, o.order = 4, o.max_length = 6;
      Rng rng(95);
      auto attn = make_attention(o, D, rng);
      Parameter q("q", Shape{B, L, D}), k("k", Shape{B, L, D}), v("v", Shape{B, L, D});
      for (Parameter* p : {&q, &k, &v}) init_uniform(*p, 1.0, rng);
      std::vector<float> mask = {1, 1, 1, 1, 1, 1, 0, 1}, target(B * L * D);
      for (float& x : target) x = static_cast<float>(rng.uniform(-1, 1));
      Arena arena;
      Tape t(arena);
      auto loss = [&] {
        t.reset();
        Var m = t.constant({mask.data(), Shape{B, L}});
        Var y = attn->forward(t, t.param(q), t.param(k), t.param(v), m, false, 0);
        return mse(t, y, t.constant({target.data(), Shape{B, L, D}}));
      };
      for (Parameter* p : {&q, &k, &v}) p->zero_grad();
      t.backward(loss());
      const int bad = spot_check_gradients(
                          t, {&q, &k, &v}, [&] { return double(t.value(loss()).data[0]); },
                          [](int64_t) { return int64_t{3}; }, kind + (causal ? " causal " : " "))
                          .bad;
      CHECK(bad == 0);
    }
}
