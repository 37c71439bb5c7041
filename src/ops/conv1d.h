// 1-D convolution over time with circular padding, channels last.
//
// x: [B, L, Cin], weight: [Cout, Cin, K] (PyTorch layout), K odd, padding (K−1)/2 on
// each side, wrapping around the sequence (TSL's TokenEmbedding: K = 3). With K = 1
// it is a per-step linear map (the FFN's "1×1 convolutions").
//
// The optimised path is im2col + GEMM: cols[b, l, c·K + k] = x[b, (l + k − pad) mod L, c],
// then y = cols · Wᵀ (+ bias), which is exactly linear_forward on [B·L, Cin·K].
#pragma once

#include <algorithm>

#include "core/tape.h"
#include "ops/linear.h"

namespace eaf {

struct Conv1dDims {
  int64_t B, L, Cin, Cout, K;
  int64_t pad() const { return (K - 1) / 2; }
  int64_t source_step(int64_t l, int64_t k) const { return ((l + k - pad()) % L + L) % L; }
};

// cols: [B, L, Cin·K]
template <class T>
void conv1d_im2col(T* cols, const T* x, const Conv1dDims& d) {
#pragma omp parallel for collapse(2) schedule(static) if (d.B * d.L * d.Cin * d.K > 65536)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t l = 0; l < d.L; ++l) {
      T* row = cols + (b * d.L + l) * d.Cin * d.K;
      for (int64_t c = 0; c < d.Cin; ++c)
        for (int64_t k = 0; k < d.K; ++k)
          row[c * d.K + k] = x[(b * d.L + d.source_step(l, k)) * d.Cin + c];
    }
}

// Adjoint of im2col: every copy made in forward sends its gradient back.
// One thread per batch element, so no two threads touch the same dx entry.
template <class T>
void conv1d_col2im(T* dx, const T* dcols, const Conv1dDims& d) {
#pragma omp parallel for schedule(static) if (d.B * d.L * d.Cin * d.K > 65536)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t l = 0; l < d.L; ++l) {
      const T* row = dcols + (b * d.L + l) * d.Cin * d.K;
      for (int64_t c = 0; c < d.Cin; ++c)
        for (int64_t k = 0; k < d.K; ++k)
          dx[(b * d.L + d.source_step(l, k)) * d.Cin + c] += row[c * d.K + k];
    }
}

// y: [B, L, Cout]  cols: [B, L, Cin·K] workspace, kept for backward (null if K = 1)
template <class T>
void conv1d_forward(T* y, T* cols, const T* x, const T* w, const T* bias, const Conv1dDims& d) {
  const T* src = x;
  if (d.K != 1) {
    conv1d_im2col(cols, x, d);
    src = cols;
  }
  linear_forward(y, src, w, bias, d.B * d.L, d.Cin * d.K, d.Cout);
}

// y = cols·Wᵀ + b is a linear map of cols, and cols is a gather of x, so
//   dcols = dy·W,  dx += col2im(dcols),  dW += dyᵀ·cols,  db += Σ dy
// dcols_workspace: [B, L, Cin·K], needed when dx is wanted and K ≠ 1.
template <class T>
void conv1d_backward(T* dx, T* dw, T* dbias, T* dcols_workspace, const T* dy, const T* x,
                     const T* cols, const T* w, const Conv1dDims& d) {
  const T* src = d.K == 1 ? x : cols;
  if (d.K == 1) {
    linear_backward(dx, dw, dbias, dy, src, w, d.B * d.L, d.Cin, d.Cout);
    return;
  }
  T* dcols = nullptr;
  if (dx) {
    dcols = dcols_workspace;
    std::fill(dcols, dcols + d.B * d.L * d.Cin * d.K, T(0));
  }
  linear_backward(dcols, dw, dbias, dy, src, w, d.B * d.L, d.Cin * d.K, d.Cout);
  if (dx) conv1d_col2im(dx, dcols, d);
}

// Plain-loop twins: direct convolution, the oracle for the im2col path.
template <class T>
void conv1d_forward_naive(T* y, const T* x, const T* w, const T* bias, const Conv1dDims& d) {
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t l = 0; l < d.L; ++l)
      for (int64_t o = 0; o < d.Cout; ++o) {
        T acc = bias ? bias[o] : T(0);
        for (int64_t c = 0; c < d.Cin; ++c)
          for (int64_t k = 0; k < d.K; ++k)
            acc += w[(o * d.Cin + c) * d.K + k] * x[(b * d.L + d.source_step(l, k)) * d.Cin + c];
        y[(b * d.L + l) * d.Cout + o] = acc;
      }
}

template <class T>
void conv1d_backward_naive(T* dx, T* dw, T* dbias, const T* dy, const T* x, const T* w,
                           const Conv1dDims& d) {
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t l = 0; l < d.L; ++l)
      for (int64_t o = 0; o < d.Cout; ++o) {
        const T g = dy[(b * d.L + l) * d.Cout + o];
        if (dbias) dbias[o] += g;
        for (int64_t c = 0; c < d.Cin; ++c)
          for (int64_t k = 0; k < d.K; ++k) {
            const int64_t xi = (b * d.L + d.source_step(l, k)) * d.Cin + c;
            if (dx) dx[xi] += g * w[(o * d.Cin + c) * d.K + k];
            if (dw) dw[(o * d.Cin + c) * d.K + k] += g * x[xi];
          }
      }
}

// x: [B, L, Cin]  w: [Cout, Cin, K]  bias: [Cout] or invalid → [B, L, Cout]
Var conv1d_circular(Tape& t, Var x, Var w, Var bias);

}  // namespace eaf
