// Attention-free transformer (Zhai et al. 2021), the paper's AFT baselines.
//
// AFT-simple, per channel c:   y_ic = σ(q_ic) · Σ_j softmax_j(k_jc) v_jc     O(L·D)
//   (causal: the softmax runs over j ≤ i, as a scan with a running maximum)
// AFT-full, with a learned pairwise bias w: [Lmax, Lmax] shared by all channels:
//   y_ic = σ(q_ic) · Σ_j e^{k_jc + w_ij} v_jc / Σ_j e^{k_jc + w_ij}       O(L²·D)
// AFT-full is computed as in the AFT paper, by factorising e^{k + w} = e^{w}·e^{k}:
//   A = E_w (E_k ⊙ V),  Z = E_w E_k  (two GEMMs),  a = A / Z,  y = σ(q) ⊙ a
// with E_w = e^{w − rowmax(w)} (zero where masked) and E_k = e^{k − colmax(k)}; the
// subtracted maxima cancel between A and Z, so backward treats them as constants.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "attention/key_mask.h"
#include "core/gemm.h"
#include "core/simd_math.h"
#include "core/workspace.h"

namespace eaf {

struct AftDims {
  int64_t B, Lq, Lk, D;
};

namespace aft_detail {
template <class T>
inline T sigmoid(T x) {
  return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}
}  // namespace aft_detail

// ---- AFT-simple, non-causal. Saved: a, Z, m: [B, D] (context, normaliser, max).
template <class T>
void aft_simple_forward(T* y, T* a, T* Z, T* m, const T* q, const T* k, const T* v, const T* mask,
                        const AftDims& d) {
  using namespace aft_detail;
  const int64_t D = d.D;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < d.B; ++b) {
    T* ab = a + b * D;
    T* Zb = Z + b * D;
    T* mb = m + b * D;
    for (int64_t c = 0; c < D; ++c)
      ab[c] = Zb[c] = T(0), mb[c] = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < d.Lk; ++j)
      if (key_valid(mask, b, d.Lk, j))
        for (int64_t c = 0; c < D; ++c) mb[c] = std::max(mb[c], k[(b * d.Lk + j) * D + c]);
    for (int64_t j = 0; j < d.Lk; ++j) {
      if (!key_valid(mask, b, d.Lk, j)) continue;
#pragma omp simd
      for (int64_t c = 0; c < D; ++c) {
        const T e = std::exp(k[(b * d.Lk + j) * D + c] - mb[c]);
        Zb[c] += e;
        ab[c] += e * v[(b * d.Lk + j) * D + c];
      }
    }
    for (int64_t c = 0; c < D; ++c) ab[c] = Zb[c] > T(0) ? ab[c] / Zb[c] : T(0);
    for (int64_t i = 0; i < d.Lq; ++i)
#pragma omp simd
      for (int64_t c = 0; c < D; ++c)
        y[(b * d.Lq + i) * D + c] = sigmoid(q[(b * d.Lq + i) * D + c]) * ab[c];
  }
}

// y_i = σ(q_i) a, a = Σ_j p_j v_j, p = softmax(k). With g_i = ∂L/∂y_i:
//   dq_i += g_i a σ(q_i)(1 − σ(q_i));   da = Σ_i g_i σ(q_i)
//   dv_j += da p_j;   dk_j += da p_j (v_j − a)       (softmax backward)
// workspace: aft_simple_backward_workspace(d) elements, or null (allocated here)
inline int64_t aft_simple_backward_workspace(const AftDims& d) {
  return ThreadWorkspace<float>::size(d.D);
}

