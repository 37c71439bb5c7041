// Element-wise arithmetic: add (residual connections), scale, multiplicative mask.
#pragma once

#include "core/tape.h"

namespace eaf {

// y = a + b (same shape)
template <class T>
void add_forward(T* y, const T* a, const T* b, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) y[k] = a[k] + b[k];
}
// dy/da = dy/db = 1:  da += dy,  db += dy
template <class T>
void add_backward(T* da, T* db, const T* dy, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) {
    if (da) da[k] += dy[k];
    if (db) db[k] += dy[k];
  }
}

// y = s·x
template <class T>
void scale_forward(T* y, const T* x, T s, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) y[k] = s * x[k];
}
// dx += s·dy
template <class T>
void scale_backward(T* dx, const T* dy, T s, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) dx[k] += s * dy[k];
}

// Row mask: y[r, c] = x[r, c]·m[r] for x: [R, C], m: [R] (e.g. a padding mask over
// [B·L] time steps broadcast across D channels).
template <class T>
void mask_forward(T* y, const T* x, const T* m, int64_t R, int64_t C) {
#pragma omp parallel for schedule(static) if (R * C > 65536)
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) y[r * C + c] = x[r * C + c] * m[r];
}
// The mask is data, not a parameter: dx[r, c] += dy[r, c]·m[r]
template <class T>
void mask_backward(T* dx, const T* dy, const T* m, int64_t R, int64_t C) {
#pragma omp parallel for schedule(static) if (R * C > 65536)
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) dx[r * C + c] += dy[r * C + c] * m[r];
}

// Backward of any node whose output equals its first input element by element (reshape
// views, adding a constant): dx += dy.
void identity_node_backward(Tape& t, const Node& n);

Var add(Tape& t, Var a, Var b);
Var scale(Tape& t, Var x, float s);
// x: [d0, ..., dk, C], mask: a constant whose numel is x's numel / C.
Var mask_rows(Tape& t, Var x, Var mask);

}  // namespace eaf
