// Element-wise attention (EA): forward and backward kernels, parallel and recurrent.
//
// Per channel c (every channel is its own one-dimensional head), with Taylor order t:
//   y_ic = Σ_n a_n(q_ic) S_nc / Σ_n a_n(q_ic) Z_nc,    a_n(q) = (2q)ⁿ/n!
//   S_nc = Σ_j w_jc k_jcⁿ v_jc,  Z_nc = Σ_j w_jc k_jcⁿ,  w_jc = m_j·exp(s_c − k_jc²)
// m_j is the key padding mask. s_c is a shift that cancels between numerator and
// denominator; we take s_c = min_j k_jc² over the keys seen so far, so every weight is
// in (0, 1] and the nearest-to-zero key has weight 1: exp never underflows to an
// all-zero denominator. Because y does not depend on s, the backward treats s as a
// constant (its total derivative is zero).
//
// Numerical guarantee (tested): for even t ≤ 10, |q|, |k| ≤ 32 and L ≤ 8192, forward
// and backward produce no NaN or Inf in float32. The denominator is Σ_j w_j P_t(2qk_j)
// with P_t > 0 for even t, and the float error of the factorised sum is bounded by
// C_t·(t+1+L)·ε relative to it, with C_t = max_x P_t(|x|)/P_t(x) (≈ 440 at t = 10), so it
// stays positive. A query with no valid key (all masked, or before the first valid key
// in the causal form) gets y = 0 and no gradient.
//
// Layout: q: [B, Lq, D], k, v: [B, Lk, D], mask: [B, Lk] (1 = valid) or null.
// Kernels work on blocks of kBlock adjacent channels so the innermost loops run over
// contiguous channels and vectorise; (batch, channel block) pairs run in parallel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/key_mask.h"
#include "core/simd_math.h"
#include "core/workspace.h"

namespace eaf {

inline constexpr int kEaMaxOrder = 32;

struct EaDims {
  int64_t B, Lq, Lk, D;
  int order;
};

namespace ea_detail {
inline constexpr int64_t kBlock = 32;

// Key-side gradients of one key (channels [0, nc) of a block) given U = ∂L/∂S and
// W = ∂L/∂Z at the key's shift s:
//   dv += Σ_n U_n w kⁿ,  dk += Σ_n (U_n v + W_n)·w (n kⁿ⁻¹ − 2 kⁿ⁺¹),  w = exp(s − k²)
template <class T>
inline void key_gradients(T* dk, T* dv, const T (*U)[kBlock], const T (*W)[kBlock], const T* k,
                          const T* v, const T* s, int t, int64_t nc) {
  T gk[kBlock] = {}, gv[kBlock] = {}, kpow[kBlock], kprev[kBlock];
  for (int64_t c = 0; c < nc; ++c) {
    kpow[c] = T(1);   // kⁿ
    kprev[c] = T(0);  // n·kⁿ⁻¹
  }
  for (int n = 0; n <= t; ++n)
    for (int64_t c = 0; c < nc; ++c) {
      const T kn = kpow[c];
      gv[c] += U[n][c] * kn;
      gk[c] += (U[n][c] * v[c] + W[n][c]) * (kprev[c] - T(2) * kn * k[c]);
      kprev[c] = T(n + 1) * kn;
      kpow[c] = kn * k[c];
    }
  T w[kBlock];
#pragma omp simd
  for (int64_t c = 0; c < nc; ++c) w[c] = std::exp(s[c] - k[c] * k[c]);
  if (dv)
    for (int64_t c = 0; c < nc; ++c) dv[c] += w[c] * gv[c];
  if (dk)
    for (int64_t c = 0; c < nc; ++c) dk[c] += w[c] * gk[c];
}
}  // namespace ea_detail

inline void ea_check_order(int order) {
  if (order < 2 || order % 2 != 0 || order > kEaMaxOrder)
    throw std::invalid_argument("EA Taylor order must be even and in [2, " +
                                std::to_string(kEaMaxOrder) + "], got " + std::to_string(order));
}

// ---------------------------------------------------------------------------------
// Non-causal form: one pass over keys builds S, Z; one pass over queries reads them.
// Saved for backward: S, Z: [B, t+1, D], shift: [B, D].
template <class T>
void ea_forward(T* y, T* S, T* Z, T* shift, const T* q, const T* k, const T* v, const T* mask,
                const EaDims& d) {
  using namespace ea_detail;
  const int t = d.order;
  const int64_t D = d.D, blocks = (D + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t c0 = blk * kBlock, nc = std::min(kBlock, D - c0);
      T* Sb = S + b * (t + 1) * D + c0;
      T* Zb = Z + b * (t + 1) * D + c0;
      T s[kBlock];
      for (int64_t c = 0; c < nc; ++c) s[c] = std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < d.Lk; ++j) {
        if (!key_valid(mask, b, d.Lk, j)) continue;
        const T* kj = k + (b * d.Lk + j) * D + c0;
        for (int64_t c = 0; c < nc; ++c) s[c] = std::min(s[c], kj[c] * kj[c]);
      }
      for (int n = 0; n <= t; ++n)
        for (int64_t c = 0; c < nc; ++c) Sb[n * D + c] = Zb[n * D + c] = T(0);
      for (int64_t j = 0; j < d.Lk; ++j) {
        if (!key_valid(mask, b, d.Lk, j)) continue;
        const T* kj = k + (b * d.Lk + j) * D + c0;
        const T* vj = v + (b * d.Lk + j) * D + c0;
        T p[kBlock];  // w·kⁿ
#pragma omp simd
        for (int64_t c = 0; c < nc; ++c) p[c] = std::exp(s[c] - kj[c] * kj[c]);
        for (int n = 0; n <= t; ++n)
          for (int64_t c = 0; c < nc; ++c) {
            Zb[n * D + c] += p[c];
            Sb[n * D + c] += p[c] * vj[c];
            p[c] *= kj[c];
          }
      }
      for (int64_t c = 0; c < nc; ++c) shift[b * D + c0 + c] = s[c];
      for (int64_t i = 0; i < d.Lq; ++i) {
        const T* qi = q + (b * d.Lq + i) * D + c0;
        T* yi = y + (b * d.Lq + i) * D + c0;
        T num[kBlock] = {}, den[kBlock] = {}, a[kBlock];
        for (int64_t c = 0; c < nc; ++c) a[c] = T(1);
        for (int n = 0; n <= t; ++n)
          for (int64_t c = 0; c < nc; ++c) {
            num[c] += a[c] * Sb[n * D + c];
            den[c] += a[c] * Zb[n * D + c];
            a[c] *= T(2) * qi[c] / T(n + 1);
          }
        for (int64_t c = 0; c < nc; ++c) yi[c] = den[c] > T(0) ? num[c] / den[c] : T(0);
      }
    }
}

