// Optimiser steps against values computed by hand from PyTorch's update rules.
#include <catch2/catch.hpp>
#include <cmath>

#include "train/optimizer.h"

using namespace eaf;

namespace {
// One scalar parameter p = 1 with the given gradient sequence.
std::vector<double> run(const std::string& name, OptimizerOptions opt,
                        const std::vector<float>& grads) {
  Parameter p("p", Shape{1});
  p.value[0] = 1.0f;
  auto o = make_optimizer(name, {&p}, opt);
  std::vector<double> out;
  for (float g : grads) {
    p.grad[0] = g;
    o->step();
    out.push_back(p.value[0]);
  }
  return out;
}
}  // namespace

TEST_CASE("SGD with momentum, dampening-free and nesterov", "[optim]") {
  OptimizerOptions o;
  o.lr = 0.1;
  // plain: p = 1 − 0.1·0.5 = 0.95
  CHECK(run("sgd", o, {0.5f})[0] == Approx(0.95));
  o.momentum = 0.9;
  // b1 = 0.5 → p = 0.95;  b2 = 0.9·0.5 + 0.5 = 0.95 → p = 0.95 − 0.095 = 0.855
  auto v = run("sgd", o, {0.5f, 0.5f});
  CHECK(v[0] == Approx(0.95));
  CHECK(v[1] == Approx(0.855));
  o.nesterov = true;
  // step 1: b = 0.5, g = 0.5 + 0.9·0.5 = 0.95 → p = 0.905
  CHECK(run("sgd", o, {0.5f})[0] == Approx(0.905));
  o = {};
  o.lr = 0.1;
  o.weight_decay = 0.1;
  // g = 0.5 + 0.1·1 = 0.6 → p = 0.94
  CHECK(run("sgd", o, {0.5f})[0] == Approx(0.94));
}

TEST_CASE("Adam and AdamW first steps", "[optim]") {
  OptimizerOptions o;
  o.lr = 0.1;
  // Step 1: m = 0.05, v = 0.00025; m̂ = 0.5, √v̂ = 0.5 → p = 1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.9
  auto v = run("adam", o, {0.5f, -1.0f});
  CHECK(v[0] == Approx(0.9).epsilon(1e-6));
  // Step 2: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 = 0.00124975
  // m̂ = −0.055/0.19 = −0.289474, v̂ = 0.00124975/0.001999 = 0.625188, √ = 0.790688
  // p = 0.9 + 0.1·0.289474/0.790688 = 0.936610
  CHECK(v[1] == Approx(0.936610).epsilon(1e-5));
  o.weight_decay = 0.5;
  // Adam (L2): g = 0.5 + 0.5 = 1 → still a unit step of lr: p = 0.9
  CHECK(run("adam", o, {0.5f})[0] == Approx(0.9).epsilon(1e-6));
  // AdamW: p = 1·(1 − 0.1·0.5) = 0.95, then − 0.1 → 0.85
  CHECK(run("adamw", o, {0.5f})[0] == Approx(0.85).epsilon(1e-6));
}

TEST_CASE("RAdam: plain momentum steps until the variance is trusted, then rectified", "[optim]") {
  OptimizerOptions o;
  o.lr = 0.1;
  // ρ∞ = 2/0.001 − 1 = 1999; ρ_t = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ) ≤ 5 for t ≤ 5 (ρ_5 ≈ 4.0, ρ_6 ≈ 5.0 …)
  std::vector<float> grads(7, 0.5f);
  auto v = run("radam", o, grads);
  // Constant gradient: m̂ = 0.5 exactly, so each unrectified step moves p by 0.05.
  CHECK(v[0] == Approx(0.95).epsilon(1e-6));
  CHECK(v[4] == Approx(0.75).epsilon(1e-5));
  // Find the first rectified step by hand.
  double p = 1.0;
  const double b2 = 0.999, rho_inf = 1999.0;
  for (int t = 1; t <= 7; ++t) {
    const double bc2 = 1 - std::pow(b2, t), rho = rho_inf - 2 * t * std::pow(b2, t) / bc2;
    if (rho > 5) {
      const double r =
          std::sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho));
      // v = 0.25·bc2 so √(bc2)/√v = 2 → step = lr·0.5·r·2 = lr·r
      p -= 0.1 * 0.5 * r * std::sqrt(bc2) / (std::sqrt(0.25 * bc2) + 1e-8);
    } else {
      p -= 0.1 * 0.5;
    }
    CHECK(v[t - 1] == Approx(p).epsilon(1e-5));
  }
}

TEST_CASE("gradient-norm clipping", "[optim]") {
  Parameter a("a", Shape{2}), b("b", Shape{1});
  a.grad = {3.0f, 0.0f};
  b.grad = {4.0f};
  // ‖g‖ = 5 > 1 → scaled by 1/(5 + 1e-6)
  CHECK(clip_grad_norm({&a, &b}, 1.0) == Approx(5.0));
  CHECK(a.grad[0] == Approx(0.6).epsilon(1e-6));
  CHECK(b.grad[0] == Approx(0.8).epsilon(1e-6));
  // Below the limit nothing changes.
  CHECK(clip_grad_norm({&a, &b}, 4.0) == Approx(1.0).epsilon(1e-5));
  CHECK(b.grad[0] == Approx(0.8).epsilon(1e-6));
  // A non-finite norm is reported, and gradients are left for the caller to inspect.
  b.grad = {std::nanf("")};
  CHECK_FALSE(std::isfinite(clip_grad_norm({&a, &b}, 1.0)));
}

TEST_CASE("unknown optimiser names are rejected", "[optim]") {
  Parameter p("p", Shape{1});
  CHECK_THROWS_WITH(make_optimizer("adagrad", {&p}, {}), Catch::Contains("adagrad"));
}
