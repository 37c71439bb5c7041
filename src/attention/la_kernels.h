// Linear attention (LA, Katharopoulos et al. 2020), multi-head, φ(x) = elu(x) + 1 > 0:
//   y_i = φ(q_i)ᵀ KV / (φ(q_i)ᵀ z + ε),  KV = Σ_j φ(k_j) v_jᵀ (E×E),  z = Σ_j φ(k_j)
// per head (b, h), with sums over valid keys (causal: j ≤ i), ε = 1e-6 as the
// reference implementation. The causal form is a scan carrying (KV, z); the recurrent
// step carries the same E×E + E state per head.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "attention/key_mask.h"
#include "core/gemm.h"
#include "core/simd_math.h"
#include "core/workspace.h"

namespace eaf {

struct LaDims {
  int64_t B, Lq, Lk, H, E;
  int64_t D() const { return H * E; }
};

inline constexpr double kLaEps = 1e-6;

namespace la_detail {
template <class T>
inline T phi(T x) {
  return x > T(0) ? x + T(1) : std::exp(x);
}
// φ(x) and φ'(x) of one position's E channels, in one vectorised pass (libmvec exp):
//   φ(x) = x + 1, φ'(x) = 1 for x > 0;  φ(x) = φ'(x) = eˣ otherwise.
template <class T>
inline void phi_of(T* p, T* dp, const T* x, int64_t E) {
#pragma omp simd
  for (int64_t e = 0; e < E; ++e) {
    const T ex = std::exp(std::min(x[e], T(0)));
    p[e] = x[e] > T(0) ? x[e] + T(1) : ex;
    dp[e] = x[e] > T(0) ? T(1) : ex;
  }
}

// Per-thread scratch for one position's φ and φ' (query side and key side).
template <class T>
struct PhiScratch {
  std::vector<T> buf;
  explicit PhiScratch(int64_t E) : buf(static_cast<size_t>(4 * E)) {}
  T* pq() { return buf.data(); }
  T* dpq() { return buf.data() + buf.size() / 4; }
  T* pk() { return buf.data() + buf.size() / 2; }
  T* dpk() { return buf.data() + 3 * buf.size() / 4; }
};

// Adds φ(k) vᵀ and φ(k) to (KV, z); pk = φ(k).
template <class T>
inline void absorb(T* KV, T* z, const T* pk, const T* v, int64_t E) {
  for (int64_t e = 0; e < E; ++e) {
    z[e] += pk[e];
#pragma omp simd
    for (int64_t f = 0; f < E; ++f) KV[e * E + f] += pk[e] * v[f];
  }
}

// φ(q)ᵀz + ε; pq = φ(q).
template <class T>
inline T denominator(const T* z, const T* pq, int64_t E) {
  T den = T(kLaEps);
  for (int64_t e = 0; e < E; ++e) den += pq[e] * z[e];
  return den;
}

// y = φ(q)ᵀKV / (φ(q)ᵀz + ε); returns the denominator.
template <class T>
inline T read(T* y, const T* KV, const T* z, const T* pq, int64_t E) {
  const T den = denominator(z, pq, E);
  for (int64_t f = 0; f < E; ++f) y[f] = T(0);
  for (int64_t e = 0; e < E; ++e)
#pragma omp simd
    for (int64_t f = 0; f < E; ++f) y[f] += pq[e] * KV[e * E + f];
  for (int64_t f = 0; f < E; ++f) y[f] /= den;
  return den;
}

// Query-side backward for one position. With gN = g/den, gD = −(g·y)/den:
//   dφ(q)_e = Σ_f KV_ef gN_f + z_e gD,  dq_e += dφ(q)_e·φ'(q_e)
// and the key-side sums receive dKV_ef += φ(q_e) gN_f, dz_e += φ(q_e) gD.
template <class T>
inline void query_backward(T* dq, T* dKV, T* dz, const T* g, const T* y, T den, const T* KV,
                           const T* z, const T* pq, const T* dpq, int64_t E) {
  T gD = 0;
  for (int64_t f = 0; f < E; ++f) gD -= g[f] * y[f];
  gD /= den;
  const T inv_den = T(1) / den;
  for (int64_t e = 0; e < E; ++e) {
    T dphi = z[e] * gD;
#pragma omp simd reduction(+ : dphi)
    for (int64_t f = 0; f < E; ++f) {
      const T gN = g[f] * inv_den;
      dphi += KV[e * E + f] * gN;
      dKV[e * E + f] += pq[e] * gN;
    }
    dz[e] += pq[e] * gD;
    if (dq) dq[e] += dphi * dpq[e];
  }
}

// Key-side backward for one key: KV = Σ φ(k) vᵀ, z = Σ φ(k) give
//   dφ(k)_e = Σ_f dKV_ef v_f + dz_e,  dk_e += dφ(k)_e φ'(k_e),  dv_f += Σ_e φ(k_e) dKV_ef
template <class T>
inline void key_backward(T* dk, T* dv, const T* dKV, const T* dz, const T* pk, const T* dpk,
                         const T* v, int64_t E) {
  for (int64_t e = 0; e < E; ++e) {
    T dphi = dz[e];
#pragma omp simd reduction(+ : dphi)
    for (int64_t f = 0; f < E; ++f) dphi += dKV[e * E + f] * v[f];
    if (dv)
#pragma omp simd
      for (int64_t f = 0; f < E; ++f) dv[f] += pk[e] * dKV[e * E + f];
    if (dk) dk[e] += dphi * dpk[e];
  }
}
}  // namespace la_detail

// The head-wise products of the GEMM form, for every batch element: the heads are read
// in place from [B, L, H·E] tensors (row stride H·E, head stride E), one batched oneDNN
// call per batch element, as SA does.
//   la_heads_outer:  C_h = A_hᵀ B_h                    (E×E per head, C: [B, H, E, E])
//   la_heads_apply:  C_h (+)= A_h op(M_h), op(M) = M or Mᵀ   (L×E per head, in place)
template <class T>
void la_heads_outer(T* C, const T* A, const T* B, int64_t batch, int64_t L, int64_t H, int64_t E) {
  for (int64_t b = 0; b < batch; ++b) {
    GemmDims g;
    g.M = E, g.N = E, g.K = L, g.trans_a = true, g.lda = H * E, g.ldb = H * E, g.ldc = E;
    g.batch = H, g.stride_a = E, g.stride_b = E, g.stride_c = E * E;
    gemm(g, A + b * L * H * E, B + b * L * H * E, C + b * H * E * E);
  }
}
template <class T>
void la_heads_apply(T* C, const T* A, const T* M, int64_t batch, int64_t L, int64_t H, int64_t E,
                    bool transpose_m, bool accumulate) {
  for (int64_t b = 0; b < batch; ++b) {
    GemmDims g;
    g.M = L, g.N = E, g.K = E, g.trans_b = transpose_m, g.accumulate = accumulate;
    g.lda = H * E, g.ldb = E, g.ldc = H * E;
    g.batch = H, g.stride_a = E, g.stride_b = E * E, g.stride_c = E;
    gemm(g, A + b * L * H * E, M + b * H * E * E, C + b * L * H * E);
  }
}

// φ (and φ') of every row of x: [B, L, D]; rows of masked keys get 0, so they drop out
// of every sum they enter.
template <class T>
void la_phi_rows(T* p, T* dp, const T* x, const T* mask, int64_t B, int64_t L, int64_t D) {
#pragma omp parallel for collapse(2) schedule(static) if (B * L * D > 16384)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t l = 0; l < L; ++l) {
      const int64_t off = (b * L + l) * D;
      if (key_valid(mask, b, L, l)) {
        T* dst_dp = dp ? dp + off : nullptr;
#pragma omp simd
        for (int64_t c = 0; c < D; ++c) {
          const T xc = x[off + c];
          const T ex = std::exp(xc < T(0) ? xc : T(0));
          p[off + c] = xc > T(0) ? xc + T(1) : ex;
          if (dst_dp) dst_dp[c] = xc > T(0) ? T(1) : ex;
        }
      } else {
        std::fill(p + off, p + off + D, T(0));
        if (dp) std::fill(dp + off, dp + off + D, T(0));
      }
    }
}

