// Softmax self-attention (SA), multi-head: the paper's quadratic baseline.
//
// q: [B, Lq, H·E], k, v: [B, Lk, H·E]; head h uses channels [h·E, (h+1)·E).
//   P_h = softmax(Q_h K_hᵀ / √E + masks),  Y_h = dropout(P_h) V_h
// The probabilities P: [B, H, Lq, Lk] are stored for backward — the L×L memory the
// paper measures. Both products go through oneDNN (gemm), reading the heads in place
// through leading dimensions (row stride H·E, head stride E): no transposes.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"
#include "core/simd_math.h"

namespace eaf {

struct SaDims {
  int64_t B, Lq, Lk, H, E;
  bool causal;
  float dropout;  // on P, training only (0 = off)
  uint64_t key;   // dropout key
  int64_t D() const { return H * E; }
};

namespace sa_detail {
// Q_h K_hᵀ for every head of batch element b into P_b: [H, Lq, Lk].
template <class T>
void scores(T* Pb, const T* qb, const T* kb, const SaDims& d) {
  GemmDims g;
  g.batch = d.H, g.M = d.Lq, g.N = d.Lk, g.K = d.E, g.trans_b = true;
  g.lda = d.D(), g.ldb = d.D(), g.stride_a = d.E, g.stride_b = d.E;
  gemm(g, qb, kb, Pb);
}

// Keep-scale of P's dropout for entry (b, h, i, j): 0 or 1/(1 − p).
template <class T>
inline T keep(const SaDims& d, int64_t flat) {
  return uniform01(d.key, static_cast<uint64_t>(flat)) >= d.dropout ? T(1) / T(1 - d.dropout)
                                                                    : T(0);
}
}  // namespace sa_detail

// y: [B, Lq, D]  P: [B, H, Lq, Lk] (saved)  dropped: [H, Lq, Lk] workspace (dropout only)
template <class T>
void sa_forward(T* y, T* P, T* dropped, const T* q, const T* k, const T* v, const T* mask,
                const SaDims& d) {
  const T scale = T(1) / std::sqrt(static_cast<T>(d.E));
  const int64_t plane = d.Lq * d.Lk;
  for (int64_t b = 0; b < d.B; ++b) {
    T* Pb = P + b * d.H * plane;
    sa_detail::scores(Pb, q + b * d.Lq * d.D(), k + b * d.Lk * d.D(), d);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t i = 0; i < d.Lq; ++i) {
        T* row = Pb + (h * d.Lq + i) * d.Lk;
        const int64_t jend = d.causal ? i + 1 : d.Lk;
        // Row loops are simd reductions (vector exp, max and sum): the scalar versions
        // were a third of an SA training step at L = 96. Masked entries never reach exp:
        // libmvec's expf takes a slow scalar path for a vector holding -inf, which made
        // exp half of a causal step at L = 768.
        constexpr T kMasked = -std::numeric_limits<T>::infinity();
        T mx = kMasked;
#pragma omp simd reduction(max : mx)
        for (int64_t j = 0; j < jend; ++j) {
          const bool ok = !mask || mask[b * d.Lk + j] != T(0);
          row[j] = ok ? row[j] * scale : kMasked;
          mx = std::max(mx, row[j]);
        }
        for (int64_t j = jend; j < d.Lk; ++j) row[j] = T(0);
        if (std::isinf(mx)) {  // no valid key: output 0
          for (int64_t j = 0; j < jend; ++j) row[j] = T(0);
        } else {
          T sum = 0;
#pragma omp simd reduction(+ : sum)
          for (int64_t j = 0; j < jend; ++j) {
            const bool ok = row[j] != kMasked;
            const T e = std::exp(ok ? row[j] - mx : T(0));
            row[j] = ok ? e : T(0);
            sum += row[j];
          }
          const T inv = T(1) / sum;
#pragma omp simd
          for (int64_t j = 0; j < jend; ++j) row[j] *= inv;
        }
        if (d.dropout > 0) {  // while the row is in cache: one pass over P fewer
          const int64_t at = (h * d.Lq + i) * d.Lk;
#pragma omp simd
          for (int64_t j = 0; j < jend; ++j)
            dropped[at + j] = row[j] * sa_detail::keep<T>(d, b * d.H * plane + at + j);
          for (int64_t j = jend; j < d.Lk; ++j) dropped[at + j] = T(0);
        }
      }
    const T* Pv = d.dropout > 0 ? dropped : Pb;
    GemmDims g;  // Y_h = P_h V_h, written into the head's channels of y
    g.batch = d.H, g.M = d.Lq, g.N = d.E, g.K = d.Lk;
    g.ldb = d.D(), g.ldc = d.D(), g.stride_b = d.E, g.stride_c = d.E;
    gemm(g, Pv, v + b * d.Lk * d.D(), y + b * d.Lq * d.D());
  }
}

