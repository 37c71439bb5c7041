// float64 central-difference checks of every op's hand-written backward, over the
// full Jacobian of small inputs, including size-1 dimensions and degenerate masks.
#include <catch2/catch.hpp>

#include "gradcheck.h"
#include "ops/activation.h"
#include "ops/conv1d.h"
#include "ops/dropout.h"
#include "ops/elementwise.h"
#include "ops/layernorm.h"
#include "ops/linear.h"
#include "ops/loss.h"
#include "ops/matmul.h"
#include "ops/position.h"
#include "ops/reduce.h"
#include "ops/slice.h"
#include "ops/softmax.h"

using namespace eaf;
using namespace eaf::test;

TEST_CASE("linear gradient", "[grad]") {
  auto [N, I, O] =
      GENERATE(table<int64_t, int64_t, int64_t>({{3, 4, 5}, {1, 1, 1}, {2, 1, 3}, {1, 6, 1}}));
  Rng rng(1);
  Vec x = random_vec(N * I, rng), W = random_vec(O * I, rng), b = random_vec(O, rng);
  check_jacobian(
      {{"x", &x}, {"W", &W}, {"b", &b}},
      [&] {
        Vec y(N * O);
        linear_forward(y.data(), x.data(), W.data(), b.data(), N, I, O);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        linear_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), x.data(), W.data(), N, I,
                        O);
      });
}

TEST_CASE("batched matmul gradient, every transpose combination", "[grad]") {
  const bool ta = GENERATE(false, true), tb = GENERATE(false, true);
  auto [batch, M, N, K] = GENERATE(
      table<int64_t, int64_t, int64_t, int64_t>({{2, 3, 4, 2}, {1, 1, 1, 1}, {3, 1, 2, 1}}));
  Rng rng(2);
  Vec A = random_vec(batch * M * K, rng), B = random_vec(batch * K * N, rng);
  const MatmulDims d{batch, M, N, K, ta, tb};
  check_jacobian(
      {{"A", &A}, {"B", &B}},
      [&] {
        Vec C(batch * M * N);
        matmul_forward(C.data(), A.data(), B.data(), d);
        return C;
      },
      [&](const Vec& dC, std::vector<Vec>& g) {
        matmul_backward(g[0].data(), g[1].data(), dC.data(), A.data(), B.data(), d);
      });
}

TEST_CASE("add and scale gradients", "[grad]") {
  Rng rng(3);
  Vec a = random_vec(7, rng), b = random_vec(7, rng);
  check_jacobian(
      {{"a", &a}, {"b", &b}},
      [&] {
        Vec y(7);
        add_forward(y.data(), a.data(), b.data(), 7);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        add_backward(g[0].data(), g[1].data(), dy.data(), 7);
      });
  check_jacobian(
      {{"x", &a}},
      [&] {
        Vec y(7);
        scale_forward(y.data(), a.data(), -2.5, 7);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) { scale_backward(g[0].data(), dy.data(), -2.5, 7); });
}

TEST_CASE("mask gradient with mixed, all-zero and all-one masks", "[grad]") {
  const int64_t R = 4, C = 3;
  Vec m = GENERATE(Vec{1, 0, 1, 0}, Vec{0, 0, 0, 0}, Vec{1, 1, 1, 1});
  Rng rng(4);
  Vec x = random_vec(R * C, rng);
  auto fwd = [&] {
    Vec y(R * C);
    mask_forward(y.data(), x.data(), m.data(), R, C);
    return y;
  };
  check_jacobian({{"x", &x}}, fwd, [&](const Vec& dy, std::vector<Vec>& g) {
    mask_backward(g[0].data(), dy.data(), m.data(), R, C);
  });
  const Vec y = fwd();
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) CHECK(y[r * C + c] == (m[r] ? x[r * C + c] : 0.0));
}

TEST_CASE("mean over an axis gradient", "[grad]") {
  auto [outer, n, inner] =
      GENERATE(table<int64_t, int64_t, int64_t>({{2, 3, 4}, {1, 5, 1}, {3, 1, 2}}));
  Rng rng(5);
  Vec x = random_vec(outer * n * inner, rng);
  check_jacobian(
      {{"x", &x}},
      [&] {
        Vec y(outer * inner);
        mean_axis_forward(y.data(), x.data(), outer, n, inner);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        mean_axis_backward(g[0].data(), dy.data(), outer, n, inner);
      });
}

