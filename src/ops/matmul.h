// Batched matrix product C[b] = op(A[b]) · op(B[b]), op = optional transpose.
#pragma once

#include "core/gemm.h"
#include "core/tape.h"

namespace eaf {

struct MatmulDims {
  int64_t batch, M, N, K;
  bool trans_a, trans_b;
};

// C: [batch, M, N]   A: [batch, M, K] ([batch, K, M] if trans_a)
// B: [batch, K, N] ([batch, N, K] if trans_b)
template <class T>
void matmul_forward(T* C, const T* A, const T* B, const MatmulDims& m) {
  GemmDims d;
  d.batch = m.batch, d.M = m.M, d.N = m.N, d.K = m.K, d.trans_a = m.trans_a, d.trans_b = m.trans_b;
  gemm(d, A, B, C);
}

// C = op(A) op(B), so d op(A) = dC op(B)^T and d op(B) = op(A)^T dC. Undoing op:
//   !trans_a: dA[M,K] += dC · op(B)^T     trans_a: dA[K,M] += op(B) · dC^T
//   !trans_b: dB[K,N] += op(A)^T · dC     trans_b: dB[N,K] += dC^T · op(A)
// op(B)^T is B read with the opposite transpose flag; likewise for A.
template <class T>
void matmul_backward(T* dA, T* dB, const T* dC, const T* A, const T* B, const MatmulDims& m) {
  GemmDims d;
  d.batch = m.batch, d.accumulate = true;
  if (dA) {
    if (!m.trans_a) {
      d.M = m.M, d.N = m.K, d.K = m.N, d.trans_a = false, d.trans_b = !m.trans_b;
      d.ldb = m.trans_b ? m.K : m.N;
      gemm(d, dC, B, dA);
    } else {
      d.M = m.K, d.N = m.M, d.K = m.N, d.trans_a = m.trans_b, d.trans_b = true;
      d.lda = m.trans_b ? m.K : m.N, d.ldb = m.N;
      gemm(d, B, dC, dA);
    }
  }
  d = GemmDims{};
  d.batch = m.batch, d.accumulate = true;
  if (dB) {
    if (!m.trans_b) {
      d.M = m.K, d.N = m.N, d.K = m.M, d.trans_a = !m.trans_a, d.trans_b = false;
      d.lda = m.trans_a ? m.M : m.K;
      gemm(d, A, dC, dB);
    } else {
      d.M = m.N, d.N = m.K, d.K = m.M, d.trans_a = true, d.trans_b = m.trans_a;
      d.lda = m.N, d.ldb = m.trans_a ? m.M : m.K;
      gemm(d, dC, A, dB);
    }
  }
}

// a: [batch, M, K] (or [batch, K, M] when trans_a), b likewise → [batch, M, N].
// Rank-2 inputs are treated as batch 1.
Var matmul(Tape& t, Var a, Var b, bool trans_a = false, bool trans_b = false);

}  // namespace eaf