// Backward of the non-causal form. With N_i = Σ_n a_n(q_i) S_n, D_i = Σ_n a_n(q_i) Z_n,
// y_i = N_i/D_i and g_i = ∂L/∂y_i:
//   gN_i = g_i/D_i,  gD_i = −g_i·y_i/D_i
//   a_n'(q) = 2·a_{n−1}(q)  ⇒  dq_i += 2 Σ_{n≥1} a_{n−1}(q_i)·(gN_i S_n + gD_i Z_n)
//   U_n = Σ_i gN_i a_n(q_i) (= ∂L/∂S_n),  W_n = Σ_i gD_i a_n(q_i) (= ∂L/∂Z_n)
//   ∂(w_j k_jⁿ)/∂k_j = w_j (n k_jⁿ⁻¹ − 2 k_jⁿ⁺¹)   (w_j = exp(s − k_j²), s constant)
//   dv_j += Σ_n U_n w_j k_jⁿ
//   dk_j += Σ_n (U_n v_j + W_n)·w_j (n k_jⁿ⁻¹ − 2 k_jⁿ⁺¹)
// Any of dq, dk, dv may be null.
template <class T>
void ea_backward(T* dq, T* dk, T* dv, const T* dy, const T* y, const T* S, const T* Z,
                 const T* shift, const T* q, const T* k, const T* v, const T* mask,
                 const EaDims& d) {
  using namespace ea_detail;
  const int t = d.order;
  const int64_t D = d.D, blocks = (D + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t c0 = blk * kBlock, nc = std::min(kBlock, D - c0);
      const T* Sb = S + b * (t + 1) * D + c0;
      const T* Zb = Z + b * (t + 1) * D + c0;
      T U[kEaMaxOrder + 1][kBlock] = {}, W[kEaMaxOrder + 1][kBlock] = {};
      for (int64_t i = 0; i < d.Lq; ++i) {
        const int64_t off = (b * d.Lq + i) * D + c0;
        T den[kBlock] = {}, a[kEaMaxOrder + 1][kBlock];
        for (int64_t c = 0; c < nc; ++c) a[0][c] = T(1);
        for (int n = 1; n <= t; ++n)
          for (int64_t c = 0; c < nc; ++c) a[n][c] = a[n - 1][c] * T(2) * q[off + c] / T(n);
        for (int n = 0; n <= t; ++n)
          for (int64_t c = 0; c < nc; ++c) den[c] += a[n][c] * Zb[n * D + c];
        T gN[kBlock], gD[kBlock];
        for (int64_t c = 0; c < nc; ++c) {
          const bool ok = den[c] > T(0);
          gN[c] = ok ? dy[off + c] / den[c] : T(0);
          gD[c] = ok ? -dy[off + c] * y[off + c] / den[c] : T(0);
        }
        for (int n = 0; n <= t; ++n)
          for (int64_t c = 0; c < nc; ++c) {
            U[n][c] += gN[c] * a[n][c];
            W[n][c] += gD[c] * a[n][c];
          }
        if (dq) {
          T acc[kBlock] = {};
          for (int n = 1; n <= t; ++n)
            for (int64_t c = 0; c < nc; ++c)
              acc[c] += a[n - 1][c] * (gN[c] * Sb[n * D + c] + gD[c] * Zb[n * D + c]);
          for (int64_t c = 0; c < nc; ++c) dq[off + c] += T(2) * acc[c];
        }
      }
      if (!dk && !dv) continue;
      for (int64_t j = 0; j < d.Lk; ++j) {
        if (!key_valid(mask, b, d.Lk, j)) continue;
        const int64_t off = (b * d.Lk + j) * D + c0;
        key_gradients(dk ? dk + off : nullptr, dv ? dv + off : nullptr, U, W, k + off, v + off,
                      shift + b * D + c0, t, nc);
      }
    }
}