TEST_CASE("layernorm gradient", "[grad]") {
  auto [R, C] = GENERATE(table<int64_t, int64_t>({{3, 5}, {1, 4}, {2, 2}, {2, 1}}));
  Rng rng(6);
  Vec x = random_vec(R * C, rng, -2, 2), gamma = random_vec(C, rng), beta = random_vec(C, rng);
  Vec mean(R), rstd(R);
  check_jacobian(
      {{"x", &x}, {"gamma", &gamma}, {"beta", &beta}},
      [&] {
        Vec y(R * C);
        layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(),
                          R, C, 1e-5);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        Vec y(R * C);  // refresh the saved statistics at the unperturbed point
        layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(),
                          R, C, 1e-5);
        layernorm_backward(g[0].data(), g[1].data(), g[2].data(), dy.data(), x.data(), mean.data(),
                           rstd.data(), gamma.data(), R, C);
      });
}

TEST_CASE("activation gradients", "[grad]") {
  Rng rng(7);
  // Points away from the kinks of relu and elu at 0, where only a subgradient exists.
  Vec x = {-2.5, -1.1, -0.3, 0.2, 0.7, 1.9, 3.2, -4.0};
  const int64_t n = static_cast<int64_t>(x.size());
  SECTION("gelu") {
    check_jacobian(
        {{"x", &x}},
        [&] {
          Vec y(n);
          gelu_forward(y.data(), x.data(), n);
          return y;
        },
        [&](const Vec& dy, std::vector<Vec>& g) {
          gelu_backward(g[0].data(), dy.data(), x.data(), n);
        });
  }
  SECTION("relu") {
    check_jacobian(
        {{"x", &x}},
        [&] {
          Vec y(n);
          relu_forward(y.data(), x.data(), n);
          return y;
        },
        [&](const Vec& dy, std::vector<Vec>& g) {
          relu_backward(g[0].data(), dy.data(), x.data(), n);
        });
  }
  SECTION("elu") {
    check_jacobian(
        {{"x", &x}},
        [&] {
          Vec y(n);
          elu_forward(y.data(), x.data(), 1.3, n);
          return y;
        },
        [&](const Vec& dy, std::vector<Vec>& g) {
          elu_backward(g[0].data(), dy.data(), x.data(), 1.3, n);
        });
  }
  SECTION("sigmoid") {
    Vec wide = {-40.0, -3.0, -0.5, 0.0, 0.5, 3.0, 40.0};
    const int64_t m = static_cast<int64_t>(wide.size());
    Vec y(m);
    check_jacobian(
        {{"x", &wide}},
        [&] {
          sigmoid_forward(y.data(), wide.data(), m);
          return y;
        },
        [&](const Vec& dy, std::vector<Vec>& g) {
          sigmoid_forward(y.data(), wide.data(), m);
          sigmoid_backward(g[0].data(), dy.data(), y.data(), m);
        });
  }
}

TEST_CASE("gelu matches the exact erf form at known points", "[ops]") {
  // PyTorch: F.gelu(torch.tensor([-1., 0.5, 2.], dtype=torch.float64))
  Vec x = {-1.0, 0.5, 2.0}, y(3);
  gelu_forward(y.data(), x.data(), 3);
  CHECK(y[0] == Approx(-0.15865525393145707).epsilon(1e-14));
  CHECK(y[1] == Approx(0.34573123063700656).epsilon(1e-14));
  CHECK(y[2] == Approx(1.9544997361036416).epsilon(1e-14));
}

TEST_CASE("dropout gradient and mask statistics", "[grad]") {
  Rng rng(8);
  const int64_t n = 40;
  Vec x = random_vec(n, rng);
  const uint64_t key = 99;
  check_jacobian(
      {{"x", &x}},
      [&] {
        Vec y(n);
        dropout_forward(y.data(), x.data(), key, 0.3, n);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        dropout_backward(g[0].data(), dy.data(), key, 0.3, n);
      });
  // About p of a large tensor is dropped, the rest scaled by 1/(1 − p).
  const int64_t big = 200000;
  std::vector<float> ones(big, 1.0f), out(big);
  dropout_forward(out.data(), ones.data(), key, 0.3f, big);
  int64_t dropped = 0;
  for (float v : out) {
    if (v == 0.0f)
      ++dropped;
    else
      REQUIRE(v == Approx(1.0f / 0.7f));
  }
  CHECK(static_cast<double>(dropped) / big == Approx(0.3).margin(0.005));
}

TEST_CASE("conv1d circular gradient", "[grad]") {
  auto [B, L, Cin, Cout, K] = GENERATE(table<int64_t, int64_t, int64_t, int64_t, int64_t>(
      {{2, 5, 3, 4, 3}, {1, 1, 2, 2, 3}, {1, 2, 1, 1, 3}, {2, 4, 3, 2, 1}, {1, 6, 2, 3, 5}}));
  const Conv1dDims d{B, L, Cin, Cout, K};
  Rng rng(9);
  Vec x = random_vec(B * L * Cin, rng), w = random_vec(Cout * Cin * K, rng),
      b = random_vec(Cout, rng);
  Vec cols(B * L * Cin * K), dcols(B * L * Cin * K);
  check_jacobian(
      {{"x", &x}, {"w", &w}, {"b", &b}},
      [&] {
        Vec y(B * L * Cout);
        conv1d_forward(y.data(), cols.data(), x.data(), w.data(), b.data(), d);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        Vec y(B * L * Cout);
        conv1d_forward(y.data(), cols.data(), x.data(), w.data(), b.data(), d);
        conv1d_backward(g[0].data(), g[1].data(), g[2].data(), dcols.data(), dy.data(), x.data(),
                        cols.data(), w.data(), d);
      });
}