// Non-causal, every head of a batch element in one batched GEMM (oneDNN reads the heads
// in place through row stride D and head stride E, as SA does). Per head, with
// Φ_Q = φ(Q_h), Φ_K = φ(K_h) (masked keys: 0):
//   KV = Φ_Kᵀ V_h (E×E),  z = Φ_Kᵀ 1,  Y_h = Φ_Q KV / (Φ_Q z + ε)
// Saved: KV: [B, H, E, E], z: [B, H, E]. workspace: la_forward_workspace(d) or null.
inline int64_t la_forward_workspace(const LaDims& d) {
  return d.B * std::max(d.Lq, d.Lk) * d.D();
}

template <class T>
void la_forward(T* y, T* KV, T* z, const T* q, const T* k, const T* v, const T* mask,
                const LaDims& d, T* workspace = nullptr) {
  const int64_t D = d.D(), E = d.E, H = d.H;
  std::vector<T> owned;
  if (!workspace) owned.resize(static_cast<size_t>(la_forward_workspace(d)));
  T* phi = workspace ? workspace : owned.data();  // φ(K), then φ(Q)
  la_phi_rows(phi, static_cast<T*>(nullptr), k, mask, d.B, d.Lk, D);
  la_heads_outer(KV, phi, v, d.B, d.Lk, H, E);  // KV_h = Φ_K,hᵀ V_h
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < d.B; ++b) {  // z = Σ_j φ(k_j), channel c = h·E + e
    T* zb = z + b * D;
    std::fill(zb, zb + D, T(0));
    for (int64_t j = 0; j < d.Lk; ++j)
#pragma omp simd
      for (int64_t c = 0; c < D; ++c) zb[c] += phi[(b * d.Lk + j) * D + c];
  }
  la_phi_rows(phi, static_cast<T*>(nullptr), q, static_cast<const T*>(nullptr), d.B, d.Lq, D);
  la_heads_apply(y, phi, KV, d.B, d.Lq, H, E, false, false);  // numerator Φ_Q,h KV_h
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t off = (b * d.Lq + i) * D + h * E;
        const T den = la_detail::denominator(z + b * D + h * E, phi + off, E);
        for (int64_t e = 0; e < E; ++e) y[off + e] /= den;
      }
}

