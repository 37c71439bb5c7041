// Inverted dropout with a counter-based mask: element k is kept iff
// uniform01(key, k) ≥ p. The mask is a pure function of (key, k), so backward
// regenerates it instead of storing it, and it is the same for any thread count.
#pragma once

#include "core/rng.h"
#include "core/tape.h"

namespace eaf {

// y_k = x_k·m_k/(1 − p)
template <class T>
void dropout_forward(T* y, const T* x, uint64_t key, T p, int64_t n) {
  const T keep_scale = T(1) / (T(1) - p);
#pragma omp parallel for schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k)
    y[k] = uniform01(key, static_cast<uint64_t>(k)) >= static_cast<float>(p) ? x[k] * keep_scale
                                                                             : T(0);
}
// ∂y_k/∂x_k = m_k/(1 − p):  dx_k += dy_k·m_k/(1 − p)
template <class T>
void dropout_backward(T* dx, const T* dy, uint64_t key, T p, int64_t n) {
  const T keep_scale = T(1) / (T(1) - p);
#pragma omp parallel for schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k)
    if (uniform01(key, static_cast<uint64_t>(k)) >= static_cast<float>(p))
      dx[k] += dy[k] * keep_scale;
}

// In evaluation (training == false) or with p == 0 this returns x itself.
// The caller supplies a fresh key per call site and step (see Rng::fork).
Var dropout(Tape& t, Var x, float p, uint64_t key, bool training);

}  // namespace eaf
