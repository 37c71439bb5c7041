// Layer normalisation over the last dimension, with affine weight γ and bias β.
#pragma once

#include <algorithm>
#include <cmath>

#include "core/tape.h"

namespace eaf {

// y: [R, C]  x: [R, C]  gamma, beta: [C]  mean, rstd: [R] (saved for backward)
template <class T>
void layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, int64_t R,
                       int64_t C, T eps) {
#pragma omp parallel for schedule(static) if (R * C > 16384)
  for (int64_t r = 0; r < R; ++r) {
    const T* xr = x + r * C;
    // simd reductions: a sequential float sum is one add per 4 cycles; the vector
    // order is fixed by the binary, so results stay deterministic.
    T mu = 0;
#pragma omp simd reduction(+ : mu)
    for (int64_t c = 0; c < C; ++c) mu += xr[c];
    mu /= static_cast<T>(C);
    T var = 0;  // biased variance, as PyTorch
#pragma omp simd reduction(+ : var)
    for (int64_t c = 0; c < C; ++c) var += (xr[c] - mu) * (xr[c] - mu);
    var /= static_cast<T>(C);
    const T rs = T(1) / std::sqrt(var + eps);
    T* yr = y + r * C;
    for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

// x̂ = (x − μ)·rstd, y = x̂·γ + β. With g = dy·γ (per element of a row):
//   dx = rstd · (g − mean(g) − x̂ · mean(g·x̂))
//   dγ += Σ_rows dy·x̂,   dβ += Σ_rows dy
// dγ, dβ are summed over rows column by column, so the order is fixed whatever the
// thread count.
template <class T>
void layernorm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                        const T* rstd, const T* gamma, int64_t R, int64_t C) {
  if (dx) {
#pragma omp parallel for schedule(static) if (R * C > 16384)
    for (int64_t r = 0; r < R; ++r) {
      const T* xr = x + r * C;
      const T* dyr = dy + r * C;
      T mean_g = 0, mean_gx = 0;
#pragma omp simd reduction(+ : mean_g, mean_gx)
      for (int64_t c = 0; c < C; ++c) {
        const T g = dyr[c] * gamma[c];
        mean_g += g;
        mean_gx += g * (xr[c] - mean[r]) * rstd[r];
      }
      mean_g /= static_cast<T>(C);
      mean_gx /= static_cast<T>(C);
      T* dxr = dx + r * C;
      for (int64_t c = 0; c < C; ++c) {
        const T xhat = (xr[c] - mean[r]) * rstd[r];
        dxr[c] += rstd[r] * (dyr[c] * gamma[c] - mean_g - xhat * mean_gx);
      }
    }
  }
  if (dgamma || dbeta) {
    constexpr int64_t kBlock = 16;
#pragma omp parallel for schedule(static) if (R * C > 16384)
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t c1 = std::min(C, c0 + kBlock);
      for (int64_t r = 0; r < R; ++r)
        for (int64_t c = c0; c < c1; ++c) {
          const T g = dy[r * C + c];
          if (dgamma) dgamma[c] += g * (x[r * C + c] - mean[r]) * rstd[r];
          if (dbeta) dbeta[c] += g;
        }
    }
  }
}

// x: [..., C], gamma/beta: [C]
Var layernorm(Tape& t, Var x, Var gamma, Var beta, float eps = 1e-5f);

}  // namespace eaf