// Workspace sizes (elements) of the kernels below; null workspaces are allocated inside.
inline int64_t la_backward_workspace(const LaDims& d) {
  const int64_t rows = d.B * std::max(d.Lq, d.Lk) * d.D();
  return 3 * rows + d.B * d.Lq * d.H + d.B * d.H * d.E * d.E + d.B * d.D();
}
inline int64_t la_causal_forward_workspace(const LaDims& d) {
  return ThreadWorkspace<float>::size(d.E * d.E + d.E);
}
inline int64_t la_causal_backward_workspace(const LaDims& d) {
  return ThreadWorkspace<float>::size(3 * (d.E * d.E + d.E) + d.Lq);
}

// With G = ∂L/∂Y, per position gN_i = g_i/den_i and gD_i = −(g_i·y_i)/den_i:
//   dΦ_Q = GN KVᵀ + gD zᵀ,       dq += dΦ_Q ⊙ φ'(q)
//   dKV = Φ_Qᵀ GN,  dz = Φ_Qᵀ gD
//   dΦ_K = V dKVᵀ + 1 dzᵀ,       dk += dΦ_K ⊙ φ'(k)     (masked keys: φ = 0, no dk)
//   dV  += Φ_K dKV
// φ'(x) is 1 for x > 0 and φ(x) otherwise, so it is read off φ instead of being stored.
template <class T>
void la_backward(T* dq, T* dk, T* dv, const T* dy, const T* y, const T* KV, const T* z, const T* q,
                 const T* k, const T* v, const T* mask, const LaDims& d, T* workspace = nullptr) {
  const int64_t D = d.D(), E = d.E, H = d.H;
  const int64_t rows = d.B * std::max(d.Lq, d.Lk) * D;
  std::vector<T> owned;
  if (!workspace) owned.resize(static_cast<size_t>(la_backward_workspace(d)));
  T* phi = workspace ? workspace : owned.data();  // φ(Q), later φ(K)
  T* gn = phi + rows;                             // GN
  T* dphi = gn + rows;                            // dΦ_Q, later dΦ_K
  T* gd = dphi + rows;                            // [B, Lq, H]
  T* dKV = gd + d.B * d.Lq * H;                   // [B, H, E, E]
  T* dz = dKV + d.B * H * E * E;                  // [B, D]
  la_phi_rows(phi, static_cast<T*>(nullptr), q, static_cast<const T*>(nullptr), d.B, d.Lq, D);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t off = (b * d.Lq + i) * D + h * E;
        const T den = la_detail::denominator(z + b * D + h * E, phi + off, E);
        T gy = 0;
        for (int64_t e = 0; e < E; ++e) {
          gn[off + e] = dy[off + e] / den;
          gy += dy[off + e] * y[off + e];
        }
        gd[(b * d.Lq + i) * H + h] = -gy / den;
      }
  la_heads_outer(dKV, phi, gn, d.B, d.Lq, H, E);  // dKV_h = Φ_Q,hᵀ GN_h
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < d.B; ++b) {  // dz = Φ_Qᵀ gD
    std::fill(dz + b * D, dz + (b + 1) * D, T(0));
    for (int64_t i = 0; i < d.Lq; ++i)
      for (int64_t h = 0; h < H; ++h) {
        const T g_d = gd[(b * d.Lq + i) * H + h];
        for (int64_t e = 0; e < E; ++e)
          dz[b * D + h * E + e] += phi[(b * d.Lq + i) * D + h * E + e] * g_d;
      }
  }
  if (dq) {
    la_heads_apply(dphi, gn, KV, d.B, d.Lq, H, E, true, false);  // GN_h KV_hᵀ
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t i = 0; i < d.Lq; ++i)
        for (int64_t c = 0; c < D; ++c) {
          const int64_t at = (b * d.Lq + i) * D + c;
          const T dphi_dq = q[at] > T(0) ? T(1) : phi[at];
          dq[at] += (dphi[at] + gd[(b * d.Lq + i) * H + c / E] * z[b * D + c]) * dphi_dq;
        }
  }
  if (!dk && !dv) return;
  la_phi_rows(phi, static_cast<T*>(nullptr), k, mask, d.B, d.Lk, D);
  if (dv) la_heads_apply(dv, phi, dKV, d.B, d.Lk, H, E, false, true);  // dV_h += Φ_K,h dKV_h
  if (dk) {
    la_heads_apply(dphi, v, dKV, d.B, d.Lk, H, E, true, false);  // V_h dKV_hᵀ
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t j = 0; j < d.Lk; ++j) {
        if (!key_valid(mask, b, d.Lk, j)) continue;
        for (int64_t c = 0; c < D; ++c) {
          const int64_t at = (b * d.Lk + j) * D + c;
          const T dphi_dk = k[at] > T(0) ? T(1) : phi[at];
          dk[at] += (dphi[at] + dz[b * D + c]) * dphi_dk;
        }
      }
  }
}