// ---------------------------------------------------------------------------------
// Causal form (Lq = Lk = L): a scan over positions carrying S_n(i), Z_n(i) = sums over
// j ≤ i. The shift s(i) = min_{j≤i} k_j² only decreases; when it does, the carried sums
// are rescaled by exp(s(i) − s(i−1)) ≤ 1. O(t·L·D) time, O(t·D) extra memory.
template <class T>
struct EaScanState {
  T S[kEaMaxOrder + 1][ea_detail::kBlock];
  T Z[kEaMaxOrder + 1][ea_detail::kBlock];
  T s[ea_detail::kBlock];

  void clear(int t, int64_t nc) {
    for (int n = 0; n <= t; ++n)
      for (int64_t c = 0; c < nc; ++c) S[n][c] = Z[n][c] = T(0);
    for (int64_t c = 0; c < nc; ++c) s[c] = std::numeric_limits<T>::infinity();
  }
  // Adds key/value (k, v) to the sums; returns the weights w = exp(s − k²) used.
  void absorb(const T* kj, const T* vj, int t, int64_t nc, T* w_out) {
    for (int64_t c = 0; c < nc; ++c) {
      const T k2 = kj[c] * kj[c];
      if (k2 < s[c]) {
        // Sums are empty while s is +inf; otherwise rescale them to the new shift.
        const T r = std::isinf(s[c]) ? T(0) : std::exp(k2 - s[c]);
        for (int n = 0; n <= t; ++n) S[n][c] *= r, Z[n][c] *= r;
        s[c] = k2;
      }
    }
    // Apart from the rare shift change above, the exponentials go through vector exp.
#pragma omp simd
    for (int64_t c = 0; c < nc; ++c) w_out[c] = std::exp(s[c] - kj[c] * kj[c]);
    T p[ea_detail::kBlock];
    for (int64_t c = 0; c < nc; ++c) p[c] = w_out[c];
    for (int n = 0; n <= t; ++n)
      for (int64_t c = 0; c < nc; ++c) {
        Z[n][c] += p[c];
        S[n][c] += p[c] * vj[c];
        p[c] *= kj[c];
      }
  }
  // y = N/D for query q (0 where D = 0); a receives a_n(q), den receives D.
  void read(const T* qi, int t, int64_t nc, T* y, T (*a)[ea_detail::kBlock], T* den) const {
    T num[ea_detail::kBlock] = {};
    for (int64_t c = 0; c < nc; ++c) a[0][c] = T(1), den[c] = T(0);
    for (int n = 1; n <= t; ++n)
      for (int64_t c = 0; c < nc; ++c) a[n][c] = a[n - 1][c] * T(2) * qi[c] / T(n);
    for (int n = 0; n <= t; ++n)
      for (int64_t c = 0; c < nc; ++c) {
        num[c] += a[n][c] * S[n][c];
        den[c] += a[n][c] * Z[n][c];
      }
    for (int64_t c = 0; c < nc; ++c) y[c] = den[c] > T(0) ? num[c] / den[c] : T(0);
  }
};

