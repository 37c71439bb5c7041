// Softmax over the last dimension.
#pragma once

#include <cmath>

#include "core/tape.h"

namespace eaf {

// y: [R, C]; the row maximum is subtracted first so exp never overflows.
template <class T>
void softmax_forward(T* y, const T* x, int64_t R, int64_t C) {
#pragma omp parallel for schedule(static) if (R * C > 16384)
  for (int64_t r = 0; r < R; ++r) {
    const T* xr = x + r * C;
    T* yr = y + r * C;
    T mx = xr[0];
    for (int64_t c = 1; c < C; ++c) mx = xr[c] > mx ? xr[c] : mx;
    T sum = 0;
    for (int64_t c = 0; c < C; ++c) sum += (yr[c] = std::exp(xr[c] - mx));
    for (int64_t c = 0; c < C; ++c) yr[c] /= sum;
  }
}

// ∂y_c/∂x_k = y_c(δ_ck − y_k), so dx_k += y_k·(dy_k − Σ_c dy_c·y_c)
template <class T>
void softmax_backward(T* dx, const T* dy, const T* y, int64_t R, int64_t C) {
#pragma omp parallel for schedule(static) if (R * C > 16384)
  for (int64_t r = 0; r < R; ++r) {
    const T* yr = y + r * C;
    const T* dyr = dy + r * C;
    T dot = 0;
    for (int64_t c = 0; c < C; ++c) dot += dyr[c] * yr[c];
    for (int64_t c = 0; c < C; ++c) dx[r * C + c] += yr[c] * (dyr[c] - dot);
  }
}

Var softmax(Tape& t, Var x);

}  // namespace eaf