// Causal (Lq = Lk): a scan carrying KV(i), z(i).
template <class T>
void la_causal_forward(T* y, const T* q, const T* k, const T* v, const T* mask, const LaDims& d,
                       T* workspace = nullptr) {
  using namespace la_detail;
  if (d.Lq != d.Lk) throw std::invalid_argument("causal LA needs Lq == Lk");
  const int64_t D = d.D(), E = d.E, L = d.Lq;
  const ThreadWorkspace<T> work(workspace, E * E + E);
#pragma omp parallel
  {
    PhiScratch<T> phi(E);
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t h = 0; h < d.H; ++h) {
        T* KV = work.mine();
        T* z = KV + E * E;
        std::fill(KV, z + E, T(0));
        for (int64_t i = 0; i < L; ++i) {
          const int64_t off = (b * L + i) * D + h * E;
          if (key_valid(mask, b, L, i)) {
            phi_of(phi.pk(), phi.dpk(), k + off, E);
            absorb(KV, z, phi.pk(), v + off, E);
          }
          phi_of(phi.pq(), phi.dpq(), q + off, E);
          read(y + off, KV, z, phi.pq(), E);
        }
      }
  }
}

// Forward rescan gives dq_i (from KV(i), z(i)) and each position's contributions
// φ(q_i) gN_iᵀ, φ(q_i) gD_i; a reverse scan sums them over i ≥ j, which is exactly
// ∂L/∂(φ(k_j) v_jᵀ) and ∂L/∂φ(k_j) for key j. The per-position contributions are
// recomputed in the reverse scan from (q_i, g_i, y_i, den_i); only den_i is kept.
template <class T>
void la_causal_backward(T* dq, T* dk, T* dv, const T* dy, const T* y, const T* q, const T* k,
                        const T* v, const T* mask, const LaDims& d, T* workspace = nullptr) {
  using namespace la_detail;
  if (d.Lq != d.Lk) throw std::invalid_argument("causal LA needs Lq == Lk");
  const int64_t D = d.D(), E = d.E, L = d.Lq;
  const ThreadWorkspace<T> work(workspace, 3 * (E * E + E) + L);
#pragma omp parallel
  {
    PhiScratch<T> phi(E);
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b)
      for (int64_t h = 0; h < d.H; ++h) {
        // KV, z | dKV, dz | scratch (E² + E) | den (L)
        T* KV = work.mine();
        T* z = KV + E * E;
        T* dKV = z + E;
        T* dz = dKV + E * E;
        T* scratch = dz + E;
        T* den = scratch + E * E + E;
        std::fill(KV, z + E, T(0));
        for (int64_t i = 0; i < L; ++i) {
          const int64_t off = (b * L + i) * D + h * E;
          if (key_valid(mask, b, L, i)) {
            phi_of(phi.pk(), phi.dpk(), k + off, E);
            absorb(KV, z, phi.pk(), v + off, E);
          }
          phi_of(phi.pq(), phi.dpq(), q + off, E);
          den[i] = denominator(z, phi.pq(), E);
          if (dq) {  // the key-side sums are discarded here (scratch)
            std::fill(scratch, scratch + E * E + E, T(0));
            query_backward(dq + off, scratch, scratch + E * E, dy + off, y + off, den[i], KV, z,
                           phi.pq(), phi.dpq(), E);
          }
        }
        if (!dk && !dv) continue;
        std::fill(dKV, dz + E, T(0));
        for (int64_t i = L - 1; i >= 0; --i) {
          const int64_t off = (b * L + i) * D + h * E;
          phi_of(phi.pq(), phi.dpq(), q + off, E);
          query_backward(static_cast<T*>(nullptr), dKV, dz, dy + off, y + off, den[i], KV, z,
                         phi.pq(), phi.dpq(), E);
          if (key_valid(mask, b, L, i)) {
            phi_of(phi.pk(), phi.dpk(), k + off, E);
            key_backward(dk ? dk + off : nullptr, dv ? dv + off : nullptr, dKV, dz, phi.pk(),
                         phi.dpk(), v + off, E);
          }
        }
      }
  }
}