template <class T>
void ea_causal_forward(T* y, const T* q, const T* k, const T* v, const T* mask, const EaDims& d) {
  using namespace ea_detail;
  if (d.Lq != d.Lk) throw std::invalid_argument("causal EA needs Lq == Lk");
  const int t = d.order;
  const int64_t D = d.D, L = d.Lq, blocks = (D + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t c0 = blk * kBlock, nc = std::min(kBlock, D - c0);
      EaScanState<T> st;
      st.clear(t, nc);
      T w[kBlock], den[kBlock], a[kEaMaxOrder + 1][kBlock];
      for (int64_t i = 0; i < L; ++i) {
        const int64_t off = (b * L + i) * D + c0;
        if (key_valid(mask, b, L, i)) st.absorb(k + off, v + off, t, nc, w);
        st.read(q + off, t, nc, y + off, a, den);
      }
    }
}

// Backward of the causal form: two scans per channel block.
// Forward rescan: rebuild S(i), Z(i), D_i; then gN_i, gD_i and dq_i exactly as in the
// non-causal case (with S(i), Z(i)); keep gN_i, gD_i, s(i) per position.
// Reverse scan: the key at j feeds every S(i), Z(i) with i ≥ j, at that step's shift:
//   ∂L/∂(w_j k_jⁿ v_j) = Σ_{i≥j} gN_i a_n(q_i) e^{s(i) − s(j)} =: Ũ_n(j)   (w_j at shift s(j))
//   Ũ_n(j) = gN_j a_n(q_j) + e^{s(j+1) − s(j)} Ũ_n(j+1), and W̃ likewise with gD;
// s is non-increasing in j, so the carry factor is ≤ 1. Then dv_j, dk_j are the
// non-causal formulas with Ũ(j), W̃(j) in place of U, W.
// workspace: ea_causal_backward_workspace(d) elements, or null (allocated here).
inline int64_t ea_causal_backward_workspace(const EaDims& d) {
  return ThreadWorkspace<float>::size(3 * d.Lq * ea_detail::kBlock);
}

