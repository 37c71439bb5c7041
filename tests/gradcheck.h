// Full-Jacobian gradient check for a forward/backward kernel pair in float64.
//
// The analytic Jacobian is built row by row: for every output o, backward is called
// with dy = e_o into gradient buffers pre-filled with random values, and the row is
// what backward added (this also checks that backward accumulates with +=). The
// numeric Jacobian comes from central differences, column by column. Every entry must
// satisfy |analytic − numeric| ≤ rtol·max(|analytic|, |numeric|) + atol.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/parameter.h"
#include "core/rng.h"
#include "core/tape.h"

namespace eaf::test {

using Vec = std::vector<double>;

struct GradInput {
  std::string name;
  Vec* value;
};

struct GradCheckOptions {
  double h = 1e-5;
  double rtol = 1e-6;
  double atol = 1e-8;
};

inline Vec random_vec(size_t n, Rng& rng, double lo = -1.0, double hi = 1.0) {
  Vec v(n);
  for (double& x : v) x = rng.uniform(lo, hi);
  return v;
}

// forward(): outputs for the current input values.
// backward(dy, grads): grads[i] += (∂y/∂input_i)ᵀ dy.
inline void check_jacobian(const std::vector<GradInput>& inputs,
                           const std::function<Vec()>& forward,
                           const std::function<void(const Vec&, std::vector<Vec>&)>& backward,
                           GradCheckOptions opt = {}) {
  const Vec y0 = forward();
  const size_t n_out = y0.size();
  REQUIRE(n_out > 0);
  Rng rng(12345);

  // analytic[i][o * n_i + k] = ∂y_o / ∂input_i[k]
  std::vector<Vec> analytic(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) analytic[i].assign(n_out * inputs[i].value->size(), 0);
  for (size_t o = 0; o < n_out; ++o) {
    Vec dy(n_out, 0.0);
    dy[o] = 1.0;
    std::vector<Vec> grads, offsets;
    for (const GradInput& in : inputs) {
      offsets.push_back(random_vec(in.value->size(), rng));
      grads.push_back(offsets.back());
    }
    backward(dy, grads);
    for (size_t i = 0; i < inputs.size(); ++i)
      for (size_t k = 0; k < grads[i].size(); ++k)
        analytic[i][o * grads[i].size() + k] = grads[i][k] - offsets[i][k];
  }

  size_t failures = 0, checked = 0;
  double worst = 0.0;
  std::ostringstream report;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Vec& x = *inputs[i].value;
    for (size_t k = 0; k < x.size(); ++k) {
      const double saved = x[k];
      x[k] = saved + opt.h;
      const Vec yp = forward();
      x[k] = saved - opt.h;
      const Vec ym = forward();
      x[k] = saved;
      for (size_t o = 0; o < n_out; ++o) {
        const double num = (yp[o] - ym[o]) / (2 * opt.h);
        const double ana = analytic[i][o * x.size() + k];
        const double err = std::abs(ana - num);
        const double allowed = opt.rtol * std::max(std::abs(ana), std::abs(num)) + opt.atol;
        ++checked;
        worst = std::max(worst, err / allowed);
        if (err > allowed && failures++ < 5)
          report << "  d y[" << o << "] / d " << inputs[i].name << "[" << k << "]: analytic " << ana
                 << ", numeric " << num << "\n";
      }
    }
  }
  const Vec y1 = forward();
  for (size_t o = 0; o < n_out; ++o) REQUIRE(y1[o] == y0[o]);  // inputs were restored
  INFO("entries checked: " << checked << ", worst error / allowed: " << worst << "\n"
                           << report.str());
  CHECK(checked > 0);
  CHECK(failures == 0);
}

// Float32 spot check of the gradients a backward left in p->grad: at every step(n)-th
// element of each parameter (n its size), the central difference of `loss` (h = 1e-2,
// evaluated without recording) must satisfy |numeric − analytic| ≤ 2e-2·max + 2e-4.
// Mismatches are reported through UNSCOPED_INFO, prefixed by `label`.
struct SpotCheck {
  int checked = 0, bad = 0;
};
inline SpotCheck spot_check_gradients(Tape& t, const std::vector<Parameter*>& params,
                                      const std::function<double()>& loss,
                                      const std::function<int64_t(int64_t)>& step,
                                      const std::string& label) {
  SpotCheck r;
  const float h = 1e-2f;
  for (Parameter* p : params)
    for (int64_t k = 0; k < p->numel(); k += step(p->numel())) {
      const float saved = p->value[k];
      NoGradGuard ng(t);
      p->value[k] = saved + h;
      const double lp = loss();
      p->value[k] = saved - h;
      const double lm = loss();
      p->value[k] = saved;
      const double num = (lp - lm) / (2 * h), ana = p->grad[k];
      ++r.checked;
      if (std::abs(num - ana) > 2e-2 * std::max(std::abs(num), std::abs(ana)) + 2e-4) {
        ++r.bad;
        UNSCOPED_INFO(label << p->name << "[" << k << "]: analytic " << ana << " numeric " << num);
      }
    }
  return r;
}

// Padding mask [B, L]: sample b has lengths[b] real steps.
inline Vec padding_mask(int64_t B, int64_t L, const std::vector<int64_t>& lengths) {
  Vec m(B * L, 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t l = 0; l < lengths[b]; ++l) m[b * L + l] = 1.0;
  return m;
}

template <class T>
std::vector<T> to(const Vec& v) {
  return std::vector<T>(v.begin(), v.end());
}

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
  return worst;
}

}  // namespace eaf::test