// Recurrent state per (b, h): KV (E×E) and z (E).
template <class T>
struct LaRecurrentState {
  int64_t B, H, E;
  std::vector<T> KV, z;
  LaRecurrentState(int64_t B_, int64_t H_, int64_t E_)
      : B(B_), H(H_), E(E_), KV(B_ * H_ * E_ * E_, T(0)), z(B_ * H_ * E_, T(0)) {}
};

template <class T>
void la_step(T* y, LaRecurrentState<T>& st, const T* q, const T* k, const T* v) {
  using namespace la_detail;
  const int64_t E = st.E, D = st.H * E;
#pragma omp parallel if (st.B * st.H * E * E > 16384)
  {
    PhiScratch<T> phi(E);
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < st.B; ++b)
      for (int64_t h = 0; h < st.H; ++h) {
        T* KV = st.KV.data() + (b * st.H + h) * E * E;
        T* z = st.z.data() + (b * st.H + h) * E;
        const int64_t off = b * D + h * E;
        phi_of(phi.pk(), phi.dpk(), k + off, E);
        absorb(KV, z, phi.pk(), v + off, E);
        phi_of(phi.pq(), phi.dpq(), q + off, E);
        read(y + off, KV, z, phi.pq(), E);
      }
  }
}

// Plain loops over all (i, j) pairs, the oracle.
template <class T>
void la_forward_naive(T* y, const T* q, const T* k, const T* v, const T* mask, const LaDims& d,
                      bool causal) {
  using la_detail::phi;
  const int64_t D = d.D();
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t i = 0; i < d.Lq; ++i) {
        std::vector<T> num(d.E, T(0));
        T den = T(kLaEps);
        for (int64_t j = 0; j < (causal ? i + 1 : d.Lk); ++j) {
          if (mask && mask[b * d.Lk + j] == T(0)) continue;
          T s = 0;
          for (int64_t e = 0; e < d.E; ++e)
            s +=
                phi(q[(b * d.Lq + i) * D + h * d.E + e]) * phi(k[(b * d.Lk + j) * D + h * d.E + e]);
          den += s;
          for (int64_t f = 0; f < d.E; ++f) num[f] += s * v[(b * d.Lk + j) * D + h * d.E + f];
        }
        for (int64_t f = 0; f < d.E; ++f) y[(b * d.Lq + i) * D + h * d.E + f] = num[f] / den;
      }
}

}  // namespace eaf
