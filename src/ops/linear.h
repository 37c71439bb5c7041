// Linear layer y = x W^T + b, PyTorch layout (W is [out, in]).
#pragma once

#include <algorithm>
#include <vector>

#include "core/gemm.h"
#include "core/tape.h"

namespace eaf {

// y: [N, O]  x: [N, I]  W: [O, I]  b: [O] or null
template <class T>
void linear_forward(T* y, const T* x, const T* W, const T* b, int64_t N, int64_t I, int64_t O) {
  GemmDims d;
  d.M = N, d.N = O, d.K = I, d.trans_b = true;
  gemm(d, x, W, y);
  if (b) {
#pragma omp parallel for schedule(static) if (N * O > 32768)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o) y[n * O + o] += b[o];
  }
}

// y_no = Σ_i x_ni W_oi + b_o, so
//   dx_ni += Σ_o dy_no W_oi      (dx += dy · W)
//   dW_oi += Σ_n dy_no x_ni      (dW += dy^T · x)
//   db_o  += Σ_n dy_no
// Any of dx, dW, db may be null (not wanted).
// db[o] += Σ_n dy[n, o]. Rows are summed in fixed blocks, each read contiguously, and
// the block sums are added in block order: the result does not depend on the thread count.
template <class T>
void bias_gradient(T* db, const T* dy, int64_t N, int64_t O) {
  constexpr int64_t kRows = 256;
  const int64_t blocks = (N + kRows - 1) / kRows;
  if (blocks <= 1 || O > 4096) {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o) db[o] += dy[n * O + o];
    return;
  }
  std::vector<T> partial(static_cast<size_t>(blocks * O), T(0));
#pragma omp parallel for schedule(static) if (N * O > 32768)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    T* acc = partial.data() + blk * O;
    for (int64_t n = blk * kRows; n < std::min(N, (blk + 1) * kRows); ++n)
#pragma omp simd
      for (int64_t o = 0; o < O; ++o) acc[o] += dy[n * O + o];
  }
  for (int64_t blk = 0; blk < blocks; ++blk)
    for (int64_t o = 0; o < O; ++o) db[o] += partial[blk * O + o];
}

template <class T>
void linear_backward(T* dx, T* dW, T* db, const T* dy, const T* x, const T* W, int64_t N, int64_t I,
                     int64_t O) {
  if (dx) {
    GemmDims d;
    d.M = N, d.N = I, d.K = O, d.accumulate = true;
    gemm(d, dy, W, dx);
  }
  if (dW) {
    GemmDims d;
    d.M = O, d.N = I, d.K = N, d.trans_a = true, d.accumulate = true;
    gemm(d, dy, x, dW);
  }
  if (db) bias_gradient(db, dy, N, O);
}

// Plain-loop twins: the oracle for the oneDNN path.
template <class T>
void linear_forward_naive(T* y, const T* x, const T* W, const T* b, int64_t N, int64_t I,
                          int64_t O) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      T acc = b ? b[o] : T(0);
      for (int64_t i = 0; i < I; ++i) acc += x[n * I + i] * W[o * I + i];
      y[n * O + o] = acc;
    }
}

template <class T>
void linear_backward_naive(T* dx, T* dW, T* db, const T* dy, const T* x, const T* W, int64_t N,
                           int64_t I, int64_t O) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      T g = dy[n * O + o];
      for (int64_t i = 0; i < I; ++i) {
        if (dx) dx[n * I + i] += g * W[o * I + i];
        if (dW) dW[o * I + i] += g * x[n * I + i];
      }
      if (db) db[o] += g;
    }
}

// x: [..., I]  w: [O, I]  b: [O] or invalid Var → y: [..., O]
Var linear(Tape& t, Var x, Var w, Var b);

}  // namespace eaf