template <class T>
void ea_causal_backward(T* dq, T* dk, T* dv, const T* dy, const T* y, const T* q, const T* k,
                        const T* v, const T* mask, const EaDims& d, T* workspace = nullptr) {
  using namespace ea_detail;
  if (d.Lq != d.Lk) throw std::invalid_argument("causal EA needs Lq == Lk");
  const int t = d.order;
  const int64_t D = d.D, L = d.Lq, blocks = (D + kBlock - 1) / kBlock;
  const ThreadWorkspace<T> work(workspace, 3 * L * kBlock);  // gN, gD, s per position
#pragma omp parallel
  {
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const int64_t c0 = blk * kBlock, nc = std::min(kBlock, D - c0);
        T* gN = work.mine();
        T* gD = gN + L * kBlock;
        T* sh = gD + L * kBlock;
        EaScanState<T> st;
        st.clear(t, nc);
        T w[kBlock], den[kBlock], yy[kBlock], a[kEaMaxOrder + 1][kBlock];
        for (int64_t i = 0; i < L; ++i) {
          const int64_t off = (b * L + i) * D + c0;
          if (key_valid(mask, b, L, i)) st.absorb(k + off, v + off, t, nc, w);
          st.read(q + off, t, nc, yy, a, den);
          for (int64_t c = 0; c < nc; ++c) {
            const bool ok = den[c] > T(0);
            gN[i * kBlock + c] = ok ? dy[off + c] / den[c] : T(0);
            gD[i * kBlock + c] = ok ? -dy[off + c] * y[off + c] / den[c] : T(0);
            sh[i * kBlock + c] = st.s[c];
          }
          if (dq) {
            T acc[kBlock] = {};
            for (int n = 1; n <= t; ++n)
              for (int64_t c = 0; c < nc; ++c)
                acc[c] += a[n - 1][c] *
                          (gN[i * kBlock + c] * st.S[n][c] + gD[i * kBlock + c] * st.Z[n][c]);
            for (int64_t c = 0; c < nc; ++c) dq[off + c] += T(2) * acc[c];
          }
        }
        if (!dk && !dv) continue;
        T U[kEaMaxOrder + 1][kBlock] = {}, W[kEaMaxOrder + 1][kBlock] = {};
        for (int64_t i = L - 1; i >= 0; --i) {
          const int64_t off = (b * L + i) * D + c0;
          // carry from i+1; s(i) = +inf only before the first valid key, where nothing
          // below needs U.
          T carry[kBlock];
          if (i == L - 1)
            for (int64_t c = 0; c < nc; ++c) carry[c] = T(0);
          else
#pragma omp simd
            for (int64_t c = 0; c < nc; ++c) {
              const T s_i = sh[i * kBlock + c];
              carry[c] = std::isinf(s_i) ? T(0) : std::exp(sh[(i + 1) * kBlock + c] - s_i);
            }
          for (int64_t c = 0; c < nc; ++c) {
            const T r = carry[c];
            T an = T(1);
            for (int n = 0; n <= t; ++n) {
              U[n][c] = gN[i * kBlock + c] * an + r * U[n][c];
              W[n][c] = gD[i * kBlock + c] * an + r * W[n][c];
              an *= T(2) * q[off + c] / T(n + 1);
            }
          }
          if (key_valid(mask, b, L, i))
            key_gradients(dk ? dk + off : nullptr, dv ? dv + off : nullptr, U, W, k + off, v + off,
                          sh + i * kBlock, t, nc);
        }
      }
  }
}

// ---------------------------------------------------------------------------------
// Recurrent inference: state per batch element is S, Z: [t+1, D] and the shift s: [D].
// One token (q, k, v: [B, D]) updates the state in O(t·D) and returns y: [B, D],
// equal to the causal parallel form at that position.
template <class T>
struct EaRecurrentState {
  int64_t B = 0, D = 0;
  int order = 0;
  std::vector<T> S, Z, s;  // [B, t+1, D], [B, t+1, D], [B, D]

  EaRecurrentState(int64_t B_, int64_t D_, int order_)
      : B(B_),
        D(D_),
        order(order_),
        S(B_ * (order_ + 1) * D_, T(0)),
        Z(B_ * (order_ + 1) * D_, T(0)),
        s(B_ * D_, std::numeric_limits<T>::infinity()) {}
};

template <class T>
void ea_step(T* y, EaRecurrentState<T>& st, const T* q, const T* k, const T* v) {
  const int t = st.order;
  const int64_t D = st.D;
#pragma omp parallel for schedule(static) if (st.B * D * t > 65536)
  for (int64_t b = 0; b < st.B; ++b) {
    T* S = st.S.data() + b * (t + 1) * D;
    T* Z = st.Z.data() + b * (t + 1) * D;
    T* s = st.s.data() + b * D;
    const T *qb = q + b * D, *kb = k + b * D, *vb = v + b * D;
    for (int64_t c = 0; c < D; ++c) {
      const T k2 = kb[c] * kb[c];
      if (k2 < s[c]) {
        const T r = std::isinf(s[c]) ? T(0) : std::exp(k2 - s[c]);
        for (int n = 0; n <= t; ++n) S[n * D + c] *= r, Z[n * D + c] *= r;
        s[c] = k2;
      }
    }
    T* yb = y + b * D;
    for (int64_t c = 0; c < D; ++c) {
      T p = std::exp(s[c] - kb[c] * kb[c]);
      for (int n = 0; n <= t; ++n) {
        Z[n * D + c] += p;
        S[n * D + c] += p * vb[c];
        p *= kb[c];
      }
      T a = T(1), num = T(0), den = T(0);
      for (int n = 0; n <= t; ++n) {
        num += a * S[n * D + c];
        den += a * Z[n * D + c];
        a *= T(2) * qb[c] / T(n + 1);
      }
      yb[c] = den > T(0) ? num / den : T(0);
    }
  }
}