template <class T>
void aft_simple_backward(T* dq, T* dk, T* dv, const T* dy, const T* a, const T* Z, const T* m,
                         const T* q, const T* k, const T* v, const T* mask, const AftDims& d,
                         T* workspace = nullptr) {
  using namespace aft_detail;
  const int64_t D = d.D;
  const ThreadWorkspace<T> work(workspace, D);
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int64_t b = 0; b < d.B; ++b) {
      const T* ab = a + b * D;
      T* da = work.mine();
      std::fill(da, da + D, T(0));
      for (int64_t i = 0; i < d.Lq; ++i)
#pragma omp simd
        for (int64_t c = 0; c < D; ++c) {
          const int64_t at = (b * d.Lq + i) * D + c;
          const T s = sigmoid(q[at]);
          da[c] += dy[at] * s;
          if (dq) dq[at] += dy[at] * ab[c] * s * (T(1) - s);
        }
      for (int64_t j = 0; j < d.Lk; ++j) {
        if (!key_valid(mask, b, d.Lk, j)) continue;
#pragma omp simd
        for (int64_t c = 0; c < D; ++c) {
          const int64_t at = (b * d.Lk + j) * D + c;
          const T p = std::exp(k[at] - m[b * D + c]) / Z[b * D + c];
          if (dv) dv[at] += da[c] * p;
          if (dk) dk[at] += da[c] * p * (v[at] - ab[c]);
        }
      }
    }
  }
}

// ---- AFT-simple, causal: a scan per channel carrying (Σ e^{k−m} v, Σ e^{k−m}, m).
// Saved per position: a_i, Z_i, m_i: [B, L, D] (context, normaliser and running max).
template <class T>
void aft_simple_causal_forward(T* y, T* a, T* Z, T* m, const T* q, const T* k, const T* v,
                               const T* mask, const AftDims& d) {
  using namespace aft_detail;
  if (d.Lq != d.Lk) throw std::invalid_argument("causal AFT needs Lq == Lk");
  const int64_t D = d.D, L = d.Lq;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t c = 0; c < D; ++c) {
      T num = 0, den = 0, mx = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < L; ++i) {
        const int64_t at = (b * L + i) * D + c;
        if (key_valid(mask, b, L, i)) {
          if (k[at] > mx) {
            const T r = std::isinf(mx) ? T(0) : std::exp(mx - k[at]);
            num *= r, den *= r, mx = k[at];
          }
          const T e = std::exp(k[at] - mx);
          num += e * v[at];
          den += e;
        }
        a[at] = den > T(0) ? num / den : T(0);
        Z[at] = den;
        m[at] = mx;
        y[at] = sigmoid(q[at]) * a[at];
      }
    }
}

// With da_i = g_i σ(q_i) and p_ij = e^{k_j − m_i}/Z_i for j ≤ i:
//   dv_j = Σ_{i≥j} da_i p_ij,  dk_j = Σ_{i≥j} da_i p_ij (v_j − a_i)
// e^{k_j − m_i} = e^{k_j − m_j}·e^{m_j − m_i}, so with
//   R_j = Σ_{i≥j} da_i e^{m_j − m_i}/Z_i = da_j/Z_j + e^{m_j − m_{j+1}} R_{j+1}
//   T_j = Σ_{i≥j} da_i a_i e^{m_j − m_i}/Z_i  (same recurrence)
// (m is non-decreasing, so the carry factor is ≤ 1):
//   dv_j += e^{k_j − m_j} R_j,  dk_j += e^{k_j − m_j}(v_j R_j − T_j)
template <class T>
void aft_simple_causal_backward(T* dq, T* dk, T* dv, const T* dy, const T* a, const T* Z,
                                const T* m, const T* q, const T* k, const T* v, const T* mask,
                                const AftDims& d, T* /*workspace: not needed*/ = nullptr) {
  using namespace aft_detail;
  const int64_t D = d.D, L = d.Lq;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t c = 0; c < D; ++c) {
      T R = 0, Tt = 0;
      for (int64_t i = L - 1; i >= 0; --i) {
        const int64_t at = (b * L + i) * D + c;
        const T s = sigmoid(q[at]);
        if (dq) dq[at] += dy[at] * a[at] * s * (T(1) - s);
        const T da = dy[at] * s;
        const T carry = (i == L - 1 || std::isinf(m[at])) ? T(0) : std::exp(m[at] - m[at + D]);
        const T inv_z = Z[at] > T(0) ? T(1) / Z[at] : T(0);
        R = da * inv_z + carry * R;
        Tt = da * a[at] * inv_z + carry * Tt;
        if (!key_valid(mask, b, L, i)) continue;
        const T e = std::exp(k[at] - m[at]);
        if (dv) dv[at] += e * R;
        if (dk) dk[at] += e * (v[at] * R - Tt);
      }
    }
}

