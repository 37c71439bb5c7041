// Means and reshapes.
#pragma once

#include "core/tape.h"

namespace eaf {

// x viewed as [outer, n, inner]; y[o, i] = (1/n) Σ_k x[o, k, i]
template <class T>
void mean_axis_forward(T* y, const T* x, int64_t outer, int64_t n, int64_t inner) {
#pragma omp parallel for schedule(static) if (outer * n * inner > 65536)
  for (int64_t o = 0; o < outer; ++o) {
    T* yo = y + o * inner;
    for (int64_t i = 0; i < inner; ++i) yo[i] = 0;
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i) yo[i] += x[(o * n + k) * inner + i];
    for (int64_t i = 0; i < inner; ++i) yo[i] /= static_cast<T>(n);
  }
}
// ∂y[o,i]/∂x[o,k,i] = 1/n:  dx[o, k, i] += dy[o, i] / n
template <class T>
void mean_axis_backward(T* dx, const T* dy, int64_t outer, int64_t n, int64_t inner) {
#pragma omp parallel for schedule(static) if (outer * n * inner > 65536)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i)
        dx[(o * n + k) * inner + i] += dy[o * inner + i] / static_cast<T>(n);
}

// Mean over one axis (the axis disappears from the shape).
Var mean(Tape& t, Var x, int axis);
// Mean of all elements: a scalar of shape [1].
Var mean_all(Tape& t, Var x);
// Same data, new shape (a copy-free view); the gradient flows back unchanged.
Var reshape(Tape& t, Var x, Shape shape);
// Collapses dims start..end into one, e.g. [B, L, D] → [B, L·D] with start = 1.
Var flatten(Tape& t, Var x, int start_dim = 1);

}  // namespace eaf