// ---------------------------------------------------------------------------------
// Plain-loop twins through the L×L per-channel weights, the test oracles.
// c_ijc = w_jc·P_t(2 q_ic k_jc), w_jc = m_j exp(−k_jc²), P_t(x) = Σ_{n≤t} xⁿ/n!
template <class T>
T taylor_exp(T x, int t) {
  T term = T(1), sum = T(1);
  for (int n = 1; n <= t; ++n) sum += (term *= x / T(n));
  return sum;
}

template <class T>
void ea_forward_naive(T* y, const T* q, const T* k, const T* v, const T* mask, const EaDims& d,
                      bool causal) {
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t c = 0; c < d.D; ++c) {
        T num = 0, den = 0;
        const T qi = q[(b * d.Lq + i) * d.D + c];
        const int64_t jend = causal ? i + 1 : d.Lk;
        for (int64_t j = 0; j < jend; ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          const T kj = k[(b * d.Lk + j) * d.D + c];
          const T cij = std::exp(-kj * kj) * taylor_exp(T(2) * qi * kj, d.order);
          num += cij * v[(b * d.Lk + j) * d.D + c];
          den += cij;
        }
        y[(b * d.Lq + i) * d.D + c] = den > T(0) ? num / den : T(0);
      }
}

// y_i = Σ_j c_ij v_j / Σ_j c_ij. With D_i = Σ_j c_ij and P' = P_{t−1}:
//   dv_j += Σ_i g_i c_ij / D_i
//   ∂L/∂c_ij = g_i (v_j − y_i)/D_i =: e_ij
//   dq_i += Σ_j e_ij w_j 2k_j P_{t−1}(2 q_i k_j)
//   dk_j += Σ_i e_ij (w_j 2q_i P_{t−1}(2 q_i k_j) − 2 k_j c_ij)
template <class T>
void ea_backward_naive(T* dq, T* dk, T* dv, const T* dy, const T* q, const T* k, const T* v,
                       const T* mask, const EaDims& d, bool causal) {
  std::vector<T> y(d.B * d.Lq * d.D);
  ea_forward_naive(y.data(), q, k, v, mask, d, causal);
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t c = 0; c < d.D; ++c) {
        const int64_t qi_at = (b * d.Lq + i) * d.D + c;
        const T qi = q[qi_at];
        const int64_t jend = causal ? i + 1 : d.Lk;
        T den = 0;
        for (int64_t j = 0; j < jend; ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          const T kj = k[(b * d.Lk + j) * d.D + c];
          den += std::exp(-kj * kj) * taylor_exp(T(2) * qi * kj, d.order);
        }
        if (!(den > T(0))) continue;
        for (int64_t j = 0; j < jend; ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          const int64_t kj_at = (b * d.Lk + j) * d.D + c;
          const T kj = k[kj_at], w = std::exp(-kj * kj);
          const T cij = w * taylor_exp(T(2) * qi * kj, d.order);
          const T dP = taylor_exp(T(2) * qi * kj, d.order - 1);
          const T e = dy[qi_at] * (v[kj_at] - y[qi_at]) / den;
          if (dv) dv[kj_at] += dy[qi_at] * cij / den;
          if (dq) dq[qi_at] += e * w * T(2) * kj * dP;
          if (dk) dk[kj_at] += e * (w * T(2) * qi * dP - T(2) * kj * cij);
        }
      }
}

// The exact per-channel softmax EA approximates: y_ic = Σ_j softmax_j(−(q_ic − k_jc)²) v_jc.
template <class T>
void ea_exact_softmax(T* y, const T* q, const T* k, const T* v, const T* mask, const EaDims& d,
                      bool causal) {
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t c = 0; c < d.D; ++c) {
        const T qi = q[(b * d.Lq + i) * d.D + c];
        const int64_t jend = causal ? i + 1 : d.Lk;
        T mx = -std::numeric_limits<T>::infinity();
        for (int64_t j = 0; j < jend; ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          const T diff = qi - k[(b * d.Lk + j) * d.D + c];
          mx = std::max(mx, -diff * diff);
        }
        T num = 0, den = 0;
        for (int64_t j = 0; j < jend; ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          const T diff = qi - k[(b * d.Lk + j) * d.D + c];
          const T e = std::exp(-diff * diff - mx);
          num += e * v[(b * d.Lk + j) * d.D + c];
          den += e;
        }
        y[(b * d.Lq + i) * d.D + c] = den > T(0) ? num / den : T(0);
      }
}

}  // namespace eaf