// Recurrent AFT-simple: state per channel (num, den, max).
template <class T>
struct AftRecurrentState {
  int64_t B, D;
  std::vector<T> num, den, mx;
  AftRecurrentState(int64_t B_, int64_t D_)
      : B(B_),
        D(D_),
        num(B_ * D_, T(0)),
        den(B_ * D_, T(0)),
        mx(B_ * D_, -std::numeric_limits<T>::infinity()) {}
};

template <class T>
void aft_simple_step(T* y, AftRecurrentState<T>& st, const T* q, const T* k, const T* v) {
  for (int64_t x = 0; x < st.B * st.D; ++x) {
    if (k[x] > st.mx[x]) {
      const T r = std::isinf(st.mx[x]) ? T(0) : std::exp(st.mx[x] - k[x]);
      st.num[x] *= r, st.den[x] *= r, st.mx[x] = k[x];
    }
    const T e = std::exp(k[x] - st.mx[x]);
    st.num[x] += e * v[x];
    st.den[x] += e;
    y[x] = aft_detail::sigmoid(q[x]) * st.num[x] / st.den[x];
  }
}

// ---- AFT-full.
struct AftFullDims {
  int64_t B, Lq, Lk, D, ldw;  // ldw: row stride of w (its max length)
  bool causal;
};

// Ew: [Lq, Lk] = e^{w_ij − max_j w_ij} over allowed j (0 elsewhere)
// Ek, KV: [B, Lk, D] = e^{k − max_j k} (0 for masked keys) and Ek ⊙ V
// a, Z: [B, Lq, D] saved; y = σ(q) ⊙ a;  mk: [B, D] workspace (key maxima)
template <class T>
void aft_full_forward(T* y, T* a, T* Z, T* Ew, T* Ek, T* KV, T* mk_all, const T* q, const T* k,
                      const T* v, const T* w, const T* mask, const AftFullDims& d) {
  using namespace aft_detail;
  const int64_t D = d.D;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < d.Lq; ++i) {
    const int64_t jend = d.causal ? std::min(i + 1, d.Lk) : d.Lk;
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < jend; ++j) mx = std::max(mx, w[i * d.ldw + j]);
    for (int64_t j = 0; j < d.Lk; ++j)
      Ew[i * d.Lk + j] = j < jend ? std::exp(w[i * d.ldw + j] - mx) : T(0);
  }
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < d.B; ++b) {
    T* mk = mk_all + b * D;
    for (int64_t c = 0; c < D; ++c) mk[c] = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < d.Lk; ++j)
      if (key_valid(mask, b, d.Lk, j))
        for (int64_t c = 0; c < D; ++c) mk[c] = std::max(mk[c], k[(b * d.Lk + j) * D + c]);
    for (int64_t j = 0; j < d.Lk; ++j)
      for (int64_t c = 0; c < D; ++c) {
        const int64_t at = (b * d.Lk + j) * D + c;
        Ek[at] = key_valid(mask, b, d.Lk, j) ? std::exp(k[at] - mk[c]) : T(0);
        KV[at] = Ek[at] * v[at];
      }
  }
  GemmDims g;  // per batch element: [Lq, Lk] · [Lk, D], E_w shared (stride 0 via loop)
  g.M = d.Lq, g.N = D, g.K = d.Lk;
  for (int64_t b = 0; b < d.B; ++b) {
    gemm(g, Ew, KV + b * d.Lk * D, a + b * d.Lq * D);
    gemm(g, Ew, Ek + b * d.Lk * D, Z + b * d.Lq * D);
  }
#pragma omp parallel for schedule(static)
  for (int64_t x = 0; x < d.B * d.Lq * D; ++x) {
    a[x] = Z[x] > T(0) ? a[x] / Z[x] : T(0);
    y[x] = sigmoid(q[x]) * a[x];
  }
}