// With P̃ = dropout(P) and G = dY:
//   dV_h += P̃_hᵀ G_h
//   dP̃ = G_h V_hᵀ,  dP = dP̃ ⊙ keep
//   dS = P ⊙ (dP − rowsum(dP ⊙ P))       (softmax backward; masked entries have P = 0)
//   dQ_h += (dS/√E) K_h,  dK_h += (dS/√E)ᵀ Q_h
// work1, work2: [H, Lq, Lk] workspaces (work2 only with dropout). Any of dq, dk, dv may
// be null.
template <class T>
void sa_backward(T* dq, T* dk, T* dv, T* work1, T* work2, const T* dy, const T* P, const T* q,
                 const T* k, const T* v, const SaDims& d) {
  const T scale = T(1) / std::sqrt(static_cast<T>(d.E));
  const int64_t plane = d.Lq * d.Lk, n = d.H * plane;
  for (int64_t b = 0; b < d.B; ++b) {
    const T* Pb = P + b * n;
    const T* dyb = dy + b * d.Lq * d.D();
    if (dv) {
      const T* Pv = Pb;
      if (d.dropout > 0) {
#pragma omp parallel for simd schedule(static)
        for (int64_t x = 0; x < n; ++x) work2[x] = Pb[x] * sa_detail::keep<T>(d, b * n + x);
        Pv = work2;
      }
      GemmDims g;
      g.batch = d.H, g.M = d.Lk, g.N = d.E, g.K = d.Lq, g.trans_a = true, g.accumulate = true;
      g.lda = d.Lk, g.ldb = d.D(), g.ldc = d.D(), g.stride_a = plane, g.stride_b = d.E,
      g.stride_c = d.E;
      gemm(g, Pv, dyb, dv + b * d.Lk * d.D());
    }
    if (!dq && !dk) continue;
    {
      GemmDims g;  // dP̃ = G V^T
      g.batch = d.H, g.M = d.Lq, g.N = d.Lk, g.K = d.E, g.trans_b = true;
      g.lda = d.D(), g.ldb = d.D(), g.stride_a = d.E, g.stride_b = d.E;
      gemm(g, dyb, v + b * d.Lk * d.D(), work1);
    }
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < d.H * d.Lq; ++r) {
      T* dp = work1 + r * d.Lk;
      const T* p = Pb + r * d.Lk;
      const int64_t jend = d.causal ? r % d.Lq + 1 : d.Lk;  // P = 0 beyond: so is dS
      if (d.dropout > 0)
#pragma omp simd
        for (int64_t j = 0; j < jend; ++j) dp[j] *= sa_detail::keep<T>(d, b * n + r * d.Lk + j);
      T dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j < jend; ++j) dot += dp[j] * p[j];
#pragma omp simd
      for (int64_t j = 0; j < jend; ++j) dp[j] = p[j] * (dp[j] - dot) * scale;
      for (int64_t j = jend; j < d.Lk; ++j) dp[j] = T(0);
    }
    if (dq) {
      GemmDims g;
      g.batch = d.H, g.M = d.Lq, g.N = d.E, g.K = d.Lk, g.accumulate = true;
      g.ldb = d.D(), g.ldc = d.D(), g.stride_b = d.E, g.stride_c = d.E;
      gemm(g, work1, k + b * d.Lk * d.D(), dq + b * d.Lq * d.D());
    }
    if (dk) {
      GemmDims g;
      g.batch = d.H, g.M = d.Lk, g.N = d.E, g.K = d.Lq, g.trans_a = true, g.accumulate = true;
      g.lda = d.Lk, g.ldb = d.D(), g.ldc = d.D(), g.stride_a = plane, g.stride_b = d.E,
      g.stride_c = d.E;
      gemm(g, work1, q + b * d.Lq * d.D(), dk + b * d.Lk * d.D());
    }
  }
}