TEST_CASE("sinusoidal position embedding values and gradient", "[grad]") {
  const int64_t B = 2, L = 3, D = 4;
  Vec pe(L * D);
  sinusoidal_table(pe.data(), L, D);
  // PE[l, 2i] = sin(l / 10000^(2i/D)), PE[l, 2i+1] = cos(...)
  CHECK(pe[0 * D + 0] == 0.0);
  CHECK(pe[0 * D + 1] == 1.0);
  CHECK(pe[2 * D + 0] == Approx(std::sin(2.0)));
  CHECK(pe[2 * D + 3] == Approx(std::cos(2.0 / 100.0)));
  Rng rng(10);
  Vec x = random_vec(B * L * D, rng);
  check_jacobian(
      {{"x", &x}},
      [&] {
        Vec y(B * L * D);
        add_position_forward(y.data(), x.data(), pe.data(), B, L, D);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        add_backward<double>(g[0].data(), nullptr, dy.data(), B * L * D);
      });
}

TEST_CASE("softmax gradient", "[grad]") {
  auto [R, C] = GENERATE(table<int64_t, int64_t>({{3, 4}, {1, 1}, {2, 1}, {1, 5}}));
  Rng rng(11);
  Vec x = random_vec(R * C, rng, -3, 3), y(R * C);
  check_jacobian(
      {{"x", &x}},
      [&] {
        softmax_forward(y.data(), x.data(), R, C);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        softmax_forward(y.data(), x.data(), R, C);
        softmax_backward(g[0].data(), dy.data(), y.data(), R, C);
      });
}

TEST_CASE("cross-entropy gradient and value", "[grad]") {
  auto [N, C] = GENERATE(table<int64_t, int64_t>({{3, 4}, {1, 1}, {1, 3}}));
  Rng rng(12);
  Vec z = random_vec(N * C, rng, -2, 2), probs(N * C);
  std::vector<int32_t> labels(N);
  for (int64_t n = 0; n < N; ++n) labels[n] = static_cast<int32_t>(n % C);
  check_jacobian(
      {{"logits", &z}},
      [&] { return Vec{cross_entropy_forward(probs.data(), z.data(), labels.data(), N, C)}; },
      [&](const Vec& dy, std::vector<Vec>& g) {
        cross_entropy_forward(probs.data(), z.data(), labels.data(), N, C);
        cross_entropy_backward(g[0].data(), dy[0], probs.data(), labels.data(), N, C);
      });
  // Huge logits stay finite: the max is subtracted before exp.
  Vec big = {1000.0, -1000.0}, p(2);
  int32_t label = 1;
  CHECK(cross_entropy_forward(p.data(), big.data(), &label, 1, 2) == Approx(2000.0));
}

TEST_CASE("mse and mae gradients", "[grad]") {
  Rng rng(13);
  Vec p = random_vec(6, rng), y = random_vec(6, rng);
  check_jacobian(
      {{"pred", &p}, {"target", &y}}, [&] { return Vec{mse_forward(p.data(), y.data(), 6)}; },
      [&](const Vec& dy, std::vector<Vec>& g) {
        mse_backward(g[0].data(), g[1].data(), dy[0], p.data(), y.data(), 6);
      });
  check_jacobian(
      {{"pred", &p}, {"target", &y}}, [&] { return Vec{mae_forward(p.data(), y.data(), 6)}; },
      [&](const Vec& dy, std::vector<Vec>& g) {
        mae_backward(g[0].data(), g[1].data(), dy[0], p.data(), y.data(), 6);
      });
}

TEST_CASE("slice gradient", "[grad]") {
  auto [outer, n, inner, start, length] =
      GENERATE(table<int64_t, int64_t, int64_t, int64_t, int64_t>(
          {{2, 5, 3, 1, 3}, {1, 4, 1, 3, 1}, {3, 2, 2, 0, 2}}));
  Rng rng(14);
  Vec x = random_vec(outer * n * inner, rng);
  check_jacobian(
      {{"x", &x}},
      [&] {
        Vec y(outer * length * inner);
        slice_forward(y.data(), x.data(), outer, n, inner, start, length);
        return y;
      },
      [&](const Vec& dy, std::vector<Vec>& g) {
        slice_backward(g[0].data(), dy.data(), outer, n, inner, start, length);
      });
}