// With da = g ⊙ σ(q), dA = da/Z, dZ = −da ⊙ a/Z (per batch element, [Lq, D]):
//   dq += g ⊙ a ⊙ σ'(q)
//   dE_w = Σ_b dA (E_k ⊙ V)ᵀ + dZ E_kᵀ             → dw_ij += dE_w,ij · E_w,ij
//   G = E_wᵀ dA:  dv += E_k ⊙ G,  dE_k = V ⊙ G + E_wᵀ dZ  → dk += dE_k ⊙ E_k
// dA and dZ overwrite the a and Z buffers' scratch copies (work: [B, Lq, D] ×2,
// work_k: [Lk, D] ×2, work_w: [Lq, Lk]).
template <class T>
void aft_full_backward(T* dq, T* dk, T* dv, T* dw, T* work_a, T* work_z, T* work_k1, T* work_k2,
                       T* work_w, const T* dy, const T* a, const T* Z, const T* Ew, const T* Ek,
                       const T* KV, const T* q, const T* v, const AftFullDims& d) {
  using namespace aft_detail;
  const int64_t D = d.D, n = d.B * d.Lq * D;
#pragma omp parallel for schedule(static)
  for (int64_t x = 0; x < n; ++x) {
    const T s = sigmoid(q[x]);
    if (dq) dq[x] += dy[x] * a[x] * s * (T(1) - s);
    const T da = dy[x] * s;
    work_a[x] = Z[x] > T(0) ? da / Z[x] : T(0);
    work_z[x] = Z[x] > T(0) ? -da * a[x] / Z[x] : T(0);
  }
  if (dw) {
    for (int64_t x = 0; x < d.Lq * d.Lk; ++x) work_w[x] = T(0);
    GemmDims g;  // [Lq, D] · [Lk, D]ᵀ, accumulated over the batch
    g.M = d.Lq, g.N = d.Lk, g.K = D, g.trans_b = true, g.accumulate = true;
    for (int64_t b = 0; b < d.B; ++b) {
      gemm(g, work_a + b * d.Lq * D, KV + b * d.Lk * D, work_w);
      gemm(g, work_z + b * d.Lq * D, Ek + b * d.Lk * D, work_w);
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t j = 0; j < d.Lk; ++j)
        dw[i * d.ldw + j] += work_w[i * d.Lk + j] * Ew[i * d.Lk + j];
  }
  if (!dk && !dv) return;
  GemmDims g;  // E_wᵀ [Lk, Lq] · [Lq, D]
  g.M = d.Lk, g.N = D, g.K = d.Lq, g.trans_a = true;
  for (int64_t b = 0; b < d.B; ++b) {
    gemm(g, Ew, work_a + b * d.Lq * D, work_k1);
    gemm(g, Ew, work_z + b * d.Lq * D, work_k2);
#pragma omp parallel for schedule(static)
    for (int64_t x = 0; x < d.Lk * D; ++x) {
      const int64_t at = b * d.Lk * D + x;
      if (dv) dv[at] += Ek[at] * work_k1[x];
      if (dk) dk[at] += (v[at] * work_k1[x] + work_k2[x]) * Ek[at];
    }
  }
}

// Plain loops over (i, j) with e^{k + w} directly, the oracle for both AFT forms.
// w = null gives AFT-simple.
template <class T>
void aft_forward_naive(T* y, const T* q, const T* k, const T* v, const T* w, int64_t ldw,
                       const T* mask, const AftDims& d, bool causal) {
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t c = 0; c < d.D; ++c) {
        T mx = -std::numeric_limits<T>::infinity();
        const int64_t jend = causal ? i + 1 : d.Lk;
        for (int64_t j = 0; j < jend; ++j)
          if (!mask || mask[b * d.Lk + j] != T(0))
            mx = std::max(mx, k[(b * d.Lk + j) * d.D + c] + (w ? w[i * ldw + j] : T(0)));
        T num = 0, den = 0;
        for (int64_t j = 0; j < jend; ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          const T e = std::exp(k[(b * d.Lk + j) * d.D + c] + (w ? w[i * ldw + j] : T(0)) - mx);
          num += e * v[(b * d.Lk + j) * d.D + c];
          den += e;
        }
        const int64_t at = (b * d.Lq + i) * d.D + c;
        y[at] = aft_detail::sigmoid(q[at]) * (den > T(0) ? num / den : T(0));
      }
}

}  // namespace eaf