// KV cache for token-by-token causal inference: O(position·D) per token.
template <class T>
struct SaKvCache {
  int64_t B, H, E, capacity, length = 0;
  std::vector<T> K, V;    // [B, capacity, D] each
  std::vector<T> scores;  // [B·H, capacity] scratch, so a step allocates nothing
  SaKvCache(int64_t B_, int64_t H_, int64_t E_, int64_t capacity_)
      : B(B_),
        H(H_),
        E(E_),
        capacity(capacity_),
        K(B_ * capacity_ * H_ * E_),
        V(K.size()),
        scores(B_ * H_ * capacity_) {}
};

template <class T>
void sa_step(T* y, SaKvCache<T>& c, const T* q, const T* k, const T* v) {
  if (c.length >= c.capacity) throw std::length_error("SA KV cache is full");
  const int64_t D = c.H * c.E, pos = c.length;
  for (int64_t b = 0; b < c.B; ++b)
    for (int64_t x = 0; x < D; ++x) {
      c.K[(b * c.capacity + pos) * D + x] = k[b * D + x];
      c.V[(b * c.capacity + pos) * D + x] = v[b * D + x];
    }
  c.length = pos + 1;
  const T scale = T(1) / std::sqrt(static_cast<T>(c.E));
  const int64_t L = c.length;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < c.B; ++b)
    for (int64_t h = 0; h < c.H; ++h) {
      T* s = c.scores.data() + (b * c.H + h) * c.capacity;
      const T* qh = q + b * D + h * c.E;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < L; ++j) {
        const T* kj = c.K.data() + (b * c.capacity + j) * D + h * c.E;
        T acc = 0;
        for (int64_t e = 0; e < c.E; ++e) acc += qh[e] * kj[e];
        s[j] = acc * scale;
        mx = std::max(mx, s[j]);
      }
      T sum = 0;
      for (int64_t j = 0; j < L; ++j) sum += (s[j] = std::exp(s[j] - mx));
      T* yh = y + b * D + h * c.E;
      for (int64_t e = 0; e < c.E; ++e) yh[e] = 0;
      for (int64_t j = 0; j < L; ++j) {
        const T* vj = c.V.data() + (b * c.capacity + j) * D + h * c.E;
        const T p = s[j] / sum;
        for (int64_t e = 0; e < c.E; ++e) yh[e] += p * vj[e];
      }
    }
}

// Plain loops, the oracle (no dropout).
template <class T>
void sa_forward_naive(T* y, const T* q, const T* k, const T* v, const T* mask, const SaDims& d) {
  const T scale = T(1) / std::sqrt(static_cast<T>(d.E));
  const int64_t D = d.D();
  std::vector<T> s(d.Lk);
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t i = 0; i < d.Lq; ++i) {
        // Row loops are simd reductions (vector exp, max and sum): the scalar versions
        // were a third of an SA training step at L = 96.
        T mx = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : mx)
        for (int64_t j = 0; j < d.Lk; ++j) {
          const bool ok = (!d.causal || j <= i) && (!mask || mask[b * d.Lk + j] != T(0));
          T acc = 0;
          for (int64_t e = 0; e < d.E; ++e)
            acc += q[(b * d.Lq + i) * D + h * d.E + e] * k[(b * d.Lk + j) * D + h * d.E + e];
          s[j] = ok ? acc * scale : -std::numeric_limits<T>::infinity();
          mx = std::max(mx, s[j]);
        }
        for (int64_t e = 0; e < d.E; ++e) y[(b * d.Lq + i) * D + h * d.E + e] = 0;
        if (std::isinf(mx)) continue;
        T sum = 0;
        for (int64_t j = 0; j < d.Lk; ++j) sum += std::exp(s[j] - mx);
        for (int64_t j = 0; j < d.Lk; ++j) {
          const T p = std::exp(s[j] - mx) / sum;
          for (int64_t e = 0; e < d.E; ++e)
            y[(b * d.Lq + i) * D + h * d.E + e] += p * v[(b * d.Lk + j) * D + h * d.E + e];
        }
      }
}

}  // namespace eaf
